"""Take the review screenshots (review-*.png): the gap inbox, a gap, a topic, an empathy
map, an experience map, the walk report (and how it prints), the action board and an
action, on a phone (390x844) and a laptop (1280x900). Self-contained: builds the demo plant
in a temporary instance, makes it look lived in through the app's own forms (triage,
actions, a note) and write path (a follow-up walk), serves it and drives Chromium.

python docs/screenshots/take_review.py
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

OUT = Path(__file__).parent
ROOT = OUT.parent.parent
sys.path.insert(0, str(ROOT))
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
EMAIL, PASSWORD = "ana@example.com", "look at the real place"


def _submit(client, page: str, action: str, fields: dict, prefix: str = "") -> None:
    """Post a form of `page` as the browser would: with the page's CSRF token."""
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    html = client.get(page).get_data(as_text=True)
    token = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)
    if token is None:
        raise SystemExit(f"no {name} on {page}")
    data = {f"{prefix}-{key}" if prefix else key: value for key, value in fields.items()}
    response = client.post(action, data={name: token[1], **data})
    if response.status_code != 302:
        raise SystemExit(f"{action} answered {response.status_code}")


def furnish(app) -> dict[str, str]:
    """Make the demo plant look lived in: triage, an action whose loop closes, overdue
    work, a note on a persona, a follow-up walk. Returns the pages to take, by name."""
    from sqlalchemy import select, update

    from gemba.capture import records
    from gemba.extensions import db
    from gemba.models import Action, Topic, User, gap_id_for
    from gemba.ops import demo

    def gap(walk: str, key: str) -> str:
        return str(gap_id_for(uuid.UUID(demo._id("statement", demo._id("walk", walk), key))))

    badge, torque = gap("entry", "badge"), gap("changeover", "torque")
    speed, ten = gap("picking", "speed"), gap("changeover", "ten")
    fork, walk = demo._id("persona", "fork"), demo._id("walk", "changeover")
    with app.app_context():
        analyst = db.session.scalar(select(User.id).where(User.email == EMAIL))
    client = app.test_client()
    _submit(client, "/login", "/login", {"email": EMAIL, "password": PASSWORD})
    for gap_id, decision, note in (
        (torque, "confirm", "Seen on both shifts"),
        (speed, "observe", "Watch the night shift too"),
    ):
        page = f"/review/gaps/{gap_id}"
        _submit(client, page, f"{page}/{decision}", {"note": note}, prefix=decision)
    for gap_id, title, description, due, status in (
        (
            badge,
            "Repair the gate 2 scanner and add a second one",
            "Maintenance ticket 4711",
            date.today() - timedelta(days=2),
            "in_progress",
        ),
        (torque, "Torque check on the changeover card", "", date(2026, 1, 5), "open"),
    ):
        new = f"/review/gaps/{gap_id}/actions/new"
        fields = {"title": title, "description": description, "owner": str(analyst)}
        fields |= {"due_date": due.isoformat(), "status": status, "gaps": gap_id}
        _submit(client, new, new, fields)
    persona = f"/review/personas/{fork}"
    _submit(client, persona, persona, {"text": "Believes speed is what the planners reward"})

    at = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    follow_up = str(uuid.uuid4())
    batch = [
        {
            "type": "walk",
            "id": follow_up,
            "site": demo._id("site"),
            "title": "Gate 2 follow-up",
            "started_at": at,
        }
    ]
    batch += [
        {
            "type": "fact",
            "id": str(uuid.uuid4()),
            "walk": follow_up,
            "topic": "Badge scan at entry",
            "text": "Scanned badge at entry",
            "performed": True,
            "observed_at": at,
        }
        for _ in range(7)
    ]
    for text, sentiment in (
        ("Driver waits at the blocked aisle end, visibly annoyed", "pain"),
        ("Pallets left in the turning space again", "pain"),
        ("Driver thanks the picker for clearing the lane", "delight"),
    ):
        batch.append(
            {
                "type": "fact",
                "id": str(uuid.uuid4()),
                "walk": follow_up,
                "text": text,
                "persona": fork,
                "sentiment": sentiment,
                "observed_at": at,
            }
        )
    with app.app_context():
        records.write(db.session.get(User, analyst), batch)
        # The scanner action was decided yesterday: after the entry walk, before the
        # follow-up walk whose facts close its loop.
        db.session.execute(
            update(Action)
            .where(Action.title.startswith("Repair the gate 2 scanner"))
            .values(created_at=datetime.now(UTC) - timedelta(days=1))
        )
        db.session.commit()
        topic = db.session.scalar(select(Topic.id).where(Topic.key == "badge scan at entry"))
        action = db.session.scalar(select(Action.id).order_by(Action.title))
    return {
        "inbox": "/review/?status=all",
        "gap": f"/review/gaps/{ten}",
        "topic": f"/review/topics/{topic}",
        "empathy-map": f"/review/personas/{fork}",
        "experience-map": f"/review/walks/{walk}/experience",
        "report": f"/review/walks/{walk}/report",
        "actions": "/review/actions",
        "action": f"/review/actions/{action}",
    }


def main() -> None:
    instance = Path(tempfile.mkdtemp(prefix="gemba-review-"))
    os.environ["GEMBA_INSTANCE_PATH"] = str(instance)
    from gemba import create_app

    app = create_app({"SECRET_KEY": "screenshots"})
    runner = app.test_cli_runner()
    for args, given in (
        (["demo"], None),
        (["user", "create", EMAIL, "--role", "analyst", "--password-stdin"], PASSWORD + "\n"),
    ):
        result = runner.invoke(args=args, input=given)
        if result.exit_code != 0:
            raise SystemExit(result.output)
    pages = furnish(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width, height, label in ((390, 844, "phone"), (1280, 900, "laptop")):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=email]", EMAIL)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login" not in url)
            for name, url in pages.items():
                page.goto(base + url)
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    raise SystemExit(f"{name} scrolls sideways at {width} px")
                page.screenshot(path=OUT / f"review-{name}-{label}.png", full_page=True)
            if label == "laptop":  # how the report looks on paper
                page.goto(base + pages["report"])
                page.emulate_media(media="print")
                page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
                page.screenshot(path=OUT / "review-report-print.png", full_page=True)
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
