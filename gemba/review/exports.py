"""CSV exports of gaps and actions, for people who never open the app.

Rows are read in batches, so a site with ten thousand gaps costs a handful of
queries, not one per row. Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe. Times are on the site's clock, in ISO 8601 with their
offset (2026-12-03T08:48:00+01:00): plant time to a reader, one exact instant still.

Only the header row speaks the reader's language. The cells stay as typed or as the
machine writes them: numbers keep a "." decimal point in every language, because a
spreadsheet imports a CSV by the settings chosen for the file (delimiter, decimal
separator), not by the words of its header, and a "," decimal would collide with the
"," delimiter; a script reading the file gets the same values whatever its language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from flask_babel import lazy_pgettext
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from gemba.domain.clock import iso_local
from gemba.extensions import db
from gemba.models import Action, Gap, Site, Statement
from gemba.review.action_queries import is_overdue
from gemba.review.queries import InboxFilters, filtered_gaps, gap_options

GAP_COLUMNS = (
    "gap_id",
    "status",
    "score",
    "severity",
    "confidence",
    "contradicted",
    "explanation",
    "statement",
    "speaker",
    "source",
    "claim",
    "topic",
    "persona",
    "site",
    "walk",
    "said_at",
    "evidence_count",
    "evidence_fact_ids",
    "flagged_at",
    "evidence_changed_at",
    "triaged_at",
    "triaged_by",
    "triage_reason",
    "url",
)
ACTION_COLUMNS = (
    "action_id",
    "title",
    "status",
    "owner",
    "due_date",
    "overdue",
    "site_id",
    "gap_ids",
    "statements",
    "description",
    "created_at",
    "updated_at",
    "url",
)


# Each column's header in the reader's language (the English is the column's name). The
# context keeps a header apart from the same word elsewhere ("overdue" as a badge); extract
# it with `pybabel extract -k lazy_pgettext:1c,2`.
HEADERS = {
    "gap_id": lazy_pgettext("CSV column", "gap_id"),
    "status": lazy_pgettext("CSV column", "status"),
    "score": lazy_pgettext("CSV column", "score"),
    "severity": lazy_pgettext("CSV column", "severity"),
    "confidence": lazy_pgettext("CSV column", "confidence"),
    "contradicted": lazy_pgettext("CSV column", "contradicted"),
    "explanation": lazy_pgettext("CSV column", "explanation"),
    "statement": lazy_pgettext("CSV column", "statement"),
    "speaker": lazy_pgettext("CSV column", "speaker"),
    "source": lazy_pgettext("CSV column", "source"),
    "claim": lazy_pgettext("CSV column", "claim"),
    "topic": lazy_pgettext("CSV column", "topic"),
    "persona": lazy_pgettext("CSV column", "persona"),
    "site": lazy_pgettext("CSV column", "site"),
    "walk": lazy_pgettext("CSV column", "walk"),
    "said_at": lazy_pgettext("CSV column", "said_at"),
    "evidence_count": lazy_pgettext("CSV column", "evidence_count"),
    "evidence_fact_ids": lazy_pgettext("CSV column", "evidence_fact_ids"),
    "flagged_at": lazy_pgettext("CSV column", "flagged_at"),
    "evidence_changed_at": lazy_pgettext("CSV column", "evidence_changed_at"),
    "triaged_at": lazy_pgettext("CSV column", "triaged_at"),
    "triaged_by": lazy_pgettext("CSV column", "triaged_by"),
    "triage_reason": lazy_pgettext("CSV column", "triage_reason"),
    "url": lazy_pgettext("CSV column", "url"),
    "action_id": lazy_pgettext("CSV column", "action_id"),
    "title": lazy_pgettext("CSV column", "title"),
    "owner": lazy_pgettext("CSV column", "owner"),
    "due_date": lazy_pgettext("CSV column", "due_date"),
    "overdue": lazy_pgettext("CSV column", "overdue"),
    "site_id": lazy_pgettext("CSV column", "site_id"),
    "gap_ids": lazy_pgettext("CSV column", "gap_ids"),
    "statements": lazy_pgettext("CSV column", "statements"),
    "description": lazy_pgettext("CSV column", "description"),
    "created_at": lazy_pgettext("CSV column", "created_at"),
    "updated_at": lazy_pgettext("CSV column", "updated_at"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def safe(value: object) -> str:
    """A cell as text; one that starts like a formula is kept as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def claim_text(statement: Statement) -> str:
    """The claim in a few words: "always", "<= 15 min", "10 min ±20%"."""
    if statement.claim_frequency:
        return statement.claim_frequency
    if statement.claim_value is None:
        return ""
    unit = f" {statement.claim_unit}" if statement.claim_unit else ""
    if statement.claim_comparator:
        return f"{statement.claim_comparator} {statement.claim_value:g}{unit}"
    tolerance = 0.2 if statement.claim_tolerance is None else statement.claim_tolerance
    return f"{statement.claim_value:g}{unit} ±{tolerance * 100:g}%"


def headers(columns: Iterable[str]) -> list[str]:
    """The header row in the reader's language, read now (the rows are written later)."""
    return [str(HEADERS[column]) for column in columns]


def _csv(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _batched(query: Select) -> Iterator:
    """ORM objects of an ordered query, fetched BATCH at a time."""
    offset = 0
    while True:
        rows = db.session.scalars(query.limit(BATCH).offset(offset)).unique().all()
        yield from rows
        if len(rows) < BATCH:
            return
        offset += BATCH


def gaps_csv(filters: InboxFilters, url_for_gap: Callable[[Gap], str]) -> Iterator[str]:
    """The gaps the inbox filters select, strongest first, as CSV text chunks."""
    query = (
        filtered_gaps(filters)
        .options(*gap_options(), joinedload(Gap.triaged_by))
        .order_by(Gap.score.desc(), Gap.id)
    )

    def rows():
        for gap in _batched(query):
            statement = gap.statement
            zone = statement.site.time_zone
            yield (
                gap.id,
                gap.status,
                gap.score,
                gap.severity,
                gap.confidence,
                gap.contradicted,
                gap.explanation,
                statement.text,
                statement.speaker,
                statement.source,
                claim_text(statement),
                statement.topic.name if statement.topic else "",
                statement.persona.name if statement.persona else "",
                statement.site.name,
                statement.said_in,
                iso_local(statement.observed_at, zone),
                len(gap.evidence),
                ";".join(gap.evidence),
                iso_local(gap.flagged_at, zone),
                iso_local(gap.evidence_changed_at, zone),
                iso_local(gap.triaged_at, zone),
                gap.triaged_by.email if gap.triaged_by else "",
                gap.triage_reason,
                url_for_gap(gap),
            )

    return _csv(headers(GAP_COLUMNS), rows())


def actions_csv(site_id, today: date, url_for_action: Callable[[Action], str]) -> Iterator[str]:
    """Every action (of a site, if given) with its linked gaps, as CSV text chunks."""
    query = (
        select(Action)
        .options(
            joinedload(Action.owner),
            selectinload(Action.gaps).joinedload(Gap.statement),
        )
        .order_by(Action.due_date.is_(None), Action.due_date, Action.created_at, Action.id)
    )
    if site_id:
        query = query.where(Action.site_id == site_id)

    zones = dict(db.session.execute(select(Site.id, Site.time_zone)).all())

    def rows():
        for action in _batched(query):
            overdue = is_overdue(action, today)
            zone = zones.get(action.site_id)
            yield (
                action.id,
                action.title,
                action.status,
                action.owner.email if action.owner else "",
                action.due_date,
                overdue,
                action.site_id,
                ";".join(str(g.id) for g in action.gaps),
                " | ".join(g.statement.text for g in action.gaps),
                action.description,
                iso_local(action.created_at, zone),
                iso_local(action.updated_at, zone),
                url_for_action(action),
            )

    return _csv(headers(ACTION_COLUMNS), rows())
