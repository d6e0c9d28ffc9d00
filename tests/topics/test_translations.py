"""A topic's names in other languages: analysts set, replace and clear them on the topic
page; readers of that language see the translation beside the typed name; a merge takes
the source's names along where the target has none, and an undo brings them back."""

from __future__ import annotations

import re
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from gemba.domain import text
from gemba.extensions import db
from gemba.models import AuditEvent, Site, Topic, TopicMerge, TopicTranslation, User
from gemba.platform.database import MIGRATIONS_DIR
from gemba.topics import merging, names, translations
from tests.conftest import login, uid
from tests.topics.conftest import topic_named

SPANISH = {"Accept-Language": "es"}


def _translations(app, topic_id: int) -> dict[str, str]:
    with app.app_context():
        return names.translated_by_language(topic_id)


def _name_in(client, topic_id: int, language: str, name: str):
    data = {"language": language, "name": name}
    return client.post(f"/topics/{topic_id}/translations", data=data)


def _named(client, topic_id: int, language: str, name: str) -> None:
    """Set a name and read the page it leads to (which shows, and so clears, the flash)."""
    response = _name_in(client, topic_id, language, name)
    assert response.status_code == 302
    client.get(response.location)


def test_an_analyst_sets_replaces_and_clears_a_name_in_another_language(app, gloves):
    client = gloves.client
    response = _name_in(client, gloves.gloves, "es", "  Uso de  guantes ")
    assert response.status_code == 302
    assert response.location.endswith(f"/review/topics/{gloves.gloves}")
    page = client.get(response.location).get_data(as_text=True)
    assert "In Español: “Uso de guantes”." in page
    field = 'id="translation-es" maxlength="120" name="name" required type="text"'
    assert f'{field} value="Uso de guantes"' in page
    assert _translations(app, gloves.gloves) == {"es": "Uso de guantes"}

    _named(client, gloves.gloves, "es", "Guantes")
    _named(client, gloves.gloves, "de", "Handschuhe")
    assert _translations(app, gloves.gloves) == {"es": "Guantes", "de": "Handschuhe"}

    response = client.post(
        f"/topics/{gloves.gloves}/translations", data={"language": "es", "clear": "Clear"}
    )
    assert response.status_code == 302
    assert "Cleared the name in Español." in client.get(response.location).get_data(as_text=True)
    assert _translations(app, gloves.gloves) == {"de": "Handschuhe"}
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "topic", AuditEvent.verb.like("translation%"))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.verb, e.detail) for e in events] == [
            ("translation set", {"language": "es", "name": "Uso de guantes"}),
            ("translation set", {"language": "es", "name": "Guantes", "before": "Uso de guantes"}),
            ("translation set", {"language": "de", "name": "Handschuhe"}),
            ("translation cleared", {"language": "es", "name": "Guantes"}),
        ]
        assert {e.user_id for e in events} == {gloves.analyst.id}
    assert gloves.client.get(f"/review/topics/{gloves.gloves}").status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Type the name, or clear it."),
        ("x" * 121, "Keep the name to 120 characters or fewer."),
        ("Guan\x00tes", text.problem("Guan\x00tes")),
        ("Guantes\r\nde piel", text.problem("Guantes\r\nde piel")),
    ],
)
def test_a_bad_name_is_refused_by_its_field_and_nothing_is_stored(app, gloves, name, message):
    response = _name_in(gloves.client, gloves.gloves, "pl", name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'<p class="error" id="translation-pl-error">{re.escape(message)}', page)
    assert 'aria-describedby="translation-pl-error"' in page
    assert _translations(app, gloves.gloves) == {}


def test_a_language_not_shipped_or_the_sites_own_is_refused(app, gloves):
    assert _name_in(gloves.client, gloves.gloves, "fr", "Gants").status_code == 400
    with app.app_context():
        db.session.get(Site, uuid.UUID(gloves.site)).language = "de"
        db.session.commit()
    page = gloves.client.get(f"/review/topics/{gloves.gloves}").get_data(as_text=True)
    assert 'id="translation-es"' in page
    assert 'id="translation-de"' not in page  # the typed name is already German
    response = _name_in(gloves.client, gloves.gloves, "de", "Handschuhe")
    assert response.status_code == 302
    flashed = gloves.client.get(response.location).get_data(as_text=True)
    assert "The topic was typed in this language: its own name is shown." in flashed
    assert _translations(app, gloves.gloves) == {}


def test_observers_read_the_names_but_cannot_change_them(app, gloves, login_as):
    _named(gloves.client, gloves.gloves, "es", "Guantes")
    observer, _ = login_as("observer")
    page = observer.get(f"/review/topics/{gloves.gloves}").get_data(as_text=True)
    assert "Names in other languages" in page
    assert '<span lang="es">Guantes</span>' in page
    assert "/translations" not in page  # no form
    assert _name_in(observer, gloves.gloves, "es", "Mitones").status_code == 403
    response = observer.post(
        f"/topics/{gloves.gloves}/translations", data={"language": "es", "clear": "Clear"}
    )
    assert response.status_code == 403
    assert _translations(app, gloves.gloves) == {"es": "Guantes"}


def test_a_name_belongs_to_one_sites_topic(app, gloves, make_site, write):
    other_site = make_site("Plant 9")
    walk = uid()
    write(
        gloves.analyst,
        {"type": "walk", "id": walk, "site": other_site, "title": "Plant 9 round"},
        {"type": "fact", "id": uid(), "walk": walk, "topic": "gloves", "text": "Wore gloves",
         "performed": True},
    )  # fmt: skip
    theirs = topic_named(app, other_site, "gloves")
    assert theirs != gloves.gloves
    _named(gloves.client, gloves.gloves, "es", "Guantes")
    assert _translations(app, theirs) == {}
    page = gloves.client.get(f"/review/topics/{theirs}", headers=SPANISH).get_data(as_text=True)
    assert "Guantes" not in page
    assert _name_in(gloves.client, 10**12, "es", "Guantes").status_code == 404


def test_the_spanish_topic_list_shows_the_spanish_name_and_the_typed_one(app, gloves):
    _named(gloves.client, gloves.gloves, "es", "Guantes")
    _named(gloves.client, gloves.gloves, "de", "Handschuhe")
    listed = gloves.client.get(f"/review/topics?site={gloves.site}", headers=SPANISH)
    page = listed.get_data(as_text=True)
    assert 'Guantes <small class="typed-name">(gloves)</small>' in page
    assert "Handschuhe" not in page
    assert ">glove use</a>" in page  # no translation: the typed name only
    english = gloves.client.get(f"/review/topics?site={gloves.site}").get_data(as_text=True)
    assert ">gloves</a>" in english
    assert "Guantes" not in english
    heading = gloves.client.get(f"/review/topics/{gloves.gloves}", headers=SPANISH)
    assert re.search(r'<h1>Guantes <small class="typed-name">\(gloves\)</small>', heading.text)
    assert "<title>Guantes (gloves)" in heading.text


def test_the_gap_page_names_its_topic_in_the_readers_language(app, gloves):
    gloves.client.post(f"/topics/{gloves.glove_use}/merge", data={"target": gloves.gloves})
    _named(gloves.client, gloves.gloves, "es", "Guantes")
    with app.app_context():
        from gemba.models import Gap

        gap_id = db.session.scalar(select(Gap.id))
    page = gloves.client.get(f"/review/gaps/{gap_id}", headers=SPANISH).get_data(as_text=True)
    assert 'Guantes <small class="typed-name">(gloves)</small></a>' in page


def test_a_merge_takes_the_names_the_target_lacks_and_undo_brings_them_back(app, gloves):
    client = gloves.client
    _named(client, gloves.glove_use, "es", "Uso de guantes")
    _named(client, gloves.glove_use, "de", "Handschuhgebrauch")
    _named(client, gloves.gloves, "de", "Handschuhe")
    client.post(f"/topics/{gloves.glove_use}/merge", data={"target": gloves.gloves})
    # The target keeps its German name; the source's stays with the source, which a merge
    # keeps, so nothing typed is lost.
    assert _translations(app, gloves.gloves) == {"es": "Uso de guantes", "de": "Handschuhe"}
    assert _translations(app, gloves.glove_use) == {"de": "Handschuhgebrauch"}
    with app.app_context():
        record = db.session.scalar(select(TopicMerge))
        assert len(record.moved["translations"]) == 1
        merge_id = record.id
    # A merged topic is named no more: its page leads to the target.
    response = _name_in(client, gloves.glove_use, "pl", "Rękawice")
    assert response.status_code == 302
    assert _translations(app, gloves.glove_use) == {"de": "Handschuhgebrauch"}

    client.post(f"/topics/merges/{merge_id}/undo")
    assert _translations(app, gloves.gloves) == {"de": "Handschuhe"}
    back = {"es": "Uso de guantes", "de": "Handschuhgebrauch"}
    assert _translations(app, gloves.glove_use) == back


def test_a_name_replaced_on_the_target_after_a_merge_stays_there_on_undo(app, gloves):
    with app.app_context():
        actor = db.session.get(User, gloves.analyst.id)
        translations.set_translation(actor, gloves.glove_use, "es", "Uso de guantes")
        merged = merging.merge(actor, gloves.glove_use, gloves.gloves)
        translations.clear_translation(actor, gloves.gloves, "es")
        translations.set_translation(actor, gloves.gloves, "es", "Guantes")
        merging.undo(actor, merged.merge.id)
        assert names.translated_by_language(gloves.gloves) == {"es": "Guantes"}
        assert names.translated_by_language(gloves.glove_use) == {}


def test_a_deleted_topic_takes_its_names_along(app, gloves):
    with app.app_context():
        empty = Topic(site_id=uuid.UUID(gloves.site), name="Forklift horn", key="forklift horn")
        db.session.add(empty)
        db.session.commit()
        empty_id = empty.id
    _named(gloves.client, empty_id, "es", "Bocina de carretilla")
    with app.app_context():
        db.session.delete(db.session.get(Topic, empty_id))
        db.session.commit()
        assert db.session.scalars(select(TopicTranslation)).all() == []


def test_the_shown_name_is_the_typed_one_without_a_translation():
    plain = names.ShownName("Badge scan")
    assert str(plain) == "Badge scan"
    both = names.ShownName("Badge <scan>", "Escaneo & tarjeta")
    assert str(both) == "Escaneo & tarjeta (Badge <scan>)"
    assert both.__html__() == (
        'Escaneo &amp; tarjeta <small class="typed-name">(Badge &lt;scan&gt;)</small>'
    )


def test_the_migration_adds_the_table_and_takes_it_away(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the migration is checked on SQLite here")
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="a8d2f4b6c1e3")  # before translations
        assert "topic_translations" not in inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS_DIR)
        db.engine.dispose()
        table = inspect(db.engine)
        assert "topic_translations" in table.get_table_names()
        unique = table.get_unique_constraints("topic_translations")
        assert [c["column_names"] for c in unique] == [["topic_id", "language"]]


def test_the_form_keeps_csrf(csrf_app, make_user, make_site, write):
    analyst = make_user("analyst")
    site = make_site()
    walk = uid()
    write(
        analyst,
        {"type": "walk", "id": walk, "site": site, "title": "Gate"},
        {"type": "fact", "id": uid(), "walk": walk, "topic": "Badge scan", "text": "Scanned",
         "performed": True},
    )  # fmt: skip
    topic = topic_named(csrf_app, site, "Badge scan")
    client = login(csrf_app.test_client(), analyst)
    page = client.get(f"/review/topics/{topic}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert _name_in(client, topic, "es", "Escaneo de tarjeta").status_code == 400
    response = client.post(
        f"/topics/{topic}/translations",
        data={"csrf_token": token, "language": "es", "name": "Escaneo de tarjeta"},
    )
    assert response.status_code == 302
    assert _translations(csrf_app, topic) == {"es": "Escaneo de tarjeta"}


def test_the_part_speaks_the_readers_language(gloves):
    german = {"Accept-Language": "de"}
    page = gloves.client.get(f"/review/topics/{gloves.gloves}", headers=german).text
    assert "Namen in anderen Sprachen" in page
    response = gloves.client.post(
        f"/topics/{gloves.gloves}/translations",
        data={"language": "es", "name": " "},
        headers=german,
    )
    assert response.status_code == 422
    assert (
        'id="translation-es-error">Geben Sie den Namen ein oder löschen Sie ihn.' in response.text
    )
