"""How well claims are read from quotes, and how fast: one quote table per language.

    .venv/bin/python benchmarks/quote_claims.py [--language en] [--runs 20] [--show 15]

The tables are tests/resources/quotes.json (English) and quotes_<language>.json (es, de,
pl). For each language (all, or the one --language names) reads every quote of its table
with gemba.domain.quote_claims.suggest and prints the number of quotes, how many have an
expected claim, how many claims were proposed and how many of those equal the expected one
(numbers compared as floats, so 10 equals 10.0), precision (correct / proposed), recall
(correct / quotes with a claim), topic accuracy (proposed topic equals the expected one,
over the quotes whose expected topic the table gives; no topic counting when none was
expected) and the quotes it gets wrong. The time per quote is the median over --runs
passes of the whole table, after one unmeasured pass that loads and compiles the rules.
A summary line per language closes the output. docs/performance.md quotes the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from gemba.domain.quote_claims import suggest  # noqa: E402

RESOURCES = Path(__file__).resolve().parents[1] / "tests" / "resources"
TABLES = {
    "en": RESOURCES / "quotes.json",
    "es": RESOURCES / "quotes_es.json",
    "de": RESOURCES / "quotes_de.json",
    "pl": RESOURCES / "quotes_pl.json",
}


def normalised(claim: dict | None) -> dict | None:
    if claim is None:
        return None
    return {k: float(v) if isinstance(v, int | float) else v for k, v in claim.items()}


def table(language: str) -> list[dict]:
    return json.loads(TABLES[language].read_text(encoding="utf-8"))


def score(quotes: list[dict], language: str) -> dict:
    """Counts, precision, recall and topic accuracy of the parser over one table."""
    proposed = correct = expected = topics = with_topic = 0
    wrong = []
    for quote in quotes:
        got = suggest(quote["text"], language)
        expected += quote["claim"] is not None
        proposed += got.claim is not None
        right = normalised(got.claim) == normalised(quote["claim"])
        correct += right and got.claim is not None
        if "topic" in quote:
            with_topic += 1
            topics += got.topic == quote["topic"]
        if not right:
            wrong.append((quote["text"], got.claim, quote["claim"]))
    return {
        "quotes": len(quotes),
        "expected": expected,
        "proposed": proposed,
        "correct": correct,
        "precision": correct / proposed if proposed else None,
        "recall": correct / expected if expected else None,
        "topics": topics / with_topic if with_topic else None,
        "wrong": wrong,
    }


def median_time(quotes: list[dict], language: str, runs: int) -> float:
    per_quote = []
    for _ in range(runs):
        for quote in quotes:
            start = time.perf_counter()
            suggest(quote["text"], language)
            per_quote.append(time.perf_counter() - start)
    return statistics.median(per_quote)


def figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(language: str, runs: int, show: int) -> tuple[dict, float]:
    quotes = table(language)
    result = score(quotes, language)
    seconds = median_time(quotes, language, runs)
    print(f"== {language} ({TABLES[language].name})")
    print(f"quotes            {result['quotes']}")
    print(f"with claim        {result['expected']}")
    print(f"proposed          {result['proposed']}")
    print(f"correct           {result['correct']}")
    print(f"precision         {figure(result['precision'])}")
    print(f"recall            {figure(result['recall'])}")
    print(f"topic accuracy    {figure(result['topics'])}")
    print(f"median per quote  {seconds * 1e6:.0f} µs")
    print(f"wrong claims      {len(result['wrong'])}")
    for text, got, want in result["wrong"][:show]:
        print(f"  {text!r}: proposed {json.dumps(got)}, expected {json.dumps(want)}")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=sorted(TABLES), default=None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--show", type=int, default=15)
    args = parser.parse_args()
    languages = [args.language] if args.language else list(TABLES)
    summary = [(language, *report(language, args.runs, args.show)) for language in languages]
    print("\nlanguage  quotes  with claim  precision  recall  per quote")
    for language, result, seconds in summary:
        print(
            f"{language:<8}  {result['quotes']:>6}  {result['expected']:>10}  "
            f"{figure(result['precision']):>9}  {figure(result['recall']):>6}  "
            f"{seconds * 1e6:>6.0f} µs"
        )


if __name__ == "__main__":
    main()
