"""The database as a manifest records it: each table's row count and a digest of its rows.

The digests are taken in primary-key order over a type-stable form of every
value, so a snapshot and the database restored from it can be compared table by
table, whatever the driver returns (bytes or memoryview, Decimal or float).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import Connection

from gemba.ops.backup.errors import BackupError

# Tables that say nothing about the data: the migration marker is compared on its own,
# the data revision (gemba/platform/revision.py) is a cache token.
BOOKKEEPING = {"alembic_version", "data_revision"}


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


def data_rows(summaries: dict[str, dict[str, Any]]) -> int:
    """Rows in the tables that hold data, bookkeeping left out."""
    return sum(s["rows"] for name, s in summaries.items() if name not in BOOKKEEPING)


def row_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Every table's row count, without the digests (enough to see whether there is data)."""
    metadata = MetaData()
    metadata.reflect(bind=conn)
    counts = {}
    for name, table in metadata.tables.items():
        counts[name] = {"rows": conn.execute(select(text("count(*)")).select_from(table)).scalar()}
    return counts


def revision(conn: Connection) -> str | None:
    """The migration the database is at, or None for an unmigrated one."""
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001  (no migrations table: an unmigrated database)
        return None


def check_tables(conn: Connection, manifest: dict[str, Any]) -> None:
    """Refuse a restored database whose tables differ from the manifest's."""
    expected = manifest["database"]["tables"]
    found = table_summaries(conn)
    if found != expected:
        names = set(found) | set(expected)
        differ = sorted(name for name in names if found.get(name) != expected.get(name))
        raise BackupError(f"The restored tables differ from the backup: {', '.join(differ)}.")


def photo_keys(conn: Connection) -> list[str]:
    """Every stored photo file the snapshot's rows need: those of its photo rows, and of
    deletes not yet restored (an admin may still bring them back)."""
    keys: set[str] = set()
    for row in conn.execute(text("SELECT display_key, thumb_key, original_key FROM photos")):
        keys.update(key for key in row if key)
    kept = conn.execute(text("SELECT photos FROM deleted_records WHERE restored_at IS NULL"))
    for (photos,) in kept:
        rows = json.loads(photos) if isinstance(photos, str) else photos or []
        for photo in rows:
            keys.update(photo.get(k) for k in ("display_key", "thumb_key", "original_key"))
    keys.discard(None)
    return sorted(keys)
