"""How a walk was run travels with it: announced, observer visible, and the walk it shadows,
through the write path, Gemba JSON validation, export and import."""

from __future__ import annotations

import json
import uuid

from gemba.extensions import db
from gemba.models import Walk
from tests.api.test_roundtrip import import_text, site_export, wipe
from tests.conftest import uid
from tests.evidence.conftest import behaviours, ok, site_record, walk_record


def stored(app, walk_id: str) -> Walk:
    with app.app_context():
        walk = db.session.get(Walk, uuid.UUID(walk_id))
        db.session.expunge(walk)
        return walk


def errors(result) -> list[tuple[str, str]]:
    return [(e.field, e.message) for r in result.rejected for e in r.errors]


def test_a_new_walk_takes_the_site_setting_unless_it_says(app, write, people, site_id):
    admin = people["admin"]
    ok(write(admin, site_record(site_id, walks_announced=False)))
    quiet, told, unknown = uid(), uid(), uid()
    ok(write(people["ana"], walk_record(site_id, quiet)))
    ok(write(people["ana"], walk_record(site_id, told, announced=True, observer_visible=False)))
    ok(write(people["ana"], walk_record(site_id, unknown, announced=None)))
    assert stored(app, quiet).announced is False  # the site's walks are unannounced
    assert (stored(app, told).announced, stored(app, told).observer_visible) == (True, False)
    assert stored(app, unknown).announced is None  # said "not recorded": kept so


def test_a_plan_setting_beats_the_site_setting(app, write, people, site_id):
    plan = uid()
    ok(
        write(
            people["admin"],
            site_record(site_id),
            {
                "type": "plan",
                "id": plan,
                "site": site_id,
                "title": "Spot check",
                "announced": False,
            },
        )
    )
    walk = uid()
    ok(write(people["ana"], walk_record(site_id, walk, plan=plan)))
    assert stored(app, walk).announced is False


def test_resending_a_walk_without_the_field_keeps_what_it_was(app, write, people, site_id):
    ok(write(people["admin"], site_record(site_id)))
    walk = walk_record(site_id, announced=False)
    ok(write(people["ana"], walk))
    older_phone = {k: v for k, v in walk.items() if k != "announced"} | {"title": "Renamed"}
    ok(write(people["ana"], older_phone))
    assert stored(app, walk["id"]).announced is False


def test_a_calibration_walk_shadows_a_walk_of_its_site(app, write, people, site_id):
    ok(write(people["admin"], site_record(site_id)))
    original, shadow = uid(), uid()
    # The shadow comes first in the batch: the original is written before it all the same.
    ok(
        write(
            people["ana"],
            walk_record(site_id, shadow, calibrates=original),
            walk_record(site_id, original),
        )
    )
    assert stored(app, shadow).calibrates_id == uuid.UUID(original)


def test_what_a_walk_cannot_shadow(app, write, people, site_id):
    other_site = str(uuid.uuid4())
    ok(write(people["admin"], site_record(site_id), site_record(other_site, "Plant 9")))
    original, shadow, elsewhere = uid(), uid(), uid()
    ok(write(people["ana"], walk_record(site_id, original), walk_record(other_site, elsewhere)))
    ok(write(people["ben"], walk_record(site_id, shadow, calibrates=original)))
    itself = uid()
    cases = [
        (walk_record(site_id, calibrates=uid()), "Unknown walk to shadow."),
        (walk_record(site_id, calibrates=elsewhere), "The walk to shadow is at another site."),
        (walk_record(site_id, calibrates=shadow), "Shadow the original walk, not another shadow."),
        (walk_record(site_id, itself, calibrates=itself), "A walk cannot shadow itself."),
    ]
    for record, message in cases:
        result = write(people["cy"], record)
        assert errors(result) == [("calibrates", message)]
    with app.app_context():
        assert db.session.query(Walk).count() == 3  # nothing of the refused ones was kept


def test_a_bad_type_is_refused_by_the_schema(write, people, site_id):
    ok(write(people["admin"], site_record(site_id)))
    result = write(people["ana"], walk_record(site_id, announced="yes"))
    assert errors(result)[0][0] == "announced"


def test_the_new_fields_round_trip_through_export_and_import(app, write, people, site_id):
    admin = people["admin"]
    plan, original, shadow, unknown = uid(), uid(), uid(), uid()
    batch = [
        site_record(site_id, walks_announced=False),
        {"type": "plan", "id": plan, "site": site_id, "title": "Audit", "announced": True},
        walk_record(site_id, original, plan=plan, announced=True, observer_visible=False),
        walk_record(site_id, shadow, calibrates=original, announced=False),
        walk_record(site_id, unknown, day=1, announced=None),
        *behaviours(original, "gloves", [True, False], place="Press 2"),
        *behaviours(shadow, "gloves", [True, True], place="press 2"),
    ]
    ok(write(admin, *batch))
    first = site_export(app, site_id)
    records = {r["id"]: r for r in json.loads(first)["records"]}
    assert records[site_id]["walks_announced"] is False
    assert records[plan]["announced"] is True
    assert (records[original]["announced"], records[original]["observer_visible"]) == (True, False)
    assert records[shadow]["calibrates"] == original
    assert records[unknown]["announced"] is None
    wipe(app)
    assert not import_text(app, admin, first).rejected
    assert site_export(app, site_id) == first
    assert stored(app, unknown).announced is None


def test_a_one_walk_export_of_a_shadow_imports_on_its_own(app, client, write, people, site_id):
    from tests.conftest import login

    ok(write(people["admin"], site_record(site_id)))
    original, shadow = uid(), uid()
    ok(write(people["ana"], walk_record(site_id, original)))
    ok(write(people["ben"], walk_record(site_id, shadow, calibrates=original)))
    login(client, people["admin"])
    document = client.get(f"/api/v1/walks/{shadow}/export").get_json()
    walk = next(r for r in document["records"] if r["type"] == "walk")
    assert "calibrates" not in walk  # the walk it shadows is not in this document
    wipe(app)
    assert not import_text(app, people["admin"], json.dumps(document)).rejected


def gap_explanation(app, statement_id: str) -> str | None:
    from gemba.models import Gap, gap_id_for

    with app.app_context():
        gap = db.session.get(Gap, gap_id_for(uuid.UUID(statement_id)))
        return gap.explanation if gap is not None else None


def test_a_shadows_facts_count_for_agreement_not_twice_in_a_verdict(app, write, people, site_id):
    ok(write(people["admin"], site_record(site_id)))
    original, shadow, said = uid(), uid(), uid()
    statement = {
        "type": "statement",
        "id": said,
        "walk": original,
        "topic": "gloves",
        "text": "Always",
        "claim": {"frequency": "always"},
    }
    ok(
        write(
            people["ana"],
            walk_record(site_id, original),
            statement,
            *behaviours(original, "gloves", [True, False, True], "Press 2"),
        )
    )
    ok(
        write(
            people["ben"],
            walk_record(site_id, shadow, calibrates=original),
            *behaviours(shadow, "gloves", [True, False, True], "Press 2"),
        )
    )
    assert gap_explanation(app, said).startswith('Said "always"; observed 2 of 3')
    # Taken back out of the calibration, the second walk's events count as its own.
    ok(write(people["ben"], walk_record(site_id, shadow, calibrates=None)))
    assert gap_explanation(app, said).startswith('Said "always"; observed 4 of 6')
