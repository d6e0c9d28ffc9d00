"""People who use Gemba (never the people observed) and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gemba.models.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a user may do; each role includes the one before it."""

    observer = "observer"
    analyst = "analyst"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.observer.value)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere, password change and deactivation: old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    # The language the user reads Gemba in (None: the browser's, see platform.languages).
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Session id carries the version, so bumping it logs out other sessions."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: Role | str) -> bool:
        """True when the user's role is at least the given one."""
        return Role(self.role).rank >= Role(role).rank

    @property
    def label(self) -> str:
        """How the app names a user: the part of the e-mail before the @."""
        return self.email.split("@", 1)[0]


class TokenScope(enum.StrEnum):
    """What a token may do: `read` calls GET, HEAD and OPTIONS only; `write` everything."""

    read = "read"
    write = "write"


class ApiToken(Base):
    """A personal token for scripts; only its SHA-256 is stored.

    It dies when revoked, when it expires, and with its user's password change or
    deactivation (all of the user's live tokens are revoked then).
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set at creation; a row without one (made outside the services) lives the default
    # number of days from created_at, so no token lives for ever.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Tokens made before scopes existed could write, so "write" stays the default.
    scope: Mapped[str] = mapped_column(
        String(8), default=TokenScope.write.value, server_default=TokenScope.write.value
    )

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def read_only(self) -> bool:
        return self.scope == TokenScope.read
