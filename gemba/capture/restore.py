"""An admin brings back a deleted record, through the write path, with its photos.

The kept records are written back as one all-or-nothing batch (`records.write`), so
every rule of the write path holds and the gaps on their topics are judged again. The
photo rows (their files were kept) and the walks' observers follow in a second
transaction that also marks the delete as restored; a restore that stops between the
two can simply be run again, since records sent again are unchanged.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Uuid

from gemba.capture import records, trash
from gemba.capture.outcomes import WriteResult
from gemba.extensions import db
from gemba.models import AuditEvent, DeletedRecord, Photo, Role, User, Walk, utcnow
from gemba.models.base import UTCDateTime
from gemba.photos import service as photos
from gemba.platform.database import transaction


class RestoreRefused(ValueError):
    """The delete cannot be undone (gone, already undone, too old, or not an admin)."""


def restore(actor: User, entry_id: int) -> WriteResult:
    """Write the kept records back, then their photos and observers; audited."""
    if not actor.has_role(Role.admin):
        raise RestoreRefused(_("Only admins can restore deleted records."))
    entry = db.session.get(DeletedRecord, entry_id)
    if entry is None:
        raise RestoreRefused(_("There is no such deleted record."))
    if entry.restored_at is not None:
        raise RestoreRefused(_("This record has already been restored."))
    if entry.deleted_at < trash.cutoff():
        raise RestoreRefused(
            _("Deleted records can be restored for %(days)s days.", days=trash.keep_days())
        )
    result = records.write(actor, entry.records, atomic=True)
    with transaction():
        entry = db.session.get(DeletedRecord, entry_id)
        for walk_id, observer_id in (entry.observers or {}).items():
            walk = db.session.get(Walk, uuid.UUID(walk_id))
            if walk is not None and db.session.get(User, observer_id) is not None:
                walk.observer_id = observer_id
        missing = [row for row in entry.photos or [] if not _restore_photo(row)]
        entry.restored_at = utcnow()
        entry.restored_by_id = actor.id
        db.session.add(
            AuditEvent(
                user_id=actor.id,
                object_type=entry.object_type,
                object_id=str(entry.object_id),
                verb="restored",
                detail={"deleted": entry.id, "photos_missing": [r["id"] for r in missing]},
            )
        )
    return result


def _restore_photo(row: dict[str, Any]) -> bool:
    """Put a kept photo row back if its files are still stored; False if they are not."""
    values = {c.key: _column_value(c.type, row.get(c.key)) for c in Photo.__table__.columns}
    if db.session.get(Photo, values["id"]) is not None:
        return True
    store = photos.store()
    keys = [values[k] for k in trash.PHOTO_KEYS if values.get(k)]
    if not all(store.exists(key) for key in keys):
        return False
    db.session.add(Photo(**values))
    return True


def _column_value(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, Uuid):
        return uuid.UUID(value)
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    return value
