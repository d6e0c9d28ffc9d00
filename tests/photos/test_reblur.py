"""`flask photos blur`: the photos stored before faces were blurred, blurred afterwards.

An "old" photo is made as an upgrade finds it: uploaded through the API as reviewed with
no boxes (so the pipeline runs without the detector and the copies show every face), then
`blurred` set to NULL, as the migration leaves every row stored before blurring existed.
The tests of what the command puts into and removes from the store run on both stores,
read back object by object; a dry run and the choice of site touch no store, and run on
the local one.
"""

from __future__ import annotations

import io
import uuid

import pytest
from click.testing import Result
from PIL import Image

from gemba.extensions import db
from gemba.models import Photo, Walk
from gemba.photos import reblurring
from tests.faces_pictures import jpeg_bytes, laplacian_variance
from tests.photos.test_blur import (
    BLURRED,
    SIZE,
    assert_each_face_boxed,
    assert_faces_blurred,
    both_stores,
    inner,
    scaled,
    scene,
    send,
    set_site,
    stored_picture,
)


@pytest.fixture
def photo_store() -> str:
    """The local store, unless a test asks for both (`both_stores`)."""
    return "local"


def variant(number: int) -> bytes:
    """The scene with a corner of its own, so each photo's files are its own (the store
    keeps one file for the same bytes); the faces stay where they are."""
    picture = Image.open(io.BytesIO(scene()[0])).convert("RGB")
    picture.paste((number * 40 % 256, 90, 200), (0, 0, 48, 48))
    return jpeg_bytes(picture)


def make_old(world, number: int) -> str:
    """A photo of the scene as stored before faces were blurred: its copies show them."""
    photo_id, response = send(world, {"boxes": [], "reviewed": True}, data=variant(number))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["blurred"] == []  # nothing blurred: the faces are as taken
    with world.app.app_context():
        db.session.get(Photo, uuid.UUID(photo_id)).blurred = None
        db.session.commit()
    return photo_id


def site_name(world) -> str:
    with world.app.app_context():
        return db.session.get(Walk, uuid.UUID(world.walk)).site.name


def blur(world, *args: str) -> Result:
    return world.app.test_cli_runner().invoke(args=["photos", "blur", *args])


def rows(world) -> dict[str, tuple]:
    """Every photo row's keys, sizes and boxes."""
    with world.app.app_context():
        return {
            str(photo.id): (
                photo.display_key,
                photo.thumb_key,
                photo.original_key,
                photo.display_width,
                photo.display_height,
                photo.thumb_width,
                photo.thumb_height,
                photo.blurred,
            )
            for photo in db.session.scalars(db.select(Photo))
        }


def sharp_faces(world) -> list[str]:
    """The stored objects in which some face of the scene is still sharp."""
    store = world.store()
    sharp = []
    for item in list(store.objects()):
        picture = stored_picture(world, item.key)
        limit = BLURRED * max(1, SIZE[0] / picture.width)
        for face in scene()[1]:
            if laplacian_variance(picture, inner(scaled(face, picture.size))) >= limit:
                sharp.append(item.key)
                break
    return sharp


def test_a_dry_run_lists_the_old_photos_and_changes_nothing(world):
    old = [make_old(world, 1), make_old(world, 2)]
    new, _ = send(world)
    before, files = rows(world), world.stored_files()

    result = blur(world, "--dry-run")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for photo_id in old:
        assert f"would blur photo {photo_id} (site {site_name(world)})" in lines
    assert new not in result.output
    assert lines[-1] == "2 photos would be blurred, 0 originals would be removed."
    assert rows(world) == before
    assert world.stored_files() == files


@both_stores
def test_a_run_blurs_every_old_photo_and_a_second_run_finds_nothing(world):
    old = [make_old(world, 1), make_old(world, 2)]
    new, _ = send(world)
    before = rows(world)
    assert len(sharp_faces(world)) == 4  # two display copies and two thumbnails

    result = blur(world)

    assert result.exit_code == 0, result.output
    after = rows(world)
    faces = 0
    for photo_id in old:
        display, thumb, _, width, height, thumb_width, thumb_height, boxes = after[photo_id]
        assert_each_face_boxed(boxes)
        faces += len(boxes)
        assert (width, height) == SIZE
        assert (thumb_width, thumb_height) == (400, 300)
        assert_faces_blurred(stored_picture(world, display))
        assert_faces_blurred(stored_picture(world, thumb))
        assert f"photo {photo_id} (site {site_name(world)}): {len(boxes)} faces blurred" in (
            result.output
        )
        assert before[photo_id][0] not in world.stored_files()
        assert before[photo_id][1] not in world.stored_files()
    assert result.output.splitlines()[-1] == (
        f"2 photos blurred, {faces} faces found, 0 originals removed, 0 skipped."
    )
    assert after[new] == before[new]  # already blurred: untouched
    assert sharp_faces(world) == []

    files = world.stored_files()
    again = blur(world)
    assert again.exit_code == 0, again.output
    assert again.output == "0 photos blurred, 0 faces found, 0 originals removed, 0 skipped.\n"
    assert rows(world) == after
    assert world.stored_files() == files


@both_stores
def test_a_works_council_site_loses_the_originals_it_kept(world):
    set_site(world, keep_originals=True)
    old = make_old(world, 1)
    new, _ = send(world)
    before = rows(world)
    assert before[old][2] is not None
    assert before[new][2] is not None
    set_site(world, works_council=True)

    result = blur(world)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("1 photos blurred, ")
    assert result.output.splitlines()[-1].endswith(" 2 originals removed, 0 skipped.")
    after = rows(world)
    assert after[old][2] is None
    assert after[new][2] is None
    assert after[new][:2] == before[new][:2]  # already blurred: only the original goes
    assert before[old][2] not in world.stored_files()
    assert before[new][2] not in world.stored_files()
    assert sharp_faces(world) == []
    assert blur(world).output.startswith("0 photos blurred, 0 faces found, 0 originals")


@both_stores
def test_a_photo_whose_display_file_is_missing_is_reported_and_skipped(world):
    lost, kept = make_old(world, 1), make_old(world, 2)
    world.store().delete(rows(world)[lost][0])

    result = blur(world)

    assert result.exit_code == 1, result.output
    assert (
        f"photo {lost} (site {site_name(world)}) skipped: "
        "its display copy is missing or unreadable" in result.output
    )
    assert result.output.splitlines()[-1].endswith(" 0 originals removed, 1 skipped.")
    after = rows(world)
    assert after[lost][-1] is None  # still waiting for a run that can read it
    assert_each_face_boxed(after[kept][-1])


@both_stores
def test_a_photo_blurred_meanwhile_keeps_its_row_and_the_new_files_go(world):
    """Another run (or an upload's resend) got there first: nothing is overwritten."""
    photo_id = make_old(world, 1)
    with world.app.app_context():
        (item,) = reblurring.pending()
        assert item.photo_id == uuid.UUID(photo_id)
        assert (item.blur, item.drop_original) == (True, False)
    before, files = rows(world), world.stored_files()
    with world.app.app_context():
        db.session.get(Photo, item.photo_id).blurred = []
        db.session.commit()
        outcome = reblurring.blur_photo(item)
    assert outcome.skipped == reblurring.CHANGED
    assert not outcome.blurred
    assert rows(world)[photo_id][:-1] == before[photo_id][:-1]
    assert world.stored_files() == files


def test_only_the_site_asked_for_is_looked_at(world):
    make_old(world, 1)
    result = blur(world, "--site", str(uuid.uuid4()))
    assert result.exit_code == 2
    assert "No site has the id" in result.output
    with world.app.app_context():
        site_id = db.session.get(Walk, uuid.UUID(world.walk)).site_id
    assert blur(world, "--dry-run", "--site", str(site_id)).output.splitlines()[-1] == (
        "1 photos would be blurred, 0 originals would be removed."
    )
