"""PostgreSQL's side of a backup: pg_dump of a snapshot we hold open, pg_restore in one go.

The dump reads a snapshot exported from our own REPEATABLE READ transaction,
which also counts and digests the rows, so the manifest describes exactly what
was dumped. The restore runs in a single transaction on the server: it replaces
everything, or nothing if it fails. The password travels in the environment,
never on a command line where `ps` shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from gemba.ops.backup import digests, files
from gemba.ops.backup.errors import BackupError


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


def backup_postgres(engine: Engine, dump: Path) -> dict[str, Any]:
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
        tables = digests.table_summaries(conn)
        revision = digests.revision(conn)
        photo_keys = digests.photo_keys(conn)
        conn.rollback()
    with open(dump, "rb+") as fh:
        os.fsync(fh.fileno())
    return {
        "backend": "postgresql",
        "file": dump.name,
        "sha256": files.sha256(dump),
        "revision": revision,
        "tables": tables,
        "photo_keys": photo_keys,
    }


def restore_postgres(engine: Engine, dump: Path, manifest: dict[str, Any]) -> None:
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
        digests.check_tables(conn, manifest)
