"""Read side of capture: walk lists, a walk's timeline, and the choices its forms offer."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Uuid,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from gemba.capture import vocabulary
from gemba.capture.vocabulary import choices
from gemba.extensions import db
from gemba.models import (
    Fact,
    Gap,
    Persona,
    Place,
    Site,
    Statement,
    Thing,
    Topic,
    User,
    Walk,
    gap_evidence,
)
from gemba.photos import queries as photo_queries

# A walk's page shows this many records, newest first, however long the walk: a day on the
# floor can log hundreds, and a phone should get a page it can show at once.
PER_PAGE = 30
# The strongest contradicted gaps named at the top of a walk; a long walk can touch hundreds.
PANEL_GAPS = 10
KINDS = ("place", "thing", "fact", "statement")


@dataclass
class TimelineItem:
    kind: str
    obj: Any
    at: datetime


@dataclass
class WalkView:
    items: list[TimelineItem]  # this page's records, newest first
    counts: dict[str, int]  # all of the walk's records, by kind
    gaps: list[Gap]  # the strongest contradicted gaps touching this walk: its statements or facts
    more_gaps: bool = False  # more gaps touch the walk than `gaps` names
    gap_by_statement: dict = field(default_factory=dict)  # for the statements on this page
    contradicting_facts: set[str] = field(default_factory=set)  # facts on this page
    photos: dict = field(default_factory=dict)  # record id -> its photos, oldest first
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class WalkHead:
    """What the walk page's header shows of the walk itself (kept with the cached part)."""

    id: uuid.UUID
    title: str
    purpose: str | None
    status: str
    started_at: datetime
    site_name: str
    site_time_zone: str
    observer_id: int
    observer_label: str

    @classmethod
    def of(cls, walk: Walk) -> WalkHead:
        return cls(
            walk.id,
            walk.title,
            walk.purpose,
            walk.status,
            walk.started_at,
            walk.site.name,
            walk.site.time_zone,
            walk.observer_id,
            walk.observer.label,
        )


@dataclass(frozen=True)
class WalkPage:
    """A walk page as cached: its header, counts, rights and the rendered timeline."""

    head: WalkHead
    counts: dict[str, int]
    editable: bool
    body: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def walk_lists(user: User, limit: int = 30) -> tuple[list[Walk], list[Walk]]:
    """The user's own walks, and the latest walks of others."""
    base = select(Walk).options(selectinload(Walk.site)).order_by(Walk.started_at.desc())
    mine = db.session.scalars(base.where(Walk.observer_id == user.id).limit(limit)).all()
    others = db.session.scalars(
        base.where(Walk.observer_id != user.id).options(selectinload(Walk.observer)).limit(limit)
    ).all()
    return list(mine), list(others)


def site_choices() -> list:
    return choices(
        (str(s.id), s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    )


_WALK_WITH_HEAD = (
    select(Walk)
    .where(Walk.id == bindparam("walk_id", type_=Uuid))
    .options(joinedload(Walk.site), joinedload(Walk.observer))
)


def walk_with_head(walk_id: uuid.UUID) -> Walk | None:
    """The walk with its site and observer, for the page's header (None if unknown)."""
    return db.session.scalars(_WALK_WITH_HEAD, {"walk_id": walk_id}).first()


def walk_timeline(walk: Walk, page: int = 1, record: uuid.UUID | None = None) -> WalkView:
    """One page of the walk's records, newest first (the page holding `record` if given),
    with the walk's counts and the gaps it touches; a fixed number of queries."""
    counts = _counts(walk.id)
    pages = max(1, math.ceil(sum(counts.values()) / PER_PAGE))
    if record is not None:
        page = _page_of(_timeline_keys(walk.id), record) or page
    page = min(max(1, page), pages)
    shown = _page_keys(walk.id, page)
    loaded = _load_records(shown, with_things=counts["thing"] > 0)
    items = [TimelineItem(kind, loaded[rid], loaded[rid].observed_at) for kind, rid in shown]
    on_page = {kind: [rid for k, rid in shown if k == kind] for kind in KINDS}
    gaps, more = _strongest_gaps(walk)
    return WalkView(
        items=items,
        counts=counts,
        gaps=gaps,
        more_gaps=more,
        gap_by_statement=_statement_gaps(on_page["statement"]),
        contradicting_facts=_contradicting([loaded[f] for f in on_page["fact"]]),
        photos=photo_queries.photos_on_walk_page(walk.id, on_page),
        page=page,
        pages=pages,
    )


MODELS = (Place, Thing, Fact, Statement)


# The walk page's statements are built once, with bound parameters: building a union
# of four subqueries and computing its cache key cost more Python per request than
# running it. LIMIT and OFFSET values are written into the SQL when it runs
# (literal_execute), so PostgreSQL keeps one plan per page size instead of re-planning.
_WALK = bindparam("walk_id", type_=Uuid)
_COUNTS = select(
    *(
        select(func.count()).select_from(model).where(model.walk_id == _WALK).scalar_subquery()
        for model in MODELS
    )
)


def _page_keys_statement():
    upto = bindparam("upto", type_=Integer, literal_execute=True)
    parts = []
    for kind, model in zip(KINDS, MODELS, strict=True):
        newest = (
            select(model.id, model.observed_at.label("at"))
            .where(model.walk_id == _WALK)
            .order_by(model.observed_at.desc(), model.id.desc())
            .limit(upto)
            .subquery()
        )
        parts.append(select(literal_column(f"'{kind}'").label("kind"), newest.c.id, newest.c.at))
    keys = union_all(*parts).subquery()
    return (
        select(keys.c.kind, keys.c.id)
        .order_by(keys.c.at.desc(), keys.c.id.desc())
        .limit(bindparam("per_page", type_=Integer, literal_execute=True))
        .offset(bindparam("skip", type_=Integer, literal_execute=True))
    )


_PAGE_KEYS = _page_keys_statement()


def _counts(walk_id: uuid.UUID) -> dict[str, int]:
    """The walk's records by kind: four index-only counts in one statement."""
    row = db.session.execute(_COUNTS, {"walk_id": walk_id}).one()
    return dict(zip(KINDS, row, strict=True))


def _page_keys(walk_id: uuid.UUID, page: int) -> list[tuple[str, uuid.UUID]]:
    """(kind, id) of one page, newest first. Each kind reads only as many rows as the page
    needs along its (walk, time, id) index, so a page costs the same however long the walk."""
    upto = page * PER_PAGE
    params = {"walk_id": walk_id, "upto": upto, "per_page": PER_PAGE, "skip": upto - PER_PAGE}
    return [(kind, rid) for kind, rid in db.session.execute(_PAGE_KEYS, params)]


def _timeline_keys(walk_id: uuid.UUID):
    """(kind, id, at) of every record of the walk, as one subquery (to find a record's page)."""
    parts = [
        select(
            literal_column(f"'{kind}'").label("kind"), model.id, model.observed_at.label("at")
        ).where(model.walk_id == walk_id)
        for kind, model in zip(KINDS, MODELS, strict=True)
    ]
    return union_all(*parts).subquery()


def _page_of(keys, record: uuid.UUID) -> int | None:
    """The page a record of the walk is on, or None if it is not the walk's."""
    at = db.session.scalar(select(keys.c.at).where(keys.c.id == record))
    if at is None:
        return None
    newer = db.session.scalar(
        select(func.count()).where(or_(keys.c.at > at, and_(keys.c.at == at, keys.c.id > record)))
    )
    return newer // PER_PAGE + 1


def _by_ids(model, *options):
    return select(model).where(model.id.in_(bindparam("ids", expanding=True))).options(*options)


_FACT_OPTIONS = (joinedload(Fact.topic), joinedload(Fact.place), joinedload(Fact.persona))
# Per kind, the statement that loads a page's records with what their cards show; facts
# with their things only where the walk has things (else no query for them).
_LOAD_RECORDS = {
    "place": _by_ids(Place),
    "thing": _by_ids(Thing, joinedload(Thing.place)),
    "fact": _by_ids(Fact, *_FACT_OPTIONS),
    "statement": _by_ids(
        Statement,
        joinedload(Statement.topic),
        joinedload(Statement.place),
        joinedload(Statement.persona),
    ),
}
_LOAD_FACTS_WITH_THINGS = _by_ids(Fact, *_FACT_OPTIONS, selectinload(Fact.things))


def _load_records(shown, with_things: bool = True) -> dict[uuid.UUID, Any]:
    """The page's records by id, each kind in one query with what its card shows (a walk
    without things has no fact linked to one: no query for them)."""
    loaded: dict[uuid.UUID, Any] = {}
    for kind in KINDS:
        ids = [rid for k, rid in shown if k == kind]
        if not ids:
            continue
        query = _LOAD_FACTS_WITH_THINGS if kind == "fact" and with_things else _LOAD_RECORDS[kind]
        for obj in db.session.scalars(query, {"ids": ids}):
            if kind == "fact" and not with_things:
                set_committed_value(obj, "things", [])
            loaded[obj.id] = obj
    return loaded


_STRONGEST_GAPS = (
    select(Gap)
    .where(
        Gap.contradicted.is_(True),
        Gap.site_id == bindparam("site_id", type_=Uuid),
        or_(
            Gap.walk_id == _WALK,
            Gap.id.in_(select(gap_evidence.c.gap_id).where(gap_evidence.c.walk_id == _WALK)),
        ),
    )
    .options(joinedload(Gap.statement, innerjoin=True))
    .order_by(Gap.score.desc(), Gap.id)
    .limit(literal_column(str(PANEL_GAPS + 1)))
)


def _strongest_gaps(walk: Walk) -> tuple[list[Gap], bool]:
    """The PANEL_GAPS strongest contradicted gaps on the walk's statements or citing one of
    its facts, and whether there are more: one query along the (site, score) index, with
    the gaps that cite the walk's facts found through gap_evidence."""
    params = {"walk_id": walk.id, "site_id": walk.site_id}
    gaps = db.session.scalars(_STRONGEST_GAPS, params).all()
    return list(gaps[:PANEL_GAPS]), len(gaps) > PANEL_GAPS


def _statement_gaps(statement_ids: list[uuid.UUID]) -> dict[uuid.UUID, Gap]:
    """The contradicted gaps of these statements, by statement."""
    if not statement_ids:
        return {}
    gaps = db.session.scalars(_STATEMENT_GAPS, {"ids": statement_ids})
    return {gap.statement_id: gap for gap in gaps}


_STATEMENT_GAPS = select(Gap).where(
    Gap.statement_id.in_(bindparam("ids", expanding=True)), Gap.contradicted.is_(True)
)


_CITED = (
    select(gap_evidence.c.fact_id)
    .join(Gap, Gap.id == gap_evidence.c.gap_id)
    .where(gap_evidence.c.fact_id.in_(bindparam("ids", expanding=True)), Gap.contradicted.is_(True))
    .distinct()
)


def _contradicting(facts: list[Fact]) -> set[str]:
    """Which of these facts of the walk a contradicted gap cites as evidence."""
    if not facts:
        return set()
    cited = db.session.scalars(_CITED, {"ids": [fact.id for fact in facts]})
    return {str(fact_id) for fact_id in cited}


def fill_choices(form, walk: Walk, exclude_fact=None) -> None:
    """Fill the select fields a capture form offers from this walk and its site."""
    if hasattr(form, "place"):
        places = db.session.scalars(
            select(Place).where(Place.walk_id == walk.id).order_by(Place.observed_at.desc())
        )
        form.place.choices = choices(
            [("", vocabulary.NONE)] + [(str(p.id), p.name) for p in places]
        )
    if hasattr(form, "persona"):
        personas = db.session.scalars(
            select(Persona).where(Persona.site_id == walk.site_id).order_by(Persona.name)
        )
        form.persona.choices = choices(
            [("", vocabulary.NONE)] + [(str(p.id), p.name) for p in personas]
        )
    if hasattr(form, "things"):
        things = db.session.scalars(
            select(Thing).where(Thing.walk_id == walk.id).order_by(Thing.name)
        )
        form.things.choices = choices((str(t.id), t.name) for t in things)
    if hasattr(form, "contradicts"):
        rows = db.session.execute(
            select(Statement.id, Statement.text, Statement.speaker)
            .join(Walk, Walk.id == Statement.walk_id)
            .where(Walk.site_id == walk.site_id)
            .order_by(Statement.observed_at.desc())
            .limit(100)
        )
        form.contradicts.choices = choices(
            [("", vocabulary.NO_STATEMENT)]
            + [
                (str(sid), _short(text) + (f" — {speaker}" if speaker else ""))
                for sid, text, speaker in rows
            ]
        )


def datalists(walk: Walk) -> dict[str, list[str]]:
    """Suggestions for free-text fields: the site's topics, roles heard, units used."""
    topics = db.session.scalars(
        select(Topic.name)
        .where(Topic.site_id == walk.site_id, Topic.merged_into_id.is_(None))
        .order_by(Topic.name)
        .limit(500)
    ).all()
    speakers = db.session.scalars(
        select(Statement.speaker)
        .join(Walk, Walk.id == Statement.walk_id)
        .where(Walk.site_id == walk.site_id, Statement.speaker.is_not(None))
        .group_by(Statement.speaker)
        .order_by(func.count().desc())
        .limit(50)
    ).all()
    return {
        "topics": list(topics),
        "speakers": list(speakers),
        "units": list(vocabulary.COMMON_UNITS),
    }


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
