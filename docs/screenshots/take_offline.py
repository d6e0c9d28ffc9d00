"""Take the offline app's screenshots (phone 390x844 and desktop 1280x900) from a demo instance.

GEMBA_INSTANCE_PATH=/tmp/demo flask --app gemba demo
GEMBA_INSTANCE_PATH=/tmp/demo flask --app gemba run --port 5077 &
python docs/screenshots/take_offline.py http://localhost:5077

Logs in as the demo user, opens the walk list, then goes offline and logs a few records
on the demo's walk, so the timeline and the sync ledger show items not yet synced.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5077"
OUT = Path(__file__).parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WALK = "Badge and safety round"


def add(page, kind: str, fields: dict, clicks=()) -> None:
    label = {"place": "Place", "fact": "Fact", "statement": "Said"}[kind]
    walk_path = page.url.split(BASE, 1)[1]
    page.click(f".actionbar >> text={label}")
    page.wait_for_selector(f"form[data-kind={kind}]")
    for text in clicks:
        page.click(f"form label.choice:has-text('{text}')")
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{walk_path}']")


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for label, viewport, mobile in (
            ("phone", {"width": 390, "height": 844}, True),
            ("desktop", {"width": 1280, "height": 900}, False),
        ):
            context = browser.new_context(
                viewport=viewport, is_mobile=mobile, has_touch=mobile, device_scale_factor=1
            )
            page = context.new_page()
            page.goto(f"{BASE}/login")
            page.fill("input[name=email]", "demo@example.com")
            page.fill("input[name=password]", "gemba-demo-walk")
            page.click("button[type=submit]")
            page.goto(f"{BASE}/app")
            page.wait_for_selector("main[data-ready='/app']")
            page.evaluate("navigator.serviceWorker.ready")
            page.reload()
            page.wait_for_selector("main[data-ready='/app']")
            page.click(f"text={WALK}")
            page.wait_for_selector(".timeline")
            context.set_offline(True)
            topic = {"topic": "Badge scan at entry"}
            add(page, "place", {"name": "Gate 3"})
            add(
                page,
                "fact",
                {"text": "Walked through with a visitor, no scan", **topic},
                ["Not done"],
            )
            add(page, "fact", {"text": "Held the door for the next person", **topic}, ["Not done"])
            page.goto(f"{BASE}/app")
            page.wait_for_selector("main[data-ready='/app']")
            page.screenshot(path=OUT / f"offline-walks-{label}.png")
            page.click(f"text={WALK}")
            page.wait_for_selector(".timeline")
            page.screenshot(path=OUT / f"offline-walk-{label}.png")
            page.locator(".timeline").scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -120)")  # below the sticky bar: the first card
            page.screenshot(path=OUT / f"offline-timeline-{label}.png")
            page.click("nav >> text=Sync")
            page.wait_for_selector("main[data-ready='/app/ledger']")
            page.screenshot(path=OUT / f"offline-ledger-{label}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
