"""Write side of the analyst workspace: actions and persona notes, each change audited.

Each public function is one user action in one `transaction()`: a change and its audit
row are saved together or not at all, and what it reads to decide (the action, its gaps)
is read inside that transaction. An edit names the values its form was filled with; if
someone else changed the action since, the edit is refused (`ActionChanged`) rather
than overwriting their change.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from gemba.extensions import db
from gemba.gaps.triage import triage
from gemba.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Gap,
    GapStatus,
    PersonaNote,
    User,
    utcnow,
)
from gemba.platform.database import transaction

# A linked gap in one of these states becomes "actioned"; a dismissed gap stays dismissed.
ACTIONABLE = {GapStatus.open.value, GapStatus.confirmed.value, GapStatus.needs_observation.value}


@dataclass
class ActionData:
    """What the action form says, as plain values."""

    title: str
    description: str | None
    owner_id: int | None
    due_date: date | None
    status: str


class ActionChanged(ValueError):
    """Someone else changed the action after this edit's form was filled."""


def fingerprint(action: Action) -> str:
    """A short digest of what an edit can change, carried by the edit form: a save whose
    form saw other values than the database now holds is refused, not applied."""
    values = [
        action.title,
        action.description,
        action.owner_id,
        _iso(action.due_date),
        action.status,
        sorted(str(g.id) for g in action.gaps),
    ]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:16]


def create_action(actor: User, data: ActionData, gap_ids: list[uuid.UUID]) -> Action:
    """A new action at the gaps' site; the gaps it answers become actioned."""
    with transaction():
        return _create(actor, data, _gaps(gap_ids))


def _gaps(ids: list[uuid.UUID]) -> list[Gap]:
    return list(db.session.scalars(select(Gap).where(Gap.id.in_(ids)))) if ids else []


def _create(actor: User, data: ActionData, gaps: list[Gap]) -> Action:
    if not gaps:
        raise ValueError("An action answers at least one gap.")
    sites = {gap.site_id for gap in gaps}
    if len(sites) != 1:
        raise ValueError("All gaps of an action belong to one site.")
    action = Action(
        id=uuid.uuid4(),
        site_id=sites.pop(),
        title=data.title.strip(),
        description=(data.description or "").strip() or None,
        owner_id=data.owner_id,
        due_date=data.due_date,
        status=ActionStatus(data.status).value,
        created_by_id=actor.id,
    )
    action.gaps = list(gaps)
    took_effect(action)
    db.session.add(action)
    db.session.flush()
    _audit(
        actor,
        action,
        "created",
        {
            "title": action.title,
            "owner": data.owner_id,
            "due_date": _iso(data.due_date),
            "status": action.status,
            "gaps": sorted(str(g.id) for g in gaps),
        },
    )
    _mark_actioned(actor, action, gaps)
    return action


def update_action(
    actor: User, action_id: uuid.UUID, data: ActionData, gap_ids: list[uuid.UUID], seen: str
) -> dict:
    """Change an action; returns {field: [before, after]} of what changed (audited).

    `seen` is the action's fingerprint when the form was filled: if it no longer matches,
    ActionChanged is raised and nothing is saved.
    """
    with transaction():
        action = db.session.get(Action, action_id)
        if action is None:
            raise LookupError(action_id)
        if fingerprint(action) != seen:
            raise ActionChanged(
                "Someone else changed this action while you were editing it. "
                "The form now shows your values; check them against the action and save again."
            )
        return _update(actor, action, data, _gaps(gap_ids))


def _update(actor: User, action: Action, data: ActionData, gaps: list[Gap]) -> dict:
    if not gaps:
        raise ValueError("An action answers at least one gap.")
    if any(gap.site_id != action.site_id for gap in gaps):
        raise ValueError("All gaps of an action belong to its site.")
    changes: dict[str, list[Any]] = {}
    new_values = {
        "title": data.title.strip(),
        "description": (data.description or "").strip() or None,
        "owner_id": data.owner_id,
        "due_date": data.due_date,
        "status": ActionStatus(data.status).value,
    }
    for name, value in new_values.items():
        before = getattr(action, name)
        if before != value:
            changes[name.removesuffix("_id")] = [_iso(before), _iso(value)]
            setattr(action, name, value)
    took_effect(action)
    before_ids = {g.id for g in action.gaps}
    after_ids = {g.id for g in gaps}
    if before_ids != after_ids:
        changes["gaps"] = [sorted(map(str, before_ids)), sorted(map(str, after_ids))]
        action.gaps = list(gaps)
    if changes:
        _audit(actor, action, "updated", changes)
        added = [g for g in gaps if g.id not in before_ids]
        _mark_actioned(actor, action, added)
    return changes


def move_action(actor: User, action_id: uuid.UUID, status: str) -> Action | None:
    """Set an action's status, read as it is now; the action if it changed (audited)."""
    status = ActionStatus(status).value
    with transaction():
        action = db.session.get(Action, action_id)
        if action is None:
            raise LookupError(action_id)
        if action.status == status:
            return None
        _audit(actor, action, "status", {"status": [action.status, status]})
        action.status = status
        took_effect(action)
        return action


def took_effect(action: Action) -> None:
    """Done (or verified) from now on, unless it already was; taken back to open or in
    progress, it has not taken effect any more."""
    if action.status in (ActionStatus.done, ActionStatus.verified):
        action.done_at = action.done_at or utcnow()
    else:
        action.done_at = None


def add_persona_note(actor: User, persona_id: uuid.UUID, text: str) -> PersonaNote:
    """An analyst's note in the persona's Thinks quadrant (audited)."""
    with transaction():
        note = PersonaNote(persona_id=persona_id, author_id=actor.id, text=text.strip())
        db.session.add(note)
        db.session.flush()
        db.session.add(
            AuditEvent(
                user_id=actor.id,
                object_type="persona",
                object_id=str(persona_id),
                verb="noted",
                detail={"note": str(note.id)},
                note=note.text,
            )
        )
        return note


def _mark_actioned(actor: User, action: Action, gaps: list[Gap]) -> None:
    for gap in gaps:
        if gap.status in ACTIONABLE:
            triage(gap, GapStatus.actioned, actor, reason=f"Action: {action.title}")


def _audit(actor: User, action: Action, verb: str, detail: dict) -> None:
    db.session.add(
        AuditEvent(
            user_id=actor.id,
            object_type="action",
            object_id=str(action.id),
            site_id=action.site_id,
            verb=verb,
            detail=detail,
        )
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
