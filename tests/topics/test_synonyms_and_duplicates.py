"""Synonyms lead a typed name to its topic; the duplicates page finds topics that are one;
only analysts and admins reach any of it."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import TopicMerge, TopicSynonym
from tests.topics.conftest import fact, topic_of


def _synonym_id(app, name: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(TopicSynonym.id).where(TopicSynonym.name == name))


def test_a_synonym_leads_new_facts_to_its_topic(app, gloves, write):
    client = gloves.client
    response = client.post(f"/topics/{gloves.gloves}/synonyms", data={"name": "hand protection"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "“hand protection” now leads to “gloves”." in page
    assert '“hand protection”</span> <span class="muted">synonym' in page

    typed = fact(gloves.walk, "Hand  Protection", True)
    write(gloves.analyst, typed)
    assert topic_of(app, typed["id"]) == gloves.gloves

    synonym = _synonym_id(app, "hand protection")
    response = client.post(f"/topics/synonyms/{synonym}/delete", follow_redirects=True)
    assert "“hand protection” no longer leads to “gloves”." in response.get_data(as_text=True)
    assert _synonym_id(app, "hand protection") is None
    assert topic_of(app, typed["id"]) == gloves.gloves  # what was written stays


def test_a_synonym_that_is_a_topic_of_its_own_is_refused_by_the_field(app, gloves):
    response = gloves.client.post(f"/topics/{gloves.gloves}/synonyms", data={"name": "Glove use"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="name-error">“Glove use” is a topic of its own here: merge it', page)
    assert 'value="Glove use"' in page  # what was typed is kept
    assert _synonym_id(app, "Glove use") is None


def test_an_empty_synonym_is_refused_by_the_field(gloves):
    response = gloves.client.post(f"/topics/{gloves.gloves}/synonyms", data={"name": "  "})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_the_duplicates_page_pairs_the_topics_that_are_one(gloves):
    page = gloves.client.get(f"/topics/duplicates?site={gloves.site}").get_data(as_text=True)
    assert "“glove use”" in page
    assert "“gloves”" in page
    assert re.search(r"<h2>\d+ % <span", page)
    assert "Merge “glove use” into “gloves”" in page  # the smaller into the larger
    assert "the other way" in page
    assert "forklift speed" not in page


def test_merging_from_the_duplicates_page(app, gloves):
    page = gloves.client.get(f"/topics/duplicates?site={gloves.site}").get_data(as_text=True)
    action, target = re.search(
        r'action="(/topics/\d+/merge)" class="inline">\s*<input[^>]*>\s*'
        r'<input type="hidden" name="target" value="(\d+)">',
        page,
    ).groups()
    response = gloves.client.post(action, data={"target": target})
    assert response.location.endswith(f"/review/topics/{gloves.gloves}")
    with app.app_context():
        merge = db.session.scalar(select(TopicMerge))
        assert merge.similarity is not None
        assert merge.similarity >= 80
    page = gloves.client.get(f"/topics/duplicates?site={gloves.site}").get_data(as_text=True)
    assert "Merge “glove use”" not in page
    assert "No topics at this site look alike." in page


def test_the_duplicates_page_says_what_it_is_for_when_empty(login_as, make_site):
    client, _ = login_as("analyst")
    site = make_site("Empty plant")
    page = client.get(f"/topics/duplicates?site={site}").get_data(as_text=True)
    assert "No topics at this site look alike." in page
    assert "judged together" in page


def test_the_topics_list_links_to_the_duplicates(gloves, login_as):
    assert "/topics/duplicates" in gloves.client.get("/review/topics").get_data(as_text=True)
    observer, _ = login_as("observer")
    assert "/topics/duplicates" not in observer.get("/review/topics").get_data(as_text=True)


def _topic_urls(app, gloves) -> list[tuple[str, str]]:
    with app.app_context():
        synonym = TopicSynonym(
            site_id=uuid.UUID(gloves.site), topic_id=gloves.gloves, name="mitts", key="mitts"
        )
        db.session.add(synonym)
        db.session.commit()
        synonym_id = synonym.id
    gloves.client.post(f"/topics/{gloves.glove_use}/merge", data={"target": gloves.gloves})
    with app.app_context():
        merge_id = db.session.scalar(select(TopicMerge.id))
    return [
        ("GET", f"/topics/duplicates?site={gloves.site}"),
        ("POST", f"/topics/{gloves.unrelated}/merge"),
        ("POST", f"/topics/merges/{merge_id}/undo"),
        ("POST", f"/topics/{gloves.gloves}/synonyms"),
        ("POST", f"/topics/synonyms/{synonym_id}/delete"),
        ("POST", f"/topics/{gloves.gloves}/translations"),
    ]


def test_every_topics_route_is_listed_here(app):
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/topics")}
    assert len(rules) == 6


@pytest.mark.parametrize("role", ["observer", "anonymous"])
def test_observers_reach_none_of_it(app, gloves, login_as, role):
    urls = _topic_urls(app, gloves)
    client = app.test_client() if role == "anonymous" else login_as(role)[0]
    for method, url in urls:
        response = client.open(url, method=method, data={"target": gloves.gloves, "name": "x"})
        if role == "anonymous":
            assert response.status_code == 302, url
            assert "/login" in response.location, url
        else:
            assert response.status_code == 403, url
    page = client.get(f"/review/topics/{gloves.gloves}").get_data(as_text=True)
    if role == "observer":  # they read the names, without the forms that change them
        assert "Also called" in page
        assert "“mitts”" in page
        assert "/topics/" not in re.sub(r"/review/topics/\d+", "", page.split("Also called")[1])
