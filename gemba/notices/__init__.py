"""E-mail notices: what is due to whom (due), how each user wants it (preferences),
sending it once (sender), and the signed one-click unsubscribe page (blueprint `notices`).

`flask --app gemba notify` is run from cron every few minutes; `--digest` once a day.
"""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

# Every kind of notice, in the order the profile page lists them, with its label there.
KINDS: dict[str, str] = {
    "action_assigned": "An action is assigned to you",
    "action_due": "Your action is due tomorrow",
    "action_overdue": "Your action is overdue",
    "walk_assigned": "A walk plan is assigned to you",
    "walk_due": "A walk of yours is due today",
    "walk_missed": "A walk of yours was missed",
    "needs_observation": "More observation is asked for at a site you walk",
    "action_verified": "An action of yours was verified by evidence",
}
