"""Write side of the analyst workspace: actions and persona notes, each change audited.

Like `gemba.gaps.triage`, these run in the caller's transaction and do not commit; the view
calls `database.begin_write()` first and commits after, so a change and its audit row
are saved together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from gemba.extensions import db
from gemba.gaps.triage import triage
from gemba.models import Action, ActionStatus, AuditEvent, Gap, GapStatus, PersonaNote, User

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


def create_action(actor: User, data: ActionData, gaps: list[Gap]) -> Action:
    """A new action at the gaps' site; the gaps it answers become actioned."""
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


def update_action(actor: User, action: Action, data: ActionData, gaps: list[Gap]) -> dict:
    """Change an action; returns {field: [before, after]} of what changed (audited)."""
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


def move_action(actor: User, action: Action, status: str) -> bool:
    """Set an action's status; True when it changed (audited)."""
    status = ActionStatus(status).value
    if action.status == status:
        return False
    _audit(actor, action, "status", {"status": [action.status, status]})
    action.status = status
    return True


def add_persona_note(actor: User, persona_id: uuid.UUID, text: str) -> PersonaNote:
    """An analyst's note in the persona's Thinks quadrant (audited)."""
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
            verb=verb,
            detail=detail,
        )
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
