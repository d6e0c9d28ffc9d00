"""Bringing a snapshot back: checked first, staged beside the instance, swapped in last.

Every file is checked against the manifest's SHA-256 before anything is touched,
and an instance that holds data or photos is refused unless forced. With the local store
the photos are staged in a hidden folder and the database restored next; only when both
succeeded does the staged photo folder replace the live one. With an object store the
photos are put first (each under its own SHA-256, so a put is never half an object) and
the database after, so no restored row names a photo the store lacks; objects that a
forced restore leaves unused are for `flask photos sweep`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask

from gemba.ops.backup import digests, files
from gemba.ops.backup.errors import BackupError, explain
from gemba.ops.backup.postgres import restore_postgres
from gemba.ops.backup.snapshot import FORMAT, MANIFEST, PHOTOS
from gemba.ops.backup.sqlite import restore_sqlite
from gemba.photos import service as photo_service
from gemba.photos.store import LocalPhotoStore, PhotoStore


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
    _check_referenced(manifest)
    for name, expected in checks.items():
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BackupError(f"The backup's {MANIFEST} names a file outside it: {name}.")
        path = snapshot / name
        if not path.is_file() or files.sha256(path) != expected:
            raise BackupError(f"The backup is damaged: {path} is missing or has changed.")
    return manifest


def _check_referenced(manifest: dict[str, Any]) -> None:
    """Every photo file the backed-up rows refer to must be in the backup, or the restored
    instance would list photos it cannot show: refuse it, naming what is missing."""
    referenced = manifest["photos"].get("referenced")
    if referenced is None:
        return  # a backup from before the list was kept: its files are checked one by one
    missing = sorted(files.missing_photos(referenced, manifest["photos"]["files"]))
    if missing:
        raise BackupError(
            f"The backup lacks {len(missing)} photo files its database refers to: "
            + ", ".join(missing[:5])
            + (" …" if len(missing) > 5 else "")
        )


def is_empty(app: Flask) -> bool:
    """True when the instance holds no data rows and no photos."""
    from gemba.extensions import db

    with db.engine.connect() as conn:
        if digests.data_rows(digests.row_counts(conn)) > 0:
            return False
    return next(photo_service.store().objects(), None) is None


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
    store = photo_service.store()
    if not isinstance(store, LocalPhotoStore):
        _put_photos(store, snapshot / PHOTOS, manifest["photos"]["files"])
        db.session.remove()
        engine.dispose()
        _restore_database(engine, snapshot, manifest)
        return manifest
    photos = store.root
    staged_photos = _stage_photos(snapshot / PHOTOS, manifest["photos"]["files"], photos)
    try:
        db.session.remove()
        engine.dispose()
        _restore_database(engine, snapshot, manifest)
    except BaseException:
        shutil.rmtree(staged_photos, ignore_errors=True)
        raise
    _swap_photos(staged_photos, photos)
    return manifest


def _restore_database(engine: Any, snapshot: Path, manifest: dict[str, Any]) -> None:
    if manifest["database"]["backend"] == "sqlite":
        restore_sqlite(engine, snapshot / manifest["database"]["file"], manifest)
    else:
        restore_postgres(engine, snapshot / manifest["database"]["file"], manifest)


def _put_photos(store: PhotoStore, source: Path, manifest_files: dict[str, str]) -> None:
    """Put the backup's photos into an object store, each checked against the manifest."""
    for name, expected in sorted(manifest_files.items()):
        data = (source / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise BackupError(f"The backup is damaged: {source / name} has changed.")
        try:
            store.put(data)
        except OSError as exc:
            raise explain("Cannot write photos to the photo store", exc) from exc


def _stage_photos(source: Path, manifest_files: dict[str, str], photos: Path) -> Path:
    """Copy the photos the manifest lists into a hidden folder beside the photo store."""
    try:
        photos.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{photos.name}.restore.", dir=photos.parent))
    except OSError as exc:
        raise explain(f"Cannot write photos to {photos.parent}", exc) from exc
    try:
        for name, expected in sorted(manifest_files.items()):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            if files.copy_file(source / name, staging / name) != expected:
                raise BackupError(f"The backup is damaged: {source / name} has changed.")
        files.fsync_dir(staging)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise explain(f"Cannot write photos to {photos.parent}", exc) from exc
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
    files.fsync_dir(photos.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
