"""A backup's failure is explained by the error's code (errno, SQLite result code,
SQLSTATE), never by its message, so a translated or reworded message changes nothing."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from gemba.ops.backup.errors import DISK_FULL, NOT_A_FOLDER, NOT_WRITABLE, explain, reason


def _real_sqlite_full() -> sqlite3.Error:
    """SQLite's own SQLITE_FULL: a database capped at three pages, written past them."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 3")
    try:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 1000,))
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("the capped database never filled up")


def _wrapped_sqlite_full() -> OperationalError:
    """The same error as SQLAlchemy raises it, wrapping the driver's."""
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x)"))
            conn.execute(text("PRAGMA max_page_count = 3"))
            for _ in range(100):
                conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": "x" * 1000})
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("the capped database never filled up")


class _PgError(Exception):
    """What psycopg 3 raises: the SQLSTATE in `sqlstate`."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _pg(sqlstate: str, message: str) -> OperationalError:
    return OperationalError("SELECT 1", {}, _PgError(sqlstate, message))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), DISK_FULL),
        (OSError(errno.ENOSPC, "Kein Platz mehr auf dem Gerät"), DISK_FULL),
        (OSError(errno.EACCES, "Permission denied"), NOT_WRITABLE),
        (OSError(errno.EROFS, "Read-only file system"), NOT_WRITABLE),
        (OSError(errno.ENOTDIR, "Not a directory"), NOT_A_FOLDER),
        (OSError(errno.EEXIST, "File exists"), NOT_A_FOLDER),
        (_pg("53100", "could not extend file: No space left on device"), DISK_FULL),
        (_pg("53100", "konnte Datei nicht erweitern"), DISK_FULL),
    ],
)
def test_the_reason_comes_from_the_code(error, expected):
    assert reason(error) == expected


def test_sqlite_full_is_told_by_its_result_code():
    assert reason(_real_sqlite_full()) == DISK_FULL
    assert reason(_wrapped_sqlite_full()) == DISK_FULL


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),  # no result code: not guessed
        RuntimeError("No space left on device"),
        _pg("57P01", "the disk is full, terminating connection"),
    ],
)
def test_an_error_without_a_known_code_keeps_its_own_words(error):
    assert reason(error) != DISK_FULL


def test_the_sentence_names_the_action_and_the_reason():
    error = explain("Cannot write the backup to /x", OSError(errno.ENOSPC, "whatever"))
    assert str(error) == "Cannot write the backup to /x: the disk is full."
