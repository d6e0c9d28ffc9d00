"""Take the README's screenshots from a running demo instance (phone and desktop).

GEMBA_INSTANCE_PATH=/tmp/demo flask --app gemba demo
GEMBA_INSTANCE_PATH=/tmp/demo flask --app gemba run --port 5055 &
python docs/screenshots/take.py http://127.0.0.1:5055
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5055"
OUT = Path(__file__).parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = sys.argv[2].split(",") if len(sys.argv) > 2 else ["walks", "walk", "fact", "statement"]


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
            page.screenshot(path=OUT / f"{label}-walks.png", full_page=False)
            page.click("text=Badge and safety round")
            page.screenshot(path=OUT / f"{label}-walk.png", full_page=False)
            walk_url = page.url
            page.goto(walk_url.split("#")[0] + "/facts/new")
            page.screenshot(path=OUT / f"{label}-fact.png", full_page=True)
            page.goto(walk_url.split("#")[0] + "/statements/new")
            page.click("label:has-text('A number')")
            page.screenshot(path=OUT / f"{label}-statement.png", full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
