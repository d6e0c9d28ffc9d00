"""The offline app's server side: shell, service worker, manifest, icons and /app/me."""

from __future__ import annotations

import gzip
import re

import pytest
from PIL import Image

from gemba.offline import assets, icons
from tests.conftest import login


@pytest.fixture(autouse=True)
def someone_exists(make_user):
    """Past first-run setup: until an admin exists every page leads to /setup."""
    make_user("admin")


def test_shell_is_the_same_page_for_every_client_route(client):
    first = client.get("/app")
    assert first.status_code == 200
    for route in ("/app/ledger", "/app/walks/new", "/app/walks/0d4f/new/fact"):
        assert client.get(route).data == first.data
    html = first.get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert "csrf" not in html.lower()  # nothing per user: the service worker caches it


def test_shell_has_no_inline_script_or_style(client):
    html = client.get("/app").get_data(as_text=True)
    assert "style=" not in html
    assert "<style" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        # Code only from files; the data blocks (the vocabulary, the catalog) are never run.
        assert 'src="/app/assets/' in tag or tag in {
            '<script type="application/json" id="vocabulary">',
            '<script type="application/json" id="i18n">',
        }

    assert "script-src 'self'" in client.get("/app").headers["Content-Security-Policy"]


def test_service_worker_is_served_from_the_root_with_the_shell_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    version = assets.shell_version()
    assert f'const VERSION = "{version}";' in body
    for path in assets.SHELL_ASSETS:
        assert f'"/app/assets/{version}/{path}"' in body
    for path in assets.SHELL_IMAGES:
        assert f'"/static/{path}"' in body
        assert (assets.STATIC / path).is_file()


def test_shell_assets_are_compressed_and_cached_for_good_under_their_version(client):
    url = f"/app/assets/{assets.shell_version()}/offline/app.js"
    packed = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert packed.mimetype == "text/javascript"
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert (
        gzip.decompress(packed.data)
        == plain.data
        == (assets.STATIC / "offline/app.js").read_bytes()
    )
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    css = client.get(f"/app/assets/{assets.shell_version()}/css/gemba.css")
    assert css.mimetype == "text/css"


def test_an_old_version_is_served_but_not_kept(client):
    response = client.get("/app/assets/0000000000000000/offline/app.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "name", ["../config.py", "offline/../../config.py", "icons/gemba.svg", "offline/nope.js"]
)
def test_only_the_shell_files_are_served_as_assets(client, name):
    assert client.get(f"/app/assets/{assets.shell_version()}/{name}").status_code == 404


def test_shell_version_follows_the_files(tmp_path, monkeypatch):
    shell = tmp_path / "shell.html"
    shell.write_text("one")
    monkeypatch.setattr(assets, "_files", lambda: [shell])
    first = assets.shell_version()
    assert assets.shell_version() == first
    shell.write_text("two, longer")
    assert assets.shell_version() != first


def test_manifest_makes_the_shell_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["start_url"] == "/app"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1f4e5f"
    purposes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200
        served.close()


@pytest.mark.parametrize(
    ("name", "size"),
    [("gemba-192.png", 192), ("gemba-512.png", 512), ("gemba-maskable-512.png", 512)],
)
def test_icons_are_committed_at_their_sizes(name, size):
    with Image.open(assets.STATIC / "icons" / name) as image:
        assert image.size == (size, size)


def test_maskable_icon_fills_its_square_and_keeps_the_mark_in_the_safe_zone():
    image = icons.draw_icon(100, maskable=True).convert("RGB")
    assert image.getpixel((1, 1)) == image.getpixel((98, 98)) == icons.BRAND[:3]
    # Outside the central 80 % circle there is only background.
    for x, y in ((8, 50), (92, 50), (50, 8), (50, 92)):
        assert image.getpixel((x, y)) == icons.BRAND[:3]


def test_me_needs_a_login(client):
    response = client.get("/app/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_me_names_the_user_and_gives_a_csrf_token(app, client, make_user):
    user = make_user("observer", email="walker@example.com")
    login(client, user)
    me = client.get("/app/me")
    assert me.headers["Cache-Control"] == "no-store"
    body = me.get_json()
    assert body["id"] == user.id
    assert body["label"] == "walker"
    assert body["role"] == "observer"
    assert body["csrf_token"]
    assert body["settings"]["gps_warn_m"] == 50


def test_the_claim_rules_are_the_servers_file_served_as_a_shell_asset(client):
    """The phone reads quotes with the very rules the server uses: one file, kept by the
    service worker, a new shell version when it changes."""
    url = f"/app/assets/{assets.shell_version()}/claim-rules.json"
    response = client.get(url)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == (assets.PACKAGE / "domain" / "claim_rules.json").read_bytes()
    assert f'"{url}"' in client.get("/sw.js").get_data(as_text=True)
