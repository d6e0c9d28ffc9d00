"""Thumbnails on the walk's timeline: lazy, sized, linked to the display copy, and loaded
in one query however many photos there are."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event

from gemba.extensions import db
from tests.photos.conftest import KINDS, photo_bytes


@contextmanager
def counting_queries(app):
    """Count the SQL statements the app runs inside the block."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_each_record_shows_its_thumbnails_in_the_timeline(world, upload):
    ids = {
        kind: [upload(kind, data=photo_bytes((i * 40, 90, 90))) for i in range(2)] for kind in KINDS
    }

    page = world.client.get(f"/walks/{world.walk}").get_data(as_text=True)

    for kind, photo_ids in ids.items():
        card = re.search(rf'<li class="record record-{kind}.*?</li>\s*</ul>', page, re.S)[0]
        for photo_id in photo_ids:
            assert f'href="/photos/{photo_id}/display"' in card
            assert f'src="/photos/{photo_id}/thumb"' in card


def test_thumbnails_are_lazy_and_carry_their_size(world, upload):
    photo_id = upload("fact", data=photo_bytes(size=(800, 600)))

    page = world.client.get(f"/walks/{world.walk}").get_data(as_text=True)

    img = re.search(rf'<img src="/photos/{photo_id}/thumb"[^>]*>', page)[0]
    assert 'width="400"' in img
    assert 'height="300"' in img
    assert 'loading="lazy"' in img
    assert 'alt="Photo 1 of 1"' in img
    link = re.search(rf'<a class="photo-thumb" href="/photos/{photo_id}/display"[^>]*>', page)[0]
    assert "data-photo-viewer" in link
    assert 'data-width="800"' in link


def test_the_walk_page_loads_the_viewer_without_inline_code(world, upload):
    upload()
    page = world.client.get(f"/walks/{world.walk}").get_data(as_text=True)

    # Linked by the digest of their bytes (gemba.platform.static_files).
    assert re.search(
        r'<script type="module" src="/static/js/photo-viewer\.js\?v=\w+"></script>', page
    )
    assert re.search(r'<link rel="stylesheet" href="/static/css/photos\.css\?v=\w+">', page)
    assert "style=" not in page
    assert "onclick" not in page
    for asset in ("js/photo-viewer.js", "js/photo-input.js", "css/photos.css"):
        response = world.client.get(f"/static/{asset}")
        response.close()
        assert response.status_code == 200


def test_a_walk_without_photos_shows_no_strip(world):
    page = world.client.get(f"/walks/{world.walk}").get_data(as_text=True)

    assert "photo-strip" not in page


def test_the_timeline_query_count_does_not_grow_with_the_photos(world, upload):
    world.app.config["GEMBA_PAGE_CACHE"] = False  # count the queries that build the page
    world.client.get(f"/walks/{world.walk}")  # warm up: session user, caches
    with counting_queries(world.app) as none:
        assert world.client.get(f"/walks/{world.walk}").status_code == 200

    upload("fact")
    with counting_queries(world.app) as one:
        world.client.get(f"/walks/{world.walk}")

    for i, kind in enumerate(KINDS * 3):
        upload(kind, data=photo_bytes((i * 20, 0, 0)))
    with counting_queries(world.app) as thirteen:
        world.client.get(f"/walks/{world.walk}")

    photo_queries = [s for s in thirteen if "FROM photos" in s]
    assert len(photo_queries) == 1
    assert len(none) == len(one) == len(thirteen)
