"""Works-council sites and photo roles: who may see a site's photos, the log of every
look, originals for admins only, the log's page and export, and the capture banner."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from gemba.accounts import services as accounts
from gemba.capture import records
from gemba.extensions import db
from gemba.models import Photo, PhotoView, Site, User
from tests import s3_server
from tests.conftest import login, make_test_app, uid
from tests.privacy.conftest import add_user

BANNER = "Works-council site: faces are always blurred"


def jpeg(colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Scene:
    """An observer's walk with a fact and its photo, at a site set up as a test asks."""

    app: Flask
    site: str
    walk: str
    fact: str
    photo: str
    owner: User

    def set_site(self, **values) -> None:
        with self.app.app_context():
            site = db.session.get(Site, uuid.UUID(self.site))
            for name, value in values.items():
                setattr(site, name, value)
            db.session.commit()

    def set_photo(self, **values) -> None:
        with self.app.app_context():
            photo = db.session.get(Photo, uuid.UUID(self.photo))
            for name, value in values.items():
                setattr(photo, name, value)
            db.session.commit()

    def views(self) -> list[tuple[int | None, str, str]]:
        with self.app.app_context():
            rows = db.session.scalars(select(PhotoView).order_by(PhotoView.id)).all()
            return [(r.user_id, r.variant, str(r.photo_id)) for r in rows]

    def token(self, user: User) -> dict[str, str]:
        with self.app.app_context():
            token = accounts.create_token(db.session.get(User, user.id))
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app(request, database_uri, tmp_path) -> Iterator[Flask]:
    """The suite's app (photos on disk); `indirect` "presigned" puts them in a bucket
    that the pages send browsers to by presigned URLs."""
    extra = {}
    if getattr(request, "param", None) == "presigned":
        extra = s3_server.settings(s3_server.new_bucket()) | {"GEMBA_S3_PRESIGNED_URLS": True}
    app = make_test_app(database_uri, tmp_path, **extra)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def make_scene(app: Flask) -> Scene:
    """An observer's walk at "Plant 7" with a fact and its photo, sent through the API."""
    owner = add_user(app, "observer")
    with app.app_context():
        site_row = Site(name="Plant 7")
        db.session.add(site_row)
        db.session.commit()
        site = str(site_row.id)
        walk, fact, photo = uid(), uid(), uid()
        result = records.write(
            db.session.get(User, owner.id),
            [
                {"type": "walk", "id": walk, "site": site, "title": "Press line"},
                {"type": "fact", "id": fact, "walk": walk, "text": "Guard left open"},
            ],
        )
    assert not result.rejected
    made = Scene(app, site, walk, fact, photo, owner)
    response = app.test_client().put(
        f"/api/v1/photos/{photo}",
        data={"file": (io.BytesIO(jpeg()), "photo.jpg"), "record": fact},
        headers=made.token(owner),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return made


@pytest.fixture
def scene(app) -> Scene:
    return make_scene(app)


@pytest.fixture(scope="class")
def shared_scene(shared_app) -> Scene:
    """One scene for a class of tests; the class's `scene` and `app` are these."""
    return make_scene(shared_app)


class SharedScene:
    """A class of tests that share one scene: each may add users, set the site as every
    test of its class does, and look; none logs a view, so none sees another's traces."""

    @pytest.fixture
    def app(self, shared_app) -> Flask:
        return shared_app

    @pytest.fixture
    def scene(self, shared_scene) -> Scene:
        return shared_scene


# -- who may see a site's photos -----------------------------------------------------------


class TestASiteThatShowsPhotosToAnalystsAndAdmins(SharedScene):
    """Every test sets the site the same way (analysts and admins) and only looks."""

    @pytest.mark.parametrize("variant", ["thumb", "display"])
    def test_a_role_the_site_does_not_show_photos_to_is_refused_on_the_page(
        self, scene, login_as, variant
    ):
        scene.set_site(photo_roles="analyst,admin")

        observer, _ = login_as("observer")
        analyst, _ = login_as("analyst")

        refused = observer.get(f"/photos/{scene.photo}/{variant}")
        assert refused.status_code == 403
        assert refused.mimetype == "text/html"
        assert analyst.get(f"/photos/{scene.photo}/{variant}").status_code == 200

    def test_a_role_the_site_does_not_show_photos_to_is_refused_by_the_api(self, scene, make_user):
        scene.set_site(photo_roles="analyst,admin")
        client = scene.app.test_client()

        refused = client.get(
            f"/api/v1/photos/{scene.photo}/display", headers=scene.token(scene.owner)
        )
        allowed = client.get(
            f"/api/v1/photos/{scene.photo}/display", headers=scene.token(make_user("analyst"))
        )

        assert refused.status_code == 403
        assert refused.mimetype == "application/problem+json"
        assert allowed.status_code == 200


class TestAnOrdinarySite(SharedScene):
    """A site that names no roles and is no works-council site: who may look, what is
    (not) logged, originals and the log's page; its tests only look."""

    def test_every_role_sees_the_photos_when_the_site_names_none(self, scene, login_as):
        client, _ = login_as("observer")

        assert client.get(f"/photos/{scene.photo}/thumb").status_code == 200

    def test_no_view_is_logged_on_an_ordinary_site(self, scene, login_as):
        client, _ = login_as("analyst")

        assert client.get(f"/photos/{scene.photo}/thumb").status_code == 200
        assert client.get(f"/photos/{scene.photo}/display").status_code == 200
        assert scene.views() == []

    def test_a_photo_without_an_original_has_none_to_download(self, scene, login_as):
        client, _ = login_as("admin")

        assert client.get(f"/photos/{scene.photo}/original").status_code == 404
        assert scene.views() == []

    def test_analysts_may_not_read_the_log(self, scene, login_as):
        client, _ = login_as("analyst")

        assert client.get(f"/manage/sites/{scene.site}/photo-views").status_code == 403
        assert client.get(f"/manage/sites/{scene.site}/photo-views.csv").status_code == 403

    def test_the_site_page_links_to_the_log_for_admins_only(self, scene, login_as):
        admin, _ = login_as("admin")
        analyst, _ = login_as("analyst")
        link = f"/manage/sites/{scene.site}/photo-views"

        assert link in admin.get(f"/manage/sites/{scene.site}").get_data(as_text=True)
        assert link not in analyst.get(f"/manage/sites/{scene.site}").get_data(as_text=True)


def test_admins_see_the_photos_whatever_roles_the_site_names(scene, login_as):
    scene.set_site(photo_roles="analyst")
    admin, _ = login_as("admin")

    assert admin.get(f"/photos/{scene.photo}/display").status_code == 200


# -- the view log ---------------------------------------------------------------------------


def test_every_view_on_a_works_council_site_is_logged(scene, login_as):
    scene.set_site(works_council=True)
    client, analyst = login_as("analyst")

    first = client.get(f"/photos/{scene.photo}/thumb")
    client.get(f"/photos/{scene.photo}/display")
    again = client.get(
        f"/photos/{scene.photo}/thumb", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert again.status_code == 304
    assert scene.views() == [
        (analyst.id, "thumb", scene.photo),
        (analyst.id, "display", scene.photo),
        (analyst.id, "thumb", scene.photo),
    ]


@pytest.mark.parametrize("app", ["presigned"], indirect=True)
def test_a_redirect_to_the_object_store_is_logged_as_a_view(scene, login_as):
    scene.set_site(works_council=True)
    client, analyst = login_as("analyst")

    response = client.get(f"/photos/{scene.photo}/display")

    assert response.status_code == 302
    assert scene.views() == [(analyst.id, "display", scene.photo)]


def test_views_through_the_api_are_logged_too(scene):
    scene.set_site(works_council=True)

    response = scene.app.test_client().get(
        f"/api/v1/photos/{scene.photo}/thumb", headers=scene.token(scene.owner)
    )

    assert response.status_code == 200
    assert scene.views() == [(scene.owner.id, "thumb", scene.photo)]


def test_a_refused_look_is_not_logged_as_a_view(scene, login_as):
    scene.set_site(works_council=True, photo_roles="admin")
    client, _ = login_as("observer")

    assert client.get(f"/photos/{scene.photo}/display").status_code == 403
    assert scene.views() == []


# -- originals ------------------------------------------------------------------------------


def _keep_original(scene: Scene) -> bytes:
    """Point the photo at a kept original (its display file stands in for the upload)."""
    with scene.app.app_context():
        photo = db.session.get(Photo, uuid.UUID(scene.photo))
        key = photo.display_key
    scene.set_photo(original_key=key)
    return key


def test_admins_download_an_original_and_each_download_is_logged(scene, login_as):
    _keep_original(scene)
    client, admin = login_as("admin")

    response = client.get(f"/photos/{scene.photo}/original")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_data()[:2] == b"\xff\xd8"
    assert scene.views() == [(admin.id, "original", scene.photo)]


@pytest.mark.parametrize("role", ["observer", "analyst"])
def test_only_admins_may_download_an_original(scene, login_as, role):
    _keep_original(scene)
    client, _ = login_as(role)

    assert client.get(f"/photos/{scene.photo}/original").status_code == 403
    assert scene.views() == []


def test_the_api_serves_no_original(scene, make_user):
    _keep_original(scene)
    headers = scene.token(make_user("admin"))

    response = scene.app.test_client().get(
        f"/api/v1/photos/{scene.photo}/original", headers=headers
    )

    assert response.status_code == 404


# -- the log's page and export --------------------------------------------------------------


def test_the_log_page_lists_who_looked_newest_first(scene, login_as):
    scene.set_site(works_council=True)
    looker, analyst = login_as("analyst")
    looker.get(f"/photos/{scene.photo}/thumb")
    admin, _ = login_as("admin")

    page = admin.get(f"/manage/sites/{scene.site}/photo-views")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert analyst.email in html
    assert f"/photos/{scene.photo}/display" in html
    assert "thumbnail" in html


def test_the_export_has_every_view_on_the_site_clock(scene, login_as):
    scene.set_site(works_council=True, time_zone="Europe/Warsaw")
    looker, analyst = login_as("analyst")
    looker.get(f"/photos/{scene.photo}/thumb")
    looker.get(f"/photos/{scene.photo}/display")
    admin, _ = login_as("admin")

    response = admin.get(f"/manage/sites/{scene.site}/photo-views.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["email"], r["role"], r["variant"], r["photo_id"]) for r in rows] == [
        (analyst.email, "analyst", "display", scene.photo),
        (analyst.email, "analyst", "thumb", scene.photo),
    ]
    assert all(r["viewed_at"].endswith(("+01:00", "+02:00")) for r in rows)
    assert rows[0]["walk_id"] == scene.walk


def test_the_log_pages_through_many_views(scene, login_as):
    scene.set_site(works_council=True)
    with scene.app.app_context():
        site = db.session.get(Site, uuid.UUID(scene.site))
        for _ in range(55):
            db.session.add(
                PhotoView(site_id=site.id, photo_id=uuid.UUID(scene.photo), variant="thumb")
            )
        db.session.commit()
    admin, _ = login_as("admin")

    first = admin.get(f"/manage/sites/{scene.site}/photo-views").get_data(as_text=True)
    second = admin.get(f"/manage/sites/{scene.site}/photo-views?page=2").get_data(as_text=True)

    assert first.count("<tr>") == 51  # the head and 50 views
    assert second.count("<tr>") == 6
    assert "Page 2 of 2" in second


# -- the banner and the API's site record ---------------------------------------------------


def _capture_pages(scene: Scene) -> list[str]:
    return [
        f"/walks/{scene.walk}",
        f"/walks/{scene.walk}/edit",
        f"/walks/{scene.walk}/facts/new",
        f"/walks/{scene.walk}/facts/{scene.fact}/edit",
        f"/walks/new?site={scene.site}",
    ]


def test_the_capture_pages_of_a_works_council_site_show_the_banner(scene):
    scene.set_site(works_council=True)
    client = login(scene.app.test_client(), scene.owner)

    for url in _capture_pages(scene):
        response = client.get(url)
        assert response.status_code == 200, url
        assert BANNER in response.get_data(as_text=True), url


def test_the_capture_pages_of_other_sites_show_no_banner(scene, make_site):
    other = make_site("Plant 8")
    with scene.app.app_context():
        db.session.get(Site, uuid.UUID(other)).works_council = True
        db.session.commit()
    client = login(scene.app.test_client(), scene.owner)

    for url in _capture_pages(scene):
        response = client.get(url)
        assert response.status_code == 200, url
        assert BANNER not in response.get_data(as_text=True), url


def test_the_api_tells_the_phone_which_sites_are_works_council_sites(scene, make_site):
    scene.set_site(works_council=True)
    make_site("Plant 8")

    body = scene.app.test_client().get("/api/v1/sites", headers=scene.token(scene.owner)).get_json()

    flags = {item["name"]: item["works_council"] for item in body["items"]}
    assert flags == {"Plant 7": True, "Plant 8": False}
