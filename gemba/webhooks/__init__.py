"""Webhooks: an admin registers URLs for events; each event is queued once per hook as an
outbox row, and `flask webhooks deliver` (cron, or `--loop`) sends the rows that are due,
signed, with retries — never inside a user's request (see docs/webhooks.md).

events (which events happened: the audit trail after each hook's cursor, overdue actions,
missed and finished walks) -> outbox rows -> delivery (HTTP POST, backoff) ; signing is
pure; services hold the admin's writes; views and forms the pages (blueprint `webhooks`).
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("webhooks", __name__, url_prefix="/manage/webhooks")

# Every event a hook can subscribe to, in the order the form lists them, with its label.
EVENTS: dict[str, str] = {
    "gap.flagged": _l("A gap is flagged"),
    "gap.triaged": _l("A gap is triaged"),
    "action.created": _l("An action is created"),
    "action.changed": _l("An action is changed"),
    "action.overdue": _l("An action is overdue"),
    "action.verified": _l("An action is verified"),
    "walk.finished": _l("A walk is finished"),
    "walk.missed": _l("A planned walk is missed"),
}
# Sent only by the hook page's button, whatever the hook subscribes to.
TEST_EVENT = "webhook.test"
