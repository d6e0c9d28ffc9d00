"""Merging topics from the analyst's pages: the verdicts follow the evidence both ways,
and the write path keeps leading the old name to the merged topic."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from gemba.extensions import db
from gemba.models import AuditEvent, Gap, TopicMerge, gap_id_for
from tests.api.conftest import token_for
from tests.topics.conftest import fact, topic_of


def _gap(app, statement: str) -> Gap | None:
    with app.app_context():
        gap = db.session.get(Gap, gap_id_for(uuid.UUID(statement)))
        if gap is not None:
            db.session.expunge(gap)
        return gap


def _contradicted(app, statement: str) -> bool:
    gap = _gap(app, statement)
    return gap is not None and gap.contradicted


def _merge_id(app, source: int) -> uuid.UUID:
    with app.app_context():
        return db.session.scalar(select(TopicMerge.id).where(TopicMerge.source_id == source))


def _sync(app, client, user, *records):
    headers = {"Authorization": f"Bearer {token_for(app, user)}"}
    body = {"format": "gemba/v1", "records": list(records)}
    response = client.post("/api/v1/sync", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_a_merge_changes_the_verdict_and_undo_changes_it_back(app, gloves):
    client = gloves.client
    assert not _contradicted(app, gloves.statement)

    response = client.post(f"/topics/{gloves.glove_use}/merge", data={"target": gloves.gloves})
    assert response.status_code == 302
    assert response.location.endswith(f"/review/topics/{gloves.gloves}")
    page = client.get(response.location).get_data(as_text=True)
    merged = "Merged “glove use” into “gloves”: 0 statements and 4 facts moved; 1 gap changed."
    assert merged in page
    assert _contradicted(app, gloves.statement)
    assert "Handled sheet metal bare-handed" in page  # the moved facts are on the page
    assert "Undo this merge" in page
    inbox = client.get("/review/").get_data(as_text=True)
    assert "Everyone always wears gloves" in inbox
    assert all(topic_of(app, f) == gloves.gloves for f in gloves.not_worn)

    # A phone that still types the old name lands on the merged topic.
    typed = fact(gloves.walk, "Glove use", True, "Wore gloves to load the coil")
    _sync(app, app.test_client(), gloves.analyst, typed)
    assert topic_of(app, typed["id"]) == gloves.gloves

    # The old topic's page leads to where it went.
    moved = client.get(f"/review/topics/{gloves.glove_use}")
    assert moved.status_code == 302
    assert moved.location.endswith(f"/review/topics/{gloves.gloves}")
    assert "“glove use” was merged into “gloves”" in client.get(moved.location).get_data(
        as_text=True
    )

    merge_id = _merge_id(app, gloves.glove_use)
    response = client.post(f"/topics/merges/{merge_id}/undo")
    assert response.status_code == 302
    assert response.location.endswith(f"/review/topics/{gloves.glove_use}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Undid the merge of “glove use” into “gloves”: 0 statements and 4 facts" in page
    assert "Handled sheet metal bare-handed" in page
    assert not _contradicted(app, gloves.statement)
    assert all(topic_of(app, f) == gloves.glove_use for f in gloves.not_worn)
    assert topic_of(app, typed["id"]) == gloves.gloves  # written after: stays where it went
    with app.app_context():
        verbs = db.session.scalars(
            select(AuditEvent.verb).where(
                AuditEvent.object_type == "topic", AuditEvent.object_id == str(gloves.glove_use)
            )
        ).all()
    assert sorted(verbs) == ["merge undone", "merged"]


def test_the_merge_history_tells_who_and_what(app, gloves):
    client = gloves.client
    client.post(f"/topics/{gloves.glove_use}/merge", data={"target": gloves.gloves})
    page = client.get(f"/review/topics/{gloves.gloves}").get_data(as_text=True)
    assert "“glove use” merged into “gloves”" in page
    assert "0 statements and 4 facts moved" in page
    assert f"Merged by {gloves.analyst.label} on" in page
    assert "merged into this topic" in page  # under "Also called"
    client.post(f"/topics/merges/{_merge_id(app, gloves.glove_use)}/undo")
    page = client.get(f"/review/topics/{gloves.gloves}").get_data(as_text=True)
    assert "undone by" in page
    assert "Undo this merge" not in page


def test_the_merge_select_offers_the_most_alike_topic_first(gloves):
    page = gloves.client.get(f"/review/topics/{gloves.glove_use}").get_data(as_text=True)
    start = page.index('name="target"')
    select_html = page[start : page.index("</select>", start)]
    options = re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', select_html)
    assert options[0][0] == str(gloves.gloves)
    assert "% alike" in options[0][1]
    assert str(gloves.unrelated) in [value for value, _ in options]


def test_undoing_twice_is_refused(app, gloves):
    client = gloves.client
    client.post(f"/topics/{gloves.glove_use}/merge", data={"target": gloves.gloves})
    merge_id = _merge_id(app, gloves.glove_use)
    client.post(f"/topics/merges/{merge_id}/undo")
    response = client.post(f"/topics/merges/{merge_id}/undo", follow_redirects=True)
    assert response.status_code == 200
    assert "This merge was already undone." in response.get_data(as_text=True)
    assert not _contradicted(app, gloves.statement)


def test_a_topic_of_another_site_cannot_be_merged_into(app, gloves, make_site, write):
    other_site, walk = make_site("Plant 9"), str(uuid.uuid4())
    elsewhere = fact(walk, "gloves", False)
    write(gloves.analyst, {"type": "walk", "id": walk, "site": other_site, "title": "W"}, elsewhere)
    other = topic_of(app, elsewhere["id"])
    response = gloves.client.post(f"/topics/{gloves.glove_use}/merge", data={"target": other})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="target-error">Topics of different sites cannot be merged\.', page)
    assert topic_of(app, gloves.not_worn[0]) == gloves.glove_use
    with app.app_context():
        assert db.session.scalar(select(TopicMerge.id)) is None


def test_a_merge_without_a_target_is_refused_by_the_field(gloves):
    for target in ("", "abc", "9" * 30):
        response = gloves.client.post(f"/topics/{gloves.glove_use}/merge", data={"target": target})
        assert response.status_code == 422
        assert 'id="target-error"' in response.get_data(as_text=True)


def test_unknown_ids_are_not_found(gloves):
    client = gloves.client
    assert client.post("/topics/999999/merge", data={"target": gloves.gloves}).status_code == 404
    assert client.post(f"/topics/merges/{uuid.uuid4()}/undo").status_code == 404
    assert client.post("/topics/999999/synonyms", data={"name": "x"}).status_code == 404
    assert client.post("/topics/synonyms/999999/delete").status_code == 404
    assert client.get("/review/topics/999999").status_code == 404
