"""Where each server capture page lives in the offline app.

On a browser that runs JavaScript, capture happens in the app (it works offline and keeps
drafts); the server's capture pages are its fallback without JavaScript. A capture page
names its place in the app, and a small script sends the browser there unless the
observer chose the basic pages (`?basic=1`).
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user

from gemba.offline import bp


def app_route(endpoint: str | None, args: dict[str, Any]) -> str | None:
    """The app path (after /app/) for a capture page, or None for pages the app does not have."""
    walk = str(args.get("walk_id", ""))
    kind = str(args.get("kinds", "")).removesuffix("s")
    routes = {
        "capture.index": "",
        "capture.start_walk": "walks/new",
        "capture.show_walk": f"walks/{walk}",
        "capture.edit_walk": f"walks/{walk}/edit/{walk}",
        "capture.add_record": f"walks/{walk}/new/{kind}",
        "capture.edit_record": f"walks/{walk}/edit/{args.get('record_id', '')}",
    }
    return routes.get(endpoint or "")


@bp.app_context_processor
def capture_app_link() -> dict[str, str | None]:
    """`app_link`: the app URL of this capture page, for GET requests of a logged-in user."""
    if request.method != "GET" or not current_user.is_authenticated:
        return {"app_link": None}
    route = app_route(request.endpoint, request.view_args or {})
    return {"app_link": None if route is None else url_for("offline.shell", route=route or None)}
