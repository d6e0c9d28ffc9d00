"""Why a backup or restore failed, said so a person can act on it.

A failed backup or restore is reported as one sentence (what could not be done,
and why) instead of a traceback: the person running `flask backup` on a full
disk should read "the disk is full", not an errno.

The reason is read from the error's code, never from its message: messages are
translated (PostgreSQL's follow the server's locale), reworded between versions
and differ between platforms, while errno, SQLite's result codes and
PostgreSQL's SQLSTATE are stable. An error with no code we know keeps its own words.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError

DISK_FULL = "the disk is full"
NOT_WRITABLE = "permission denied (the folder is not writable)"
NOT_A_FOLDER = "a part of the path is a file, not a folder"

_BY_ERRNO = {
    errno.ENOSPC: DISK_FULL,
    errno.EACCES: NOT_WRITABLE,
    errno.EPERM: NOT_WRITABLE,
    errno.EROFS: NOT_WRITABLE,
    errno.ENOTDIR: NOT_A_FOLDER,
    errno.EEXIST: NOT_A_FOLDER,  # mkdir found a file in the way
}
# SQLite's primary result codes; an extended code carries its primary code in the low byte.
_BY_SQLITE_CODE = {sqlite3.SQLITE_FULL: DISK_FULL}
_BY_SQLSTATE = {"53100": DISK_FULL}  # PostgreSQL's disk_full


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for a person."""


def explain(action: str, exc: BaseException) -> BackupError:
    """Turn an OS or database error into a sentence a person can act on."""
    return BackupError(f"{action}: {reason(exc)}.")


def reason(exc: BaseException) -> str:
    """What went wrong, by the error's code: errno, SQLite result code or SQLSTATE."""
    # SQLAlchemy wraps the driver's error, which carries the code.
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    number = getattr(source, "errno", None)
    if number in _BY_ERRNO:
        return _BY_ERRNO[number]
    sqlite_code = getattr(source, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int) and sqlite_code & 0xFF in _BY_SQLITE_CODE:
        return _BY_SQLITE_CODE[sqlite_code & 0xFF]
    sqlstate = getattr(source, "sqlstate", None)  # psycopg 3
    if sqlstate in _BY_SQLSTATE:
        return _BY_SQLSTATE[sqlstate]
    return getattr(source, "strerror", None) or str(source)
