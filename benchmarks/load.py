"""Gemba under load: gunicorn sync workers on SQLite and PostgreSQL, a realistic mix over loopback.

    .venv/bin/python benchmarks/load.py [--pg postgresql://127.0.0.1:5432/test]
        [--duration 20] [--workers 2] [--locked-workers 4] [--clients 4]
        [--facts 100000] [--statements 10000] [--topics 2000] [--seed 7] [--no-sqlite]
        [--no-page-cache]

For each database (SQLite in a temporary instance folder; PostgreSQL when --pg is given,
whose public schema is DROPPED and recreated first, so only point it at a scratch
database) it migrates, fills in the say-vs-do engine's data set with
`benchmarks/saydo_engine.build` (100,000 facts, 10,000 statements, 2,000 topics on 200
walks of one site), recomputes the gaps and creates a user with a password and an API
token. Then it starts gunicorn (`-k sync`, --workers) and drives it from other
processes: --clients client processes, each holding one request in flight, opening a new
connection for every request (sync workers close it after each answer), logging in once.
Each scenario runs for --duration seconds after a two-second warm-up that is not
counted:

- hello and reference: `benchmarks/load_reference.py` under the same gunicorn settings,
  a bare Flask route (the ceiling) and one indexed query of 50 rows rendered by Jinja;
- walk page and inbox alone, to compare their throughput with the reference page's;
- the mix: 40 % walk pages (`/walks/<id>`, session cookie), 40 % the gap inbox
  (`/review/`), 10 % sync batches of 10 new facts (`POST /api/v1/sync`, bearer token)
  and 10 % photo uploads (`PUT /api/v1/photos/<new id>`, a 640x480 JPEG, on an existing
  fact of the token user's walks);
- on SQLite, with --locked-workers workers: the mix again, then only writes (sync and
  photos, two clients per worker), and gunicorn's log searched for "database is locked".

An error is any answer outside 2xx/3xx, a cut-off body or a connection failure. When
`wrk` is installed, the hello and reference routes are also measured with it, so the
report shows whether the Python client, not the server, is the limit there.

Targets (issue 8): zero errors; page reads p95 < 50 ms at 100,000 facts; walk-page and
inbox throughput at least 60 % of the reference page's; no "database is locked".
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from PIL import Image  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from benchmarks.saydo_engine import build, percentile  # noqa: E402
from gemba import create_app
from gemba.accounts import services as accounts
from gemba.extensions import db  # noqa: E402
from gemba.gaps import updates as gap_updates  # noqa: E402
from gemba.models import Fact, User  # noqa: E402

HERE = Path(__file__).resolve().parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "load test password"  # noqa: S105 (a throwaway account in a throwaway database)
WARM_UP = 2.0
MIX = {"walk": 0.4, "inbox": 0.4, "sync": 0.1, "photo": 0.1}
WRITES = {"sync": 0.5, "photo": 0.5}
PAGES = ("walk", "inbox")
EXPECTED = {"hello": 200, "reference": 200, "walk": 200, "inbox": 200, "sync": 200, "photo": 201}
P95_TARGET_MS = 50.0
RATIO_TARGET = 0.6
LOCKED = "database is locked"


# -- the client: other processes, one request in flight each ---------------------------------


@dataclass(frozen=True)
class Plan:
    """What a client process needs to build its requests."""

    port: int
    weights: dict[str, float]
    walks: tuple[str, ...]
    facts: tuple[str, ...]
    topics: int
    email: str
    token: str
    jpeg: bytes


@dataclass
class Tally:
    """One client's measurements: latencies per request type and the errors."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    client_cpu: float = 0.0  # seconds of CPU the client processes used inside the window
    server_cpu: float = 0.0  # seconds of CPU gunicorn's workers used inside the window

    def add(self, other: Tally) -> None:
        self.client_cpu += other.client_cpu
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        for kind, count in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + count
        self.samples.extend(other.samples[: max(0, 10 - len(self.samples))])


def drive(plan: Plan, seed: int, ready, go, window, results) -> None:
    """A client process: log in once, say so, wait for the window, then send requests
    (the first WARM_UP seconds uncounted) until the window closes."""
    rng = random.Random(seed)
    tally = Tally()
    try:
        cookie = login(plan.port, plan.email) if {"walk", "inbox"} & set(plan.weights) else ""
    except Exception as exc:  # a client that cannot log in still reports why
        tally.samples.append(f"client failed: {exc!r}")
        tally.errors["client"] = 1
    ready.put(True)
    go.wait()
    start, end = window[0], window[1]  # time.monotonic(): the same clock in every process
    try:
        kinds = list(plan.weights)
        weights = [plan.weights[k] for k in kinds]
        cpu_at_start = None
        while not tally.errors.get("client") and (now := time.monotonic()) < end:
            if cpu_at_start is None and now >= start:
                cpu_at_start = time.process_time()
            kind = rng.choices(kinds, weights)[0]
            request = build_request(kind, plan, cookie, rng)
            started = time.perf_counter()
            try:
                status, complete = fetch(plan.port, request)
                problem = None if complete else "body cut off"
            except OSError as exc:
                status, problem = 0, repr(exc)
            elapsed = (time.perf_counter() - started) * 1000
            if now < start or time.monotonic() > end:
                continue  # warm-up, or finished after the window closed
            if problem is None and not 200 <= status < 400:
                problem = f"HTTP {status}"
            if problem is not None:
                tally.errors[kind] = tally.errors.get(kind, 0) + 1
                if len(tally.samples) < 10:
                    tally.samples.append(f"{kind}: {problem}")
            tally.latencies.setdefault(kind, []).append(elapsed)
        if cpu_at_start is not None:
            tally.client_cpu = time.process_time() - cpu_at_start
    except Exception as exc:
        tally.samples.append(f"client failed: {exc!r}")
        tally.errors["client"] = tally.errors.get("client", 0) + 1
    results.put(tally)


def login(port: int, email: str) -> str:
    """Log in through the form once (CSRF token and all); return the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _session_cookie(response)
    conn.close()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token[1]})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        raise RuntimeError(f"login answered {response.status}")
    return _session_cookie(response)


def _session_cookie(response: http.client.HTTPResponse) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == "session":
            return rest.split(";", 1)[0]
    raise RuntimeError("no session cookie")


def build_request(kind: str, plan: Plan, cookie: str, rng: random.Random) -> bytes:
    """The raw HTTP/1.1 request for one request type, with fresh UUIDs for writes."""
    host = f"Host: 127.0.0.1:{plan.port}\r\nConnection: close\r\n"
    if kind == "hello":
        return f"GET /hello HTTP/1.1\r\n{host}\r\n".encode()
    if kind == "reference":
        return f"GET /reference/{rng.choice(plan.walks)} HTTP/1.1\r\n{host}\r\n".encode()
    if kind == "walk":
        path = f"/walks/{rng.choice(plan.walks)}"
        return f"GET {path} HTTP/1.1\r\n{host}Cookie: session={cookie}\r\n\r\n".encode()
    if kind == "inbox":
        return f"GET /review/ HTTP/1.1\r\n{host}Cookie: session={cookie}\r\n\r\n".encode()
    auth = f"Authorization: Bearer {plan.token}\r\n"
    if kind == "sync":
        body = json.dumps({"format": "gemba/v1", "records": sync_batch(plan, rng)}).encode()
        head = f"POST /api/v1/sync HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\n"
        return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    if kind == "photo":
        boundary = uuid.uuid4().hex
        body = multipart(boundary, plan.jpeg, rng.choice(plan.facts))
        head = (
            f"PUT /api/v1/photos/{uuid.uuid4()} HTTP/1.1\r\n{host}{auth}"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body
    raise ValueError(kind)


def sync_batch(plan: Plan, rng: random.Random) -> list[dict]:
    """Ten new facts on one walk, on random topics: behaviours and measurements."""
    walk = rng.choice(plan.walks)
    batch = []
    for _ in range(10):
        record = {
            "type": "fact",
            "id": str(uuid.uuid4()),
            "walk": walk,
            "topic": f"Topic {rng.randrange(plan.topics)}",
            "text": "Seen during the load test",
        }
        if rng.random() < 0.6:
            record["performed"] = rng.random() < 0.8
        else:
            record["value"], record["unit"] = round(rng.uniform(2, 40), 1), "min"
        batch.append(record)
    return batch


def multipart(boundary: str, jpeg: bytes, record: str) -> bytes:
    """A multipart body with the photo (`file`) and the fact it shows (`record`)."""
    return b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="record"\r\n\r\n',
            record.encode(),
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="photo.jpg"\r\n',
            b"Content-Type: image/jpeg\r\n\r\n",
            jpeg,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )


def fetch(port: int, request: bytes) -> tuple[int, bool]:
    """Send one request on a new connection; read to the end. (status, body complete?)"""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(262144):
            chunks.append(data)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        return 0, False
    status = int(head[9:12])
    length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    return status, length is None or int(length[1]) == len(body)


def run_clients(
    plan_args: dict, clients: int, duration: float, seed: int, server: Server
) -> tuple[Tally, float]:
    """Start the client processes, wait for them, and merge their tallies; measure the CPU
    the server's workers spend inside the counted window."""
    context = multiprocessing.get_context("spawn")  # clean processes: no app, no DB pool
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    window = context.Array("d", 2)
    plan = Plan(**plan_args)
    procs = [
        context.Process(target=drive, args=(plan, seed * 1000 + n, ready, go, window, results))
        for n in range(clients)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:  # every client has started and logged in: the window opens for all at once
        ready.get(timeout=300)
    start = time.monotonic() + WARM_UP
    window[0], window[1] = start, start + duration
    go.set()
    time.sleep(max(0.0, start - time.monotonic()))
    cpu_at_start = server.worker_cpu()
    time.sleep(max(0.0, window[1] - time.monotonic()))
    server_cpu = server.worker_cpu() - cpu_at_start
    total = Tally(server_cpu=server_cpu)
    for _ in procs:
        total.add(results.get(timeout=duration + 120))
    for proc in procs:
        proc.join()
    return total, duration


# -- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn running one app, its log in the instance folder."""

    process: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_cpu(self) -> float:
        """Seconds of CPU (user + system) used so far by the master's worker processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:  # the parent's pid
                    total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app: str, env: dict[str, str], workers: int, log: Path) -> Server:
    """Start gunicorn with sync workers on a free loopback port; wait until it answers."""
    port = free_port()
    command = [
        GUNICORN,
        "-w",
        str(workers),
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(HERE.parent),  # this checkout's gemba, whatever is installed
        "--pythonpath",
        str(HERE),
        "--error-logfile",
        "-",
        app,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _ = fetch(port, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            if status:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not answer within a minute")


def wrk_rate(port: int, path: str, connections: int, seconds: int = 5) -> float | None:
    """Requests per second wrk reaches on one path, or None without wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    out = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return float(match[1]) if match else None


# -- the data --------------------------------------------------------------------------------


def reset_postgresql(url: str) -> str:
    """Drop and recreate the public schema; return the URL with the psycopg driver."""
    url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def prepare(uri: str, folder: Path, args: argparse.Namespace) -> dict:
    """Migrate, build the data set, recompute gaps; a user with a password and a token."""
    os.environ["GEMBA_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {"SECRET_KEY": "load", "SQLALCHEMY_DATABASE_URI": uri, "GEMBA_AUTO_MIGRATE": True}
    )
    with app.app_context():
        started = time.perf_counter()
        ids = build(args.facts, args.statements, args.topics, args.seed)
        summary = gap_updates.recompute_all()
        user = db.session.get(User, ids["user_id"])
        user.set_password(PASSWORD)
        db.session.commit()
        token = accounts.create_token(user, "load test")
        facts = db.session.scalars(select(Fact.id).order_by(Fact.id).limit(500)).all()
        email = user.email
        built = time.perf_counter() - started
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # A database that has been in use has been vacuumed and analysed (autovacuum);
            # one bulk-loaded a second ago has not, and its index-only scans would visit
            # the heap for every row.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return {
        "walks": tuple(str(w) for w in ids["walk_ids"]),
        "facts": tuple(str(f) for f in facts),
        "topics": ids["topics"],
        "email": email,
        "token": token,
        "built": built,
        "gaps": summary,
    }


def jpeg_bytes(seed: int) -> bytes:
    """A 640x480 JPEG with some texture, about what a phone's compressed upload holds."""
    rng = random.Random(seed)
    image = Image.effect_noise((640, 480), 40).convert("RGB")
    image.paste((rng.randrange(256), 120, 40), (0, 0, 320, 240))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# -- the run ---------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    kind: str
    tally: Tally
    seconds: float

    @property
    def values(self) -> list[float]:
        if self.kind == "all":
            return [v for values in self.tally.latencies.values() for v in values]
        return self.tally.latencies.get(self.kind, [])

    @property
    def errors(self) -> int:
        if self.kind == "all":
            return sum(self.tally.errors.values())
        return self.tally.errors.get(self.kind, 0)

    @property
    def rate(self) -> float:
        return len(self.values) / self.seconds

    @property
    def cpu_per_request(self) -> tuple[float, float] | None:
        """Server and client CPU ms per request, for a scenario's only type or all of it."""
        total = sum(len(v) for v in self.tally.latencies.values())
        if not total or (self.kind != "all" and len(self.tally.latencies) > 1):
            return None
        return self.tally.server_cpu * 1000 / total, self.tally.client_cpu * 1000 / total


@dataclass
class Report:
    backend: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, bool]] = field(default_factory=list)

    def row(self, label: str, kind: str) -> Row:
        return next(r for r in self.rows if r.label == label and r.kind == kind)

    def rate(self, label: str, kind: str) -> float:
        return self.row(label, kind).rate

    def cpu_ratio(self, label: str, kind: str) -> float:
        """The reference page's CPU per request (server and client) over this page's: the
        throughput ratio on cores nothing else uses."""
        page, reference = self.row(label, kind), self.row("reference page", "reference")
        return sum(reference.cpu_per_request) / sum(page.cpu_per_request)


def scenario(
    report: Report,
    label: str,
    plan_args: dict,
    weights: dict,
    args,
    server: Server,
    clients: int | None = None,
) -> Tally:
    """Run one weighted scenario and add a row per request type (and one for all)."""
    tally, seconds = run_clients(
        {**plan_args, "weights": weights},
        clients or args.clients,
        args.duration,
        args.seed,
        server,
    )
    kinds = [k for k in weights if k in tally.latencies or k in tally.errors]
    for kind in kinds:
        report.rows.append(Row(label, kind, tally, seconds))
    if len(kinds) > 1:
        report.rows.append(Row(label, "all", tally, seconds))
    if "client" in tally.errors:
        report.rows.append(Row(label, "client", tally, seconds))
    for sample in tally.samples:
        report.notes.append(f"{label}: {sample}")
    print(f"  {label}: {sum(len(v) for v in tally.latencies.values()):,} requests", flush=True)
    return tally


def run_backend(backend: str, uri: str | None, args: argparse.Namespace) -> Report:
    """Everything for one database (SQLite in the instance folder if no URI)."""
    report = Report(backend)
    with tempfile.TemporaryDirectory(prefix="gemba-load-") as tmp:
        folder = Path(tmp)
        uri = uri or f"sqlite:///{folder}/gemba.db"
        print(f"{backend}: building the data set ...", flush=True)
        data = prepare(uri, folder, args)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        report.notes.append(f"load average before the scenarios: {load} (others share the cores)")
        report.notes.append(
            f"data set built in {data['built']:.0f} s: {args.facts:,} facts, "
            f"{args.statements:,} statements, {args.topics:,} topics, 200 walks"
        )
        env = {
            "GEMBA_INSTANCE_PATH": str(folder),
            "FLASK_SQLALCHEMY_DATABASE_URI": uri,
            "FLASK_SECRET_KEY": "load-test-secret",
            "FLASK_GEMBA_AUTO_MIGRATE": "false",
            # With --no-page-cache every page is built afresh: what a cache miss costs.
            "FLASK_GEMBA_PAGE_CACHE": "false" if args.no_page_cache else "true",
        }
        if args.no_page_cache:
            report.notes.append("page cache off (--no-page-cache): every page built afresh")
        plan_args = {
            "port": 0,
            "walks": data["walks"],
            "facts": data["facts"],
            "topics": data["topics"],
            "email": data["email"],
            "token": data["token"],
            "jpeg": jpeg_bytes(args.seed),
        }
        log = folder / "gunicorn.log"

        server = serve("load_reference:create_app()", env, args.workers, log)
        try:
            plan_args["port"] = server.port
            scenario(report, "hello (ceiling)", plan_args, {"hello": 1}, args, server)
            scenario(report, "reference page", plan_args, {"reference": 1}, args, server)
            for path, label in (("/hello", "hello"), (f"/reference/{data['walks'][0]}", "ref")):
                rate = wrk_rate(server.port, path, args.clients)
                if rate is not None:
                    report.notes.append(f"wrk on the {label} route: {rate:,.0f} req/s")
        finally:
            server.stop()

        server = serve("gemba:create_app()", env, args.workers, log)
        try:
            plan_args["port"] = server.port
            scenario(report, "walk page alone", plan_args, {"walk": 1}, args, server)
            scenario(report, "inbox alone", plan_args, {"inbox": 1}, args, server)
            scenario(report, "mix", plan_args, MIX, args, server)
        finally:
            server.stop()

        if backend == "SQLite" and args.locked_workers:
            server = serve("gemba:create_app()", env, args.locked_workers, log)
            try:
                plan_args["port"] = server.port
                label = f"mix, {args.locked_workers} workers"
                scenario(report, label, plan_args, MIX, args, server)
                # Only writes, two in flight per worker: every request wants the write lock.
                label = f"writes, {args.locked_workers} workers"
                writers = 2 * args.locked_workers
                scenario(report, label, plan_args, WRITES, args, server, writers)
            finally:
                server.stop()
        judge(report, server.log_text(), args)
    return report


def judge(report: Report, log: str, args: argparse.Namespace) -> None:
    """The issue's targets, each a line that says met or missed."""
    errors = sum(r.errors for r in report.rows if r.kind not in ("all",))
    report.verdicts.append((f"no errors ({errors} seen)", errors == 0))
    locked_run = f"mix, {args.locked_workers} workers"
    for row in report.rows:
        if row.kind in PAGES and row.values:
            p95 = percentile(row.values, 0.95)
            if row.label == locked_run:
                # More workers than cores, there to look for "database is locked": the p95
                # target is for the setting (2 workers on 2 cores), so only noted.
                report.notes.append(f"{row.label}, {row.kind}: p95 {p95:.1f} ms (no target)")
                continue
            report.verdicts.append(
                (
                    f"{row.label}, {row.kind}: p95 {p95:.1f} ms < {P95_TARGET_MS:g} ms",
                    p95 < P95_TARGET_MS,
                )
            )
    reference = report.rate("reference page", "reference")
    for label, kind in (("walk page alone", "walk"), ("inbox alone", "inbox")):
        ratio = report.rate(label, kind) / reference if reference else 0.0
        report.verdicts.append(
            (
                f"{kind} throughput {ratio:.2f} of the reference page's (>= {RATIO_TARGET:g})",
                ratio >= RATIO_TARGET,
            )
        )
    locked = log.count(LOCKED)
    tracebacks = log.count("Traceback")
    report.verdicts.append((f'"{LOCKED}" in the gunicorn log: {locked}', locked == 0))
    report.verdicts.append((f"tracebacks in the gunicorn log: {tracebacks}", tracebacks == 0))
    if tracebacks:
        start = log.index("Traceback")
        report.notes.append("first traceback:\n" + log[start : start + 2000])


def print_report(report: Report, args: argparse.Namespace) -> None:
    print()
    print(
        f"{report.backend}: gunicorn -k sync -w {args.workers}, {args.clients} client processes "
        f"(one request in flight each, a new connection per request), {args.duration:g} s each"
    )
    header = (
        f"{'scenario':<20} {'request':<10} {'count':>7} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'server CPU':>11} {'client CPU':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in report.rows:
        values = row.values
        if values:
            p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
            cells = f"{p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
        else:
            cells = f"{'-':>8} {'-':>8} {'-':>8}"
        cpu = row.cpu_per_request
        cpu_cells = f"{cpu[0]:>8.2f} ms {cpu[1]:>8.2f} ms" if cpu else f"{'':>11} {'':>11}"
        print(
            f"{row.label:<20} {row.kind:<10} {len(values):>7,} {row.rate:>8.1f} {cells} "
            f"{row.errors:>7} {cpu_cells}"
        )
    hello = report.rate("hello (ceiling)", "hello")
    reference = report.rate("reference page", "reference")
    print("(CPU columns: per request, inside the counted window; mixes only as a whole)")
    print(
        f"throughput, reference / hello: {reference / hello:.2f}; "
        + "; ".join(
            f"{kind} / reference: {report.rate(label, kind) / reference:.2f} measured, "
            f"{report.cpu_ratio(label, kind):.2f} by CPU per request"
            for label, kind in (("walk page alone", "walk"), ("inbox alone", "inbox"))
        )
    )
    for note in report.notes:
        print(f"  {note}")
    for text_, ok in report.verdicts:
        print(f"  [{'met' if ok else 'MISSED'}] {text_}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="PostgreSQL URL of a scratch database (schema is dropped)")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="build every page afresh (cache misses)"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--locked-workers", type=int, default=4, help="SQLite lock check; 0: skip")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    reports = []
    if not args.no_sqlite:
        reports.append(run_backend("SQLite", None, args))
    if args.pg:
        reports.append(run_backend("PostgreSQL", reset_postgresql(args.pg), args))
    for report in reports:
        print_report(report, args)
    if not all(ok for report in reports for _, ok in report.verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
