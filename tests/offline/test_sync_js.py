"""Retry timing of the phone's sync (static/offline/sync.js), run with node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import missing_tool

SYNC_JS = Path(__file__).resolve().parents[2] / "gemba" / "static" / "offline" / "sync.js"
NODE = shutil.which("node")

SCRIPT = """
import { backoff, BACKOFF_BASE_MS, BACKOFF_CAP_MS } from "./sync.mjs";
const rows = [];
for (let n = 1; n <= 12; n++) {
  rows.push([n, backoff(n, () => 0), backoff(n, () => 0.5), backoff(n, () => 0.999999)]);
}
console.log(JSON.stringify({ base: BACKOFF_BASE_MS, cap: BACKOFF_CAP_MS, rows }));
"""


@pytest.fixture
def delays(tmp_path):
    if NODE is None:
        missing_tool("node is not installed")
    shutil.copy(SYNC_JS, tmp_path / "sync.mjs")
    # Its messages come from i18n.js (no catalog under node: English), an ES module.
    shutil.copy(SYNC_JS.with_name("i18n.js"), tmp_path / "i18n.js")
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "run.mjs").write_text(SCRIPT)
    done = subprocess.run(  # noqa: S603 - node with our own files
        [NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True, timeout=30, check=True
    )
    return json.loads(done.stdout)


# The spec (docs/offline.md, "Failures, retries and duplicates"): after the n-th failure
# the ceiling is min(5 min, 2 s × 2^(n−1)), and "equal jitter" waits half of it plus a
# random half, so a draw r gives ceiling / 2 + r × ceiling / 2, rounded to the millisecond.
# Worked out by hand from that spec, never from sync.js's own formula:
#   failures  ceiling (ms)  r = 0     r = 0.5   r = 0.999999
EXPECTED = [
    (1, 2_000, 1_000, 1_500, 2_000),
    (2, 4_000, 2_000, 3_000, 4_000),
    (3, 8_000, 4_000, 6_000, 8_000),
    (4, 16_000, 8_000, 12_000, 16_000),
    (5, 32_000, 16_000, 24_000, 32_000),
    (6, 64_000, 32_000, 48_000, 64_000),
    (7, 128_000, 64_000, 96_000, 128_000),
    (8, 256_000, 128_000, 192_000, 256_000),
    (9, 300_000, 150_000, 225_000, 300_000),  # 512 s would pass the 5-minute cap
    (10, 300_000, 150_000, 225_000, 300_000),
    (11, 300_000, 150_000, 225_000, 300_000),
    (12, 300_000, 150_000, 225_000, 300_000),
]


def test_the_first_retry_waits_two_seconds_and_none_more_than_five_minutes(delays):
    assert delays["base"] == 2_000
    assert delays["cap"] == 300_000


def test_each_failure_doubles_the_wait_until_the_cap(delays):
    got = [tuple(row) for row in delays["rows"]]
    assert got == [(n, low, mid, high) for n, _ceiling, low, mid, high in EXPECTED]
