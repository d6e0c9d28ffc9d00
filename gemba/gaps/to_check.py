"""What the analysts asked for at a site, shown first on every walk there ("To check here").

Analysts ask for observations in three ways: a gap marked "needs observation" (with a
note), an action marked done that the evidence since must verify, and claims too thin to
judge either way. An observer at the site has minutes, so each item says what would
decide it (gemba.domain.deciding) and is ticked once a fact on its topic is logged on the
walk. The list is the same for everyone on a walk, so the walk page caches it like its
body; what an observer hid is theirs (the session here, localStorage on the phone).

On a walk, a thin claim is chosen by the evidence from before this walk: the facts that
settle it while the observer is there leave it on the list, ticked and "Decided", instead
of making it vanish. An action verified since the walk started stays for the same reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Result, and_, case, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from gemba.domain.deciding import frequency_note, observations_to_decide
from gemba.domain.gemba_json import format_timestamp
from gemba.domain.phrases import Phrase
from gemba.domain.saydo import FREQUENCY_BANDS
from gemba.extensions import db
from gemba.gaps import evidence, verification
from gemba.gaps.check_notes import asked_note, verify_note
from gemba.models import (
    Action,
    ActionStatus,
    Fact,
    Gap,
    GapStatus,
    PlanItem,
    Site,
    Statement,
    Topic,
    Walk,
    standard_label,
)
from gemba.platform.phrasing import explained

LIMIT = 8  # items shown: a short panel above the walk, not a second inbox
CANDIDATES = 24  # items listed, so that hiding a few still leaves LIMIT to show
THIN_MAX = 30  # a claim that needs more than this many is no job for one walk
LABELS = {
    "needs_observation": _l("Analyst asks"),
    "verify_action": _l("Verify action"),
    "thin_claim": _l("Too thin to judge"),
}
# What a hide form or the phone may name: gap-<id>, claim-<statement id>, action-<id>-<topic>.
KEY = re.compile(r"(gap|claim)-[0-9a-f-]{36}|action-[0-9a-f-]{36}-[0-9]{1,12}")
SESSION_KEY = "to_check_hidden"
KEEP_WALKS = 10  # the session cookie keeps the hidden items of the last few walks only
KEEP_KEYS = CANDIDATES


@dataclass(frozen=True)
class CheckItem:
    """One thing to check on the floor, with what would decide it."""

    key: str  # stable across reads: what a hide remembers
    kind: str  # needs_observation, verify_action or thin_claim
    topic_id: int
    topic: str
    what: str  # the statement's text, or the action's title
    said_by: str | None  # the speaker, or "Standard (SOP-12 rev C)"
    claim: dict | None
    note: str | None  # the analyst's note: the triage reason or the action's description
    decide: Phrase  # "Observe about 6 more to decide", "Observe 4 more since 12 Mar to verify"
    why: Phrase | None
    more: int | None
    since: datetime | None  # when the action took effect
    ticked: bool  # a fact on the topic was logged on this walk
    gap_id: uuid.UUID | None = None
    action_id: uuid.UUID | None = None
    statement_id: uuid.UUID | None = None
    expired_at: datetime | None = None  # when the site's retention removed the words

    @property
    def label(self) -> str:
        """The kind in words, as the walk page and the phone show it."""
        return str(LABELS[self.kind])

    def to_json(self) -> dict:
        """The item as the API gives it (ids and times as strings)."""
        data = asdict(self)
        for name in ("gap_id", "action_id", "statement_id"):
            value = data.pop(name)
            data[name.removesuffix("_id")] = str(value) if value else None
        data["since"] = format_timestamp(self.since) if self.since else None
        data["expired_at"] = format_timestamp(self.expired_at)
        data["label"] = self.label
        data["decide"] = explained(self.decide)
        data["why"] = explained(self.why)
        return data


@dataclass(frozen=True)
class Shown:
    """The items one observer sees on a walk: what they hid left out, at most LIMIT."""

    items: list[CheckItem]
    hidden: int
    more: int  # further items beyond the limit

    @property
    def ticked(self) -> int:
        """How many of the items shown a fact of the walk ticked."""
        return sum(item.ticked for item in self.items)


def to_check(site: Site, walk: Walk | None = None) -> list[CheckItem]:
    """What to check at the site, strongest first: needs observation, actions to verify,
    then thin claims by the fewest observations that could decide them."""
    if walk is not None and walk.site_id != site.id:
        walk = None
    here = _walk_topics(walk)
    asked = _needs_observation(site, here)
    actions = _actions_to_verify(site, walk, here)
    thin = _thin_claims(site, walk, here)
    return [*asked, *actions, *thin][:CANDIDATES]


def for_walk(walk_id: uuid.UUID) -> list[CheckItem] | None:
    """The walk's list (None for no such walk), for the walk page's cache."""
    walk = db.session.get(Walk, walk_id, options=[joinedload(Walk.site)])
    return None if walk is None else to_check(walk.site, walk)


def as_json(site: Site, walk: Walk | None, walk_id: uuid.UUID | None) -> dict:
    """The API's answer: the items and how many a walk shows."""
    items = to_check(site, walk)
    return {
        "site": str(site.id),
        "walk": str(walk_id) if walk_id else None,
        "limit": LIMIT,
        "items": [item.to_json() for item in items],
    }


def shown(items: Iterable[CheckItem], hidden: frozenset[str], limit: int = LIMIT) -> Shown:
    """Leave out what the observer hid, keep the strongest `limit`."""
    items = list(items)
    left = [item for item in items if item.key not in hidden]
    return Shown(left[:limit], len(items) - len(left), max(len(left) - limit, 0))


# -- hiding an item on one walk (the server pages keep it in the session) -----------------


def hidden_keys(store: Mapping, walk_id: uuid.UUID) -> frozenset[str]:
    """The items hidden on this walk."""
    for entry in store.get(SESSION_KEY) or []:
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == str(walk_id):
            return frozenset(key for key in entry[1] if isinstance(key, str))
    return frozenset()


def hide(store: MutableMapping, walk_id: uuid.UUID, key: str) -> bool:
    """Hide an item on this walk only; False for a key no item could have."""
    if not KEY.fullmatch(key):
        return False
    keys = sorted(hidden_keys(store, walk_id) | {key})[-KEEP_KEYS:]
    # A list of pairs, newest last: the session's JSON sorts a dict's keys.
    others = [
        entry
        for entry in store.get(SESSION_KEY) or []
        if isinstance(entry, list) and entry and entry[0] != str(walk_id)
    ]
    store[SESSION_KEY] = [*others, [str(walk_id), keys]][-KEEP_WALKS:]
    return True


# -- the three kinds ----------------------------------------------------------------------


def _needs_observation(site: Site, here: set[int]) -> list[CheckItem]:
    """Gaps the analysts marked "needs observation", strongest first. One without a topic
    is left out: no fact could answer it."""
    rows = db.session.execute(
        select(Gap, Statement, Topic.name, PlanItem.reference)
        .join(Statement, Statement.id == Gap.statement_id)
        .join(Topic, Topic.id == Gap.topic_id)
        .outerjoin(PlanItem, PlanItem.id == Statement.plan_item_id)
        .where(Gap.site_id == site.id, Gap.status == GapStatus.needs_observation.value)
        .order_by(Gap.score.desc(), Gap.triaged_at, Gap.id)
        .limit(CANDIDATES)
    )
    items = []
    for gap, statement, topic, reference in rows:
        decide, why, more = asked_note(gap.stats or {})
        items.append(
            CheckItem(
                key=f"gap-{gap.id}",
                kind="needs_observation",
                topic_id=gap.topic_id,
                topic=topic,
                what=statement.text,
                said_by=_said_by(statement.speaker, statement.plan_item_id, reference),
                claim=statement.claim,
                note=gap.triage_reason,
                decide=decide,
                why=why,
                more=more,
                since=None,
                ticked=gap.topic_id in here,
                gap_id=gap.id,
                statement_id=statement.id,
                expired_at=statement.expired_at,
            )
        )
    return items


def _actions_to_verify(site: Site, walk: Walk | None, here: set[int]) -> list[CheckItem]:
    """Actions marked done, one item per topic they answer, by the fewest observations
    still needed: the evidence since the action took effect verifies it."""
    waiting = Action.status == ActionStatus.done.value
    if walk is not None:
        verified = Action.status == ActionStatus.verified.value
        waiting = or_(waiting, and_(verified, Action.updated_at >= walk.started_at))
    said = joinedload(Gap.statement)
    actions = db.session.scalars(
        select(Action)
        .where(Action.site_id == site.id, Action.done_at.is_not(None), waiting)
        .options(
            selectinload(Action.gaps).options(
                said.joinedload(Statement.topic),
                said.joinedload(Statement.walk).joinedload(Walk.site),
                said.joinedload(Statement.plan_item).joinedload(PlanItem.site),
            )
        )
        .order_by(Action.done_at, Action.id)
        .limit(CANDIDATES)
    ).all()
    statements = {gap.statement_id: gap.statement for a in actions for gap in a.gaps}
    found = evidence.load_for_statements(list(statements.values()))
    needed = verification.minimum()
    items = []
    for action in actions:
        by_topic: dict[int, list[Gap]] = {}
        for gap in action.gaps:
            if gap.topic_id is not None and gap.statement.topic_id == gap.topic_id:
                by_topic.setdefault(gap.topic_id, []).append(gap)
        for topic_id, gaps in by_topic.items():
            since = [evidence.loop_status(found[g.statement_id], action.done_at) for g in gaps]
            decide, why, more = verify_note(action, since, needed, site.time_zone)
            if more == 0 and action.status == ActionStatus.done.value and topic_id not in here:
                continue  # enough here already; the action waits on another topic
            items.append(_action_item(action, gaps[0], decide, why, more, topic_id in here))
    return sorted(items, key=lambda i: (i.more is None, i.more or 0, i.since, i.key))


def _action_item(
    action: Action, gap: Gap, decide: Phrase, why: Phrase | None, more: int | None, ticked: bool
) -> CheckItem:
    """The item of an action on one topic (the first of its statements there)."""
    statement = gap.statement
    reference = statement.plan_item.reference if statement.plan_item else None
    return CheckItem(
        key=f"action-{action.id}-{gap.topic_id}",
        kind="verify_action",
        topic_id=gap.topic_id,
        topic=statement.topic.name,
        what=action.title,
        said_by=_said_by(statement.speaker, statement.plan_item_id, reference),
        claim=statement.claim,
        note=action.description,
        decide=decide,
        why=why,
        more=more,
        since=action.done_at,
        ticked=ticked,
        action_id=action.id,
        statement_id=statement.id,
    )


def _thin_claims(site: Site, walk: Walk | None, here: set[int]) -> list[CheckItem]:
    """Frequency claims (spoken or a plan's standard) that a few more observations could
    decide, the fewest first; one per topic and word. A claim with a triaged or manual
    gap is the analysts' already."""
    rows = _frequency_claims(site)
    counts = _behaviour_counts(site, walk)
    chosen: dict[tuple[int, str], tuple[int, CheckItem]] = {}
    judged: set[tuple[int, str]] = set()
    for (
        statement_id,
        text,
        speaker,
        plan_item_id,
        expired_at,
        word,
        topic_id,
        topic,
        reference,
    ) in rows:
        word = word.strip().lower()
        if word not in FREQUENCY_BANDS or (topic_id, word) in judged:
            continue
        judged.add((topic_id, word))
        k, n, k_here, n_here = counts.get(topic_id, (0, 0, 0, 0))
        before = observations_to_decide(word, k - k_here, n - n_here)
        if before is None or not 0 < before <= THIN_MAX:
            continue
        note = frequency_note(word, k, n)  # with this walk's facts: what it says now
        item = CheckItem(
            key=f"claim-{statement_id}",
            kind="thin_claim",
            topic_id=topic_id,
            topic=topic,
            what=text,
            said_by=_said_by(speaker, plan_item_id, reference),
            claim={"frequency": word},
            note=None,
            decide=note.said,
            why=note.reason,
            more=note.more,
            since=None,
            ticked=topic_id in here,
            statement_id=statement_id,
            expired_at=expired_at,
        )
        chosen[(topic_id, word)] = (before, item)
    ranked = sorted(chosen.values(), key=lambda pair: (pair[0], pair[1].topic.casefold()))
    return [item for _, item in ranked]


def _frequency_claims(site: Site) -> Result:
    """The site's statements with a frequency claim whose gap (if any) is untriaged and not
    manual, oldest first: (id, text, speaker, plan item, expired_at, word, topic id, topic
    name, standard's reference)."""
    gap_status = func.coalesce(Gap.status, GapStatus.open.value)
    said = (
        Statement.id,
        Statement.text,
        Statement.speaker,
        Statement.plan_item_id,
        Statement.expired_at,
    )
    return db.session.execute(
        select(*said, Statement.claim_frequency, Statement.topic_id, Topic.name, PlanItem.reference)
        .join(Topic, Topic.id == Statement.topic_id)
        .outerjoin(Walk, Walk.id == Statement.walk_id)
        .outerjoin(PlanItem, PlanItem.id == Statement.plan_item_id)
        .outerjoin(Gap, Gap.statement_id == Statement.id)
        .where(Topic.site_id == site.id, Statement.claim_frequency.is_not(None))
        .where(or_(Walk.site_id == site.id, PlanItem.site_id == site.id))
        .where(gap_status == GapStatus.open.value, or_(Gap.kind.is_(None), Gap.kind != "manual"))
        .order_by(Statement.observed_at, Statement.id)
    )


def _behaviour_counts(site: Site, walk: Walk | None) -> dict[int, tuple[int, int, int, int]]:
    """Per topic: performed and behaviour facts (k, n) on walks at the site, and how many
    of each this walk logged. One grouped query for the whole site."""
    done = Fact.performed.is_(True)
    on_walk = Fact.walk_id == walk.id if walk is not None else false()
    rows = db.session.execute(
        select(
            Fact.topic_id,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((on_walk, 1), else_=0)),
            func.sum(case((and_(on_walk, done), 1), else_=0)),
        )
        .join(Walk, Walk.id == Fact.walk_id)
        # Every topic's: limiting it to the claimed ones (IN a subquery) made SQLite probe
        # each walk and topic pair, twice the time for 100,000 facts.
        .where(Walk.site_id == site.id, Walk.calibrates_id.is_(None), Fact.performed.is_not(None))
        .group_by(Fact.topic_id)
    )
    return {topic: (int(k or 0), n, int(kh or 0), int(nh or 0)) for topic, n, k, nh, kh in rows}


def _walk_topics(walk: Walk | None) -> set[int]:
    """The topics this walk has a fact on (any fact: logging one ticks the item off)."""
    if walk is None:
        return set()
    query = select(Fact.topic_id).where(Fact.walk_id == walk.id, Fact.topic_id.is_not(None))
    return set(db.session.scalars(query.distinct()))


def _said_by(
    speaker: str | None, plan_item_id: uuid.UUID | None, reference: str | None
) -> str | None:
    """Who made the claim: the speaker's role, or the standard's document."""
    if plan_item_id is not None:
        return standard_label(reference)
    return speaker or None
