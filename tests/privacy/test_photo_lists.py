"""Pages and the API list no photo a site keeps from the viewer's role: no thumbnail the
server would then refuse, no metadata of it."""

from __future__ import annotations

from tests.conftest import login
from tests.privacy.test_works_council import app, scene  # noqa: F401 - shared fixtures


def test_the_walk_page_shows_thumbnails_only_to_roles_the_site_shows_photos_to(
    scene,  # noqa: F811
    login_as,
):
    scene.set_site(photo_roles="analyst,admin")
    owner = login(scene.app.test_client(), scene.owner)
    analyst, _ = login_as("analyst")
    thumb = f"/photos/{scene.photo}/thumb"

    assert thumb not in owner.get(f"/walks/{scene.walk}").get_data(as_text=True)
    assert thumb in analyst.get(f"/walks/{scene.walk}").get_data(as_text=True)

    scene.set_site(photo_roles=None)
    assert thumb in owner.get(f"/walks/{scene.walk}").get_data(as_text=True)


def test_the_api_keeps_a_photo_s_metadata_from_a_role_the_site_does_not_show_it_to(
    scene,  # noqa: F811
    make_user,
):
    scene.set_site(photo_roles="analyst,admin")
    client = scene.app.test_client()
    url = f"/api/v1/photos/{scene.photo}"

    refused = client.get(url, headers=scene.token(scene.owner))
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert client.get(url, headers=scene.token(make_user("analyst"))).status_code == 200
