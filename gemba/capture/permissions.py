"""Who may change a walk's records: one rule for the write path, photos and the pages."""

from __future__ import annotations

from gemba.models import Role, User, Walk


def can_edit_walk(actor: User, walk: Walk) -> bool:
    """Observers edit their own walks' records; admins edit everything."""
    return actor.has_role(Role.admin) or walk.observer_id == actor.id
