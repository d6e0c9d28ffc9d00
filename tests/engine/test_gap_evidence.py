"""gap_evidence holds each gap's evidence list as rows, whatever moved it: new facts,
deleted facts, manual links, triage that keeps a settled gap, a full recompute."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from gemba.extensions import db
from gemba.models import Fact, Gap, gap_evidence
from gemba.platform.database import MIGRATIONS_DIR

ALWAYS = {"frequency": "always"}


def _rows(floor) -> dict[str, set[str]]:
    with floor.app.app_context():
        cited: dict[str, set[str]] = {}
        for gap_id, fact_id in db.session.execute(
            select(gap_evidence.c.gap_id, gap_evidence.c.fact_id)
        ):
            cited.setdefault(str(gap_id), set()).add(str(fact_id))
        # Each row carries its fact's walk.
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(gap_evidence.join(Fact, Fact.id == gap_evidence.c.fact_id))
                .where(gap_evidence.c.walk_id != Fact.walk_id)
            )
            == 0
        )
        return cited


def _lists(floor) -> dict[str, set[str]]:
    with floor.app.app_context():
        return {
            str(gap.id): set(gap.evidence)
            for gap in db.session.scalars(select(Gap))
            if gap.evidence
        }


def test_rows_follow_the_evidence_through_every_kind_of_change(floor):
    said = floor.say("Badge scan", ALWAYS)
    misses = floor.see_many("Badge scan", [False, False, True])
    assert _rows(floor) == _lists(floor)
    assert _rows(floor)[str(floor.gap(said).id)] == {misses[0], misses[1]}

    another = floor.see("Badge scan", False, walk="a2")  # another walk of the site
    assert _rows(floor)[str(floor.gap(said).id)] == {misses[0], misses[1], another}

    floor.delete("fact", misses[0])
    assert _rows(floor) == _lists(floor)
    assert misses[0] not in _rows(floor)[str(floor.gap(said).id)]

    note = floor.see("Visitor log", None, text="No badge at the side door")
    floor.link(note, said, "side door")  # a manual link cites a fact of another topic
    assert note in _rows(floor)[str(floor.gap(said).id)]
    assert _rows(floor) == _lists(floor)


def test_a_settled_gap_cites_nothing_and_a_cleared_one_leaves_no_rows(floor):
    kept = floor.say("Badge scan", ALWAYS)
    dropped = floor.say("Gloves", ALWAYS)
    miss = floor.see("Badge scan", False)
    glove_miss = floor.see("Gloves", False)
    floor.triage(kept, "confirmed")
    floor.delete("fact", miss)  # no evidence left: the triaged gap stays, settled
    floor.delete("fact", glove_miss)  # the untriaged one goes
    assert floor.gap(kept).contradicted is False
    assert floor.gap(dropped) is None
    assert _rows(floor) == {}


def test_a_recompute_from_scratch_writes_the_same_rows(floor):
    floor.say("Badge scan", ALWAYS)
    floor.say("Gloves", {"frequency": "usually"}, walk="a2")
    floor.see_many("Badge scan", [False, True, False])
    floor.see_many("Gloves", [False, False, False, True], walk="a2")
    before = _rows(floor)
    assert before
    floor.recompute(from_scratch=True)
    assert _rows(floor) == before == _lists(floor)


def test_the_migration_fills_the_rows_of_existing_gaps(floor):
    floor.say("Badge scan", ALWAYS)
    floor.see_many("Badge scan", [False, False, True])
    floor.say("Gloves", ALWAYS, walk="a2")
    floor.see("Gloves", False, walk="a2")
    before = _rows(floor)
    with floor.app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="c5d2e8f1a7b3")  # no gap_evidence yet
        upgrade(directory=MIGRATIONS_DIR)
    assert _rows(floor) == before == _lists(floor)
    assert sum(len(cited) for cited in before.values()) == 3
