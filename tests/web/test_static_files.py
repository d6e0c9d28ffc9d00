"""Static files: pages link CSS and JavaScript by a digest of their bytes, a URL with the
current digest is cached for a year, text is gzipped for a browser that takes it, and
any other static request is served with revalidation, never a server error."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for

from gemba.platform import static_files

STATIC = Path(static_files.__file__).resolve().parents[1] / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def fetch(client, url: str, **headers):
    response = client.get(url, headers=headers)
    response.close()
    return response


@pytest.fixture
def own_static(app, tmp_path):
    """The app serving a static folder of the test's own, whose files it may change."""
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    app.static_folder = str(folder)
    return folder


def test_a_page_links_its_stylesheet_and_script_with_their_digests(login_as):
    client, _ = login_as("observer")
    page = client.get("/").get_data(as_text=True)

    for name in ("css/gemba.css", "js/capture.js"):
        assert f"/static/{name}?v={digest_of(STATIC / name)}" in page
    assert 'href="/static/icons/gemba.svg"' in page  # images keep their plain URL


def test_the_url_with_the_current_digest_is_cached_for_a_year(login_as):
    client, _ = login_as("observer")
    page = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/css/gemba\.css\?v=[0-9a-f]{16})"', page)[1]

    response = fetch(client, url)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.mimetype == "text/css"
    assert response.data == (STATIC / "css/gemba.css").read_bytes()


def test_a_changed_file_gets_a_new_digest_and_the_old_url_revalidates(app, client, own_static):
    css = own_static / "css" / "site.css"
    css.write_text("body { color: black; }\n")
    with app.test_request_context():
        first = url_for("static", filename="css/site.css")
        assert url_for("static", filename="css/site.css") == first  # read once, kept

    css.write_text("body { color: rebeccapurple; }\n")
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 10**9))
    with app.test_request_context():
        second = url_for("static", filename="css/site.css")

    assert first != second
    assert second == f"/static/css/site.css?v={digest_of(css)}"
    old, new = fetch(client, first), fetch(client, second)
    assert old.data == new.data == css.read_bytes()
    assert old.headers["Cache-Control"] == "no-cache"
    assert new.headers["Cache-Control"] == IMMUTABLE


def test_the_digest_is_not_computed_again_while_the_file_is_unchanged(app, own_static, monkeypatch):
    (own_static / "css" / "site.css").write_text("p { margin: 0; }\n")
    hashed = []
    real_sha256 = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda *a: hashed.append(1) or real_sha256(*a))

    with app.test_request_context():
        urls = {url_for("static", filename="css/site.css") for _ in range(5)}

    assert len(urls) == 1
    assert len(hashed) == 1


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("css/gemba.css", "text/css"),
        ("js/capture.js", "text/javascript"),
        ("icons/gemba.svg", "image/svg+xml"),
    ],
)
def test_text_is_gzipped_when_the_browser_accepts_it(client, name, mimetype):
    plain_bytes = (STATIC / name).read_bytes()

    packed = fetch(client, f"/static/{name}", **{"Accept-Encoding": "gzip, deflate, br"})
    plain = fetch(client, f"/static/{name}")
    refused = fetch(client, f"/static/{name}", **{"Accept-Encoding": "br, gzip;q=0"})

    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain_bytes
    assert len(packed.data) < len(plain_bytes)
    for response in (plain, refused):
        assert "Content-Encoding" not in response.headers
        assert response.data == plain_bytes
    for response in (packed, plain, refused):
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert "Accept-Encoding" in response.headers["Vary"]
    assert packed.headers["ETag"] != plain.headers["ETag"]  # two bodies, two tags


def test_a_revalidation_answers_304_for_either_encoding(client):
    for accept in ("gzip", ""):
        first = fetch(client, "/static/css/gemba.css", **{"Accept-Encoding": accept})
        again = fetch(
            client,
            "/static/css/gemba.css",
            **{"Accept-Encoding": accept, "If-None-Match": first.headers["ETag"]},
        )
        assert again.status_code == 304
        assert again.data == b""
        assert "Accept-Encoding" in again.headers["Vary"]


@pytest.mark.parametrize("query", ["", "?v=", "?v=0000000000000000", "?v=not-a-digest"])
def test_a_missing_old_or_unknown_digest_is_served_but_revalidated(client, query):
    response = fetch(client, f"/static/css/gemba.css{query}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (STATIC / "css/gemba.css").read_bytes()


def test_an_image_is_served_from_disk_with_revalidation_and_no_digest(app, client):
    with app.test_request_context():
        assert url_for("static", filename="icons/gemba-192.png") == "/static/icons/gemba-192.png"

    response = fetch(client, "/static/icons/gemba-192.png?v=whatever")

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Content-Encoding" not in response.headers


def test_a_missing_file_keeps_a_plain_url(app):
    with app.test_request_context():
        assert url_for("static", filename="css/nothing.css") == "/static/css/nothing.css"
        assert url_for("static", filename="js/a.js", v="given") == "/static/js/a.js?v=given"


@pytest.mark.parametrize(
    "path",
    [
        "/static/css/nothing.css",
        "/static/css/",
        "/static/css",
        "/static/../gemba/__init__.py",
        "/static/%2e%2e/__init__.py",
        "/static/css/..%2f..%2f__init__.py",
        "/static//etc/passwd",  # redirected to /static/etc/passwd first
        "/static/css/gemba.css/more.css",
        "/static/css/a%00.css",
        "/static/" + "x" * 5000 + ".css",
        "/static/C:%5Cwindows%5Cwin.ini",
    ],
)
def test_a_bad_name_is_not_found_never_a_server_error(login_as, path):
    client, _ = login_as("observer")
    response = client.get(path, headers={"Accept-Encoding": "gzip"}, follow_redirects=True)
    response.close()

    assert response.status_code == 404
