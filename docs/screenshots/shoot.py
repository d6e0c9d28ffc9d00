"""Screenshots of the capture screens in Spanish, German and Polish, for the docs.

    python docs/screenshots/shoot.py

Makes a demo instance in a temporary folder (`flask --app gemba demo`), serves it on a free
loopback port, logs in as the demo analyst with a browser set to each language and saves
docs/screenshots/<lang>-<screen>.png: on a 390 x 844 phone the server's capture pages
(start, a walk with a contradiction, the fact and statement forms), the offline app's walk,
its statement form with a claim proposed from a quote typed in that language, and its sync
ledger; at 1280 x 800 the gap page and the printable walk report.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from gemba.models import gap_id_for  # noqa: E402 - after the repository is on the path
from gemba.ops import demo as demo_data  # noqa: E402

OUT = Path(__file__).parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
LOCALES = {"es": "es-ES", "de": "de-DE", "pl": "pl-PL"}
QUOTES = {
    "es": "Siempre llevamos guantes en la prensa",
    "de": "Wir tragen immer Handschuhe an der Presse",
    "pl": "Zawsze nosimy rękawice przy prasie",
}
EMAIL, PASSWORD = "demo@example.com", "gemba-demo-walk"
WALK = demo_data._id("walk", "changeover")
GAP = gap_id_for(uuid.UUID(demo_data._id("statement", WALK, "ten")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(instance: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "GEMBA_INSTANCE_PATH": str(instance)}
    flask = [sys.executable, "-m", "flask", "--app", "gemba"]
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [*flask, "demo"], env=env, cwd=REPO, check=True, capture_output=True
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [*flask, "run", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)  # noqa: S310 - loopback
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the demo server did not start")


def log_in(context, base: str):
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def shot(page, lang: str, screen: str) -> None:
    page.wait_for_load_state("networkidle")  # the offline app fetches after it draws
    path = OUT / f"{lang}-{screen}.png"
    page.screenshot(path=str(path))
    print(path.relative_to(REPO))


def server_pages(browser, base: str, lang: str) -> None:
    """The server's capture pages, as a phone that chose them over the offline app."""
    context = browser.new_context(**PHONE, locale=LOCALES[lang])
    context.add_init_script("localStorage.setItem('gemba.basic', '1')")
    page = log_in(context, base)
    page.goto(base + "/")
    shot(page, lang, "home")
    page.goto(f"{base}/walks/{WALK}")
    shot(page, lang, "walk")
    page.goto(f"{base}/walks/{WALK}/facts/new")
    shot(page, lang, "fact")
    page.goto(f"{base}/walks/{WALK}/statements/new")
    page.fill("textarea[name=text]", QUOTES[lang])
    shot(page, lang, "statement")
    context.close()


def offline_app(browser, base: str, lang: str) -> None:
    """The offline app: a walk, the statement form with a proposed claim, the ledger."""
    context = browser.new_context(**PHONE, locale=LOCALES[lang])
    page = log_in(context, base)
    page.goto(base + "/app")
    page.wait_for_selector("main[data-ready='/app']")
    shot(page, lang, "app-walks")
    page.goto(f"{base}/app/walks/{WALK}")
    page.wait_for_selector(".timeline")
    shot(page, lang, "app-walk")
    page.goto(f"{base}/app/walks/{WALK}/new/statement")
    page.wait_for_selector("form[data-kind=statement]")
    page.fill("form [name=text]", QUOTES[lang])
    page.wait_for_selector(".proposal-chip")
    page.locator("form [name=text]").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('form [name=text]').offsetTop - 80)")
    shot(page, lang, "app-statement")
    page.goto(f"{base}/app/walks/{WALK}/new/fact")
    page.wait_for_selector("form[data-kind=fact]")
    shot(page, lang, "app-fact")
    page.goto(base + "/app/ledger")
    page.wait_for_selector("main[data-ready='/app/ledger']")
    shot(page, lang, "app-ledger")
    context.close()


def desktop_pages(browser, base: str, lang: str) -> None:
    context = browser.new_context(**DESKTOP, locale=LOCALES[lang])
    page = log_in(context, base)
    page.goto(f"{base}/review/gaps/{GAP}")
    shot(page, lang, "gap-desktop")
    page.goto(f"{base}/review/walks/{WALK}/report")
    shot(page, lang, "report-desktop")
    context.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gemba-shots-") as folder:
        server, base = start_server(Path(folder))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for lang in LOCALES:
                    server_pages(browser, base, lang)
                    offline_app(browser, base, lang)
                    desktop_pages(browser, base, lang)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
