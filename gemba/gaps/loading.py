"""Loading what judging needs: statements with their claims, the facts on their topics
and the manual links, and the gaps' stored state, read as plain rows.

The loading queries are built once, on tables rather than ORM entities, with the ids as
expanding parameters: a one-fact write then spends its time in SQLite, not in building
and compiling statements.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

from sqlalchemy import String, bindparam, cast, func, or_, select, type_coerce

from gemba.domain.saydo import Claim, FrequencyClaim, ManualLink, MeasureClaim, Observation
from gemba.extensions import db
from gemba.models import Contradiction, Fact, Gap, PlanItem, Statement, Topic, Walk

IN_CHUNK = 900  # values per IN (...) list, inside every backend's parameter limit
_GAPS = Gap.__table__
# What the verdict decides about a gap: compared with the stored row before writing.
VERDICT_FIELDS = (
    "site_id",
    "topic_id",
    "walk_id",
    "kind",
    "severity",
    "confidence",
    "score",
    "explanation",
    "evidence",
    "observed",
    "stats",
    "contradicted",
)

_S, _W, _T, _F, _C = (m.__table__ for m in (Statement, Walk, Topic, Fact, Contradiction))
_I = PlanItem.__table__
# A statement is a walk's, or a plan item's standard (no walk): its site is the one or the
# other's, and a standard names the document it comes from.
_STATEMENTS = select(
    _S.c.id,
    _S.c.walk_id,
    func.coalesce(_W.c.site_id, _I.c.site_id).label("site_id"),
    _S.c.plan_item_id,
    _I.c.reference,
    _S.c.topic_id,
    _T.c.site_id.label("topic_site_id"),
    _S.c.claim_frequency,
    _S.c.claim_value,
    _S.c.claim_unit,
    _S.c.claim_tolerance,
    _S.c.claim_comparator,
).select_from(
    _S.outerjoin(_W, _W.c.id == _S.c.walk_id)
    .outerjoin(_I, _I.c.id == _S.c.plan_item_id)
    .outerjoin(_T, _T.c.id == _S.c.topic_id)
)
# Fact ids are read as text (32 hex digits on SQLite, the canonical form on PostgreSQL),
# not as uuid.UUID objects: building 100,000 of those was a sixth of a full recompute. They
# sort like canonical ids, and only the ids a gap cites are converted.
# A fact counts only where its walk is at its topic's site: the write path keeps it so, and
# the join makes "another site's facts never count" hold whatever wrote the rows. Notes
# (neither performed nor a value) say nothing to a claim and are not loaded. A calibration
# walk's facts record the same events as the walk it shadows: they measure the observers'
# agreement and would count the events twice here, so they are left out.
_FACTS = (
    select(_F.c.topic_id, cast(_F.c.id, String), _F.c.performed, _F.c.value, _F.c.unit)
    .select_from(_F.join(_W, _W.c.id == _F.c.walk_id).join(_T, _T.c.id == _F.c.topic_id))
    .where(
        _T.c.site_id == _W.c.site_id,
        _W.c.calibrates_id.is_(None),
        or_(_F.c.performed.is_not(None), _F.c.value.is_not(None)),
    )
)
# Manual links with the site of the linked fact's walk; a link counts only where that is
# the statement's site, which its loaded row knows (checked in Python: joining the
# statement's walk as well made PostgreSQL spend more time planning than running).
_LINKS = select(
    _C.c.statement_id, type_coerce(_C.c.fact_id, String), _C.c.note, _W.c.site_id
).select_from(_C.join(_F, _F.c.id == _C.c.fact_id).join(_W, _W.c.id == _F.c.walk_id))
_STATES = select(
    _GAPS.c.statement_id,
    _GAPS.c.id,
    _GAPS.c.status,
    _GAPS.c.triaged_at,
    _GAPS.c.triage_confidence,
    _GAPS.c.triage_evidence_count,
    *(_GAPS.c[name] for name in VERDICT_FIELDS),
)


def ids_in(column) -> Any:
    return column.in_(bindparam("ids", expanding=True))


_STATEMENTS_ON_TOPICS = _STATEMENTS.where(ids_in(_S.c.topic_id))
_STATEMENTS_BY_ID = _STATEMENTS.where(ids_in(_S.c.id))
_FACTS_ON_TOPICS = _FACTS.where(ids_in(_F.c.topic_id))
_LINKS_OF_STATEMENTS = _LINKS.where(ids_in(_C.c.statement_id))
_STATES_OF_STATEMENTS = _STATES.where(ids_in(_GAPS.c.statement_id))
_TOPICS_OF_STATEMENTS = select(_S.c.topic_id).where(ids_in(_S.c.id))
_LOCK_ALL_TOPICS = select(_T.c.id).order_by(_T.c.id).with_for_update(key_share=True)
_LOCK_TOPICS = _LOCK_ALL_TOPICS.where(ids_in(_T.c.id))


@dataclass(frozen=True, slots=True)
class StatementRow:
    """What judging one statement needs, read without building ORM objects."""

    id: uuid.UUID
    walk_id: uuid.UUID | None  # None for a plan's standard
    site_id: uuid.UUID
    topic_id: int | None  # the statement's topic, stored on its gap
    evidence_topic: int | None  # the topic whose facts count (None if it is another site's)
    claim: Claim | None
    # A plan's standard: the document it comes from ("" when none is named); None for
    # what someone said.
    standard: str | None = None


@dataclass
class Evidence:
    """Facts per topic, split by the claim kind they can speak to, and manual links."""

    behaviours: dict[int, list[Observation]] = field(default_factory=lambda: defaultdict(list))
    measurements: dict[int, list[Observation]] = field(default_factory=lambda: defaultdict(list))
    links: dict[uuid.UUID, list[ManualLink]] = field(default_factory=lambda: defaultdict(list))


def serialise(topic_ids: set[int] | None, statement_ids: set[uuid.UUID] | None) -> None:
    """Make refreshes of one topic run one after another, on PostgreSQL.

    Two transactions adding a fact to the same topic would each judge without the other's
    fact, and the gap written last would miss the evidence of the first. Taking the topic
    rows (FOR NO KEY UPDATE, which leaves alone the key-share locks that foreign keys
    take) before reading anything makes the second wait for the first to commit, then
    read its facts. Topics are locked in id order so two writers cannot deadlock. SQLite
    needs none of this: `database.transaction()` already makes writers queue.
    """
    if db.session.connection().dialect.name == "sqlite":
        return
    if topic_ids is None:
        db.session.execute(_LOCK_ALL_TOPICS).all()
        return
    topics = set(topic_ids)
    if statement_ids:
        topics.update(row[0] for row in _rows(_TOPICS_OF_STATEMENTS, sorted(statement_ids)))
    topics.discard(None)
    list(_rows(_LOCK_TOPICS, sorted(topics)))  # fetching the rows takes the locks


def _rows(query, ids: Iterable[Any] | None) -> Iterator[Any]:
    """Run a loading query over everything (ids None) or in chunks of the given ids."""
    if ids is None:
        yield from db.session.execute(query)
        return
    ids = list(ids)
    for start in range(0, len(ids), IN_CHUNK):
        yield from db.session.execute(query, {"ids": ids[start : start + IN_CHUNK]})


_SQL: dict[tuple[int, str], str] = {}


def _all_rows(query) -> Iterator[tuple]:
    """Every row of a loading query without parameters, straight from the driver's cursor.

    A full recompute reads every fact; SQLAlchemy's row objects were half the time of
    reading them. Only for queries whose columns need no conversion from what the driver
    returns (the facts: ids read as the driver gives them, numbers, booleans as 0/1 or
    bool, unit text).
    """
    connection = db.session.connection()
    key = (id(query), connection.dialect.name)
    if key not in _SQL:
        compiled = query.compile(dialect=connection.dialect)
        assert not compiled.params, "a loading query read in full takes no parameters"
        _SQL[key] = str(compiled)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_SQL[key])
        while batch := cursor.fetchmany(10_000):
            yield from batch
    finally:
        cursor.close()


def load_statements(topic_ids: Iterable[int] | None, statement_ids=()) -> list[StatementRow]:
    """Statements with their site and claim; a topic of another site counts as none."""
    if topic_ids is None:
        found = _rows(_STATEMENTS, None)
    else:
        found = chain(
            _rows(_STATEMENTS_ON_TOPICS, sorted(topic_ids)),
            _rows(_STATEMENTS_BY_ID, sorted(statement_ids)),
        )
    rows: dict[uuid.UUID, StatementRow] = {}
    for sid, walk_id, site_id, item_id, reference, topic_id, topic_site, *claim in found:
        rows[sid] = StatementRow(
            id=sid,
            walk_id=walk_id,
            site_id=site_id,
            topic_id=topic_id,
            evidence_topic=topic_id if topic_site == site_id else None,
            claim=_claim(*claim),
            standard=None if item_id is None else (reference or ""),
        )
    return list(rows.values())


def _claim(
    frequency: str | None,
    value: float | None,
    unit: str | None,
    tolerance: float | None,
    comparator: str | None,
) -> Claim | None:
    if frequency:
        return FrequencyClaim(frequency)
    if value is not None:
        return MeasureClaim(value, unit, tolerance, comparator)
    return None


def load_evidence(
    rows: Sequence[StatementRow],
    topic_ids: Sequence[int] | None,
    statement_ids: Sequence[uuid.UUID] | None,
) -> Evidence:
    """Behaviour and measurement facts on the topics, and the statements' manual links."""
    evidence = Evidence()
    behaviours, measurements = evidence.behaviours, evidence.measurements
    # The frequency rule reads only `performed`, the measure rule only `value`: each claim
    # gets the facts it can use (the same verdict for half the work), and a topic nobody
    # made that kind of claim about needs no observations of that kind at all.
    frequency_topics = {r.evidence_topic for r in rows if isinstance(r.claim, FrequencyClaim)}
    measure_topics = {r.evidence_topic for r in rows if isinstance(r.claim, MeasureClaim)}
    facts = _all_rows(_FACTS) if topic_ids is None else _rows(_FACTS_ON_TOPICS, topic_ids)
    for topic_id, fact_id, performed, value, unit in facts:
        if performed is not None and topic_id in frequency_topics:
            behaviours[topic_id].append(Observation(fact_key(fact_id), bool(performed)))
        if value is not None and topic_id in measure_topics:
            measurements[topic_id].append(Observation(fact_key(fact_id), None, value, unit))
    # The order verdicts are computed in (`saydo.in_order`), once per topic: a fact is in a
    # topic's list once, so its id alone decides the order.
    by_id = attrgetter("fact_id")
    for lists in (behaviours, measurements):
        for observations in lists.values():
            observations.sort(key=by_id)
    query = _LINKS if statement_ids is None else _LINKS_OF_STATEMENTS
    site_of = {row.id: row.site_id for row in rows}
    for statement_id, fact_id, note, fact_site in _rows(query, statement_ids):
        if site_of.get(statement_id) == fact_site:
            evidence.links[statement_id].append(ManualLink(fact_key(fact_id), note))
    return evidence


def load_states(statement_ids: Sequence[uuid.UUID] | None) -> dict[uuid.UUID, Any]:
    """The stored gaps as plain rows, keyed by statement: what planning compares with."""
    query = _STATES if statement_ids is None else _STATES_OF_STATEMENTS
    return {row.statement_id: row for row in _rows(query, statement_ids)}


def fact_key(raw: Any) -> str:
    """A fact id as the verdict sees it: the driver's value as a string."""
    return raw if isinstance(raw, str) else str(raw)
