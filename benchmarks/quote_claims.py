"""How well claims are read from quotes, and how fast: the table in tests/resources/quotes.json.

    .venv/bin/python benchmarks/quote_claims.py [--language en] [--runs 20] [--show 15]

Reads every quote of the table with gemba.domain.quote_claims.suggest and prints the number
of quotes, how many have an expected claim, how many claims were proposed and how many of
those equal the expected one (numbers compared as floats, so 10 equals 10.0), precision
(correct / proposed), recall (correct / quotes with a claim), topic accuracy (proposed topic
equals the expected one, no topic counting when none was expected) and the quotes it gets
wrong. The time per quote is the median over --runs passes of the whole table, after one
unmeasured pass that loads and compiles the rules. docs/quote-claims.md quotes the figures.
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

TABLE = Path(__file__).resolve().parents[1] / "tests" / "resources" / "quotes.json"


def normalised(claim: dict | None) -> dict | None:
    if claim is None:
        return None
    return {k: float(v) if isinstance(v, int | float) else v for k, v in claim.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--show", type=int, default=15)
    args = parser.parse_args()
    quotes = json.loads(TABLE.read_text(encoding="utf-8"))

    proposed = correct = expected = topics = 0
    wrong = []
    for quote in quotes:
        got = suggest(quote["text"], args.language)
        expected += quote["claim"] is not None
        proposed += got.claim is not None
        right = normalised(got.claim) == normalised(quote["claim"])
        correct += right and got.claim is not None
        topics += got.topic == quote["topic"]
        if not right:
            wrong.append((quote["text"], got.claim, quote["claim"]))

    per_quote = []
    for _ in range(args.runs):
        for quote in quotes:
            start = time.perf_counter()
            suggest(quote["text"], args.language)
            per_quote.append(time.perf_counter() - start)

    print(f"quotes            {len(quotes)}")
    print(f"with claim        {expected}")
    print(f"proposed          {proposed}")
    print(f"correct           {correct}")
    print(f"precision         {correct / proposed:.3f}" if proposed else "precision         -")
    print(f"recall            {correct / expected:.3f}" if expected else "recall            -")
    print(f"topic accuracy    {topics / len(quotes):.3f}")
    print(f"median per quote  {statistics.median(per_quote) * 1e6:.0f} µs")
    print(f"wrong claims      {len(wrong)}")
    for text, got, want in wrong[: args.show]:
        print(f"  {text!r}: proposed {json.dumps(got)}, expected {json.dumps(want)}")


if __name__ == "__main__":
    main()
