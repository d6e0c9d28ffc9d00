"""The gaps table through the write path: created, updated and cleared as statements,
facts and manual links are added, edited and deleted."""

from __future__ import annotations

import uuid

import pytest

from gemba.models import Gap, gap_id_for
from tests.conftest import uid

ALWAYS = {"frequency": "always"}
NEVER = {"frequency": "never"}

MIN = {"value": 10, "unit": "min"}  # 10 min ± 20 %: band 8–12 min
AT_MOST = {"value": 15, "unit": "min", "comparator": "<="}
TYPICAL_13 = "Said 10 min ±20%; observed mean 13 min over 2 (95% CI 13–13 min)"


def case(claim, facts, explanation, name):
    """claim, facts as performed (bool) or (value, unit), the gap's explanation or None."""
    return pytest.param(claim, facts, explanation, id=name)


VERDICTS = [
    case(ALWAYS, [False], 'Said "always"; observed 0 of 1 (0%, 95% CI 0–79%)', "always-one-miss"),
    case(ALWAYS, [True, True, True], None, "always-all-done"),
    case(NEVER, [True], 'Said "never"; observed 1 of 1 (100%, 95% CI 21–100%)', "never-one-done"),
    case(NEVER, [False] * 5, None, "never-none-done"),
    case({"frequency": "usually"}, [True, False], None, "usually-1-of-2"),
    case(
        {"frequency": "usually"},
        [False, False],
        'Said "usually"; observed 0 of 2 (0%, 95% CI 0–66%)',
        "usually-0-of-2",
    ),
    case({"frequency": "sometimes"}, [False] * 10, None, "sometimes-0-of-10"),
    case(
        {"frequency": "sometimes"},
        [False] * 20,
        'Said "sometimes"; observed 0 of 20 (0%, 95% CI 0–16%)',
        "sometimes-0-of-20",
    ),
    case(
        {"frequency": "rarely"},
        [True],
        'Said "rarely"; observed 1 of 1 (100%, 95% CI 21–100%)',
        "rarely-1-of-1",
    ),
    case({"frequency": "rarely"}, [True, False], None, "rarely-1-of-2"),
    case(AT_MOST, [(900, "s")], None, "bound-exactly-at"),
    case(
        AT_MOST,
        [(901, "s")],
        "Said ≤ 15 min; 1 of 1 observations above (max 15 min)",
        "bound-just-beyond",
    ),
    case(
        {"value": 98, "unit": "pcs", "comparator": ">="},
        [(90, None)],
        "Said ≥ 98 count; 1 of 1 observations below (min 90)",
        "bound-counts",
    ),
    case(MIN, [(13, "min"), (780, "secs")], TYPICAL_13, "typical-two-beyond"),
    case(MIN, [(12, "min"), (720, "s")], None, "typical-on-band-edge"),
    case(MIN, [(24, "min")], None, "typical-one-is-not-enough"),
    case(MIN, [(2, "kg"), (3, "kg")], None, "units-incomparable"),
    case(
        MIN,
        [(13, "min"), (13, "min"), (2, "kg")],
        TYPICAL_13 + "; 1 observation in kg not comparable",
        "units-reported",
    ),
    case(ALWAYS, [(3, "min")], None, "measurement-says-nothing-to-frequency"),
    case(MIN, [False, False], None, "behaviour-says-nothing-to-measure"),
]


@pytest.mark.parametrize(("claim", "facts", "explanation"), VERDICTS)
def test_facts_make_the_gap_the_verdict_says(floor, claim, facts, explanation):
    statement = floor.say("Changeover", claim)
    for fact in facts:
        if isinstance(fact, bool):
            floor.see("Changeover", fact)
        else:
            floor.see("Changeover", value=fact[0], unit=fact[1])
    gap = floor.gap(statement)
    if explanation is None:
        assert gap is None
    else:
        assert gap is not None
        assert (gap.explanation, gap.contradicted, gap.status) == (explanation, True, "open")


def test_a_gap_records_statement_site_walk_topic_numbers_and_evidence(floor):
    statement = floor.say("Badge scan", ALWAYS, walk="a2")
    miss = floor.see("Badge scan", False)
    floor.see("Badge scan", True)
    gap = floor.gap(statement)
    assert gap.id == gap_id_for(uuid.UUID(statement))
    assert str(gap.site_id) == floor.sites["A"]
    assert str(gap.walk_id) == floor.walks["a2"]
    assert gap.topic_id is not None
    assert gap.kind == "frequency"
    assert gap.evidence == [miss]
    assert gap.observed == 2
    assert gap.stats["k"] == 1
    assert gap.stats["n"] == 2
    assert gap.severity == pytest.approx(0.5)
    assert gap.score == pytest.approx(gap.severity * gap.confidence, abs=1e-6)
    assert gap.flagged_at <= gap.evidence_changed_at


def test_the_write_result_names_the_gaps_it_moved(floor):
    statement = floor.say("Badge scan", ALWAYS)
    fact = uid()
    result = floor.write(
        {
            "type": "fact",
            "id": fact,
            "walk": floor.walks["a"],
            "topic": "Badge scan",
            "text": "No scan",
            "performed": False,
        }
    )
    assert [str(g.statement_id) for g in result.gaps] == [statement]
    assert result.gaps[0].contradicted
    assert result.cleared_gaps == []
    removed = floor.delete("fact", fact)
    assert removed.gaps == []
    assert removed.cleared_gaps == [result.gaps[0].id]


def test_evidence_accumulates_across_walks_at_a_site(floor):
    statement = floor.say("Lock-out", {"frequency": "sometimes"})
    floor.see_many("Lock-out", [False] * 10, walk="a")
    assert floor.gap(statement) is None
    floor.see_many("Lock-out", [False] * 10, walk="a2")
    assert floor.gap(statement).explanation.startswith('Said "sometimes"; observed 0 of 20')


@pytest.mark.parametrize("spelling", ["badge scan", "  BADGE   scan ", "Badge\tScan"])
def test_topics_match_ignoring_case_and_spaces(floor, spelling):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see(spelling, False)
    assert floor.gap(statement) is not None


def test_another_sites_facts_never_count(floor):
    at_a = floor.say("Badge scan", ALWAYS, walk="a")
    at_b = floor.say("Badge scan", ALWAYS, walk="b")
    floor.see("Badge scan", False, walk="b")
    assert floor.gap(at_a) is None
    assert floor.gap(at_b).explanation.startswith('Said "always"; observed 0 of 1')
    floor.see("Badge scan", True, walk="a")
    assert floor.gap(at_a) is None
    assert floor.gap(at_b).observed == 1


def test_a_manual_link_to_another_sites_fact_is_refused(floor):
    statement = floor.say("Badge scan", ALWAYS, walk="a")
    fact = floor.see("Badge scan", True, walk="b")
    refused = floor.write(
        {"type": "contradiction", "id": uid(), "fact": fact, "statement": statement}
    )
    assert refused.rejected
    assert floor.gap(statement) is None


# -- manual links ---------------------------------------------------------------------------


def test_a_manual_link_is_a_gap_whatever_the_statistics(floor):
    statement = floor.say("Badge scan", ALWAYS)
    done = floor.see_many("Badge scan", [True, True, True])
    floor.link(done[0], statement, note="Scanned   a colleague's\nbadge")
    gap = floor.gap(statement)
    assert gap.kind == "manual"
    assert (
        gap.explanation == 'Marked as contradicting by an observer: "Scanned a colleague\'s badge"'
    )
    assert (gap.evidence, gap.severity, gap.confidence) == ([done[0]], 0.5, 1.0)


def test_a_manual_link_makes_a_gap_for_a_statement_without_claim_or_topic(floor):
    statement = floor.say(None, None)
    fact = floor.see(None, text="Door propped open")
    floor.link(fact, statement)
    assert floor.gap(statement).explanation == "Marked as contradicting by an observer (1 fact)"


def test_a_manual_link_joins_statistical_evidence(floor):
    statement = floor.say("Badge scan", ALWAYS)
    miss = floor.see("Badge scan", False)
    other = floor.see("Gate", True)
    floor.link(other, statement)
    gap = floor.gap(statement)
    assert gap.kind == "frequency"
    assert gap.explanation.endswith("; 1 fact marked by an observer")
    assert gap.evidence == sorted([miss, other])


@pytest.mark.parametrize("remove", ["contradiction", "fact"])
def test_removing_the_link_or_its_fact_clears_a_manual_gap(floor, remove):
    statement = floor.say("Badge scan", ALWAYS)
    fact = floor.see("Other topic", True)
    link = floor.link(fact, statement)
    assert floor.gap(statement) is not None
    floor.delete(remove, link if remove == "contradiction" else fact)
    assert floor.gap(statement) is None


# -- edits and deletes ----------------------------------------------------------------------


def test_changing_a_facts_topic_moves_its_evidence(floor):
    badge = floor.say("Badge scan", ALWAYS)
    gate = floor.say("Gate check", ALWAYS)
    fact = floor.see("Badge scan", False)
    assert set(floor.gaps()) == {badge}
    floor.see("Gate check", False, id=fact)
    assert set(floor.gaps()) == {gate}
    assert floor.last_result.cleared_gaps
    assert floor.last_result.gaps


def test_correcting_a_fact_clears_or_moves_the_gap(floor):
    statement = floor.say("Badge scan", NEVER)
    fact = floor.see("Badge scan", True)
    assert floor.gap(statement) is not None
    floor.see("Badge scan", False, id=fact)
    assert floor.gap(statement) is None
    floor.see("Badge scan", value=3, unit="min", id=fact)  # now a measurement, not behaviour
    assert floor.gap(statement) is None


@pytest.mark.parametrize(
    ("new_claim", "has_gap"),
    [
        ({"frequency": "always"}, True),
        ({"frequency": "usually"}, False),  # 2 of 3: 21–94 % overlaps 70–100 %
        ({"frequency": "never"}, True),
        ({"value": 5, "unit": "min"}, False),  # no measurements on the topic
        (None, False),
    ],
)
def test_changing_a_claim_re_judges_the_statement(floor, new_claim, has_gap):
    statement = floor.say("Badge scan", {"frequency": "sometimes"})
    floor.see_many("Badge scan", [True, True, False])
    assert floor.gap(statement) is None
    floor.say("Badge scan", new_claim, id=statement)
    assert (floor.gap(statement) is not None) == has_gap


def test_changing_a_statements_topic_judges_it_on_the_new_topic(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.see("Gate check", True)
    assert floor.gap(statement) is not None
    floor.say("gate CHECK", ALWAYS, id=statement)
    assert floor.gap(statement) is None
    floor.say(None, ALWAYS, id=statement)
    assert floor.gap(statement) is None


def test_deleting_a_statement_deletes_its_gap(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.delete("statement", statement)
    assert floor.count(Gap) == 0


def test_deleting_a_walk_refreshes_the_topics_of_its_facts(floor):
    statement = floor.say("Badge scan", ALWAYS, walk="a")
    floor.see("Badge scan", False, walk="a2")
    assert floor.gap(statement) is not None
    floor.delete("walk", floor.walks["a2"])
    assert floor.gap(statement) is None


def test_deleting_a_walk_clears_manual_links_from_its_facts(floor):
    statement = floor.say("Badge scan", None, walk="a")
    fact = floor.see("Something else", True, walk="a2")
    floor.link(fact, statement)
    assert floor.gap(statement) is not None
    floor.delete("walk", floor.walks["a2"])
    assert floor.gap(statement) is None


def test_a_note_on_the_topic_changes_nothing(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    before = floor.gap(statement)
    result = floor.write(
        {
            "type": "fact",
            "id": uid(),
            "walk": floor.walks["a"],
            "topic": "Badge scan",
            "text": "Queue at the gate",
        }
    )
    assert result.gaps == []
    assert result.cleared_gaps == []
    assert floor.gap(statement) == before


def test_several_statements_on_a_topic_each_get_their_own_gap(floor):
    always = floor.say("Badge scan", ALWAYS)
    usually = floor.say("Badge scan", {"frequency": "usually"})
    twin = floor.say("badge scan", ALWAYS, walk="a2")
    floor.see_many("Badge scan", [False, False])
    gaps = floor.gaps()
    assert set(gaps) == {always, usually, twin}
    assert gaps[always].explanation == gaps[twin].explanation
    assert gaps[always].id != gaps[twin].id
