"""Retry timing of the phone's sync (static/offline/sync.js), run with node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SYNC_JS = Path(__file__).resolve().parents[2] / "gemba" / "static" / "offline" / "sync.js"
NODE = shutil.which("node")

SCRIPT = """
import { backoff, BACKOFF_BASE_MS, BACKOFF_CAP_MS } from "./sync.mjs";
const rows = [];
for (let n = 1; n <= 12; n++) rows.push([n, backoff(n, () => 0), backoff(n, () => 0.999999)]);
console.log(JSON.stringify({ base: BACKOFF_BASE_MS, cap: BACKOFF_CAP_MS, rows }));
"""


@pytest.fixture
def delays(tmp_path):
    if NODE is None:
        pytest.skip("node is not installed")
    shutil.copy(SYNC_JS, tmp_path / "sync.mjs")
    (tmp_path / "run.mjs").write_text(SCRIPT)
    done = subprocess.run(  # noqa: S603 - node with our own files
        [NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True, timeout=30, check=True
    )
    return json.loads(done.stdout)


def test_each_failure_doubles_the_wait_until_the_cap(delays):
    base, cap = delays["base"], delays["cap"]
    for n, low, high in delays["rows"]:
        ceiling = min(cap, base * 2 ** (n - 1))
        # Equal jitter: somewhere in the upper half of the ceiling, never zero.
        assert low == ceiling // 2
        assert ceiling // 2 < high <= ceiling
    assert delays["rows"][-1][2] <= cap
    assert delays["rows"][0][1] == 1000
