"""Speed of the say-vs-do engine at 100,000 or 1,000,000 facts, next to a plain-sqlite3 floor.

    .venv/bin/python benchmarks/saydo_engine.py [--size 100k|1m] [--runs 3] [--writes 200]
        [--seed 7] [--pg postgresql://127.0.0.1:5432/gemba_engine_bench] [--no-sqlite]
        [--facts N --statements N --topics N]  (overrides of the preset)

Builds the data set of benchmarks/scale_data.py without its review extras (`--size 100k`:
100,000 facts, 10,000 statements, 2,000 topics, 200 walks, 1 site; `--size 1m`: 1,000,000
facts, 100,000 statements, 20,000 topics, 2,000 walks, 10 sites) with Core bulk inserts in
a migrated SQLite database in a temporary folder, and with --pg in that PostgreSQL
database too, whose public schema is DROPPED first: only a scratch database (its name
must contain "bench" or "scratch"). Then, on each database, it measures

- the full recompute, `recompute_all()` plus commit, from an empty gaps table ("cold")
  and again with every gap already current ("warm"), --runs times each; target <= 0.5 s
  at 100k, <= 5 s at 1m (median);
- one new fact: --writes single-fact saves through `records.write` (validation, topic
  lookup, insert, gap refresh, commit), each on a random topic of a random site, after a
  few unmeasured warm-up saves; target <= 20 ms median. The time inside
  `gap_updates.refresh` is reported on its own line.

The floor, measured in the same run on the SQLite file with the `sqlite3` module alone (no
SQLAlchemy): read the statements' claim columns and the facts' (topic_id, id, performed,
value, unit), judge each statement with `gemba.domain.saydo.judge` (the same claim on a
topic judged once, the cycle collector paused, as the engine does), write the contradicted
ones into a temporary table with executemany, commit. For one new fact: read one topic's
facts and statements, judge, write one row, commit (median over --writes topics). Each
figure is printed with the floor and the ratio to it.

Each line shows wall-clock time (median, p95, max) and the median CPU time of this process
(SQLite runs in it too; PostgreSQL does not); the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sqlalchemy import delete, func, make_url, select, text  # noqa: E402

from benchmarks.scale_data import SIZES, Scale, _bulk  # noqa: E402, F401 (others import _bulk here)
from benchmarks.scale_data import build as build_scale  # noqa: E402
from gemba import create_app
from gemba.capture import records  # noqa: E402
from gemba.domain.saydo import (  # noqa: E402
    FrequencyClaim,
    ManualLink,
    MeasureClaim,
    Observation,
    judge,
)
from gemba.extensions import db  # noqa: E402
from gemba.gaps import updates as gap_updates
from gemba.models import Gap, User  # noqa: E402

RECOMPUTE_TARGET_S = {"100k": 0.5, "1m": 5.0}
INCREMENTAL_TARGET_MS = 20.0
WALKS = 200
WARM_UP = 10


def build(facts: int, statements: int, topics: int, seed: int) -> dict:
    """One site's data set of these sizes, gaps not computed (benchmarks/load.py uses it)."""
    ids = build_scale(
        Scale(facts, statements, topics, WALKS, 1), seed, extras=False, recompute=False
    )
    return {**ids, "user_id": ids["admin_id"]}


class Clock:
    """Wall-clock and CPU time of one measured step, in the unit asked for."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall.append((time.perf_counter() - self._wall) * self.scale)
        self.cpu.append((time.process_time() - self._cpu) * self.scale)

    def drop_first(self, count: int) -> None:
        del self.wall[:count], self.cpu[:count]


def time_recompute(runs: int, cold: bool) -> tuple[Clock, dict]:
    """Seconds per recompute_all() + commit, from an empty or an up-to-date gaps table."""
    clock, summary = Clock(1.0), {}
    for _ in range(runs):
        if cold:
            db.session.execute(delete(Gap))
            db.session.commit()
        db.session.expunge_all()
        with clock:
            summary = gap_updates.recompute_all()
    return clock, summary


def time_incremental(ids: dict, writes: int, seed: int) -> tuple[Clock, Clock]:
    """Milliseconds per single-fact records.write, and of that inside gap_updates.refresh."""
    rng = random.Random(seed + 1)
    actor = db.session.get(User, ids["admin_id"])
    total, inside = Clock(1000.0), Clock(1000.0)
    original = gap_updates.refresh

    def timed_refresh(topic_ids, statement_ids):
        with inside:
            return original(topic_ids, statement_ids)

    gap_updates.refresh = timed_refresh
    try:
        for _ in range(writes + WARM_UP):
            site = rng.randrange(len(ids["walks_by_site"]))
            record = {
                "type": "fact",
                "id": str(uuid.uuid4()),
                "walk": str(rng.choice(ids["walks_by_site"][site])),
                "topic": f"Topic {rng.choice(ids['topics_by_site'][site])}",
                "text": "Seen again",
            }
            if rng.random() < 0.6:
                record["performed"] = rng.random() < 0.8
            else:
                record["value"], record["unit"] = round(rng.uniform(2, 40), 1), "min"
            with total:
                result = records.write(actor, [record])
            assert result.results[0].status == "created", result.results[0]
    finally:
        gap_updates.refresh = original
    total.drop_first(WARM_UP)  # the first saves warm caches and are not counted
    inside.drop_first(WARM_UP)
    return total, inside


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 200 values is the 190th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# -- the plain-sqlite3 floor --------------------------------------------------------------------

_FLOOR_STATEMENTS = (
    "SELECT id, topic_id, claim_frequency, claim_value, claim_unit, claim_tolerance,"
    " claim_comparator FROM statements"
)
_FLOOR_FACTS = (
    "SELECT topic_id, id, performed, value, unit FROM facts"
    " WHERE (performed IS NOT NULL OR value IS NOT NULL)"
)
_FLOOR_LINKS = "SELECT statement_id, fact_id, note FROM contradictions"
_FLOOR_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS floor_gaps (statement_id TEXT PRIMARY KEY, kind TEXT,"
    " severity REAL, confidence REAL, score REAL, explanation TEXT, evidence TEXT,"
    " observed INTEGER, stats TEXT)"
)


def _floor_judge(statements, facts, links) -> list[tuple]:
    """Judge each statement as the engine does (a shared verdict per topic and claim)."""
    behaviours: dict[int, list[Observation]] = defaultdict(list)
    measurements: dict[int, list[Observation]] = defaultdict(list)
    for topic, fact_id, performed, value, unit in facts:
        if performed is not None:
            behaviours[topic].append(Observation(fact_id, bool(performed)))
        if value is not None:
            measurements[topic].append(Observation(fact_id, None, value, unit))
    manual: dict[str, list[ManualLink]] = defaultdict(list)
    for statement_id, fact_id, note in links:
        manual[statement_id].append(ManualLink(fact_id, note))
    cache: dict = {}
    out = []
    for sid, topic, frequency, value, unit, tolerance, comparator in statements:
        if frequency:
            claim, found = FrequencyClaim(frequency), behaviours
        elif value is not None:
            claim, found = MeasureClaim(value, unit, tolerance, comparator), measurements
        else:
            continue
        observations = found.get(topic, ()) if topic is not None else ()
        if sid in manual:
            verdict = judge(claim, observations, manual[sid])
        else:
            key = (topic, claim)
            if key not in cache:
                cache[key] = judge(claim, observations)
            verdict = cache[key]
        if verdict is not None and verdict.contradicted:
            out.append(
                (
                    sid,
                    verdict.kind,
                    verdict.severity,
                    verdict.confidence,
                    verdict.severity * verdict.confidence,
                    verdict.explanation,
                    json.dumps(verdict.evidence),
                    verdict.observed,
                    json.dumps(verdict.stats, default=str),
                )
            )
    return out


def _floor_write(con: sqlite3.Connection, rows: list[tuple]) -> None:
    con.execute("DELETE FROM floor_gaps")
    con.executemany("INSERT INTO floor_gaps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()


def floor_full(path: str, runs: int) -> tuple[list[float], int]:
    """Seconds per read-judge-write of everything with sqlite3 alone; contradicted count."""
    con = sqlite3.connect(path)
    con.execute(_FLOOR_TABLE)
    times, count = [], 0
    for _ in range(runs):
        gc.disable()  # as recompute_all() does: its many small objects form no cycles
        try:
            started = time.perf_counter()
            statements = con.execute(_FLOOR_STATEMENTS).fetchall()
            facts = con.execute(_FLOOR_FACTS)
            links = con.execute(_FLOOR_LINKS).fetchall()
            rows = _floor_judge(statements, facts, links)
            _floor_write(con, rows)
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
        count = len(rows)
    con.close()
    return times, count


def floor_one_topic(path: str, topic_ids: list[int]) -> list[float]:
    """Milliseconds per one topic's read-judge-write (one row) with sqlite3 alone."""
    con = sqlite3.connect(path)
    con.execute(_FLOOR_TABLE)
    statements_q = _FLOOR_STATEMENTS + " WHERE topic_id = ?"
    facts_q = _FLOOR_FACTS + " AND topic_id = ?"
    links_q = (
        "SELECT c.statement_id, c.fact_id, c.note FROM contradictions c"
        " JOIN statements s ON s.id = c.statement_id WHERE s.topic_id = ?"
    )
    times = []
    for topic in topic_ids:
        started = time.perf_counter()
        statements = con.execute(statements_q, (topic,)).fetchall()
        facts = con.execute(facts_q, (topic,))
        links = con.execute(links_q, (topic,)).fetchall()
        rows = _floor_judge(statements, facts, links)
        row = rows[0] if rows else (str(topic), "none", 0, 0, 0, "", "[]", 0, "{}")
        con.execute("INSERT OR REPLACE INTO floor_gaps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        con.commit()
        times.append((time.perf_counter() - started) * 1000)
    con.close()
    return times


# -- running and reporting ----------------------------------------------------------------------


def run_backend(name: str, uri: str, scale: Scale, args) -> dict:
    """Build, then time the recomputes and the one-fact writes on one database (and the
    sqlite3 floor on the SQLite file)."""
    with tempfile.TemporaryDirectory(prefix="gemba-bench-") as folder:
        os.environ["GEMBA_INSTANCE_PATH"] = folder
        path = f"{folder}/gemba.db"
        uri = uri or f"sqlite:///{path}"
        app = create_app(
            {"SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": uri, "GEMBA_AUTO_MIGRATE": True}
        )
        out: dict = {"name": name}
        with app.app_context():
            print(f"{name}: building {scale.describe()} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            ids = build_scale(scale, args.seed, extras=False, recompute=False)
            out["built"] = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":  # as autovacuum would have by now
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("VACUUM ANALYZE")
                    )
            sqlite = db.engine.dialect.name == "sqlite"
            if sqlite:
                print(f"{name}: the sqlite3 floor ...", file=sys.stderr, flush=True)
                out["floor_full"], out["floor_gaps"] = floor_full(path, args.runs)
                rng = random.Random(args.seed + 2)
                topics = [t + 1 for r in ids["topics_by_site"] for t in r]
                out["floor_one"] = floor_one_topic(
                    path, [rng.choice(topics) for _ in range(args.writes)]
                )
            print(f"{name}: recompute, cold and warm ...", file=sys.stderr, flush=True)
            out["cold"], out["summary"] = time_recompute(args.runs, cold=True)
            out["warm"], _ = time_recompute(args.runs, cold=False)
            out["gaps"] = db.session.scalar(select(func.count()).select_from(Gap))
            print(f"{name}: one new fact ...", file=sys.stderr, flush=True)
            out["total"], out["inside"] = time_incremental(ids, args.writes, args.seed)
            db.session.remove()
            db.engine.dispose()
    return out


def report(result: dict, floor: dict | None, scale: Scale, args) -> tuple[int, int]:
    """Print one database's figures with the floor; return (passed, failed)."""
    target_s = RECOMPUTE_TARGET_S.get(args.size, RECOMPUTE_TARGET_S["1m"])
    print(
        f"\n{result['name']}, --size {args.size}: {scale.describe()}; built in "
        f"{result['built']:.0f} s; {result['gaps']:,} gaps "
        f"({result['summary']['statements']:,} statements judged)"
    )
    floor_s = floor_ms = None
    if floor is not None:
        floor_s = statistics.median(floor["floor_full"])
        floor_ms = statistics.median(floor["floor_one"])
        print(
            f"plain-sqlite3 floor (this run, SQLite file): read + judge + write "
            f"{floor['floor_gaps']:,} contradicted: {_fmt(floor_s)} s; one topic: "
            f"{_fmt(floor_ms)} ms"
        )
    print(
        f"{'measure':<33} {'runs':>4} {'median':>9} {'p95':>9} {'max':>9} "
        f"{'CPU median':>11}  target          floor, ratio"
    )
    rows = [
        ("full recompute, empty gaps table", result["cold"], "s", target_s, floor_s),
        ("full recompute, gaps current", result["warm"], "s", target_s, floor_s),
        ("one new fact: records.write", result["total"], "ms", INCREMENTAL_TARGET_MS, floor_ms),
        ("  of which gap_updates.refresh", result["inside"], "ms", None, floor_ms),
    ]
    passed = failed = 0
    for label, clock, unit, target, floor_value in rows:
        median = statistics.median(clock.wall)
        verdict = ""
        if target is not None:
            ok = median <= target
            passed, failed = passed + ok, failed + (not ok)
            verdict = f"<= {target:g} {unit} " + ("PASS" if ok else "FAIL")
        ratio = ""
        if floor_value:
            ratio = f"floor {_fmt(floor_value)} {unit}, ratio {median / floor_value:.1f}x"
        figures = [median, percentile(clock.wall, 0.95), max(clock.wall)]
        print(
            f"{label:<33} {len(clock.wall):>4} "
            + " ".join(f"{_fmt(v):>6} {unit:<2}" for v in figures)
            + f" {_fmt(statistics.median(clock.cpu)):>8} {unit:<2}  {verdict:<15} {ratio}"
        )
    return passed, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--facts", type=int, help="override the preset's facts")
    parser.add_argument("--statements", type=int, help="override the preset's statements")
    parser.add_argument("--topics", type=int, help="override the preset's topics")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", help="PostgreSQL URL of a scratch database (schema is dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    scale = SIZES[args.size]
    overrides = {k: getattr(args, k) for k in ("facts", "statements", "topics")}
    scale = dataclasses.replace(scale, **{k: v for k, v in overrides.items() if v})
    if args.pg:
        name = make_url(args.pg).database or ""
        if not any(word in name for word in ("bench", "scratch")):
            parser.error(f"--pg drops the schema of {name!r}: name a scratch database (*bench*)")
    from benchmarks.load import reset_postgresql  # load.py imports this module

    load_before = os.getloadavg()[0]
    results = [] if args.no_sqlite else [run_backend("SQLite", "", scale, args)]
    if args.pg:
        results.append(run_backend("PostgreSQL", reset_postgresql(args.pg), scale, args))
    floor = results[0] if results and "floor_full" in results[0] else None
    print(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    passed = failed = 0
    for result in results:
        p, f = report(result, floor, scale, args)
        passed, failed = passed + p, failed + f
    if floor is None:
        print("(no plain-sqlite3 floor: it is measured on the SQLite file, and --no-sqlite)")
    print(f"\n{passed} PASS, {failed} FAIL")


def _fmt(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 10 else f"{value:.1f}"


if __name__ == "__main__":
    main()
