"""Speed of every analyst page at 100,000 or 1,000,000 facts, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/review_pages.py [--size 100k|1m] [--runs N] [--seed 7]
        [--pg postgresql://127.0.0.1:5432/gemba_scale_bench] [--no-sqlite]

Builds the data set of benchmarks/scale_data.py (`--size 100k`: 100,000 facts, 10,000
statements, 2,000 topics, 200 walks, 1 site; `--size 1m`: 1,000,000 facts, 100,000
statements, 20,000 topics, 2,000 walks, 10 sites; with plans, triage history and actions)
in a migrated SQLite database in a temporary folder, and with --pg in that PostgreSQL
database too, whose public schema is DROPPED and recreated first: only a scratch
database (its name must contain "bench" or "scratch"). PostgreSQL is vacuumed and
analysed after the build, as autovacuum would have done by then.

Then it requests each page with the Flask test client as a logged-in analyst, two
unmeasured warm-ups and then --runs times (default 25 at 100k, 10 at 1m), and prints the
median and p95 server time, the SQL statements of one request, the target (< 100 ms
median at 100k, < 250 ms at 1m) and PASS or FAIL. The page cache is off
(GEMBA_PAGE_CACHE = False, CACHE_TYPE = "NullCache"): the figures are the server's work,
not cache hits. The trends pages keep the figures of finished periods in the database
(gemba/trends/snapshots.py), as they do in production: the warm-ups store them, and each
timed request counts the current period and the walks. The line "trends, all sites,
recounted" shows the price of a write that changed every site's past (all history versions
raised before each request), for information. The exit status is 0 when every page
answered 200, whatever the figures (this is a report); a page that errors prints its URL
and status and makes it 1.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sqlalchemy import event, func, make_url, select, text, update  # noqa: E402

from benchmarks.load import reset_postgresql  # noqa: E402
from benchmarks.saydo_engine import percentile  # noqa: E402
from benchmarks.scale_data import SIZES, build  # noqa: E402
from gemba import create_app
from gemba.extensions import db  # noqa: E402
from gemba.models import Fact, Gap, Persona, Site, TrendVersion, Walk  # noqa: E402

TARGET_MS = {"100k": 100.0, "1m": 250.0}
# The trends page right after a write changed every site's past (each request first raises
# every site's history version, untimed): every finished period is counted afresh, as on
# the first request after a late sync. A report line, not one of the targets.
RECOUNTED = "trends, all sites, recounted"
RUNS = {"100k": 25, "1m": 10}


class PageError(Exception):
    pass


def pages(site_ids: list) -> dict[str, str]:
    """The URLs to time, on the first site's data where a page is about one thing."""
    site_id = site_ids[0]
    top = db.session.execute(
        select(Gap.id, Gap.topic_id)
        .where(Gap.site_id == site_id)
        .order_by(Gap.score.desc(), Gap.id)
        .limit(1)
    ).one()
    walk_id = db.session.scalar(
        select(Walk.id).where(Walk.site_id == site_id).order_by(Walk.started_at.desc()).limit(1)
    )
    persona_id = db.session.scalar(
        select(Persona.id).where(Persona.site_id == site_id).order_by(Persona.name).limit(1)
    )
    topic_name = db.session.scalar(select(func.min(Fact.topic_id)).where(Fact.walk_id == walk_id))
    topic_key = db.session.scalar(text("SELECT key FROM topics WHERE id = :t"), {"t": topic_name})
    return {
        "inbox, first page": "/review/",
        "inbox, filtered by topic": f"/review/?topic={topic_key}&status=all",
        "gap page (strongest gap)": f"/review/gaps/{top.id}",
        "topic view (its topic)": f"/review/topics/{top.topic_id}",
        "topics list": "/review/topics?sort=gaps",
        "persona empathy map": f"/review/personas/{persona_id}",
        "walk experience map": f"/review/walks/{walk_id}/experience",
        "site experience map": f"/review/sites/{site_id}/experience",
        "walk report": f"/review/walks/{walk_id}/report",
        "actions board": "/review/actions",
        "trends, all sites": "/review/trends/",
        RECOUNTED: "/review/trends/",
        "trends, one site": f"/review/trends/?site={site_id}",
        "trends CSV": "/review/trends.csv",
    }


def forget_kept_trends(app) -> None:
    """Raise every site's history version, as a write that changed each site's past does."""
    with app.app_context():
        db.session.execute(update(TrendVersion).values(version=TrendVersion.version + 1))
        db.session.commit()
        db.session.remove()


def measure(client, url: str, runs: int, engine, before=None) -> tuple[list[float], int]:
    """Milliseconds per GET (after two warm-ups), and the SQL statements of one request;
    `before` runs ahead of each request, untimed."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for _ in range(2):
        response = client.get(url)
        response.get_data()
        if response.status_code != 200:
            raise PageError(f"{url} answered {response.status_code}")
    times = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(runs):
            if before is not None:
                before()
            statements.clear()
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise PageError(f"{url} answered {response.status_code}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return times, len(statements)


def run_backend(name: str, uri: str, args) -> dict:
    """Build the data set, then time every page on one database."""
    with tempfile.TemporaryDirectory(prefix="gemba-bench-") as folder:
        os.environ["GEMBA_INSTANCE_PATH"] = folder
        uri = uri or f"sqlite:///{folder}/gemba.db"
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "SQLALCHEMY_DATABASE_URI": uri,
                "GEMBA_AUTO_MIGRATE": True,
                "RATELIMIT_ENABLED": False,
                "GEMBA_PAGE_CACHE": False,
                "CACHE_TYPE": "NullCache",
            }
        )
        with app.app_context():
            print(f"{name}: building the {args.size} data set ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            ids = build(SIZES[args.size], args.seed)
            built = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":  # as autovacuum would have by now
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("VACUUM ANALYZE")
                    )
            gaps = db.session.scalar(select(func.count()).select_from(Gap))
            urls = pages(ids["site_ids"])
            sites = db.session.scalar(select(func.count()).select_from(Site))
            engine = db.engine
            db.session.remove()
        print(f"{name}: built in {built:.0f} s; timing pages ...", file=sys.stderr, flush=True)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids["session_id"]
            session["_fresh"] = True
        gc.collect()
        gc.freeze()  # as wsgi.py does after start-up
        results, errors = [], []
        try:
            for label, url in urls.items():
                print(f"  {label}: {url}", file=sys.stderr, flush=True)
                try:
                    before = (lambda: forget_kept_trends(app)) if label == RECOUNTED else None
                    found = measure(client, url, args.runs, engine, before)
                    results.append((label, url, *found))
                except PageError as error:
                    errors.append(str(error))
                    results.append((label, url, None, 0))
        finally:
            gc.unfreeze()
            with app.app_context():
                db.engine.dispose()
    return {
        "name": name,
        "built": built,
        "gaps": gaps,
        "sites": sites,
        "results": results,
        "errors": errors,
    }


def report(result: dict, args) -> tuple[int, int]:
    """Print one database's figures; return (passed, failed)."""
    target = TARGET_MS[args.size]
    scale = SIZES[args.size]
    print(
        f"\n{result['name']}, --size {args.size}: {scale.describe()}; built and judged in "
        f"{result['built']:.0f} s; {result['gaps']:,} gaps; page cache off "
        f"(GEMBA_PAGE_CACHE=False, CACHE_TYPE=NullCache)"
    )
    print(f"{'page':<30} {'runs':>4} {'median':>10} {'p95':>10} {'SQL':>4}  target")
    passed = failed = 0
    for label, url, times, queries in result["results"]:
        if times is None:
            failed += 1
            print(f"{label:<30}  ERROR {url}")
            continue
        median = statistics.median(times)
        ok = median < target
        verdict = "PASS" if ok else "FAIL"
        if label == RECOUNTED:
            verdict = "(report only)"
        else:
            passed, failed = passed + ok, failed + (not ok)
        print(
            f"{label:<30} {len(times):>4} {median:>7.1f} ms {percentile(times, 0.95):>7.1f} ms "
            f"{queries:>4}  < {target:g} ms {verdict}"
        )
    return passed, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument(
        "--runs", type=int, help="measured requests per page (25 at 100k, 10 at 1m)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", help="PostgreSQL URL of a scratch database (schema is dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    args.runs = args.runs or RUNS[args.size]
    if args.pg:
        name = make_url(args.pg).database or ""
        if not any(word in name for word in ("bench", "scratch")):
            parser.error(f"--pg drops the schema of {name!r}: name a scratch database (*bench*)")
    results = [] if args.no_sqlite else [run_backend("SQLite", "", args)]
    if args.pg:
        results.append(run_backend("PostgreSQL", reset_postgresql(args.pg), args))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; server time via the Flask test client")
    passed = failed = 0
    for result in results:
        p, f = report(result, args)
        passed, failed = passed + p, failed + f
    errors = [e for r in results for e in r["errors"]]
    print(f"\n{passed} PASS, {failed} FAIL" + (f", {len(errors)} pages errored" if errors else ""))
    for error in errors:
        print(f"ERROR: {error}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
