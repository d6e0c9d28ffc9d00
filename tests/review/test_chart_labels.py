"""Every word on every chart lies inside its picture and clear of the others.

Each chart builder draws awkward inputs: every frequency word at once, long claims such
as "said 12 min ±20%", a value of 40 under the unit "min", a unit too long for its
margin, huge and negative numbers, points too close to number, long place names. Each
<text> gets a box two ways: estimated from its characters as the builders lay out with
(`gemba.review.chart_text`), and measured by Chromium (getBBox, in the SVG's own units:
the truth). No box may leave the viewBox or overlap another, and the estimate must hold
what Chromium draws, so the server-side layout is on the safe side.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from gemba.domain.saydo import (
    FREQUENCY_BANDS,
    FREQUENCY_WORDS,
    FrequencyClaim,
    MeasureClaim,
    Observation,
    judge,
)
from gemba.review import chart_text, charts, experience_chart, topic_charts, verdict_chart

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
CSS = Path(__file__).parents[2] / "gemba" / "static" / "css"
TOPIC = "Badge scan at the entry gate of the north hall, night shift included"


def _frequency_bands() -> list[charts.Band]:
    bands = []
    for word in FREQUENCY_WORDS:
        low, high = FREQUENCY_BANDS[word]
        span = charts.pct(low) if low == high else f"{charts.pct(low)}–{charts.pct(high)}"
        bands.append(charts.Band(f"said “{word}”", low, high, detail=span))
    return bands


def _claims(unit: str) -> list[charts.Band]:
    said = [
        (12, None, None),  # "said 12 min ±20%"
        (15, "<=", None),
        (1234.5, ">=", 0.1),
        (40, None, 0.05),
    ]
    statements = [
        SimpleNamespace(claim_value=v, claim_unit="min", claim_comparator=c, claim_tolerance=t)
        for v, c, t in said
    ]
    return [topic_charts._claim_band(s, unit) for s in statements]


def _rates(n: int) -> list[topic_charts.RatePoint]:
    return [
        topic_charts.RatePoint(f"Walk {i}", T0 + timedelta(hours=i), 12, 12, 0.74, 1.0)
        for i in range(n)
    ]


def _values(values: list[float]) -> list[topic_charts.ValuePoint]:
    return [
        topic_charts.ValuePoint(f"fact {i}", T0 + timedelta(days=i), v)
        for i, v in enumerate(values)
    ]


@dataclass
class _Station:
    name: str
    pain: int
    delight: int
    gap_count: int


def _charts() -> dict[str, str]:
    """Awkward drawings of every chart, by name."""
    found = {}
    for narrow in (False, True):
        kind = "narrow" if narrow else "wide"
        rate, value = topic_charts.rate_chart, topic_charts.value_chart
        found[f"rate-{kind}"] = rate(f"r-{kind}", _rates(12), _frequency_bands(), TOPIC, narrow)
        found[f"rate-one-{kind}"] = rate(
            f"r1-{kind}", _rates(1), _frequency_bands()[:1], TOPIC, narrow
        )
        forty = _values([40, 38, 41, 12, 12.5, 13, 40, 40])
        found[f"values-{kind}"] = value(f"v-{kind}", forty, _claims("min"), "min", TOPIC, narrow)
        long_unit = "said 12 min ±20%, as written on the board by the line"
        found[f"long-unit-{kind}"] = value(f"u-{kind}", forty, [], long_unit, TOPIC, narrow)
        huge = _values([1e12, -1e12, 3.5e11, 0])
        found[f"huge-{kind}"] = value(f"h-{kind}", huge, _claims("s"), "s", TOPIC, narrow)
        close = _values([7.25] * 12)
        found[f"close-{kind}"] = value(f"c-{kind}", close, _claims("h"), "h", TOPIC, narrow)
    found |= _verdicts()
    stations = [
        _Station("Incoming goods inspection and quarantine area", 1234, 0, 12),
        _Station("WWWWWWWWWWWWWWWWWWWWWWWW", 0, 999, 1),
        _Station("Gate 2", 3, 2, 0),
    ]
    found["experience"] = experience_chart.experience_chart("e", stations, TOPIC)
    found["experience-one"] = experience_chart.experience_chart("e1", stations[:1], TOPIC)
    return {name: str(markup) for name, markup in found.items()}


def _verdicts() -> dict[str, object]:
    minutes = [Observation(str(i), None, v, "min") for i, v in enumerate([20, 22, 25, 40])]
    judged = {
        "verdict-always": judge(
            FrequencyClaim("always"), [Observation(str(i), False) for i in range(3)]
        ),
        "verdict-mean": judge(MeasureClaim(12, "min"), minutes),
        "verdict-limit": judge(MeasureClaim(15, "min", None, "<="), minutes),
        "verdict-floor": judge(MeasureClaim(40, "min", None, ">="), minutes[:1]),
    }
    found = {name: verdict_chart.verdict_chart(name, v) for name, v in judged.items()}
    bar = verdict_chart.interval_bar
    found["claimed-at-the-edge"] = bar(
        "edge",
        band=(0.0, 0.01),
        interval=(0.9, 1.0),
        point=0.99,
        domain=(0.0, 1.0),
        fmt=charts.pct,
        label="x",
    )
    found["long-unit-bar"] = bar(
        "lu",
        band=(9.6, 14.4),
        interval=(15.4, 27.9),
        point=21.7,
        domain=(0.0, 40.0),
        fmt=lambda v: f"{v:g}",
        label="x",
        unit="said 12 min ±20%, as written on the board",
    )
    return found


CHARTS = _charts()


def _estimated(markup: str) -> tuple[float, float, list[tuple[str, chart_text.Box]]]:
    root = ET.fromstring(markup)  # noqa: S314 - markup built by the code under test
    _, _, width, height = (float(n) for n in root.get("viewBox").split())
    boxes = []
    for text in root.iter(f"{SVG}text"):
        box = chart_text.text_box(
            text.text or "",
            float(text.get("x")),
            float(text.get("y")),
            text.get("class", ""),
            text.get("text-anchor"),
        )
        boxes.append((text.text or "", box))
    return width, height, boxes


def _problems(width: float, height: float, boxes) -> list[str]:
    found = [
        f"{t!r} outside {width:g}x{height:g}: {b}" for t, b in boxes if not b.inside(width, height)
    ]
    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            if box.overlaps(other_box):
                found.append(f"{text!r} over {other!r}: {box} / {other_box}")
    return found


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_label_is_inside_the_picture_and_clear_of_the_others(name):
    problems = _problems(*_estimated(CHARTS[name]))
    assert not problems, "\n".join(problems)


def _texts(name: str, css: str | None = None) -> list[ET.Element]:
    root = ET.fromstring(CHARTS[name])  # noqa: S314 - markup built by the code under test
    return [t for t in root.iter(f"{SVG}text") if css is None or css in t.get("class", "")]


def test_the_awkward_words_are_drawn_whole_or_with_their_whole_in_a_title():
    said = _texts("values-narrow", "band-note")
    words = {t.text for t in said} | {t.find(f"{SVG}title").text for t in said if len(t)}
    assert "said 12 min ±20%" in words
    (unit,) = _texts("long-unit-narrow", "unit")
    assert unit.text.endswith("…")
    assert unit.find(f"{SVG}title").text.startswith("said 12 min ±20%")
    edge = {t.text for t in _texts("claimed-at-the-edge")}
    assert {"claimed", "observed"} <= edge


MEASURE = """() => [...document.querySelectorAll('svg.chart')].map(svg => ({
  name: svg.dataset.name,
  width: svg.viewBox.baseVal.width,
  height: svg.viewBox.baseVal.height,
  texts: [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    return {text: t.firstChild ? t.firstChild.nodeValue : '', x0: b.x, y0: b.y,
            x1: b.x + b.width, y1: b.y + b.height};
  }),
}))"""


@pytest.mark.browser
def test_chromium_draws_every_label_inside_and_apart(browser):
    """The truth: Chromium's boxes, with the app's CSS, inside and apart; and the
    estimate the builders lay out with holds each of them (to a pixel)."""
    style = (CSS / "gemba.css").read_text() + (CSS / "review.css").read_text()
    svgs = "".join(
        markup.replace("<svg ", f'<svg data-name="{name}" width="900" ', 1)
        for name, markup in CHARTS.items()
    )
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><style>{style}</style><body class='review'>{svgs}")
        drawn = page.evaluate(MEASURE)
    finally:
        page.close()
    assert len(drawn) == len(CHARTS)
    problems, loose = [], []
    for chart in drawn:
        boxes = [
            (t["text"], chart_text.Box(t["x0"], t["y0"], t["x1"], t["y1"])) for t in chart["texts"]
        ]
        problems += [
            f"{chart['name']}: {p}" for p in _problems(chart["width"], chart["height"], boxes)
        ]
        _, _, estimated = _estimated(CHARTS[chart["name"]])
        for (text, real), (_, guess) in zip(boxes, estimated, strict=True):
            if real.x0 < guess.x0 - 1 or real.x1 > guess.x1 + 1:
                loose.append(f"{chart['name']}: {text!r} drawn {real}, estimated {guess}")
    assert not problems, "\n".join(problems)
    assert not loose, "\n".join(loose)
