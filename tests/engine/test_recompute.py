"""The full recompute: the `gaps recompute` command, and agreement with the incremental
path on random sequences of writes (hypothesis)."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from gemba.extensions import db
from gemba.models import (
    AuditEvent,
    Contradiction,
    Fact,
    Gap,
    Site,
    Statement,
    Topic,
    Walk,
    fact_things,
)
from tests.conftest import uid
from tests.engine.conftest import Floor

ALWAYS = {"frequency": "always"}
SUMMARY = re.compile(
    r"Judged (\d+) statements in [\d.]+ s: (\d+) gaps changed, (\d+) cleared, (\d+) in all\."
)


def recompute(runner) -> tuple[int, int, int, int]:
    result = runner.invoke(args=["gaps", "recompute"])
    assert result.exit_code == 0, result.output
    match = SUMMARY.search(result.output)
    assert match, result.output
    return tuple(int(n) for n in match.groups())


# -- the command --------------------------------------------------------------------------------


def test_recompute_rebuilds_a_lost_gaps_table_and_then_finds_nothing_to_do(app, floor, runner):
    first = floor.say("Badge scan", ALWAYS)
    second = floor.say("Gate check", {"frequency": "never"})
    floor.say("Lock-out", None)
    floor.see("Badge scan", False)
    floor.see("Gate check", True)
    before = floor.gaps()
    with app.app_context():
        db.session.execute(delete(Gap))
        db.session.commit()
    assert recompute(runner) == (3, 2, 0, 2)
    after = floor.gaps()
    assert set(after) == {first, second}
    for statement in after:
        for field in ("kind", "severity", "confidence", "explanation", "evidence", "stats"):
            assert getattr(after[statement], field) == getattr(before[statement], field)
    assert recompute(runner) == (3, 0, 0, 2)


def test_recompute_repairs_rows_changed_behind_the_engines_back(app, floor, runner):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    other = floor.say("Gate check", ALWAYS)
    gate = floor.see("Gate check", False)
    good = floor.gap(statement)
    with app.app_context():
        db.session.execute(update(Gap).values(explanation="tampered", severity=0.0))
        # A fact removed without the write path: its topic's gap is stale.
        db.session.execute(delete(Fact).where(Fact.id == uuid.UUID(gate)))
        db.session.commit()
    assert recompute(runner) == (2, 1, 1, 1)
    repaired = floor.gap(statement)
    assert (repaired.explanation, repaired.severity) == (good.explanation, good.severity)
    assert floor.gap(other) is None


def test_recompute_keeps_triage_and_writes_an_empty_table_as_empty(floor, runner):
    assert recompute(runner) == (0, 0, 0, 0)
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.triage(statement, "confirmed", "Seen")
    assert recompute(runner) == (1, 0, 0, 1)
    assert floor.gap(statement).status == "confirmed"


def test_recompute_ignores_facts_whose_walk_is_at_another_site_than_their_topic(app, floor, runner):
    statement = floor.say("Badge scan", ALWAYS, walk="a")
    fact = floor.see("Other", False, walk="b")
    with app.app_context():  # a row the write path would never make: B's fact, A's topic
        topic = db.session.scalar(db.select(Topic.id).where(Topic.key == "badge scan"))
        db.session.execute(update(Fact).where(Fact.id == uuid.UUID(fact)).values(topic_id=topic))
        db.session.commit()
    recompute(runner)
    assert floor.gap(statement) is None


# -- incremental equals full, on random data ----------------------------------------------------

# Repeats weigh the choices: most records share a topic at site A, some do not.
TOPICS = ["Badge scan", "  BADGE scan", "badge SCAN", "Lock-out", None]
WORDS = ["always", "usually", "sometimes", "rarely", "never"]
UNITS = ["min", "s", "h", None, "kg", "pcs"]
WALKS = ["a", "a2", "a", "b"]
STATEMENT_SLOTS, FACT_SLOTS = 3, 8

# Hypothesis starts from the first choice of each strategy, so the first ones make gaps:
# "always" against a miss on the same topic of the same walk.
claims = st.one_of(
    st.builds(lambda word: {"frequency": word}, st.sampled_from(WORDS)),
    st.builds(lambda word: {"frequency": word}, st.sampled_from(["always", "never"])),
    st.fixed_dictionaries(
        {
            "value": st.sampled_from([10, 15, 0, 0.5, 1, 12, 600]),
            "unit": st.sampled_from(UNITS),
            "comparator": st.sampled_from([None, "<=", ">="]),
            "tolerance": st.sampled_from([None, 0, 0.1, 0.5]),
        }
    ),
    st.none(),
)
readings = st.one_of(
    st.booleans(),
    st.booleans(),
    st.tuples(st.sampled_from([13, 0, 0.5, 8, 9.5, 10, 12, 15, 600, 900]), st.sampled_from(UNITS)),
    st.none(),
)
say = st.tuples(
    st.just("say"),
    st.integers(0, STATEMENT_SLOTS - 1),
    st.sampled_from(WALKS),
    st.sampled_from(TOPICS),
    claims,
)
see = st.tuples(
    st.just("see"),
    st.integers(0, FACT_SLOTS - 1),
    st.sampled_from(WALKS),
    st.sampled_from(TOPICS),
    readings,
)
link = st.tuples(
    st.just("link"),
    st.integers(0, FACT_SLOTS - 1),
    st.integers(0, STATEMENT_SLOTS - 1),
    st.sampled_from([None, "Skipped it", ""]),
)
remove = st.tuples(
    st.just("delete"), st.sampled_from(["fact", "statement", "contradiction"]), st.integers(0, 9)
)
triage = st.tuples(
    st.just("triage"),
    st.integers(0, STATEMENT_SLOTS - 1),
    st.sampled_from(["dismissed", "confirmed", "needs_observation"]),
)
# Facts arrive most often, as on a walk.
operations = st.one_of(say, see, see, see, see, say, link, remove, triage)

COMPARED = (
    "kind",
    "severity",
    "confidence",
    "score",
    "explanation",
    "evidence",
    "observed",
    "stats",
    "contradicted",
    "site_id",
    "walk_id",
    "topic_id",
)


class Scenario:
    """Plays operations on a fresh floor, keeping which slot holds which record."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self.statements: dict[int, tuple[str, str]] = {}  # slot -> (id, walk)
        self.facts: dict[int, tuple[str, str]] = {}
        self.links: list[str] = []

    def play(self, operation: tuple) -> None:
        kind, *args = operation
        getattr(self, f"_{kind}")(*args)

    def _say(self, slot: int, walk: str, topic: str | None, claim: dict | None) -> None:
        record_id, walk = self.statements.get(slot, (uid(), walk))  # records never change walk
        self.floor.say(topic, claim, walk=walk, id=record_id)
        self.statements[slot] = (record_id, walk)

    def _see(self, slot: int, walk: str, topic: str | None, reading) -> None:
        record_id, walk = self.facts.get(slot, (uid(), walk))
        if isinstance(reading, bool):
            self.floor.see(topic, reading, walk=walk, id=record_id)
        elif reading is None:
            self.floor.see(topic, walk=walk, id=record_id)
        else:
            self.floor.see(topic, value=reading[0], unit=reading[1], walk=walk, id=record_id)
        self.facts[slot] = (record_id, walk)

    def _link(self, fact_slot: int, statement_slot: int, note: str | None) -> None:
        if fact_slot not in self.facts or statement_slot not in self.statements:
            return
        link = uid()
        result = self.floor.write(
            {
                "type": "contradiction",
                "id": link,
                "fact": self.facts[fact_slot][0],
                "statement": self.statements[statement_slot][0],
                "note": note,
            }
        )  # refused across sites or when the pair is linked already
        if not result.rejected:
            self.links.append(link)

    def _delete(self, type_: str, index: int) -> None:
        if type_ == "contradiction":
            if not self.links:
                return
            link = self.links.pop(index % len(self.links))
            if self.floor.exists(Contradiction, link):  # not gone with its fact or statement
                self.floor.delete("contradiction", link)
            return
        slots = self.facts if type_ == "fact" else self.statements
        if not slots:
            return
        slot = sorted(slots)[index % len(slots)]
        record_id, _ = slots.pop(slot)
        self.floor.delete(type_, record_id)

    def _triage(self, slot: int, status: str) -> None:
        if slot in self.statements and self.floor.gap(self.statements[slot][0]) is not None:
            self.floor.triage(self.statements[slot][0], status, "Looked at it")


def _reset(app) -> None:
    """Empty every table the scenario writes, keeping the users."""
    with app.app_context():
        for table in (
            AuditEvent.__table__,
            Gap.__table__,
            Contradiction.__table__,
            fact_things,
            Fact.__table__,
            Statement.__table__,
            Topic.__table__,
            Walk.__table__,
            Site.__table__,
        ):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def people(make_user):
    return make_user("observer"), make_user("analyst")


def assert_incremental_equals_full(floor: Floor) -> dict:
    """The gaps the write path left are what a recompute, in place or from scratch, gives."""
    incremental = floor.gaps()
    # Nothing left to do: the incremental path already wrote what a full recompute would.
    summary = floor.recompute()
    assert (summary["changed"], summary["cleared"]) == (0, 0)
    assert floor.gaps() == incremental
    scratch = floor.recompute(from_scratch=True)
    rebuilt = floor.gaps()
    assert scratch["gaps"] == len(rebuilt)
    for statement, gap in incremental.items():
        if statement not in rebuilt:  # only a triaged gap outlives its contradiction
            assert gap.triaged_at is not None
            assert gap.contradicted is False
            continue
        assert gap.contradicted is True
        for field in COMPARED:
            assert getattr(gap, field) == getattr(rebuilt[statement], field), field
    assert set(rebuilt) <= set(incremental)
    return incremental


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operations, min_size=15, max_size=50))
def test_incremental_updates_agree_with_a_full_recompute(app, people, plays):
    _reset(app)
    scenario = Scenario(Floor(app, *people))
    for operation in plays:
        scenario.play(operation)
    gaps = assert_incremental_equals_full(scenario.floor)
    event(f"gaps: {min(len(gaps), 3)}+")
    event(f"triaged: {any(g.triaged_at for g in gaps.values())}")
    event(f"kept uncontradicted: {any(not g.contradicted for g in gaps.values())}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_updates_agree_with_a_full_recompute_on_a_long_day(app, people, seed):
    """Hypothesis keeps examples small; this is a long, evidence-heavy day on the floor."""
    rng = random.Random(seed)
    scenario = Scenario(Floor(app, *people))
    for _ in range(120):
        scenario.play(_random_operation(rng))
    gaps = assert_incremental_equals_full(scenario.floor)
    assert any(g.contradicted for g in gaps.values())


def _random_operation(rng: random.Random) -> tuple:
    kind = rng.choices(["say", "see", "link", "delete", "triage"], [2, 12, 1, 1, 1])[0]
    if kind == "say":
        claim = rng.choices(
            [
                None,
                {"frequency": rng.choice(WORDS)},
                {
                    "value": rng.choice([10, 15, 600]),
                    "unit": rng.choice(["min", "s", "kg", None]),
                    "comparator": rng.choice([None, "<=", ">="]),
                    "tolerance": rng.choice([None, 0.1]),
                },
            ],
            [1, 3, 2],
        )[0]
        slot = rng.randrange(8)
        return ("say", slot, rng.choice(WALKS), rng.choice(TOPICS), claim)
    if kind == "see":
        reading = rng.choice(
            [
                rng.random() < 0.8,
                (rng.choice([8, 10, 12, 13, 15, 600, 900]), rng.choice(["min", "s", "kg"])),
                None,
            ]
        )
        return ("see", rng.randrange(40), rng.choice(WALKS), rng.choice(TOPICS), reading)
    if kind == "link":
        return ("link", rng.randrange(40), rng.randrange(8), rng.choice([None, "Skipped"]))
    if kind == "delete":
        type_ = rng.choice(["fact", "fact", "statement", "contradiction"])
        return ("delete", type_, rng.randrange(40))
    status = rng.choice(["dismissed", "confirmed", "needs_observation"])
    return ("triage", rng.randrange(8), status)
