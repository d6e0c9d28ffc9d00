"""The observer checks a photo's face boxes on the phone before it is queued.

Online, the detector's boxes come from POST /api/v1/photos/faces and are drawn over the
photo; the observer drags a box of their own and takes one off, and the server blurs
exactly that list. Offline, nothing is proposed: the observer's box travels with
`reviewed: false` and the server adds the faces it finds. On a works-council site the
detector's boxes have no remove control.
"""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Photo, Site
from gemba.photos import processing
from gemba.photos import service as photos_service
from tests.faces_pictures import jpeg_bytes, laplacian_variance, scene_with_faces
from tests.offline.test_offline_capture import open_app, start_walk, wait_until

pytestmark = pytest.mark.browser

SIZE = (1600, 1200)  # under the display edge: the stored copy has the picture's size
SCREENSHOT = "/tmp/photo-review-390.png"  # noqa: S108 - where the screenshot is looked at
# An area of floor with no one in it, where the observer drags a box (fractions).
FLOOR = {"x": 0.05, "y": 0.8, "w": 0.14, "h": 0.1}

QUEUED_BLUR_JS = """async (uid) => {
  const open = indexedDB.open(`gemba-offline-user-${uid}`);
  const idb = await new Promise((ok, fail) => {
    open.onsuccess = () => ok(open.result);
    open.onerror = fail;
  });
  const get = idb.transaction("queue").objectStore("queue").getAll();
  const all = await new Promise((ok) => { get.onsuccess = () => ok(get.result); });
  idb.close();
  return all.filter((i) => i.kind === "photo").map((i) => ({ id: i.id, blur: i.blur || null }));
}"""


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A plant with three people in it, as a phone JPEG on disk, and their faces in pixels."""
    picture, faces = scene_with_faces(SIZE, faces=3, face_edge=150, seed=3)
    path = tmp_path_factory.mktemp("scene") / "scene.jpg"
    path.write_bytes(jpeg_bytes(picture))
    return str(path), picture, faces


@pytest.fixture
def observer(server, make_user, make_site, scene):
    user = make_user("observer", email="walker@example.com")
    site_id = make_site("Plant 2")
    with server.app.app_context():  # the detector's models loaded before the phone asks
        processing.propose_boxes(jpeg_bytes(scene[1].resize((1024, 768))))
    return user, site_id


def pick_photo(page, walk_path: str, files, name: str = "Badge scanner") -> None:
    page.click(".actionbar >> text=Thing")
    page.wait_for_selector("form[data-kind=thing]")
    page.fill("[name=name]", name)
    page.set_input_files("input[name=photo]", files)
    page.wait_for_selector(".photo-review .pr-stage")


def drag(page, box: dict) -> None:
    """Drag a finger (the mouse) across the photo from a box's corner to the other."""
    stage = page.locator(".photo-review .pr-stage").bounding_box()
    x0, y0 = stage["x"] + box["x"] * stage["width"], stage["y"] + box["y"] * stage["height"]
    x1 = stage["x"] + (box["x"] + box["w"]) * stage["width"]
    y1 = stage["y"] + (box["y"] + box["h"]) * stage["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=6)
    page.mouse.up()


def queued_blur(page, user) -> list[dict]:
    return page.evaluate(QUEUED_BLUR_JS, user.id)


def stored(server, photo_id: str) -> tuple[Photo | None, Image.Image | None]:
    with server.app.app_context():
        photo = db.session.get(Photo, uuid.UUID(photo_id))
        picture = None
        if photo is not None:
            with photos_service.store().open(photo.display_key) as handle:
                picture = Image.open(io.BytesIO(handle.read())).convert("RGB")
        db.session.remove()
        return photo, picture


def pixels(box: dict, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The middle of a box (a sixth in from each side), in pixels."""
    x0, y0 = box["x"] * size[0], box["y"] * size[1]
    x1, y1 = x0 + box["w"] * size[0], y0 + box["h"] * size[1]
    dx, dy = (x1 - x0) / 6, (y1 - y0) / 6
    return round(x0 + dx), round(y0 + dy), round(x1 - dx), round(y1 - dy)


def sync_now(page, server) -> None:
    page.goto(server.url + "/app/ledger")
    page.wait_for_selector("main[data-ready='/app/ledger']")
    page.click("#sync-now")


def same_boxes(stored_boxes: list[dict], sent: list[dict]) -> bool:
    key = lambda b: (b["source"], round(b["x"], 3), round(b["y"], 3))  # noqa: E731
    if sorted(map(key, stored_boxes)) != sorted(map(key, sent)):
        return False
    pairs = zip(sorted(stored_boxes, key=key), sorted(sent, key=key), strict=True)
    return all(abs(a[k] - b[k]) < 1e-4 for a, b in pairs for k in "xywh")


def test_the_observer_adds_and_takes_off_boxes_and_the_server_blurs_exactly_those(
    server, observer, phone_context, scene
):
    user, _ = observer
    path, original, _faces = scene
    page = phone_context.new_page()
    open_app(page, server, user)
    walk_path = start_walk(page, "Badge check")
    pick_photo(page, walk_path, path)
    detector = page.locator(".pr-box.pr-detector")
    detector.first.wait_for(timeout=15000)
    proposed = detector.count()
    assert proposed >= 1
    assert "face" in page.locator(".pr-status").inner_text()
    # The photo fills the phone's width; the boxes' × are 44 px touch targets.
    assert page.locator(".pr-stage").bounding_box()["width"] >= 380
    target = page.locator(".pr-detector .pr-target").first.bounding_box()
    assert min(target["width"], target["height"]) >= 44

    drag(page, FLOOR)
    assert page.locator(".pr-box.pr-observer").count() == 1
    page.locator(".photo-review").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT)
    page.locator(".pr-detector .pr-remove").first.click()
    assert detector.count() == proposed - 1
    hint = page.locator(".photo-list li .hint").inner_text()
    assert hint == (f"{proposed} areas blurred" if proposed != 1 else "1 area blurred")

    server.middleware.busy = True  # the photo waits on the phone, where its blur is read
    page.click("text=Use photo")
    assert page.locator(".photo-review").count() == 0
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{walk_path}']")
    [queued] = queued_blur(page, user)
    blur = queued["blur"]
    assert blur["reviewed"] is True
    sources = sorted(b["source"] for b in blur["boxes"])
    assert sources == ["detector"] * (proposed - 1) + ["observer"]
    mine = next(b for b in blur["boxes"] if b["source"] == "observer")
    assert all(abs(mine[k] - FLOOR[k]) < 0.02 for k in "xywh"), mine

    server.middleware.busy = False
    sync_now(page, server)
    assert wait_until(lambda: stored(server, queued["id"])[0] is not None, timeout=30)
    photo, display = stored(server, queued["id"])
    assert same_boxes(photo.blurred, blur["boxes"]), (photo.blurred, blur["boxes"])
    area = pixels(mine, display.size)
    sharp = laplacian_variance(original, pixels(mine, original.size))
    assert laplacian_variance(display, area) < sharp / 10


def test_offline_the_observer_s_box_and_the_faces_the_server_finds_are_blurred(
    server, observer, phone_context, scene, tmp_path
):
    user, _ = observer
    path, original, faces = scene
    second = tmp_path / "second.jpg"
    second.write_bytes(jpeg_bytes(original.resize((800, 600))))
    page = phone_context.new_page()
    open_app(page, server, user)
    phone_context.set_offline(True)
    walk_path = start_walk(page, "Night shift")

    pick_photo(page, walk_path, [path, str(second)])  # two at once: one after the other
    status = page.locator(".pr-status")
    assert status.inner_text().startswith("No connection: faces will be found and blurred")
    assert "Photo 1 of 2" in page.locator(".photo-review h3").inner_text()
    assert page.locator(".pr-box").count() == 0
    drag(page, FLOOR)
    assert page.locator(".pr-box.pr-observer").count() == 1
    assert "will be blurred" in page.locator(".pr-note").inner_text()
    assert status.inner_text().startswith("No connection")  # still said after the drag
    page.click("text=Use photo")
    page.locator(".photo-review h3:has-text('Photo 2 of 2')").wait_for()
    page.click("text=Discard photo")
    assert page.locator(".photo-review").count() == 0
    assert page.locator(".photo-list li").count() == 1
    hint = page.locator(".photo-list li .hint").inner_text()
    assert hint == "1 area blurred, faces found on sending"
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{walk_path}']")
    [queued] = queued_blur(page, user)
    assert queued["blur"]["reviewed"] is False
    [mine] = queued["blur"]["boxes"]
    assert mine["source"] == "observer"

    phone_context.set_offline(False)
    sync_now(page, server)
    assert wait_until(lambda: stored(server, queued["id"])[0] is not None, timeout=30)
    photo, display = stored(server, queued["id"])
    assert {"x": mine["x"], "y": mine["y"], "w": mine["w"], "h": mine["h"]}.items() <= next(
        b for b in photo.blurred if b["source"] == "observer"
    ).items()
    assert any(b["source"] == "detector" for b in photo.blurred)
    for face in faces:  # found and blurred by the server
        x0, y0, x1, y1 = face
        dx, dy = (x1 - x0) // 6, (y1 - y0) // 6
        middle = (x0 + dx, y0 + dy, x1 - dx, y1 - dy)
        assert laplacian_variance(display, middle) < laplacian_variance(original, middle) / 5
    area = pixels(mine, display.size)
    assert laplacian_variance(display, area) < laplacian_variance(original, area) / 10
    with server.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Photo)) == 1
        db.session.remove()


def test_on_a_works_council_site_the_detector_s_boxes_cannot_be_taken_off(
    server, observer, phone_context, scene
):
    user, site_id = observer
    with server.app.app_context():
        db.session.get(Site, uuid.UUID(site_id)).works_council = True
        db.session.commit()
        db.session.remove()
    page = phone_context.new_page()
    open_app(page, server, user)
    walk_path = start_walk(page, "Works council walk")
    banner = "Works-council site: faces are always blurred, originals are never kept"
    assert banner in page.locator(".walk-head .works-council").inner_text()
    pick_photo(page, walk_path, scene[0])
    assert banner in page.locator("section.card > .works-council").inner_text()  # the form's
    assert banner in page.locator(".photo-review .works-council").inner_text()
    detector = page.locator(".pr-box.pr-detector")
    detector.first.wait_for(timeout=15000)
    proposed = detector.count()
    assert page.locator(".pr-detector .pr-remove").count() == 0
    assert page.locator(".pr-detector .pr-lock").count() == proposed
    page.locator(".pr-detector .pr-lock").first.click()  # a tap on the padlock: still there
    assert detector.count() == proposed
    assert "works-council" in page.locator(".pr-note").inner_text()
    drag(page, FLOOR)  # the observer's own box can still be taken off
    page.locator(".pr-observer .pr-remove").click()
    assert page.locator(".pr-box.pr-observer").count() == 0
    page.click("text=Use photo")
    page.click("form button[type=submit]")
    page.wait_for_selector(f"main[data-ready='{walk_path}']")
