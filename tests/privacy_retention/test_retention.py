"""A site's retention removes what identifies people once records are older than allowed:
photos (rows and files, on either store), the words of quotes, the observers' notes. The
claims, the facts' outcomes and the gaps' numbers stay; a second run finds nothing."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from gemba.domain.gemba_json import validate_record
from gemba.extensions import db
from gemba.interchange import exports, imports
from gemba.models import (
    AuditEvent,
    Contradiction,
    DataRevision,
    Fact,
    Gap,
    Photo,
    Place,
    Site,
    Statement,
    Thing,
    User,
    Walk,
    utcnow,
)
from gemba.ops import retention
from tests.api.test_roundtrip import wipe
from tests.conftest import login, uid
from tests.photos.conftest import STORES, World, photo_bytes
from tests.privacy_retention.conftest import add_user, write_as

DAYS = 30
OLD_WORDS = "We always scan our badges at the gate."

# What a run removes from the store, and what it leaves there, is checked on both stores.
both_stores = pytest.mark.parametrize("photo_store", STORES)


@dataclass
class Plant:
    """The world's site with retention, old and new records on its walk, photos on both."""

    site: str
    old: dict[str, str]
    new: dict[str, str]
    old_photos: list[str]
    new_photos: list[str]
    keys: dict[str, set[str]]  # photo id -> its stored file keys


def _records(walk: str, when: str, words: str) -> tuple[dict[str, str], list[dict]]:
    ids = {kind: uid() for kind in ("place", "thing", "statement", "fact", "link")}
    return ids, [
        {"type": "place", "id": ids["place"], "walk": walk, "name": "Gate 1",
         "note": "Guard Jan at the desk", "observed_at": when},
        {"type": "thing", "id": ids["thing"], "walk": walk, "name": "Badge reader",
         "note": "Taped over by Anna", "observed_at": when},
        {"type": "statement", "id": ids["statement"], "walk": walk, "text": words,
         "topic": "Badge scan", "speaker": "Shift lead", "source": "interview",
         "claim": {"frequency": "always"}, "observed_at": when},
        {"type": "fact", "id": ids["fact"], "walk": walk, "text": "Walked in without scanning",
         "topic": "Badge scan", "performed": False, "sentiment": "pain", "observed_at": when},
        {"type": "contradiction", "id": ids["link"], "fact": ids["fact"],
         "statement": ids["statement"], "note": "Said it next to the broken reader"},
    ]  # fmt: skip


def _photo_keys(app, photo_id: str) -> set[str]:
    with app.app_context():
        photo = db.session.get(Photo, uuid.UUID(photo_id))
        return {k for k in (photo.display_key, photo.thumb_key, photo.original_key) if k}


# The plant's photos are plain colours, sent as reviewed with no boxes: nothing for the
# detector to find, so it is not run.
NO_FACES = json.dumps({"boxes": [], "reviewed": True})


def make_plant(app, world: World, write) -> Plant:
    """Records seen 40 days ago (older than the site's 30 days) and today, with photos."""
    old_at = (utcnow() - timedelta(days=DAYS + 10)).isoformat()
    old, batch = _records(world.walk, old_at, OLD_WORDS)
    new, new_batch = _records(world.walk, utcnow().isoformat(), "Everyone scans, every day.")
    assert not write(world.owner, *batch, *new_batch).rejected
    photos = {}
    for name, ids, colour in (("old", old, 10), ("new", new, 200)):
        photos[name] = []
        for n, kind in enumerate(("fact", "statement", "place")):
            photo_id = uid()
            data = photo_bytes((colour + n * 10, 90, 40))
            assert world.put(data, ids[kind], photo_id, blur=NO_FACES).status_code == 201
            photos[name].append(photo_id)
    with app.app_context():
        site_id = db.session.scalar(select(Walk.site_id).where(Walk.id == uuid.UUID(world.walk)))
        db.session.get(Site, site_id).retention_days = DAYS
        db.session.commit()
    keys = {p: _photo_keys(app, p) for p in photos["old"] + photos["new"]}
    return Plant(str(site_id), old, new, photos["old"], photos["new"], keys)


@pytest.fixture
def plant(app, world, write) -> Plant:
    """A plant of the test's own, for a test that runs retention (or changes the records)."""
    return make_plant(app, world, write)


def _texts(app, ids: dict[str, str]) -> dict[str, object]:
    """What the records say, to compare before and after."""
    with app.app_context():
        get = db.session.get
        link = get(Contradiction, uuid.UUID(ids["link"]))
        statement = get(Statement, uuid.UUID(ids["statement"]))
        fact = get(Fact, uuid.UUID(ids["fact"]))
        return {
            "place": get(Place, uuid.UUID(ids["place"])).note,
            "thing": get(Thing, uuid.UUID(ids["thing"])).note,
            "statement": statement.text,
            "claim": statement.claim,
            "topic": statement.topic.name,
            "speaker": statement.speaker,
            "fact": fact.text,
            "outcome": (fact.performed, fact.sentiment, fact.topic.name),
            "link": link.note,
            "expired": [
                r.expired_at is not None
                for r in (statement, fact, get(Place, uuid.UUID(ids["place"])))
            ],
        }


def _objects(world) -> set[str]:
    return {item.key for item in world.store().objects()}


def _run(app, **kwargs) -> list[retention.SiteRun]:
    with app.app_context():
        return retention.run(**kwargs)


def _gap(app, statement_id: str) -> dict[str, object]:
    with app.app_context():
        gap = db.session.scalar(select(Gap).where(Gap.statement_id == uuid.UUID(statement_id)))
        return {
            "id": gap.id,
            "severity": gap.severity,
            "confidence": gap.confidence,
            "score": gap.score,
            "status": gap.status,
            "evidence": list(gap.evidence),
            "explanation": gap.explanation,
        }


@both_stores
def test_a_run_deletes_old_photos_with_their_files_and_keeps_new_ones(app, world, plant):
    [done] = _run(app)
    assert done.counts() == {"photos": 3, "quotes": 1, "notes": 4}
    for photo_id in plant.old_photos:
        assert world.photo(photo_id) is None
    for photo_id in plant.new_photos:
        assert world.photo(photo_id) is not None
    left = _objects(world)
    assert not left & set().union(*(plant.keys[p] for p in plant.old_photos))
    assert set().union(*(plant.keys[p] for p in plant.new_photos)) <= left


@both_stores
def test_sites_without_retention_are_left_alone(app, world, plant, make_walk, write):
    other_walk = make_walk(world.owner)
    old_at = (utcnow() - timedelta(days=400)).isoformat()
    ids, batch = _records(other_walk, old_at, OLD_WORDS)
    assert not write(world.owner, *batch).rejected
    photo_id = uid()
    assert world.put(photo_bytes((1, 2, 3)), ids["fact"], photo_id).status_code == 201
    before = _texts(app, ids)
    runs = _run(app)
    assert [str(r.site_id) for r in runs] == [plant.site]
    assert _texts(app, ids) == before
    assert world.photo(photo_id) is not None
    assert plant.keys[plant.old_photos[0]].isdisjoint(_objects(world))
    assert _photo_keys(app, photo_id) <= _objects(world)


def test_the_command_lists_in_a_dry_run_and_reports_a_run(app, world, plant):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "photos to delete: 3, quotes to anonymise: 1, notes to empty: 4." in dry.output
    assert f"quote {plant.old['statement']} (statement)" in dry.output
    assert f"photo {plant.old_photos[0]}" in dry.output
    assert world.photo(plant.old_photos[0]) is not None
    done = runner.invoke(args=["retention", "--site", plant.site])
    assert done.exit_code == 0, done.output
    assert "photos deleted: 3, quotes anonymised: 1, notes emptied: 4." in done.output
    assert len(done.output.strip().splitlines()) == 1
    again = runner.invoke(args=["retention"])
    assert again.exit_code == 0
    assert "photos deleted: 0, quotes anonymised: 0, notes emptied: 0." in again.output


def test_without_any_retention_the_command_says_so(app, world):
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0
    assert "No site has a retention period." in result.output


def test_an_exported_expired_walk_imports_again_with_its_mark(app, world, plant, make_user):
    _run(app)
    admin = make_user("admin")
    with app.app_context():
        first = exports.walk_export(db.session.get(Walk, uuid.UUID(world.walk))).dumps()
    records = {r["id"]: r for r in json.loads(first)["records"]}
    said = records[plant.old["statement"]]
    assert said["text"] == ""
    assert said["expired_at"].endswith("+00:00")
    assert said["claim"] == {"frequency": "always"}
    assert "note" not in records[plant.old["place"]]
    assert records[plant.old["fact"]]["text"] == ""
    assert "expired_at" not in records[plant.new["statement"]]
    assert all(not validate_record(r) for r in records.values())
    wipe(app)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        result = imports.import_document(actor, imports.parse_json(first))
        assert not result.rejected, [r.as_json() for r in result.rejected]
        again = exports.walk_export(db.session.get(Walk, uuid.UUID(world.walk))).dumps()
    assert again == first


def test_a_resent_old_copy_does_not_bring_the_words_back(app, world, plant, write):
    _run(app)
    with app.app_context():
        actor = db.session.get(User, world.owner.id)
        doc = {
            "format": "gemba/v1",
            "records": [
                {"type": "statement", "id": plant.old["statement"], "walk": world.walk,
                 "text": OLD_WORDS, "topic": "Badge scan", "claim": {"frequency": "always"}},
            ],
        }  # fmt: skip
        assert not imports.import_document(actor, doc).rejected
    assert _texts(app, plant.old)["statement"] == ""


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"text": ""}, "text"),
        ({"text": "", "expired_at": None}, "text"),
        ({"text": "", "expired_at": "2026-12-01T00:00:00+00:00"}, None),
        ({"text": "Said", "expired_at": "yesterday"}, "expired_at"),
    ],
)
def test_only_an_expired_record_may_have_empty_text(record, problem):
    for kind in ("statement", "fact"):
        errors = validate_record({"type": kind, "id": uid(), "walk": uid(), **record})
        assert [e.field for e in errors] == ([problem] if problem else [])


@both_stores
def test_a_kept_original_goes_with_its_photo(app, world, plant):
    """An unblurred original (kept where an admin allows it) is the most sensitive copy."""
    with app.app_context():
        key = retention.photos.store().put(photo_bytes((250, 250, 250), (80, 60)))
        photo = db.session.get(Photo, uuid.UUID(plant.old_photos[0]))
        photo.original_key = key
        db.session.commit()
    assert key in _objects(world)
    [done] = _run(app)
    assert key in done.files_deleted
    assert key not in _objects(world)


# -- tests that only read: one plant per class ----------------------------------------------


@dataclass
class Ran:
    """A shared plant after one retention run, with what was seen before it."""

    world: World
    plant: Plant
    done: retention.SiteRun
    new_before: dict[str, object]  # the new records' texts before the run
    gap_before: dict[str, object]
    analyst: FlaskClient  # read the gap's and the walk's pages before the run (cached)


@pytest.fixture(scope="class")
def unrun_plant(shared_world) -> Plant:
    """A plant in the class's shared world, on which no run has been made."""
    return make_plant(shared_world.app, shared_world, partial(write_as, shared_world.app))


@pytest.fixture(scope="class")
def ran(shared_world) -> Ran:
    """A plant in the class's shared world, after one run."""
    app, world = shared_world.app, shared_world
    plant = make_plant(app, world, partial(write_as, app))
    new_before = _texts(app, plant.new)
    gap_before = _gap(app, plant.old["statement"])
    analyst = login(app.test_client(), add_user(app, "analyst", "analyst1@example.com"))
    for url in (f"/review/gaps/{gap_before['id']}", f"/walks/{world.walk}"):
        assert OLD_WORDS in analyst.get(url).get_data(as_text=True)  # cached before
    [done] = _run(app)
    return Ran(world, plant, done, new_before, gap_before, analyst)


class TestBeforeAnyRun:
    """A dry run, a run of an unknown site and the German listing change nothing, so
    they share one plant."""

    @pytest.fixture
    def plant(self, unrun_plant) -> Plant:
        return unrun_plant

    @pytest.fixture
    def app(self, shared_world) -> Flask:
        return shared_world.app

    @pytest.fixture
    def world(self, shared_world) -> World:
        return shared_world

    def test_a_dry_run_lists_what_a_run_would_do_and_changes_nothing(self, app, world, plant):
        before, files, count = _texts(app, plant.old), _objects(world), world.photo_count()
        [found] = _run(app, dry_run=True)
        assert found.site_id == uuid.UUID(plant.site)
        assert sorted(map(str, found.photos)) == sorted(plant.old_photos)
        assert [str(i) for i in found.quotes] == [plant.old["statement"]]
        assert sorted((k, str(i)) for k, i in found.notes) == sorted(
            (k, plant.old[k]) for k in ("place", "thing", "fact", "link")
        )
        assert _texts(app, plant.old) == before
        assert _objects(world) == files
        assert world.photo_count() == count == 6

    def test_the_command_speaks_the_terminals_language(self, app, plant):
        result = app.test_cli_runner().invoke(
            args=["retention", "--dry-run"], env={"LC_ALL": "de_DE.UTF-8"}
        )
        assert result.exit_code == 0
        assert "zu löschende Fotos: 3" in result.output
        assert _run(app, dry_run=True)[0].counts()["photos"] == 3  # still all there

    def test_an_unknown_site_is_a_usage_error_that_changes_nothing(self, app, world, plant):
        unknown = "0b5c2a3e-1111-4222-8333-944455556666"
        result = app.test_cli_runner().invoke(args=["retention", "--site", unknown])
        assert result.exit_code == 2
        assert f"No site has the id {unknown}." in result.output
        assert world.photo(plant.old_photos[0]) is not None


class TestAfterARun:
    """What one run leaves of the old records, their gap and the audit, and a second run
    that finds nothing: one plant, one run, for the class."""

    def test_a_run_counts_what_it_removed(self, ran):
        assert ran.done.site_id == uuid.UUID(ran.plant.site)
        assert ran.done.counts() == {"photos": 3, "quotes": 1, "notes": 4}

    def test_old_quotes_lose_their_words_and_keep_their_claim(self, ran):
        app, plant = ran.world.app, ran.plant
        after = _texts(app, plant.old)
        assert after["statement"] == ""
        assert after["claim"] == {"frequency": "always"}
        assert (after["topic"], after["speaker"]) == ("Badge scan", "Shift lead")
        assert (after["place"], after["thing"], after["fact"], after["link"]) == (
            None,
            None,
            "",
            None,
        )
        assert after["outcome"] == (False, "pain", "Badge scan")
        assert after["expired"] == [True, True, True]
        assert _texts(app, plant.new) == ran.new_before  # newer than the cutoff: untouched

    def test_the_gap_keeps_its_numbers_and_its_page_says_the_evidence_expired(self, ran):
        app, plant, before, client = ran.world.app, ran.plant, ran.gap_before, ran.analyst
        assert _gap(app, plant.old["statement"]) == before
        page = client.get(f"/review/gaps/{before['id']}").get_data(as_text=True)
        assert "Evidence expired on" in page
        assert "Words removed on" in page
        assert OLD_WORDS not in page
        assert "Walked in without scanning" in page
        walk = client.get(f"/walks/{ran.world.walk}").get_data(as_text=True)
        assert OLD_WORDS not in walk
        assert "Words removed on" in walk

    def test_each_run_that_removes_something_is_audited_with_its_counts(self, ran):
        with ran.world.app.app_context():
            [event] = db.session.scalars(
                select(AuditEvent).where(AuditEvent.verb == retention.AUDIT_VERB)
            ).all()
            assert (event.object_type, event.object_id) == ("site", ran.plant.site)
            assert event.detail["photos"] == 3
            assert event.detail["quotes"] == 1
            assert event.detail["days"] == DAYS

    def test_a_second_run_finds_nothing_and_changes_nothing(self, ran):
        app = ran.world.app
        with app.app_context():
            audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
            token = db.session.get(DataRevision, "*").token
        [again] = _run(app)
        assert again.nothing
        assert again.counts() == {"photos": 0, "quotes": 0, "notes": 0}
        assert _run(app, dry_run=True)[0].nothing
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits
            assert db.session.get(DataRevision, "*").token == token
