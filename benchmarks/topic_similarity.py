"""Speed of topic similarity: ranking a typed name against a site's topics, and listing
likely duplicate topics.

    .venv/bin/python benchmarks/topic_similarity.py [--names 2000] [--duplicates 500]
        [--queries 200] [--runs 5] [--seed 7]

Makes synthetic but realistic topic names (an area, sometimes a line number, a thing seen
on a Gemba walk, sometimes a filler word or a typo), then measures

- `rank()` of a query against --names names, as the topic field calls it: the index is
  rebuilt on every call from the normalised names cached by earlier calls, as in a
  running server (the very first call also stems every name: printed on its own);
- `TopicIndex.rank()` of the same queries against an index built once;
- `possible_duplicates()` over --duplicates names, --runs times.

Each line shows the median and p95 wall-clock time. Targets: rank over 2,000 names well
under 20 ms; duplicates over 500 names under 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from gemba.domain.topic_similarity import (  # noqa: E402
    TopicIndex,
    normalise,
    possible_duplicates,
    rank,
)

AREAS = [
    "press",
    "paint shop",
    "weld cell",
    "assembly",
    "dock",
    "warehouse",
    "office",
    "canteen",
    "goods in",
    "packing",
    "maintenance",
    "quality lab",
]
THINGS = [
    "guard open",
    "floor markings",
    "spill kit",
    "fire extinguisher",
    "pallet wrap",
    "badge scan at entry",
    "gloves",
    "safety glasses",
    "ear plugs",
    "forklift speed",
    "changeover",
    "5S audit",
    "emergency stop",
    "eye wash station",
    "waste bins",
    "hand washing",
    "tool board",
    "kanban cards",
    "first aid kit",
    "handrail use",
]
FILLERS = ["", "", "", "wearing ", "use of ", "the "]


def typo(name: str, rng: random.Random) -> str:
    """Swap two neighbouring letters, as a thumb on a phone does."""
    i = rng.randrange(len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def topic_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        line = f" line {rng.randint(1, 12)}" if rng.random() < 0.5 else ""
        name = f"{rng.choice(FILLERS)}{rng.choice(AREAS)}{line} {rng.choice(THINGS)}"
        names.add(typo(name, rng) if rng.random() < 0.1 else name)
    return sorted(names)


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    print(f"{label:48} median {statistics.median(times) * 1000:8.2f} ms   p95 {p95 * 1000:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=int, default=2000)
    parser.add_argument("--duplicates", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    names = topic_names(args.names, rng)
    queries = [
        typo(rng.choice(names), rng) if rng.random() < 0.3 else rng.choice(names)
        for _ in range(args.queries)
    ]
    report(
        f"first rank() over {len(names)} names (stems cold)",
        timed(lambda: rank(queries[0], names), 1),
    )
    for name in queries:
        normalise(name)  # a running server has its stems cached

    it = iter(queries * 2)
    report(f"rank() over {len(names)} names", timed(lambda: rank(next(it), names), len(queries)))
    index = TopicIndex(names)
    it = iter(queries)
    report(
        f"TopicIndex.rank() over {len(names)} names",
        timed(lambda: index.rank(next(it)), len(queries)),
    )

    few = topic_names(args.duplicates, rng)
    found = possible_duplicates(few)
    report(
        f"possible_duplicates() over {len(few)} names ({len(found)} pairs)",
        timed(lambda: possible_duplicates(few), args.runs),
    )


if __name__ == "__main__":
    main()
