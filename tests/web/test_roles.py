"""Who may open what: a role x route matrix, including another observer's records."""

from __future__ import annotations

import pytest

from tests.conftest import uid

ANON, OBSERVER, OWNER, ANALYST, ADMIN = "anon", "observer", "owner", "analyst", "admin"


@pytest.fixture
def world(app, make_user, make_walk, write, login_as):
    """An owner's walk with one record of each kind, and clients for every role."""
    owner = make_user("observer")
    walk = make_walk(owner)
    ids = {k: uid() for k in ("place", "thing", "fact", "statement")}
    write(
        owner,
        {"type": "place", "id": ids["place"], "walk": walk, "name": "Press 2"},
        {"type": "thing", "id": ids["thing"], "walk": walk, "name": "Wrench"},
        {"type": "fact", "id": ids["fact"], "walk": walk, "text": "Skipped check"},
        {"type": "statement", "id": ids["statement"], "walk": walk, "text": "We always check"},
    )
    from tests.conftest import login

    clients = {
        ANON: app.test_client(),
        OWNER: login(app.test_client(), owner),
        OBSERVER: login_as("observer")[0],
        ANALYST: login_as("analyst")[0],
        ADMIN: login_as("admin")[0],
    }
    return {"walk": walk, "ids": ids, "clients": clients}


def _url(template: str, world) -> str:
    return template.format(walk=world["walk"], **world["ids"])


READ_ROUTES = ["/", "/walks/{walk}", "/manage/sites", "/profile", "/walks/new"]
WRITE_ROUTES = [
    "/walks/{walk}/edit",
    "/walks/{walk}/places/new",
    "/walks/{walk}/things/new",
    "/walks/{walk}/facts/new",
    "/walks/{walk}/statements/new",
    "/walks/{walk}/places/{place}/edit",
    "/walks/{walk}/things/{thing}/edit",
    "/walks/{walk}/facts/{fact}/edit",
    "/walks/{walk}/statements/{statement}/edit",
    "/walks/{walk}/facts/{fact}/delete",
]

# expected status per role for GET
MATRIX = [(route, {ANON: 302, OBSERVER: 200, OWNER: 200, ANALYST: 200, ADMIN: 200})
          for route in READ_ROUTES]  # fmt: skip
MATRIX += [(route, {ANON: 302, OBSERVER: 403, OWNER: 200, ANALYST: 403, ADMIN: 200})
           for route in WRITE_ROUTES]  # fmt: skip
MATRIX += [
    ("/manage/users", {ANON: 302, OBSERVER: 403, OWNER: 403, ANALYST: 403, ADMIN: 200}),
]


@pytest.mark.parametrize(("route", "expected"), MATRIX)
def test_role_matrix_for_pages(world, route, expected):
    for role, status in expected.items():
        response = world["clients"][role].get(_url(route, world))
        assert response.status_code == status, (role, route)


@pytest.mark.parametrize("role", [OBSERVER, ANALYST])
def test_posting_to_another_observers_record_changes_nothing(app, world, role):
    client = world["clients"][role]
    url = _url("/walks/{walk}/facts/{fact}/edit", world)
    response = client.post(url, data={"text": "Tampered", "outcome": "note"})
    assert response.status_code == 403
    delete = client.post(_url("/walks/{walk}/facts/{fact}/delete", world))
    assert delete.status_code == 403
    page = world["clients"][OWNER].get(_url("/walks/{walk}", world))
    assert b"Skipped check" in page.data
    assert b"Tampered" not in page.data


def test_a_record_id_from_another_walk_is_not_found(world):
    client = world["clients"][OWNER]
    other_walk_url = _url("/walks/{walk}/facts/{fact}/edit", world).replace(world["walk"], uid())
    assert client.get(other_walk_url).status_code == 404


def test_observer_cannot_add_sites_but_analyst_can(world):
    observer, analyst = world["clients"][OBSERVER], world["clients"][ANALYST]
    assert observer.post("/manage/sites", data={"name": "Plant X"}).status_code == 403
    response = analyst.post("/manage/sites", data={"name": "Plant X"})
    assert response.status_code == 302
    assert b"Plant X" in analyst.get("/manage/sites").data


def test_only_admins_create_users(world):
    data = {"email": "new@example.com", "role": "admin", "password": "long enough pw"}
    assert world["clients"][ANALYST].post("/manage/users", data=data).status_code == 403
    assert world["clients"][ADMIN].post("/manage/users", data=data).status_code == 302
