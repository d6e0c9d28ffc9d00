"""The phone's claim reader (static/offline/quote-claims.js) agrees with quote_claims.py,
in every language of claim_rules.json."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gemba.domain.quote_claims import suggest
from gemba.domain.quote_numbers import RULES_PATH
from tests.conftest import missing_tool
from tests.unit.test_quote_claims import BRIEF, EDGES, quotes
from tests.unit.test_quote_claims_languages import CASES, table

QUOTE_CLAIMS_JS = (
    Path(__file__).resolve().parents[2] / "gemba" / "static" / "offline" / "quote-claims.js"
)
NODE = shutil.which("node")

SUGGEST_ALL = """
import { suggest } from "./quote-claims.mjs";
import { readFileSync } from "node:fs";
const { rules, texts, languages } = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(texts.map((text, i) => suggest(text, rules, languages[i]))));
"""


@pytest.fixture
def node():
    if NODE is None:
        missing_tool("node is not installed")
    return NODE


def run_js(tmp_path: Path, texts: list[str], languages: list[str] | None = None) -> list[dict]:
    module = tmp_path / "quote-claims.mjs"  # .mjs: node reads it as an ES module, as browsers do
    shutil.copy(QUOTE_CLAIMS_JS, module)
    runner = tmp_path / "run.mjs"
    runner.write_text(SUGGEST_ALL)
    rules = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    done = subprocess.run(  # noqa: S603 - node with our own files
        [NODE, str(runner)],
        input=json.dumps({"rules": rules, "texts": texts, "languages": languages or []}),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def test_js_proposes_what_the_server_proposes_for_every_quote(node, tmp_path):
    texts = [q["text"] for q in quotes()]
    texts += [text for text, *_ in BRIEF + EDGES]
    for text, js in zip(texts, run_js(tmp_path, texts), strict=True):
        py = suggest(text)
        assert js == {"claim": py.claim, "topic": py.topic}, text


def test_js_proposes_what_the_server_proposes_in_every_language(node, tmp_path):
    pairs = [(q["text"], language) for language in ("es", "de", "pl") for q in table(language)]
    pairs += [(text, language) for language, text, _ in CASES]
    pairs += [("We always scan badges", "xx"), ("Siempre escaneamos", "es-MX"), ("immer", "")]
    texts, languages = [t for t, _ in pairs], [lang for _, lang in pairs]
    answers = run_js(tmp_path, texts, languages)
    for text, language, js in zip(texts, languages, answers, strict=True):
        py = suggest(text, language)
        assert js == {"claim": py.claim, "topic": py.topic}, (language, text)
