"""Triage and what survives it: status kept as evidence moves, the changed-since flag,
the re-open rule for dismissed gaps, and triaged gaps that stop being contradicted."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.gaps import updates as gap_updates
from gemba.gaps.triage import triage
from gemba.models import Gap, User

ALWAYS = {"frequency": "always"}


# -- the triage function ----------------------------------------------------------------------


def test_triage_snapshots_the_evidence_and_writes_the_audit_trail(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see_many("Badge scan", [False, False, True])
    gap = floor.triage(statement, "confirmed", "  Seen it myself  ")
    assert (gap.status, gap.triage_reason) == ("confirmed", "Seen it myself")
    assert gap.triaged_by_id == floor.analyst_id
    assert gap.triaged_at is not None
    assert (gap.triage_severity, gap.triage_confidence) == (gap.severity, gap.confidence)
    assert gap.triage_evidence_count == 2
    assert gap.evidence_changed_since_triage is False
    (event,) = floor.audit("triaged")
    assert (event.user_id, event.object_type, event.object_id) == (
        floor.analyst_id,
        "gap",
        str(gap.id),
    )
    assert event.detail["from"] == "open"
    assert event.detail["to"] == "confirmed"
    assert event.detail["evidence_count"] == 2
    assert event.note == "Seen it myself"


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_a_dismissal_needs_a_reason(app, floor, reason):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    with app.app_context():
        gap = db.session.scalar(select(Gap).where(Gap.statement_id == uuid.UUID(statement)))
        with pytest.raises(ValueError, match="why"):
            triage(gap, "dismissed", db.session.get(User, floor.analyst_id), reason)
        db.session.rollback()
    assert floor.gap(statement).status == "open"
    assert floor.audit() == []


@pytest.mark.parametrize("status", ["closed", "", "OPEN"])
def test_an_unknown_status_is_refused(app, floor, status):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    with app.app_context():
        gap = db.session.scalar(select(Gap).where(Gap.statement_id == uuid.UUID(statement)))
        with pytest.raises(ValueError, match="Unknown gap status"):
            triage(gap, status, db.session.get(User, floor.analyst_id), "because")


@pytest.mark.parametrize("status", ["confirmed", "needs_observation", "actioned", "open"])
def test_other_statuses_need_no_reason(floor, status):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    gap = floor.triage(statement, status)
    assert (gap.status, gap.triage_reason) == (status, None)


# -- triage survives new evidence ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "needs_observation", "actioned", "dismissed"])
def test_a_triaged_gap_keeps_its_status_and_shows_the_evidence_changed(floor, status):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see_many("Badge scan", [False, False, False])
    floor.triage(statement, status, "checked with the shift lead")
    floor.see("Badge scan", True)  # a change, not much stronger: 3 of 4 misses
    gap = floor.gap(statement)
    assert gap.status == status
    assert gap.evidence_changed_since_triage is True
    assert gap.explanation == 'Said "always"; observed 1 of 4 (25%, 95% CI 5–70%)'
    assert gap.triage_evidence_count == 3
    assert len(gap.evidence) == 3


def test_evidence_that_changes_nothing_leaves_the_triage_untouched(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.triage(statement, "confirmed")
    floor.see("Badge scan", value=4, unit="min")  # says nothing to a frequency claim
    floor.see("Gate", False)  # another topic
    assert floor.gap(statement).evidence_changed_since_triage is False


def test_full_recompute_keeps_triage(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    before = floor.triage(statement, "dismissed", "Training day, not normal work")
    assert floor.recompute() == {"statements": 1, "changed": 0, "cleared": 0, "gaps": 1}
    assert floor.gap(statement) == before


# -- the re-open rule ---------------------------------------------------------------------------

# Dismissed on `first` behaviour facts; then `more` arrive. REOPEN_COUNT_FACTOR = 2 and
# REOPEN_COUNT_MORE = 2 (contradicting facts at least doubled and two more), or
# REOPEN_CONFIDENCE = 0.25 (confidence that much higher). Confidences from the Wilson
# interval: 0 of 1 → 0.21, 0 of 2 → 0.34, 0 of 3 → 0.44, 0 of 5 → 0.57, 0 of 6 → 0.61,
# 2 of 3 → 0.27, 4 of 5 → 0.41, 5 of 6 → 0.47.
REOPEN = [
    pytest.param([False] * 3, [False] * 2, False, id="3-misses-then-5-stays"),
    pytest.param([False] * 3, [False] * 3, True, id="3-misses-then-6-reopens"),
    pytest.param([False], [False], False, id="1-miss-then-2-stays"),
    pytest.param([False], [False] * 2, True, id="1-miss-then-3-reopens"),
    pytest.param([False], [True] * 2, False, id="confidence-up-0.06-stays"),
    pytest.param([False], [True] * 4, False, id="confidence-up-0.21-stays"),
    pytest.param([False], [True] * 5, True, id="confidence-up-0.26-reopens"),
]


@pytest.mark.parametrize(("first", "more", "reopened"), REOPEN)
def test_a_dismissed_gap_reopens_only_when_the_evidence_is_much_stronger(
    floor, first, more, reopened
):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see_many("Badge scan", first)
    dismissed = floor.triage(statement, "dismissed", "Audit week, not typical")
    floor.see_many("Badge scan", more)
    gap = floor.gap(statement)
    assert gap.status == ("open" if reopened else "dismissed")
    assert gap.evidence_changed_since_triage is True
    events = floor.audit("reopened")
    assert len(events) == (1 if reopened else 0)
    if reopened:
        (event,) = events
        assert event.object_id == str(dismissed.id)
        assert event.user_id is None
        assert event.detail["from"] == "dismissed"
        assert event.detail["to"] == "open"
        assert event.detail["evidence_count"] == [len(first), len(gap.evidence)]
        assert event.note.startswith("Re-opened")
        assert gap.triage_reason == "Audit week, not typical"  # the history stays


def test_the_reopen_rule_counts_from_the_dismissal_not_from_the_last_change(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see_many("Badge scan", [False, False])
    floor.triage(statement, "dismissed", "Not our process")
    floor.see("Badge scan", False)  # 3 misses: not yet twice the 2 dismissed on
    assert floor.gap(statement).status == "dismissed"
    floor.see("Badge scan", False)  # 4 misses: twice as many, and two more
    assert floor.gap(statement).status == "open"


def test_only_dismissed_gaps_reopen(floor):
    statement = floor.say("Badge scan", ALWAYS)
    floor.see("Badge scan", False)
    floor.triage(statement, "needs_observation")
    floor.see_many("Badge scan", [False] * 5)
    assert floor.gap(statement).status == "needs_observation"
    assert floor.audit("reopened") == []


def test_the_reopen_constants_are_the_documented_ones():
    assert gap_updates.REOPEN_COUNT_FACTOR == 2
    assert gap_updates.REOPEN_COUNT_MORE == 2
    assert gap_updates.REOPEN_CONFIDENCE == 0.25


# -- a triaged gap whose contradiction disappears -----------------------------------------------


def test_an_untriaged_gap_goes_when_the_contradiction_does(floor):
    statement = floor.say("Badge scan", ALWAYS)
    fact = floor.see("Badge scan", False)
    floor.see("Badge scan", True, id=fact)
    assert floor.gap(statement) is None
    assert floor.last_result.cleared_gaps


def test_a_triaged_gap_stays_uncontradicted_and_comes_back_with_its_status(floor):
    statement = floor.say("Badge scan", ALWAYS)
    fact = floor.see("Badge scan", False)
    floor.triage(statement, "confirmed", "Seen")
    floor.see("Badge scan", True, id=fact)  # the observer corrects the fact
    gap = floor.gap(statement)
    assert (gap.status, gap.contradicted, gap.evidence) == ("confirmed", False, [])
    assert gap.explanation == 'Said "always"; observed 1 of 1 (100%, 95% CI 21–100%)'
    assert gap.score == 0
    assert gap.evidence_changed_since_triage is True
    assert floor.last_result.cleared_gaps == []
    floor.see("Badge scan", False, id=fact)
    gap = floor.gap(statement)
    assert (gap.status, gap.contradicted, gap.evidence) == ("confirmed", True, [fact])


def test_a_dismissed_gap_that_comes_back_as_strong_stays_dismissed(floor):
    statement = floor.say("Badge scan", ALWAYS)
    fact = floor.see("Badge scan", False)
    floor.triage(statement, "dismissed", "Sensor fault")
    floor.delete("fact", fact)
    assert floor.gap(statement).contradicted is False
    floor.see("Badge scan", False)
    assert floor.gap(statement).status == "dismissed"


@pytest.mark.parametrize(
    ("change", "explanation"),
    [
        ("claim", "The statement makes no claim now."),
        ("topic", "The statement has no topic now, so no observations count."),
        ("fact", "No comparable observations on the topic now."),
    ],
)
def test_a_kept_gap_says_why_there_is_no_verdict(floor, change, explanation):
    statement = floor.say("Badge scan", ALWAYS)
    fact = floor.see("Badge scan", False)
    floor.triage(statement, "actioned")
    if change == "claim":
        floor.say("Badge scan", None, id=statement)
    elif change == "topic":
        floor.say(None, ALWAYS, id=statement)
    else:
        floor.delete("fact", fact)
    gap = floor.gap(statement)
    assert (gap.status, gap.contradicted, gap.explanation) == ("actioned", False, explanation)
    assert (gap.observed, gap.evidence, gap.score) == (0, [], 0)
    assert floor.recompute()["changed"] == 0
