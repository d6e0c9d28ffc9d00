"""Backups: a consistent snapshot of the database and the photos, and bringing one back.

A snapshot is a folder:

    manifest.json   format, time, schema revision, each table's row count and digest,
                    and the SHA-256 of every file below
    gemba.db        SQLite: a copy made with SQLite's online backup API
    gemba.dump      PostgreSQL: `pg_dump --format=custom` of one exported snapshot
    photos/         the photo store, copied after the database

The database is copied in one read transaction while the app keeps serving, so
a snapshot never holds half a batch. Photos are copied after it: every photo
the snapshot's rows name was already on disk. A snapshot is written into a
hidden folder beside its target and renamed into place only once complete, so
a full disk or an unwritable folder leaves no half snapshot, and the live
database is only ever read. Restoring stages everything beside the instance
data first and swaps it in last.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

FORMAT = "gemba-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "gemba.db"
PG_FILE = "gemba.dump"
PHOTOS = "photos"
CHUNK = 1024 * 1024
# Tables that say nothing about the data: the migration marker is compared on its own,
# the data revision (gemba/revision.py) is a cache token.
BOOKKEEPING = {"alembic_version", "data_revision"}


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for a person."""


# ---------------------------------------------------------------- helpers


def photo_dir(app: Flask) -> Path:
    """The photo store's folder: GEMBA_PHOTO_DIR, relative to the instance folder."""
    return Path(app.instance_path, app.config.get("GEMBA_PHOTO_DIR") or "photos")


def default_target(app: Flask) -> Path:
    """instance/backups/gemba-YYYYMMDD-HHMMSS (UTC)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(app.instance_path, "backups", f"gemba-{stamp}")


def _explain(action: str, exc: BaseException) -> BackupError:
    """Turn an OS or database error into a sentence a person can act on."""
    number = getattr(exc, "errno", None)
    if number == errno.ENOSPC or "disk is full" in str(exc) or "No space left" in str(exc):
        reason = "the disk is full"
    elif number in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "permission denied (the folder is not writable)"
    elif number in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: mkdir found a file in the way
        reason = "a part of the path is a file, not a folder"
    else:
        reason = getattr(exc, "strerror", None) or str(exc)
    return BackupError(f"{action}: {reason}.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_file(source: Path, target: Path) -> str:
    """Copy one file, fsync it, and return the SHA-256 of what was copied."""
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    shutil.copymode(source, target)
    return digest.hexdigest()


def _photo_files(root: Path) -> Iterator[Path]:
    """Stored photos, in a stable order; hidden files (a store's temp files) are skipped."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath, name)


def _copy_photos(source: Path, target: Path) -> dict[str, str]:
    """Copy the photo tree; {relative path: SHA-256}."""
    files = {}
    target.mkdir(exist_ok=True)
    for path in _photo_files(source):
        relative = path.relative_to(source)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        try:
            files[relative.as_posix()] = _copy_file(path, target / relative)
        except FileNotFoundError:
            continue  # deleted while we copied: the database snapshot no longer needs it
    return files


def _canonical(value: Any) -> Any:
    """A JSON-able, type-stable form of a column value, for the table digests."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def table_summaries(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every table's row count and a SHA-256 over its rows in primary-key order."""
    metadata = MetaData()
    metadata.reflect(bind=conn)
    summaries = {}
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        rows = 0
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(table).order_by(*order)
        )
        for row in result:
            digest.update(json.dumps([_canonical(v) for v in row]).encode())
            digest.update(b"\n")
            rows += 1
        summaries[name] = {"rows": rows, "sha256": digest.hexdigest()}
    return summaries


def _data_rows(summaries: dict[str, dict[str, Any]]) -> int:
    return sum(s["rows"] for name, s in summaries.items() if name not in BOOKKEEPING)


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001  (no migrations table: an unmigrated database)
        return None


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


def _pg_command(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on the PATH. Install the PostgreSQL client tools "
            f"(e.g. apt-get install postgresql-client) of the server's major version."
        )
    return found


def _pg_connection(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    url = make_url(engine.url)
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    parts |= {key: value for key, value in url.query.items() if isinstance(value, str)}
    conninfo = " ".join(f"{key}={value}" for key, value in parts.items() if value)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    return conninfo, env


def _run(command: list[str], env: dict[str, str], action: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise BackupError(f"{action} failed: {detail[-1] if detail else result.returncode}")


# ---------------------------------------------------------------- backup


def create(app: Flask, target: Path | str | None = None) -> tuple[Path, dict[str, Any]]:
    """Write a snapshot into `target` (a new or empty folder); returns it and its manifest."""
    from gemba.extensions import db

    target = Path(target or default_target(app)).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise _explain(f"Cannot write the backup to {target}", exc) from exc
    try:
        engine = db.engine
        if engine.dialect.name == "sqlite":
            database = _backup_sqlite(engine, work / SQLITE_FILE)
        elif engine.dialect.name == "postgresql":
            database = _backup_postgres(engine, work / PG_FILE)
        else:
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
        photos = _copy_photos(photo_dir(app), work / PHOTOS)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": database,
            "photos": {"count": len(photos), "files": photos},
        }
        with open(work / MANIFEST, "w") as fh:
            json.dump(manifest, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(work)
        if target.exists():
            target.rmdir()  # it was empty; the rename below needs the name free
        os.replace(work, target)
        _fsync_dir(target.parent)
    except (OSError, sqlite3.Error) as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _explain(f"Cannot write the backup to {target}", exc) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target, manifest


def _backup_sqlite(engine: Engine, copy: Path) -> dict[str, Any]:
    """SQLite's online backup API, in one step: one read snapshot, writers keep going (WAL)."""
    _sqlite_copy(_sqlite_path(engine), copy)
    copy_engine = _sqlite_engine(copy)
    try:
        with copy_engine.connect() as conn:
            tables = table_summaries(conn)
            revision = _revision(conn)
    finally:
        copy_engine.dispose()
    _close_sqlite_file(copy)
    return {
        "backend": "sqlite",
        "file": copy.name,
        "sha256": _sha256(copy),
        "revision": revision,
        "tables": tables,
    }


def _sqlite_copy(live: Path, copy: Path) -> None:
    source = sqlite3.connect(live, timeout=30)
    target = sqlite3.connect(copy)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()


def _backup_postgres(engine: Engine, dump: Path) -> dict[str, Any]:
    """pg_dump of a snapshot exported from our own transaction, which also counts the rows."""
    pg_dump = _pg_command("pg_dump")
    conninfo, env = _pg_connection(engine)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", conninfo],
            env,
            "pg_dump",
        )
        tables = table_summaries(conn)
        revision = _revision(conn)
        conn.rollback()
    with open(dump, "rb+") as fh:
        os.fsync(fh.fileno())
    return {
        "backend": "postgresql",
        "file": dump.name,
        "sha256": _sha256(dump),
        "revision": revision,
        "tables": tables,
    }


# ---------------------------------------------------------------- restore


def read_manifest(snapshot: Path) -> dict[str, Any]:
    """The snapshot's manifest, after checking every file against its SHA-256."""
    try:
        with open(snapshot / MANIFEST) as fh:
            manifest = json.load(fh)
    except FileNotFoundError:
        raise BackupError(f"{snapshot} is not a Gemba backup (no {MANIFEST}).") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"Cannot read {snapshot / MANIFEST}: {exc}.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"{snapshot} has format {found!r}, not {FORMAT!r}.")
    try:
        database = manifest["database"]
        checks = {database["file"]: database["sha256"]}
        checks |= {f"{PHOTOS}/{name}": sha for name, sha in manifest["photos"]["files"].items()}
        if not isinstance(database["tables"], dict):
            raise TypeError("tables")
    except (KeyError, TypeError, AttributeError):
        raise BackupError(f"The backup's {MANIFEST} is incomplete.") from None
    for name, expected in checks.items():
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BackupError(f"The backup's {MANIFEST} names a file outside it: {name}.")
        path = snapshot / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"The backup is damaged: {path} is missing or has changed.")
    return manifest


def is_empty(app: Flask) -> bool:
    """True when the instance holds no data rows and no photos."""
    from gemba.extensions import db

    with db.engine.connect() as conn:
        if _data_rows(_row_counts(conn)) > 0:
            return False
    return next(_photo_files(photo_dir(app)), None) is None


def _row_counts(conn: Connection) -> dict[str, dict[str, int]]:
    metadata = MetaData()
    metadata.reflect(bind=conn)
    counts = {}
    for name, table in metadata.tables.items():
        counts[name] = {"rows": conn.execute(select(text("count(*)")).select_from(table)).scalar()}
    return counts


def restore(app: Flask, snapshot: Path | str, *, force: bool = False) -> dict[str, Any]:
    """Bring a snapshot back into this instance; refuses one that holds data unless forced."""
    from gemba.extensions import db

    snapshot = Path(snapshot).absolute()
    manifest = read_manifest(snapshot)
    engine = db.engine
    backend = manifest["database"]["backend"]
    if backend != engine.dialect.name:
        raise BackupError(
            f"This backup is of a {backend} database; the instance uses {engine.dialect.name}."
        )
    if not force and not is_empty(app):
        raise BackupError(
            "This instance already holds data or photos. Restore into an empty instance, "
            "or add --force to replace everything in it."
        )
    photos = photo_dir(app)
    staged_photos = _stage_photos(snapshot / PHOTOS, manifest["photos"]["files"], photos)
    try:
        db.session.remove()
        engine.dispose()
        if backend == "sqlite":
            _restore_sqlite(engine, snapshot / manifest["database"]["file"], manifest)
        else:
            _restore_postgres(engine, snapshot / manifest["database"]["file"], manifest)
    except BaseException:
        shutil.rmtree(staged_photos, ignore_errors=True)
        raise
    _swap_photos(staged_photos, photos)
    return manifest


def _stage_photos(source: Path, files: dict[str, str], photos: Path) -> Path:
    """Copy the photos the manifest lists into a hidden folder beside the photo store."""
    try:
        photos.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{photos.name}.restore.", dir=photos.parent))
    except OSError as exc:
        raise _explain(f"Cannot write photos to {photos.parent}", exc) from exc
    try:
        for name, expected in sorted(files.items()):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            if _copy_file(source / name, staging / name) != expected:
                raise BackupError(f"The backup is damaged: {source / name} has changed.")
        _fsync_dir(staging)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _explain(f"Cannot write photos to {photos.parent}", exc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _swap_photos(staged: Path, photos: Path) -> None:
    old = None
    if photos.exists():
        old = photos.with_name(f".{photos.name}.old.{os.getpid()}")
        os.replace(photos, old)
    os.replace(staged, photos)
    _fsync_dir(photos.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _check_tables(conn: Connection, manifest: dict[str, Any]) -> None:
    expected = manifest["database"]["tables"]
    found = table_summaries(conn)
    if found != expected:
        names = set(found) | set(expected)
        differ = sorted(name for name in names if found.get(name) != expected.get(name))
        raise BackupError(f"The restored tables differ from the backup: {', '.join(differ)}.")


def _restore_sqlite(engine: Engine, copy: Path, manifest: dict[str, Any]) -> None:
    """Stage a copy beside the live file, check it, then rename it over the live file."""
    live = _sqlite_path(engine)
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{live.name}.restore.", dir=live.parent)
        os.close(fd)
    except OSError as exc:
        raise _explain(f"Cannot write the database in {live.parent}", exc) from exc
    staged = Path(name)
    try:
        _copy_file(copy, staged)
        staged_engine = _sqlite_engine(staged)
        try:
            with staged_engine.connect() as conn:
                _check_tables(conn, manifest)
        finally:
            staged_engine.dispose()
        _close_sqlite_file(staged)
        _retire_sqlite(live)
        os.replace(staged, live)
        _fsync_dir(live.parent)
    except OSError as exc:
        _remove_sqlite(staged)
        raise _explain(f"Cannot write the database in {live.parent}", exc) from exc
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


def _restore_postgres(engine: Engine, dump: Path, manifest: dict[str, Any]) -> None:
    """pg_restore in one transaction: it replaces everything, or nothing if it fails."""
    pg_restore = _pg_command("pg_restore")
    conninfo, env = _pg_connection(engine)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
    with engine.connect() as conn:
        _check_tables(conn, manifest)
