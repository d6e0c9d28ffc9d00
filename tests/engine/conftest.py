"""A small plant for engine tests: two sites, three walks, and shortcuts that write
statements, facts and manual links through the one write path (records.write)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from gemba.capture import records
from gemba.extensions import db
from gemba.gaps import triage
from gemba.gaps import updates as gap_updates
from gemba.gaps.updates import ENGINE_VERBS
from gemba.models import AuditEvent, Gap, Site, User, Walk
from gemba.platform.database import transaction
from tests.conftest import uid

GAP_COLUMNS = [column.name for column in Gap.__table__.columns]


class Floor:
    """Walks at site A ("a", "a2") and site B ("b"), all by one observer.

    Every shortcut writes through records.write or records.delete in its own
    transaction, as a phone or the capture form would, and returns the record's id.
    """

    def __init__(self, app, observer: User, analyst: User) -> None:
        self.app = app
        self.observer_id = observer.id
        self.analyst_id = analyst.id
        self.walks: dict[str, str] = {}
        self.sites: dict[str, str] = {}
        self.last_result: records.WriteResult | None = None
        with app.app_context():
            for name in ("A", "B"):
                site = Site(name=f"Plant {name}")
                db.session.add(site)
                db.session.flush()
                self.sites[name] = str(site.id)
            for key, site in (("a", "A"), ("a2", "A"), ("b", "B")):
                walk = Walk(site_id=uuid.UUID(self.sites[site]), observer_id=observer.id, title=key)
                db.session.add(walk)
                db.session.flush()
                self.walks[key] = str(walk.id)
            db.session.commit()

    # -- writing ----------------------------------------------------------------------------

    def write(self, *batch: dict) -> records.WriteResult:
        with self.app.app_context():
            actor = db.session.get(User, self.observer_id)
            self.last_result = records.write(actor, list(batch))
            return self.last_result

    def say(
        self,
        topic: str | None,
        claim: dict | None,
        *,
        walk: str = "a",
        id: str | None = None,
        text: str = "What we do here",
        speaker: str | None = None,
    ) -> str:
        record = {"type": "statement", "id": id or uid(), "walk": self.walks[walk], "text": text}
        record |= {"topic": topic, "claim": claim, "speaker": speaker}
        self._check(self.write(record))
        return record["id"]

    def see(
        self,
        topic: str | None,
        performed: bool | None = None,
        *,
        value: float | None = None,
        unit: str | None = None,
        walk: str = "a",
        id: str | None = None,
        text: str = "Seen on the floor",
    ) -> str:
        record = {"type": "fact", "id": id or uid(), "walk": self.walks[walk], "text": text}
        record |= {"topic": topic, "performed": performed, "value": value, "unit": unit}
        self._check(self.write(record))
        return record["id"]

    def see_many(self, topic: str, performed: list[bool], *, walk: str = "a") -> list[str]:
        """Several behaviour facts in one batch (one transaction, one refresh)."""
        batch = [
            {
                "type": "fact",
                "id": uid(),
                "walk": self.walks[walk],
                "text": "Seen",
                "topic": topic,
                "performed": p,
            }
            for p in performed
        ]
        self._check(self.write(*batch))
        return [r["id"] for r in batch]

    def link(self, fact: str, statement: str, note: str | None = None) -> str:
        record = {"type": "contradiction", "id": uid(), "fact": fact, "statement": statement}
        record["note"] = note
        self._check(self.write(record))
        return record["id"]

    def delete(self, type_: str, record_id: str) -> records.WriteResult:
        with self.app.app_context():
            actor = db.session.get(User, self.observer_id)
            self.last_result = records.delete(actor, type_, uuid.UUID(record_id))
            return self.last_result

    @staticmethod
    def _check(result: records.WriteResult) -> None:
        assert not result.rejected, [r.as_json() for r in result.rejected]

    # -- reading and triage -----------------------------------------------------------------

    def gaps(self) -> dict[str, SimpleNamespace]:
        """Every gap as plain values, keyed by its statement's id."""
        with self.app.app_context():
            return {str(gap.statement_id): _plain(gap) for gap in db.session.scalars(select(Gap))}

    def gap(self, statement: str) -> SimpleNamespace | None:
        return self.gaps().get(statement)

    def triage(self, statement: str, status: str, reason: str | None = None) -> SimpleNamespace:
        with self.app.app_context():
            gap_id = db.session.scalar(
                select(Gap.id).where(Gap.statement_id == uuid.UUID(statement))
            )
            gap = triage.decide(gap_id, status, db.session.get(User, self.analyst_id), reason)
            return _plain(gap)

    def recompute(self, *, from_scratch: bool = False) -> dict[str, int]:
        with self.app.app_context(), transaction():
            if from_scratch:
                db.session.execute(delete(Gap))
            return gap_updates.recompute_all()

    def audit(self, verb: str | None = None) -> list[SimpleNamespace]:
        """The audit trail (by default without the engine's own verdict events)."""
        with self.app.app_context():
            query = select(AuditEvent).order_by(AuditEvent.id)
            if verb:
                query = query.where(AuditEvent.verb == verb)
            else:
                query = query.where(AuditEvent.verb.not_in(ENGINE_VERBS))
            return [
                SimpleNamespace(**{c.name: getattr(e, c.name) for c in AuditEvent.__table__.c})
                for e in db.session.scalars(query)
            ]

    def exists(self, model: Any, record_id: str) -> bool:
        with self.app.app_context():
            return db.session.get(model, uuid.UUID(record_id)) is not None

    def count(self, model: Any) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(model))


def _plain(gap: Gap) -> SimpleNamespace:
    values = {name: getattr(gap, name) for name in GAP_COLUMNS}
    values["evidence_changed_since_triage"] = gap.evidence_changed_since_triage
    values["statement_id"] = str(gap.statement_id)
    return SimpleNamespace(**values)


@pytest.fixture
def floor(app, make_user) -> Floor:
    return Floor(app, make_user("observer"), make_user("analyst"))
