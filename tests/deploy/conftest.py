"""A deployment as docs/deploy.md sets it up, on this worker's own pieces: a scratch
PostgreSQL database (dropped at the end), this worker's Redis database (the servers' keys
removed before and after), a new bucket on the test S3 server, an SMTP server that keeps
what it gets, and the guide's settings file with those values in a folder of its own."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql
from sqlalchemy import make_url

from tests import s3_server
from tests.conftest import PG_URL, missing_tool, redis_url, worker_database_url
from tests.deploy import guide as deploy_guide
from tests.deploy.servers import AppServer, free_port, stop_all

ADMIN_EMAIL = "it-admin@example.com"
ADMIN_PASSWORD = "deploy guide password 1"


class Mailbox:
    """aiosmtpd handler: every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@dataclass
class Deployment:
    guide: deploy_guide.Guide
    base_env: dict[str, str]  # what cron or systemd starts a command with, before the file
    root: Path
    database_url: str
    bucket: str
    redis: redis.Redis
    mailbox: Mailbox
    servers: list[AppServer] = field(default_factory=list)

    def run(self, script: str, stdin: str = ""):
        """A block or cron command of the guide, under /bin/sh; fails the test if it fails."""
        done = self.guide.run(script, self.base_env, self.root, stdin)
        assert done.returncode == 0, f"{script}\nexit {done.returncode}\n{done.stdout}{done.stderr}"
        return done

    def start(self, name: str, workers: int = 2) -> AppServer:
        """An app server from the guide's service: its ExecStart with the settings file's
        environment, on a port of its own."""
        self.guide.values.update(BIND=f"127.0.0.1:{free_port()}", WORKERS=str(workers))
        command = self.guide.service_command()
        env = {**self.base_env, **self.guide.environment()}
        server = AppServer(name, command, env, self.root / f"server-{name}.log")
        self.servers.append(server)
        return server

    def rows(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()


def _scratch_database() -> str:
    """This worker's database name + `_deploy`, dropped and created afresh."""
    given = make_url(worker_database_url(PG_URL))
    name = f"{given.database}_deploy"
    url = given.set(drivername="postgresql", database=name).render_as_string(False)
    _drop_database(url)  # a run stopped before its clean-up left it
    _admin_sql(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def _admin_sql(statement: sql.Composed) -> None:
    given = make_url(PG_URL).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(given, autocommit=True) as conn:
        conn.execute(statement)


def _forget(client: redis.Redis) -> None:
    """Empty what the servers keep in this worker's Redis database: the page cache's
    entries (CACHE_KEY_PREFIX) and the login counters; nothing else is touched."""
    for pattern in ("gemba:*", "LIMITS:*"):
        for key in list(client.scan_iter(match=pattern)):
            client.delete(key)


def _redis():
    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        client.close()
        missing_tool(f"no Redis at {redis_url()}")
    return client


@contextlib.contextmanager
def _smtp() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _values(database_url: str, bucket: str, smtp_port: int) -> dict[str, str]:
    """The guide's `${NAME}`s: this test's database, Redis, bucket and mail server. Both
    Redis uses share this worker's one database index (the keys' prefixes differ)."""
    s3 = s3_server.settings(bucket)
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_URL": "https://gemba.test",
        "REDIS_RATELIMIT_URL": redis_url(),
        "REDIS_CACHE_URL": redis_url(),
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3["GEMBA_S3_ENDPOINT_URL"],
        "S3_REGION": s3["GEMBA_S3_REGION"],
        "S3_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "S3_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "gemba@gemba.test",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "BIND": "127.0.0.1:0",  # each server gets its own (Deployment.start)
        "WORKERS": "2",
    }


@pytest.fixture
def deployment(tmp_path) -> Iterator[Deployment]:
    if not PG_URL:
        pytest.skip("several app servers need PostgreSQL: set GEMBA_TEST_DATABASE_URL")
    with contextlib.ExitStack() as cleanup:
        redis = _redis()
        cleanup.callback(redis.close)
        _forget(redis)
        cleanup.callback(_forget, redis)
        bucket = s3_server.new_bucket()  # also puts the test server's credentials in os.environ
        database_url = _scratch_database()
        cleanup.callback(_drop_database, database_url)
        mailbox, smtp_port = cleanup.enter_context(_smtp())
        venv = Path(sys.prefix)
        paths = {
            deploy_guide.ENV_FILE: str(tmp_path / "etc" / "gemba.env"),
            deploy_guide.VENV: str(venv),
            deploy_guide.INSTANCE: str(tmp_path / "instance"),
        }
        guide = deploy_guide.Guide(_values(database_url, bucket, smtp_port), paths)
        guide.write_env_file()
        base_env = {
            "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
        }
        found = Deployment(guide, base_env, tmp_path, database_url, bucket, redis, mailbox)
        cleanup.callback(stop_all, found.servers)
        yield found


def _drop_database(url: str) -> None:
    name = make_url(url).database
    _admin_sql(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
