"""SQLite's side of a backup: one self-contained file out, and swapped back in whole.

The copy is made with SQLite's online backup API in one step, so it is one read
snapshot while writers keep going (WAL), then folded into a single file with no
WAL beside it and checked for damage. A restore stages the copy beside the live
file, checks its tables against the manifest and renames it over the live file
last, so a failure at any step leaves the live database as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from gemba.ops.backup import digests, files
from gemba.ops.backup.errors import BackupError, explain


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Backups need an SQLite database file, not an in-memory database.")
    return Path(database)


def _sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}", poolclass=NullPool)


def _close_sqlite_file(path: Path) -> None:
    """Fold the WAL into the file and leave one self-contained file, checked for damage."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if verdict != "ok":
        raise BackupError(f"The database copy at {path} failed SQLite's integrity check.")


def backup_sqlite(engine: Engine, copy: Path) -> dict[str, Any]:
    """SQLite's online backup API, in one step: one read snapshot, writers keep going (WAL)."""
    _sqlite_copy(_sqlite_path(engine), copy)
    copy_engine = _sqlite_engine(copy)
    try:
        with copy_engine.connect() as conn:
            tables = digests.table_summaries(conn)
            revision = digests.revision(conn)
            photo_keys = digests.photo_keys(conn)
    finally:
        copy_engine.dispose()
    _close_sqlite_file(copy)
    return {
        "backend": "sqlite",
        "file": copy.name,
        "sha256": files.sha256(copy),
        "revision": revision,
        "tables": tables,
        "photo_keys": photo_keys,
    }


def _sqlite_copy(live: Path, copy: Path) -> None:
    source = sqlite3.connect(live, timeout=30)
    target = sqlite3.connect(copy)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()


def restore_sqlite(engine: Engine, copy: Path, manifest: dict[str, Any]) -> None:
    """Stage a copy beside the live file, check it, then rename it over the live file."""
    live = _sqlite_path(engine)
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{live.name}.restore.", dir=live.parent)
        os.close(fd)
    except OSError as exc:
        raise explain(f"Cannot write the database in {live.parent}", exc) from exc
    staged = Path(name)
    try:
        files.copy_file(copy, staged)
        staged_engine = _sqlite_engine(staged)
        try:
            with staged_engine.connect() as conn:
                digests.check_tables(conn, manifest)
        finally:
            staged_engine.dispose()
        _close_sqlite_file(staged)
        _retire_sqlite(live)
        os.replace(staged, live)
        files.fsync_dir(live.parent)
    except (OSError, sqlite3.Error, DBAPIError) as exc:
        _remove_sqlite(staged)
        raise explain(f"Cannot write the database in {live.parent}", exc) from exc
    except BaseException:
        _remove_sqlite(staged)
        raise


def _retire_sqlite(live: Path) -> None:
    """Fold the old file's WAL in and drop it: a stale WAL must never meet the new file."""
    if live.exists():
        conn = sqlite3.connect(live, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{live}{suffix}")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")
