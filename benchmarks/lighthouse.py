"""Lighthouse on the offline capture app: mobile profile, logged in, scores and weight printed.

    .venv/bin/python benchmarks/lighthouse.py [--path /app ...] [--runs 3]
        [--lighthouse node_modules/.bin/lighthouse] [--keep DIR] [--timeout 180]
        [--retries 1] [--commit REF]

Starts Gemba under gunicorn on a free port of localhost with a new SQLite instance in a
temporary folder, fills it with `flask demo`, logs in as the demo user through the login
form (with its CSRF token), then runs Lighthouse against the system Chromium (CHROME_PATH,
default /usr/bin/chromium) with its default mobile profile (simulated throttling, storage
reset before each run, so every run is a first load), passing the session cookie with
--extra-headers. The pages, all of the capture app (routes in gemba/static/offline/app.js):
the walk list /app, the newest demo walk's timeline /app/walks/<id> and its fact form
/app/walks/<id>/new/fact. With --commit it serves that commit's tree (from `git archive`)
rather than the working tree, so edits not yet committed stay out of the figures.

Lighthouse is the one pinned in package.json (`npm ci` installs it into node_modules; 12.2.3,
since Lighthouse 13 needs Node 22). For each page it prints the median score of each
category over --runs, every audit that failed in a run (Lighthouse's own rule: a score under
0.9) and the bytes transferred (compressed, headers included) from the
network-requests audit, which records the page's requests, not the service worker's
precache. Audits Lighthouse could not run are listed apart from those that failed (12.2.3
cannot read Chromium 156's frame trace events, so six trace audits error: `--lighthouse`
with a later 12.x runs them). It exits 1 when a median score is under its target or the
first load of /app is over budget.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
FIRST_LOAD_BUDGET = 100 * 1024  # bytes over the wire for /app, as tests/offline/test_worker.py
PASS = 0.9  # Lighthouse's report shows an audit scored under this as failed
SCORED = ("binary", "numeric", "metricSavings")  # not informative, manual, not applicable
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "gemba-demo-walk"  # noqa: S105 - `flask demo`'s documented default


class LighthouseFailed(Exception):
    """A run that ended without a report (a timeout, or Lighthouse's own error)."""


@dataclass
class Run:
    """What one Lighthouse run of one page found."""

    scores: dict[str, int]
    failing: dict[str, str]  # audit id -> title (and its value, where it has one)
    errors: dict[str, str]  # audit id -> title and why Lighthouse could not run it
    warnings: list[str]
    transferred: int  # bytes, compressed, headers included
    requests: int
    version: str


@dataclass
class Page:
    path: str
    runs: list[Run] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server answers `url`; fails at once if the server has exited."""
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            raise SystemExit(f"The server exited with {server.returncode} before answering.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def log_in(base: str) -> str:
    """The Cookie header of a session logged in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if token is None:
        raise SystemExit("No CSRF token on the login page.")
    form = urllib.parse.urlencode(
        {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    with opener.open(base + "/login", data=form, timeout=30) as response:
        if "/login" in response.url:
            raise SystemExit("Logging in failed.")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def demo_walk(base: str, cookie: str) -> str:
    """The newest walk still in progress (one a form can add to), else the newest."""
    url = base + "/api/v1/walks?limit=50"
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - ours
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - ours
        walks = json.load(response)["items"]
    if not walks:
        raise SystemExit("`flask demo` made no walk.")
    open_walks = [w for w in walks if w["status"] == "in_progress"]
    return (open_walks or walks)[0]["id"]


def failing_audits(report: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Audits of the three categories that the report shows as failed (id -> title and
    value), and those Lighthouse could not run (id -> title and error)."""
    failing, errors = {}, {}
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            mode, score = audit["scoreDisplayMode"], audit["score"]
            if mode == "error":
                errors[ref["id"]] = f"{audit['title']}: {audit.get('errorMessage')}"
            elif mode in SCORED and score is not None and score < PASS:
                value = audit.get("displayValue")
                failing[ref["id"]] = audit["title"] + (f" — {value}" if value else "")
    return failing, errors


def read_report(report: dict) -> Run:
    # Lighthouse records the page's requests (not the service worker's own precache).
    requests = report["audits"]["network-requests"]["details"]["items"]
    me = [r["statusCode"] for r in requests if urllib.parse.urlsplit(r["url"]).path == "/app/me"]
    if me != [200]:  # the audit must see a logged-in user's app, not the login prompt
        console = report["audits"]["errors-in-console"]["details"].get("items", [])
        raise SystemExit(
            f"/app/me answered {me or 'nothing'} during the audit: the cookie did not work "
            "or the app did not start. Console errors:\n"
            + "\n".join(f"  {c.get('source')}: {c.get('description')}" for c in console)
        )
    failing, errors = failing_audits(report)
    return Run(
        scores={n: round(report["categories"][n]["score"] * 100) for n in CATEGORIES},
        failing=failing,
        errors=errors,
        warnings=report.get("runWarnings", []),
        transferred=sum(r.get("transferSize") or 0 for r in requests),
        requests=len(requests),
        version=report["lighthouseVersion"],
    )


def end_chromium(debug_port: int) -> None:
    """Kill the Chromium that a timed-out Lighthouse left, found by its own debugging port."""
    flag = f"--remote-debugging-port={debug_port}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if flag in argv:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)


def lighthouse(command: list[str], url: str, cookie: str, out: Path, timeout: float) -> Run:
    """One Lighthouse run of `url`, its JSON report kept at `out`."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    debug_port = free_port()
    process = subprocess.Popen(
        [
            *command,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--port={debug_port}",
            "--max-wait-for-load=60000",
        ],
        env=env,
        start_new_session=True,  # its own process group, so a timeout ends all of it
    )
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        end_chromium(debug_port)
        raise LighthouseFailed(f"Lighthouse took more than {timeout:.0f} s on {url}.") from None
    if process.returncode != 0:
        raise LighthouseFailed(f"Lighthouse failed on {url} (exit {process.returncode}).")
    return read_report(json.loads(out.read_text()))


def check_out(commit: str, folder: Path) -> Path:
    """The tree of `commit` in `folder`, so the figures are of committed code only."""
    tree = subprocess.run(
        ["git", "archive", "--format=tar", commit],  # noqa: S607 - git from PATH
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tree)) as archive:
        archive.extractall(folder, filter="data")
    return folder


def audit(command: list[str], url: str, cookie: str, out: Path, args) -> Run:
    """A Lighthouse run, tried again up to --retries times when it ends without a report
    (Lighthouse 12 sometimes loses a trace: NO_NAVSTART, NO_FCP)."""
    for attempt in range(args.retries + 1):
        try:
            return lighthouse(command, url, cookie, out, args.timeout)
        except LighthouseFailed as error:
            if attempt == args.retries:
                raise SystemExit(str(error)) from None
            print(f"{error} Trying again.", file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def start_server(env: dict, source: Path, port: int, log: Path) -> subprocess.Popen:
    """Gemba under gunicorn, as the README runs it, logging to `log`."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{port}",
                "gemba:create_app()",
            ],
            env=env,
            cwd=source,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM (gunicorn stops its workers), then SIGKILL to the group if it lingers."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def _collect(runs: list[Run], attribute: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for run in runs:
        for audit_id, text in getattr(run, attribute).items():
            found.setdefault(audit_id, []).append(text)
    return found


def summarise(pages: list[Page]) -> bool:
    """Print each page's medians, bytes and failing audits; True when all targets are met."""
    ok = True
    for page in pages:
        runs = page.runs
        print(f"\n{page.path}  (Lighthouse {runs[0].version}, mobile, median of {len(runs)})")
        for name in CATEGORIES:
            median = statistics.median(r.scores[name] for r in runs)
            met = median >= TARGETS[name]
            ok &= met
            spread = ", ".join(str(r.scores[name]) for r in runs)
            print(
                f"  {name:15} {median:>5.0f}  target >= {TARGETS[name]} "
                f"{'ok' if met else 'LOW'}  (runs: {spread})"
            )
        transferred = statistics.median(r.transferred for r in runs)
        line = f"  transferred     {kb(transferred)} in {runs[0].requests} requests"
        if page.path.rstrip("/") == "/app":
            within = transferred < FIRST_LOAD_BUDGET
            ok &= within
            line += f" (first load, budget {kb(FIRST_LOAD_BUDGET)}: {'ok' if within else 'OVER'})"
        print(line)
        failing = _collect(runs, "failing")
        print(f"  failing audits  {len(failing) or 'none'}")
        for audit_id, titles in sorted(failing.items()):
            print(f"    {titles[-1]}  [{audit_id}, {len(titles)}/{len(runs)} runs]")
        errors = _collect(runs, "errors")
        if errors:
            print(f"  not run ({len(errors)}): Lighthouse failed on them, not the page")
            for audit_id, texts in sorted(errors.items()):
                print(f"    {texts[-1][:160]}  [{audit_id}, {len(texts)}/{len(runs)} runs]")
        for warning in sorted({w for r in runs for w in r.warnings}):
            print(f"  warning: {warning[:200]}")
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--path",
        action="append",
        help="page to audit, {walk} for the demo walk's id; repeatable "
        "(default: /app, /app/walks/{walk}, /app/walks/{walk}/new/fact)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lighthouse", help=f"the lighthouse CLI (default: {LIGHTHOUSE})")
    parser.add_argument("--keep", type=Path, help="copy every JSON report into this folder")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per Lighthouse run")
    parser.add_argument("--retries", type=int, default=1, help="for a run without a report")
    parser.add_argument(
        "--commit", help="audit the code of this commit (default: the working tree as it is)"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    command = [args.lighthouse or str(LIGHTHOUSE)]
    if shutil.which(command[0]) is None:
        raise SystemExit(f"No Lighthouse at {command[0]}: run `npm ci` first.")
    paths = args.path or ["/app", "/app/walks/{walk}", "/app/walks/{walk}/new/fact"]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    # SIGTERM (a CI timeout, say) unwinds like Ctrl-C, so the server is stopped below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        env = {
            **os.environ,
            "GEMBA_INSTANCE_PATH": str(instance),
            "FLASK_RATELIMIT_ENABLED": "false",
        }
        source = ROOT
        if args.commit:
            source = check_out(args.commit, Path(folder) / "source")
            env["PYTHONPATH"] = str(source)  # ahead of the editable install of the work tree
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "gemba", "demo"],
            env=env,
            cwd=source,
            check=True,
            capture_output=True,
            timeout=300,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(folder) / "server.log"
        server = start_server(env, source, port, log)
        try:
            wait_for(base + "/login", server)
            cookie = log_in(base)
            walk = demo_walk(base, cookie)
            pages = [Page(p.format(walk=walk)) for p in paths]
            for number, page in enumerate(pages):
                for run in range(args.runs):
                    out = Path(folder) / f"page{number}-run{run + 1}.json"
                    result = audit(command, base + page.path, cookie, out, args)
                    scores = ", ".join(f"{k} {v}" for k, v in result.scores.items())
                    print(f"{page.path} run {run + 1}: {scores}", flush=True)
                    page.runs.append(result)
                    if args.keep:
                        shutil.copy(out, args.keep / out.name)
        except BaseException:
            if log.exists():
                sys.stderr.write(log.read_text(errors="replace")[-4000:])
            raise
        finally:
            stop_server(server)
    return 0 if summarise(pages) else 1


if __name__ == "__main__":
    sys.exit(main())
