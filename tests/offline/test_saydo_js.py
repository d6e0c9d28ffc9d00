"""The phone's say-vs-do port (static/offline/saydo.js) agrees with gemba/domain/saydo.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gemba.domain.saydo import FrequencyClaim, ManualLink, MeasureClaim, Observation, judge
from gemba.domain.units import format_number
from tests.conftest import missing_tool

SAYDO_JS = Path(__file__).resolve().parents[2] / "gemba" / "static" / "offline" / "saydo.js"
NODE = shutil.which("node")


def behaviours(done: int, missed: int) -> list[dict]:
    return [{"fact_id": f"f{i:03}", "performed": i < done} for i in range(done + missed)]


def measures(unit: str, *values: float) -> list[dict]:
    return [{"fact_id": f"m{i:03}", "value": v, "unit": unit} for i, v in enumerate(values)]


# (claim as Gemba JSON, observations, manual links)
CASES = [
    ({"frequency": "always"}, behaviours(3, 0), []),
    ({"frequency": "always"}, behaviours(0, 3), []),
    ({"frequency": "always"}, behaviours(99, 1), []),
    ({"frequency": "never"}, behaviours(1, 40), []),
    ({"frequency": "never"}, behaviours(0, 5), []),
    ({"frequency": "usually"}, behaviours(1, 2), []),
    ({"frequency": "usually"}, behaviours(2, 8), []),
    ({"frequency": "usually"}, behaviours(5, 5), []),
    ({"frequency": "sometimes"}, behaviours(10, 0), []),
    ({"frequency": "sometimes"}, behaviours(0, 14), []),
    ({"frequency": "rarely"}, behaviours(6, 4), []),
    ({"frequency": "Rarely "}, behaviours(1, 30), []),
    ({"frequency": "always"}, [], []),
    ({"frequency": "always"}, measures("min", 3), []),
    ({"value": 10, "unit": "min", "tolerance": 0.2}, measures("min", 24, 26, 25), []),
    ({"value": 10, "unit": "min"}, measures("s", 600, 610, 590), []),
    ({"value": 10, "unit": "min"}, measures("min", 30), []),
    ({"value": 10, "unit": "min"}, measures("min", 8, 14), []),
    ({"value": 10, "unit": "min"}, measures("min", 12.1, 12.3, 12.2, 12.4), []),
    ({"value": 10, "unit": "min", "tolerance": 0}, measures("min", 10, 10, 10), []),
    ({"value": 10, "unit": "min"}, measures("kg", 3, 4) + measures("min", 9, 11), []),
    ({"value": 15, "unit": "min", "comparator": "<="}, measures("min", 10, 15, 16), []),
    ({"value": 15, "unit": "min", "comparator": "<="}, measures("min", 10, 15), []),
    ({"value": 15, "unit": "min", "comparator": "<=", "tolerance": 0.1}, measures("min", 16.4), []),
    ({"value": 900, "unit": "secs", "comparator": "<="}, measures("h", 0.3), []),
    ({"value": 50, "unit": "kg", "comparator": ">="}, measures("g", 49000, 51000), []),
    ({"value": 2.5, "unit": "m", "comparator": ">="}, measures("cm", 250, 260), []),
    ({"value": 0, "unit": "count"}, measures("pcs", 1, 2, 3), []),
    ({"value": 5, "unit": "widgets"}, measures("Widgets", 9, 10, 11), []),
    ({"value": 5, "unit": "widgets"}, measures("min", 9, 10), []),
    ({"value": 1000, "unit": "s"}, measures("s", 1004, 1004.5, 1003.7), []),
    ({"frequency": "always"}, behaviours(4, 0), [{"fact_id": "f001", "note": "Scanner off"}]),
    ({"frequency": "always"}, behaviours(0, 2), [{"fact_id": "x1", "note": None}]),
    (None, [], [{"fact_id": "x1", "note": "  said it\nin front of the   scanner " * 5}]),
]


def python_verdict(claim: dict | None, observations: list[dict], manual: list[dict]) -> dict | None:
    if claim is None:
        parsed = None
    elif "frequency" in claim:
        parsed = FrequencyClaim(claim["frequency"])
    else:
        parsed = MeasureClaim(
            claim["value"], claim.get("unit"), claim.get("tolerance"), claim.get("comparator")
        )
    verdict = judge(
        parsed,
        [Observation(**o) for o in observations],
        [ManualLink(**m) for m in manual],
    )
    if verdict is None:
        return None
    return {
        "contradicted": verdict.contradicted,
        "kind": verdict.kind,
        "severity": verdict.severity,
        "confidence": verdict.confidence,
        "explanation": verdict.explanation,
        "evidence": list(verdict.evidence),
        "observed": verdict.observed,
    }


def run_js(tmp_path: Path, script: str, payload) -> object:
    module = tmp_path / "saydo.mjs"  # .mjs: node reads it as an ES module, as browsers do
    shutil.copy(SAYDO_JS, module)
    # Its words come from i18n.js (no catalog under node: the server's English), an ES module.
    shutil.copy(SAYDO_JS.with_name("i18n.js"), tmp_path / "i18n.js")
    (tmp_path / "package.json").write_text('{"type": "module"}')
    runner = tmp_path / "run.mjs"
    runner.write_text(script)
    done = subprocess.run(  # noqa: S603 - node with our own files
        [NODE, str(runner)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


JUDGE_ALL = """
import { judge } from "./saydo.mjs";
import { readFileSync } from "node:fs";
const cases = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(cases.map(([c, o, m]) => judge(c, o, m))));
"""

FORMAT_ALL = """
import { formatNumber, topicKey } from "./saydo.mjs";
import { readFileSync } from "node:fs";
const { numbers, topics } = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify({ numbers: numbers.map(formatNumber), topics: topics.map(topicKey) }));
"""


@pytest.fixture
def node():
    if NODE is None:
        missing_tool("node is not installed")
    return NODE


def test_js_verdicts_match_the_server_for_every_case(node, tmp_path):
    got = run_js(tmp_path, JUDGE_ALL, CASES)
    for case, js in zip(CASES, got, strict=True):
        py = python_verdict(*case)
        if py is None:
            assert js is None, case
            continue
        assert js is not None, case
        for key in ("contradicted", "kind", "explanation", "evidence", "observed"):
            assert js[key] == py[key], (case, key, js[key], py[key])
        assert js["severity"] == pytest.approx(py["severity"], abs=1e-9), case
        assert js["confidence"] == pytest.approx(py["confidence"], abs=1e-9), case


def test_js_formats_numbers_and_folds_topics_like_the_server(node, tmp_path):
    numbers = [0, 1, 10, 24.0, 0.125, 0.375, 2.675, 1004.0, 1234.5, 99.95, 0.0001234, -3.5, 12.25]
    topics = ["Badge scan at entry", "  badge   SCAN at\tentry ", "Straße", "ÉCRAN"]
    got = run_js(tmp_path, FORMAT_ALL, {"numbers": numbers, "topics": topics})
    assert got["numbers"] == [format_number(n) for n in numbers]
    assert got["topics"] == [" ".join(t.split()).casefold() for t in topics]
