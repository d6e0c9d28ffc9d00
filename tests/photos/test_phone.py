"""On a phone-sized Chromium: attach photos on the fact form, see the thumbnails in the
timeline, open the full-screen viewer, go through it and close it; and a real HTTP upload
over the limit gets its 413 answer instead of a dropped connection."""

from __future__ import annotations

import http.client
import re
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import User
from tests.browser.conftest import browser, phone  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD, make_test_app
from tests.photos.conftest import photo_bytes

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright not installed").expect


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function
    polls with eval(), which the app's Content-Security-Policy rightly forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


@pytest.fixture
def live_server(database_uri, tmp_path) -> Iterator[str]:
    """The app served on a random loopback port in a thread; its connections closed after."""
    app = make_test_app(database_uri, tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def observer_walk(live_server, phone, make_user, make_walk):  # noqa: F811
    """An observer logged in on the phone, on the page of their new walk."""
    user = make_user("observer")
    walk = make_walk(user)
    phone.goto(live_server + "/login")
    phone.fill("input[name=email]", user.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    expect(phone.locator("footer.footer")).to_contain_text("observer")  # logged in
    return live_server, walk


def test_attach_photos_on_the_fact_form_then_view_them_full_screen(observer_walk, phone):  # noqa: F811
    base, walk = observer_walk
    page = phone
    page.goto(f"{base}/walks/{walk}/facts/new")
    page.fill("textarea[name=text]", "Guard left open on Press 2")
    page.set_input_files(
        "input[name=photos]",
        [
            {
                "name": "guard.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo_bytes((200, 40, 40), (640, 480)),
            },
            {
                "name": "press.png",
                "mimeType": "image/png",
                "buffer": photo_bytes((40, 40, 200), (480, 640), "PNG"),
            },
        ],
    )
    expect(page.locator("[data-photo-previews] img")).to_have_count(2)
    expect(page.locator("[data-photo-summary]")).to_contain_text("2 photos")
    page.click("text=Save fact")

    expect(page.locator(".flashes")).to_contain_text("Fact saved with 2 photos.")
    page.wait_for_load_state()  # the viewer's module has run
    thumbs = page.locator(".timeline .photo-strip img")
    expect(thumbs).to_have_count(2)
    thumbs.first.scroll_into_view_if_needed()
    wait_until(
        page,
        "[...document.querySelectorAll('.photo-strip img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
    )
    assert thumbs.first.get_attribute("width") == "400"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    thumbs.first.click()
    viewer = page.locator("dialog.photo-viewer")
    expect(viewer).to_be_visible()
    image = viewer.locator(".pv-image")
    wait_until(
        page,
        "document.querySelector('.pv-image').src.endsWith('/display')"
        " && document.querySelector('.pv-image').naturalWidth === 640",
    )
    expect(viewer.locator(".pv-count")).to_have_text("1 / 2")
    box = viewer.bounding_box()
    assert box["width"] == 390
    assert box["height"] == 844

    viewer.locator(".pv-next").click()
    expect(viewer.locator(".pv-count")).to_have_text("2 / 2")
    expect(viewer.locator(".pv-next")).to_be_disabled()
    page.keyboard.press("ArrowLeft")
    expect(viewer.locator(".pv-count")).to_have_text("1 / 2")

    page.keyboard.press("Escape")
    viewer.wait_for(state="hidden")
    assert page.url.startswith(f"{base}/walks/{walk}")

    # A tap on the photo closes it too, and so does the phone's Back button.
    thumbs.nth(1).click()
    expect(viewer.locator(".pv-count")).to_have_text("2 / 2")
    image.tap()
    viewer.wait_for(state="hidden")
    thumbs.first.click()
    expect(viewer).to_be_visible()
    page.go_back()
    viewer.wait_for(state="hidden")
    assert page.url.startswith(f"{base}/walks/{walk}")


def test_a_swipe_moves_to_the_next_photo(observer_walk, phone):  # noqa: F811
    base, walk = observer_walk
    page = phone
    page.goto(f"{base}/walks/{walk}/things/new")
    page.fill("input[name=name]", "Torque wrench")
    page.set_input_files(
        "input[name=photos]",
        [
            {"name": f"{i}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes((i * 60, 90, 90))}
            for i in range(3)
        ],
    )
    page.click("text=Save thing")
    expect(page.locator(".flashes")).to_contain_text("Thing saved with 3 photos.")
    page.wait_for_load_state()
    page.locator(".photo-strip a").first.click()
    expect(page.locator(".pv-count")).to_have_text("1 / 3")
    stage = page.locator(".pv-stage")
    box = stage.bounding_box()
    y = box["y"] + box["height"] / 2
    page.dispatch_event(
        ".pv-stage",
        "pointerdown",
        {"clientX": 300, "clientY": y, "isPrimary": True, "pointerId": 1},
    )
    page.dispatch_event(
        ".pv-stage",
        "pointermove",
        {"clientX": 150, "clientY": y, "isPrimary": True, "pointerId": 1},
    )
    page.dispatch_event(
        ".pv-stage", "pointerup", {"clientX": 80, "clientY": y, "isPrimary": True, "pointerId": 1}
    )

    expect(page.locator(".pv-count")).to_have_text("2 / 3")


def test_a_refused_photo_is_named_on_the_form_and_the_text_stays(observer_walk, phone):  # noqa: F811
    base, walk = observer_walk
    page = phone
    page.goto(f"{base}/walks/{walk}/facts/new")
    page.fill("textarea[name=text]", "Label torn off the valve")
    page.set_input_files(
        "input[name=photos]",
        [{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"<html>not a photo</html>"}],
    )
    page.click("text=Save fact")

    expect(page.locator(".photo-errors")).to_contain_text("notes.jpg: This file is not a photo")
    assert page.input_value("textarea[name=text]") == "Label torn off the valve"


def test_an_upload_over_the_limit_gets_a_413_answer_over_real_http(live_server, make_user, app):  # noqa: F811
    user = make_user("observer")
    with app.app_context():
        token = accounts.create_token(db.session.get(User, user.id))
    url = urlsplit(live_server)
    size = 26 * 1024 * 1024
    boundary = "gembaboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="record"\r\n\r\n{uuid.uuid4()}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("PUT", f"/api/v1/photos/{uuid.uuid4()}")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.endheaders()
    conn.send(head)
    chunk = bytes(1 << 20)
    for _ in range(size >> 20):
        conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()

    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"
    assert re.search(r"limit is 25 MB", body)
