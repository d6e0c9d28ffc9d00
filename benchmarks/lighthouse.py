"""Lighthouse on the offline capture shell: mobile profile, logged in, scores printed.

    .venv/bin/python benchmarks/lighthouse.py [--path /app ...] [--runs 3]
        [--lighthouse node_modules/.bin/lighthouse] [--keep report.json]

Starts Gemba on a free port of localhost with a new SQLite instance in a temporary
folder, fills it with `flask demo`, logs in as the demo user through the login form,
then runs Lighthouse (npm `lighthouse`, default mobile profile with simulated
throttling) against the system Chromium (CHROME_PATH, default /usr/bin/chromium),
passing the session cookie with --extra-headers, on /app (the walk list) and on the
newest demo walk's timeline. Without --lighthouse it runs `npx --yes lighthouse@12`.
Prints the median score of each category over --runs per page and exits 1 when one
is under its target (issue 7): performance >= 90, accessibility >= 95, best
practices >= 95.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "gemba-demo-walk"  # noqa: S105 - `flask demo`'s documented default


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "gemba", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
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
    with opener.open(base + "/login") as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if token is None:
        raise SystemExit("No CSRF token on the login page.")
    form = urllib.parse.urlencode(
        {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    with opener.open(base + "/login", data=form) as response:
        if "/login" in response.url:
            raise SystemExit("Logging in failed.")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def first_walk(base: str, cookie: str) -> str:
    """The id of the newest walk, to audit its timeline."""
    url = base + "/api/v1/walks?limit=1"
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - ours
    with urllib.request.urlopen(request) as response:  # noqa: S310 - our own server
        return json.load(response)["items"][0]["id"]


def lighthouse(command: list[str], url: str, cookie: str, out: Path) -> dict[str, int]:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(
        [
            *command,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility,best-practices",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        check=True,
    )
    report = json.loads(out.read_text())
    me = [
        r["statusCode"]
        for r in report["audits"]["network-requests"]["details"]["items"]
        if r["url"].endswith("/app/me")
    ]
    if me != [200]:  # the audit must see a logged-in user's app, not the login prompt
        raise SystemExit(f"/app/me answered {me} during the audit: the cookie did not work.")
    return {name: round(c["score"] * 100) for name, c in report["categories"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--path",
        action="append",
        help="page to audit; repeatable (default: /app and the first demo walk's timeline)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lighthouse", help="path to the lighthouse CLI (default: npx)")
    parser.add_argument("--keep", type=Path, help="copy the last JSON report here")
    args = parser.parse_args()
    command = [args.lighthouse] if args.lighthouse else [shutil.which("npx") or "npx"]
    if not args.lighthouse:
        command += ["--yes", "lighthouse@12"]

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "GEMBA_INSTANCE_PATH": folder, "FLASK_RATELIMIT_ENABLED": "false"}
        flask(env, "demo", "--email", DEMO_EMAIL, "--password", DEMO_PASSWORD)
        port = free_port()
        base = f"http://localhost:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "gemba", "run", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base + "/login")
            cookie = log_in(base)
            paths = args.path or ["/app", f"/app/walks/{first_walk(base, cookie)}"]
            results = {}
            for path in paths:
                runs = []
                for run in range(args.runs):
                    report = Path(folder) / f"{len(results)}-{run}.json"
                    scores = lighthouse(command, base + path, cookie, report)
                    print(
                        f"{path} run {run + 1}: " + ", ".join(f"{k} {v}" for k, v in scores.items())
                    )
                    runs.append(scores)
                    if args.keep:
                        shutil.copy(report, args.keep)
                results[path] = runs
        finally:
            server.terminate()
            server.wait(10)
    failed = False
    for path, runs in results.items():
        print(f"Lighthouse 12, mobile profile, {path}, median of {args.runs}:")
        for name, target in TARGETS.items():
            median = statistics.median(r[name] for r in runs)
            ok = median >= target
            failed |= not ok
            print(f"  {name:15} {median:>5.0f}  (target >= {target}) {'ok' if ok else 'LOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
