"""Take the photo screenshots (timeline with thumbnails, full-screen viewer) on a phone and a
desktop. Self-contained: builds the demo plant in a temporary instance, attaches drawn
"photos" to a few records of the badge and safety walk, serves it and drives Chromium.

python docs/screenshots/take_photos.py
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

OUT = Path(__file__).parent
ROOT = OUT.parent.parent
sys.path.insert(0, str(ROOT))
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
EMAIL, PASSWORD = "demo@example.com", "gemba-demo-walk"


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function
    polls with eval(), which the app's Content-Security-Policy rightly forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def _font(size: int) -> ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _finish(im: Image.Image, seed: int) -> bytes:
    """Soften, add sensor grain, encode as a phone would."""
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    grain = Image.effect_noise(im.size, 18).convert("RGB")
    im = Image.blend(im, grain, 0.06 + seed * 0.005)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def _wall(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]):
    w, h = size
    im = Image.new("RGB", size)
    draw = ImageDraw.Draw(im)
    for y in range(h):
        t = y / h
        draw.line(
            [(0, y), (w, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=False)),
        )
    return im, draw


def _hazard(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], step: int = 70) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(236, 184, 24))
    for x in range(x0 - (y1 - y0), x1, step * 2):
        draw.polygon([(x, y1), (x + step, y1), (x + step + (y1 - y0), y0), (x + (y1 - y0), y0)],
                     fill=(28, 28, 28))  # fmt: skip


def scanner_photo(dark: bool = True, close: bool = False) -> bytes:
    """A badge reader on a concrete wall by a door, its display dark."""
    im, draw = _wall((1200, 1600), (150, 152, 150), (96, 98, 100))
    draw.rectangle((700, 180, 1200, 1380), fill=(70, 92, 110))  # the door
    draw.rectangle((740, 760, 790, 900), fill=(190, 190, 185))  # handle
    _hazard(draw, (0, 1380, 1200, 1600))
    scale = 1.6 if close else 1.0
    cx, cy = 420, 720
    w, h = int(300 * scale), int(460 * scale)
    draw.rounded_rectangle((cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2), 28,
                           fill=(44, 46, 50), outline=(20, 20, 22), width=6)  # fmt: skip
    screen = (cx - w // 2 + 40, cy - h // 2 + 50, cx + w // 2 - 40, cy - h // 2 + int(200 * scale))
    draw.rectangle(screen, fill=(8, 10, 12) if dark else (120, 200, 140))
    draw.line([(screen[0] + 20, screen[3] - 20), (screen[2] - 60, screen[1] + 20)],
              fill=(40, 44, 50), width=10)  # glare  # fmt: skip
    pad = (cx - int(90 * scale), cy + int(30 * scale), cx + int(90 * scale), cy + int(170 * scale))
    draw.ellipse(pad, outline=(120, 124, 130), width=8)
    led = (cx + w // 2 - 60, cy + h // 2 - 60, cx + w // 2 - 30, cy + h // 2 - 30)
    draw.ellipse(led, fill=(60, 20, 20) if dark else (40, 220, 60))
    return _finish(im, 1 if dark else 2)


def sign_photo() -> bytes:
    """A blue mandatory sign: safety glasses must be worn."""
    im, draw = _wall((1600, 1200), (176, 170, 160), (132, 128, 120))
    draw.rectangle((360, 150, 1240, 1050), fill=(245, 245, 240), outline=(60, 60, 60), width=6)
    draw.ellipse((600, 210, 1000, 610), fill=(0, 82, 156))
    draw.ellipse((660, 360, 790, 470), outline="white", width=22)
    draw.ellipse((810, 360, 940, 470), outline="white", width=22)
    draw.line([(780, 400), (820, 400)], fill="white", width=18)
    font = _font(74)
    for i, line in enumerate(("SAFETY GLASSES", "MUST BE WORN")):
        box = draw.textbbox((0, 0), line, font=font)
        draw.text((800 - (box[2] - box[0]) // 2, 700 + i * 110), line, font=font, fill=(0, 60, 120))
    for x, y in ((380, 170), (1200, 170), (380, 1010), (1200, 1010)):
        draw.ellipse((x, y, x + 24, y + 24), fill=(150, 150, 150))
    return _finish(im, 3)


def press_photo() -> bytes:
    """A stamping press with its orange guard up."""
    im, draw = _wall((1600, 1200), (110, 118, 126), (70, 72, 76))
    draw.rectangle((0, 980, 1600, 1200), fill=(86, 90, 92))
    _hazard(draw, (0, 960, 1600, 1000), 50)
    draw.rectangle((420, 120, 1180, 960), fill=(58, 96, 128))
    draw.rectangle((500, 420, 1100, 700), fill=(30, 32, 36))
    draw.rectangle((520, 560, 1080, 640), fill=(150, 154, 160))
    draw.rectangle((380, 300, 470, 820), fill=(232, 118, 24))  # guard swung open
    draw.rectangle((560, 180, 1040, 260), fill=(236, 184, 24))
    return _finish(im, 4)


def attach(app) -> None:
    """Put the drawn photos on records of the demo's badge and safety walk."""
    from gemba.extensions import db
    from gemba.models import Fact, Statement, Thing, User, Walk
    from gemba.photos import service as photos

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == EMAIL))
        walk = db.session.scalar(db.select(Walk).where(Walk.title == "Badge and safety round"))

        def one(model, **where):
            query = db.select(model).where(model.walk_id == walk.id)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return db.session.scalars(query.order_by(model.observed_at.desc())).first().id

        plan = [
            (one(Fact, text="Scanner display dark, nobody could scan"),
             [scanner_photo(), scanner_photo(close=True)]),
            (one(Thing, name="Badge scanner"), [scanner_photo(dark=False)]),
            (one(Statement, text="Safety glasses are always worn in the hall."), [sign_photo()]),
            (one(Fact, text="Wearing safety glasses"), [press_photo()]),
        ]  # fmt: skip
        for record_id, pictures in plan:
            for data in pictures:
                photos.save_photo(user, uuid.uuid4(), data, record_id)
        return str(walk.id), str(plan[0][0])


def main() -> None:
    instance = Path(tempfile.mkdtemp(prefix="gemba-photos-"))
    os.environ["GEMBA_INSTANCE_PATH"] = str(instance)
    from gemba import create_app

    app = create_app({"SECRET_KEY": "screenshots"})
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    walk_id, scanner_fact = attach(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
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
            page.goto(f"{base}/login")
            page.fill("input[name=email]", EMAIL)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{base}/walks/{walk_id}#r-{scanner_fact}")
            card = f"document.getElementById('r-{scanner_fact}')"
            page.evaluate(f"{card}.scrollIntoView({{block: 'center'}})")
            wait_until(
                page,
                f"[...{card}.querySelectorAll('img')].every(i => i.complete && i.naturalWidth)",
            )
            page.screenshot(path=OUT / f"photos-{label}-timeline.png")
            page.locator(f"#r-{scanner_fact} .photo-strip a").first.click()
            wait_until(
                page,
                "document.querySelector('.pv-image').src.endsWith('/display')"
                " && document.querySelector('.pv-image').complete",
            )
            page.screenshot(path=OUT / f"photos-{label}-viewer.png")
            page.keyboard.press("Escape")
            page.goto(f"{base}/walks/{walk_id}/facts/{scanner_fact}/edit")
            page.screenshot(path=OUT / f"photos-{label}-form.png", full_page=True)
            if mobile:  # what the observer sees after choosing two photos
                page.goto(f"{base}/walks/{walk_id}/facts/new")
                page.fill("textarea[name=text]", "Guard of press 2 left open")
                page.set_input_files(
                    "input[name=photos]",
                    [
                        {"name": "press.jpg", "mimeType": "image/jpeg", "buffer": press_photo()},
                        {"name": "sign.jpg", "mimeType": "image/jpeg", "buffer": sign_photo()},
                    ],
                )
                page.locator(".photo-field").scroll_into_view_if_needed()
                page.screenshot(path=OUT / "photos-phone-chosen.png")
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
