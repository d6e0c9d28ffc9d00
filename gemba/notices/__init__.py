"""E-mail notices: what is due to whom (due), how each user wants it (preferences),
sending it once (sender), and the signed one-click unsubscribe page (blueprint `notices`).

`flask --app gemba notify` is run from cron every few minutes; `--digest` once a day.
Every notice is written in its reader's language (`reader_language`): the e-mail, its
unsubscribe page and the app's "For you" list, which shows the stored text.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from gemba.platform.languages import DEFAULT, LANGUAGES

bp = Blueprint("notices", __name__, url_prefix="/notices")

# Every kind of notice, in the order the profile page lists them, with its label there.
KINDS: dict[str, str] = {
    "action_assigned": _l("An action is assigned to you"),
    "action_due": _l("Your action is due tomorrow"),
    "action_overdue": _l("Your action is overdue"),
    "walk_assigned": _l("A walk plan is assigned to you"),
    "walk_due": _l("A walk of yours is due today"),
    "walk_missed": _l("A walk of yours was missed"),
    "needs_observation": _l("More observation is asked for at a site you walk"),
    "action_verified": _l("An action of yours was verified by evidence"),
}


def reader_language(user: object, site_language: str | None = None) -> str:
    """The language a notice speaks to its reader: the user's own choice, else the
    language of the site the notice is about, else English."""
    for choice in (getattr(user, "language", None), site_language):
        if choice in LANGUAGES:
            return choice
    return DEFAULT
