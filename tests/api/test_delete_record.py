"""DELETE /api/v1/records/{type}/{id}: the offline app's queued delete, idempotent and owned."""

from __future__ import annotations

import uuid

import pytest

from gemba.extensions import db
from gemba.models import Fact, Walk
from tests.api.conftest import V1, assert_conforms
from tests.conftest import uid


def _walk_with_gap(api, site_maker=None) -> dict[str, str]:
    """A walk where an 'always' claim is contradicted by one observed fact."""
    ids = {"site": uid(), "walk": uid(), "statement": uid(), "fact": uid()}
    site = {"type": "site", "id": ids["site"], "name": "Plant 4"}
    assert (site_maker or api).sync(site).status_code == 200
    response = api.sync(
        {"type": "walk", "id": ids["walk"], "site": ids["site"], "title": "Dock walk"},
        {
            "type": "statement",
            "id": ids["statement"],
            "walk": ids["walk"],
            "text": "We always do the checklist.",
            "topic": "Dock checklist",
            "claim": {"frequency": "always"},
        },
        {
            "type": "fact",
            "id": ids["fact"],
            "walk": ids["walk"],
            "text": "Checklist skipped",
            "topic": "Dock checklist",
            "performed": False,
        },
    )
    assert response.status_code == 200
    gaps = response.get_json()["gaps"]
    assert gaps, "the fact should contradict the claim"
    ids["gap"] = gaps[0]["id"]
    return ids


def _delete(api, type_: str, record_id: str):
    return api.client.delete(f"{V1}/records/{type_}/{record_id}", headers=api.headers)


def _exists(app, model, record_id: str) -> bool:
    with app.app_context():
        return db.session.get(model, uuid.UUID(record_id)) is not None


def test_deleting_a_fact_removes_it_and_clears_its_gap(app, api):
    ids = _walk_with_gap(api)
    response = _delete(api, "fact", ids["fact"])
    assert response.status_code == 200
    body = response.get_json()
    assert_conforms(response, "/records/{record_type}/{record_id}", "delete")
    assert body["results"] == [{"id": ids["fact"], "type": "fact", "status": "deleted"}]
    assert body["cleared_gaps"] == [ids["gap"]]
    assert not _exists(app, Fact, ids["fact"])


def test_a_delete_sent_again_is_answered_deleted_again(app, api):
    ids = _walk_with_gap(api)
    assert _delete(api, "fact", ids["fact"]).status_code == 200
    again = _delete(api, "fact", ids["fact"])
    assert again.status_code == 200
    assert again.get_json()["results"][0]["status"] == "deleted"


def test_a_record_that_never_existed_is_404(api):
    response = _delete(api, "fact", uid())
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("type_", ["site", "persona", "contradiction", "nonsense"])
def test_types_not_deleted_here_are_404(api, type_):
    assert _delete(api, type_, uid()).status_code == 404


def test_another_observers_walk_is_refused_and_kept(app, api, api_as):
    ids = _walk_with_gap(api_as("observer"), site_maker=api)
    stranger = api_as("observer")
    response = _delete(stranger, "walk", ids["walk"])
    assert response.status_code == 403
    assert _exists(app, Walk, ids["walk"])


def test_a_read_only_token_cannot_delete(app, api, make_user):
    from gemba.accounts import services as accounts
    from gemba.models import User

    ids = _walk_with_gap(api)
    with app.app_context():
        token = accounts.create_token(db.session.get(User, api.user.id), scope="read")
    response = api.client.delete(
        f"{V1}/records/fact/{ids['fact']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert _exists(app, Fact, ids["fact"])
