"""Server-side SVG: well-formed, escaped, labelled in words, readable without colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gemba.domain.saydo import FrequencyClaim, MeasureClaim, Observation, judge
from gemba.review import charts, experience_chart, topic_charts, verdict_chart

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - markup built by the code under test


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, 27.9, [0, 10, 20, 30]),
        (0, 24.5, [0, 5, 10, 15, 20, 25]),
        (3, 3, [3, 4, 5, 6]),
        (-2, 2, [-2, -1, 0, 1, 2]),
    ],
)
def test_nice_ticks_cover_the_range_in_round_steps(low, high, expected):
    ticks = charts.nice_ticks(low, high)
    assert ticks == pytest.approx(expected)


def test_rate_chart_draws_each_walk_with_its_interval_and_the_band_in_words():
    points = [
        topic_charts.RatePoint("Walk <1>", T0, 5, 8, 0.31, 0.86),
        topic_charts.RatePoint("Walk 2", T0 + timedelta(days=7), 9, 9, 0.70, 1.0),
    ]
    band = charts.Band("said “always”: 100%", 1.0, 1.0)
    svg = _parse(topic_charts.rate_chart("c1", points, [band], "Badge & scan"))
    assert svg.find(f"{SVG}title").text == "How often “Badge & scan” was done, per walk"
    assert "Walk <1> 5 of 8" in svg.find(f"{SVG}desc").text  # escaped, then parsed back
    assert len(svg.findall(f".//{SVG}circle")) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"5/8", "9/9", "said “always”: 100%", "20 Nov", "27 Nov"} <= set(texts)
    band_rect = svg.find(f".//{SVG}rect")
    assert band_rect.get("fill") == "url(#c1-hatch)"  # hatched, not only coloured
    assert svg.find(f".//{SVG}polyline").get("class") == "cumulative"
    assert "style" not in str(topic_charts.rate_chart("c1", points, [band], "x"))


def test_value_chart_draws_bands_and_limits():
    points = [topic_charts.ValuePoint(f"fact {i}", T0, v) for i, v in enumerate([24, 19, 22])]
    bands = [
        charts.Band("said 10 min ±20%", 8, 12),
        charts.Band("said ≤ 15 min", 15, 15, bound="<="),
    ]
    svg = _parse(topic_charts.value_chart("c2", points, bands, "min", "Changeover"))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"24", "19", "22", "said 10 min ±20%", "said ≤ 15 min", "min"} <= set(texts)
    assert [line.get("class") for line in svg.iter(f"{SVG}line")].count("bound") == 1
    assert texts[0] == "0"  # durations start at zero, so bars of time are honest


def test_the_phone_drawing_is_narrower_with_the_same_words():
    points = [
        topic_charts.RatePoint(f"Walk {i}", T0 + timedelta(days=i), 1, 2, 0.1, 0.9)
        for i in range(30)
    ]
    band = charts.Band("said “usually”", 0.7, 1.0, detail="70%–100%")
    wide = _parse(topic_charts.rate_chart("w", points, [band], "x"))
    narrow = _parse(topic_charts.rate_chart("n", points, [band], "x", narrow=True))
    assert wide.get("viewBox") == "0 0 640 300"
    assert narrow.get("viewBox") == "0 0 360 300"
    assert narrow.get("class") == "chart chart-narrow"
    texts = [t.text for t in narrow.iter(f"{SVG}text")]
    assert {"said “usually”", "70%–100%"} <= set(texts)
    assert "1/2" not in texts  # too many points to number on a phone: the table has them
    values = [topic_charts.ValuePoint("v", T0, 3.0)]
    assert (
        _parse(topic_charts.value_chart("v", values, [], "min", "y", narrow=True)).get("viewBox")
        == "0 0 360 300"
    )


def test_a_chart_without_points_still_renders():
    svg = _parse(topic_charts.rate_chart("c3", [], [charts.Band("said “never”: 0%", 0, 0)], "x"))
    assert svg.find(f"{SVG}desc").text.startswith("Claimed: said “never”: 0%")
    _parse(topic_charts.value_chart("c4", [], [], "s", "y"))


@pytest.mark.parametrize(
    ("claim", "observations"),
    [
        (FrequencyClaim("always"), [Observation(str(i), i % 2 == 0) for i in range(6)]),
        (
            MeasureClaim(10, "min"),
            [Observation(str(i), None, v, "min") for i, v in enumerate([20, 22, 25])],
        ),
        (MeasureClaim(15, "min", None, "<="), [Observation("a", None, 24, "min")]),
        (MeasureClaim(15, "min", None, ">="), [Observation("a", None, 4, "min")]),
    ],
)
def test_verdict_picture_for_every_kind_of_claim(claim, observations):
    verdict = judge(claim, observations)
    svg = _parse(verdict_chart.verdict_chart("v", verdict))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "claimed" in texts
    assert "observed" in texts


def test_no_verdict_picture_for_a_manual_link_alone():
    from gemba.domain.saydo import ManualLink

    verdict = judge(None, [], [ManualLink("f", "note")])
    assert verdict_chart.verdict_chart("v", verdict) is None


@dataclass
class _Station:
    name: str
    pain: int
    delight: int
    gap_count: int


def test_experience_chart_marks_pain_with_hatching_and_arrows():
    stations = [_Station("Gate 2", 3, 0, 1), _Station("A very long place name indeed", 0, 2, 0)]
    svg = _parse(experience_chart.experience_chart("e", stations, "Walk"))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"▼ 3", "▲ 0", "▲ 2", "▼ 0", "⚠ 1 gap", "1", "2"} <= set(texts)
    names = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "station-name"]
    # A long name on two lines of its column, shortened, the whole of it in a <title>.
    assert names == ["Gate 2", "A very long", "place name in…"]
    shortened = [t for t in svg.iter(f"{SVG}text") if t.text == "place name in…"][0]
    assert shortened.find(f"{SVG}title").text == "A very long place name indeed"
    pain = [r for r in svg.iter(f"{SVG}rect") if "pain" in r.get("class")]
    assert pain[0].get("fill") == "url(#e-hatch)"
    assert svg.get("width") == "320"  # drawn at its natural size: two places fit a phone
