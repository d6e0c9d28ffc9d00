"""A site's settings that its Gemba JSON record does not carry: the plant's language.

The site itself (name, description, zone, announced walks) goes through the write path
(`capture.records.save`); its language is set in the same transaction, so a refused
record changes neither, and a change of language is audited like other admin changes.
"""

from __future__ import annotations

import uuid
from typing import Any

from gemba.capture import records
from gemba.extensions import db
from gemba.models import AuditEvent, Site, User
from gemba.platform.database import transaction
from gemba.platform.languages import LANGUAGES


def save_site(actor: User, record: dict[str, Any], language: str | None) -> None:
    """Save the site record and set its language (None: not set), all or nothing.

    Raises `RecordInvalid` when the write path refuses the record, ValueError for a
    language Gemba does not speak."""
    language = language or None
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}")
    with transaction():
        records.save(actor, record)
        site = db.session.get(Site, uuid.UUID(str(record["id"])))
        if site is None or site.language == language:
            return
        db.session.add(
            AuditEvent(
                user_id=actor.id,
                object_type="site",
                object_id=str(site.id),
                verb="language_set",
                detail={"from": site.language, "to": language},
            )
        )
        site.language = language
