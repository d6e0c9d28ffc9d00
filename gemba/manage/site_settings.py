"""A site's settings that its Gemba JSON record does not carry: the plant's language and,
for admins, how its photos are protected (docs/works-council.md).

The site itself (name, description, zone, announced walks) goes through the write path
(`capture.records.save`); its language and privacy settings are set in the same
transaction, so a refused record changes none of them, and each change is audited like
other admin changes. Import never sets the privacy settings: only an admin, here.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from gemba.capture import records
from gemba.domain.gemba_json import FieldError, RecordInvalid
from gemba.extensions import db
from gemba.models import AuditEvent, Role, Site, User
from gemba.platform.database import transaction
from gemba.platform.languages import LANGUAGES


@dataclass(frozen=True)
class Privacy:
    """A site's photo and privacy settings, as an admin sets them."""

    works_council: bool = False
    keep_originals: bool = False
    photo_roles: str | None = None  # comma-separated roles; None: every role
    retention_days: int | None = None

    @classmethod
    def of(cls, site: Site) -> Privacy:
        return cls(site.works_council, site.keep_originals, site.photo_roles, site.retention_days)


def photo_roles_text(roles: list[str] | None) -> str | None:
    """Roles chosen on the form as stored: admins always included, None when every role
    is chosen (so a role added to Gemba later is not left out by accident)."""
    chosen = {Role(role) for role in roles or ()} | {Role.admin}
    if chosen == set(Role):
        return None
    return ",".join(role.value for role in Role if role in chosen)


def _check_privacy(privacy: Privacy) -> None:
    errors = []
    if privacy.keep_originals and privacy.works_council:
        errors.append(
            FieldError("keep_originals", "Originals are never kept on a works-council site.")
        )
    if privacy.retention_days is not None and privacy.retention_days < 1:
        errors.append(FieldError("retention_days", "Keep photos for at least one day."))
    if errors:
        raise RecordInvalid(errors)


def save_site(
    actor: User, record: dict[str, Any], language: str | None, privacy: Privacy | None = None
) -> None:
    """Save the site record, set its language (None: not set) and, for an admin, its
    privacy settings (None: unchanged), all or nothing.

    Raises `RecordInvalid` when the write path refuses the record or the settings,
    ValueError for a language Gemba does not speak, PermissionError when someone other
    than an admin sends privacy settings."""
    language = language or None
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}")
    if privacy is not None:
        if not actor.has_role(Role.admin):
            raise PermissionError("Only admins change a site's privacy settings.")
        _check_privacy(privacy)
    with transaction():
        records.save(actor, record)
        site = db.session.get(Site, uuid.UUID(str(record["id"])))
        if site is None:
            return
        if privacy is not None:
            _set_privacy(actor, site, privacy)
        if site.language == language:
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


def _set_privacy(actor: User, site: Site, privacy: Privacy) -> None:
    """Apply the settings, audited with what they were and what they became."""
    before = Privacy.of(site)
    if before == privacy:
        return
    db.session.add(
        AuditEvent(
            user_id=actor.id,
            object_type="site",
            object_id=str(site.id),
            verb="privacy_set",
            detail={"from": asdict(before), "to": asdict(privacy)},
        )
    )
    site.works_council = privacy.works_council
    site.keep_originals = privacy.keep_originals
    site.photo_roles = privacy.photo_roles
    site.retention_days = privacy.retention_days
