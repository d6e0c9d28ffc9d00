"""Taking a snapshot: the database, then the photos, into a hidden folder renamed into place.

The folder only gets its name once every file in it is written and flushed, so a
full disk, an unwritable folder or a crash halfway leaves no half snapshot
behind; the live database is only ever read. The layout of a snapshot is
described in `gemba.ops.backup`.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.exc import DBAPIError

from gemba.ops.backup import files
from gemba.ops.backup.errors import BackupError, explain
from gemba.ops.backup.postgres import backup_postgres
from gemba.ops.backup.sqlite import backup_sqlite
from gemba.photos import service as photo_service

FORMAT = "gemba-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "gemba.db"
PG_FILE = "gemba.dump"
PHOTOS = "photos"


def default_target(app: Flask) -> Path:
    """instance/backups/gemba-YYYYMMDD-HHMMSS (UTC)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(app.instance_path, "backups", f"gemba-{stamp}")


def _copy_database(work: Path) -> dict[str, Any]:
    from gemba.extensions import db

    engine = db.engine
    if engine.dialect.name == "sqlite":
        return backup_sqlite(engine, work / SQLITE_FILE)
    if engine.dialect.name == "postgresql":
        return backup_postgres(engine, work / PG_FILE)
    raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def create(app: Flask, target: Path | str | None = None) -> tuple[Path, dict[str, Any]]:
    """Write a snapshot into `target` (a new or empty folder); returns it and its manifest."""

    target = Path(target or default_target(app)).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise explain(f"Cannot write the backup to {target}", exc) from exc
    try:
        # The sweep is the only remover of photo files that rows once named; holding the
        # lock keeps it waiting until the files the snapshot names are copied.
        with photo_service.files_lock(shared=True):
            database = _copy_database(work)
            photos = files.copy_photos(photo_service.store(), work / PHOTOS)
        referenced = database.pop("photo_keys")
        missing = sorted(files.missing_photos(referenced, photos))
        if missing:
            raise BackupError(
                f"{len(missing)} photo files the database refers to are not in the photo "
                f"store, so the backup would be incomplete: {', '.join(missing[:5])}"
                + (" …" if len(missing) > 5 else "")
            )
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": database,
            "photos": {"count": len(photos), "files": photos, "referenced": referenced},
        }
        with open(work / MANIFEST, "w") as fh:
            json.dump(manifest, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        files.fsync_dir(work)
        if target.exists():
            target.rmdir()  # it was empty; the rename below needs the name free
        os.replace(work, target)
        files.fsync_dir(target.parent)
    except (OSError, sqlite3.Error, DBAPIError) as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise explain(f"Cannot write the backup to {target}", exc) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target, manifest
