"""Topic similarity (gemba.domain.topic_similarity): near-twin topic names are found, and
different topics are kept apart."""

from __future__ import annotations

import itertools

import pytest

from gemba.domain import topic_similarity as ts
from gemba.domain.topic_similarity import (
    DUPLICATE_THRESHOLD,
    RANK_THRESHOLD,
    TopicIndex,
    normalise,
    possible_duplicates,
    rank,
    similarity,
)

SITE = ["gloves", "goggles", "guard open", "badge scan at entry", "glove box"]

# A realistic site: the intended duplicate pairs, and topics that only look alike.
TOPICS = [
    "gloves",
    "Wearing gloves",
    "badge scan at entry",
    "Badge scan at the entry",
    "safety glasses",
    "safty glasses",
    "line 3 changeover",
    "line 4 changeover",
    "Line 3 change-over",
    "forklift speed",
    "fire exit blocked",
    "glove box",
    "goggles",
    "guard open",
    "emergency stop",
    "5S audit",
]
INTENDED = {
    frozenset({"gloves", "Wearing gloves"}),
    frozenset({"badge scan at entry", "Badge scan at the entry"}),
    frozenset({"safety glasses", "safty glasses"}),
    frozenset({"line 3 changeover", "Line 3 change-over"}),
}


def test_normalise_drops_filler_and_stems_the_topic_words():
    assert normalise("Wearing the Gloves!") == ("glove",)
    assert normalise("glove use") == ("glove",)
    assert normalise("Line-3 change-over") == ("3", "changeov", "line")
    assert normalise("line 03") == normalise("LINE 3")
    assert normalise("  ") == ()
    assert normalise("the use of") == ()


def test_glove_use_offers_gloves_first():
    ranked = rank("glove use", SITE)
    assert ranked[0] == ("gloves", 100.0)
    assert "goggles" not in dict(ranked)
    assert "guard open" not in dict(ranked)
    assert "badge scan at entry" not in dict(ranked)


def test_a_narrower_topic_is_offered_but_below_the_same_one():
    ranked = dict(rank("glove use", SITE))
    assert RANK_THRESHOLD <= ranked["glove box"] < DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"), list(itertools.combinations(["wearing gloves", "gloves", "glove use"], 2))
)
def test_ways_of_naming_gloves_are_one_topic(a, b):
    assert similarity(a, b) >= DUPLICATE_THRESHOLD
    assert similarity(b, a) == similarity(a, b)


def test_gloves_are_closer_to_glove_use_than_to_goggles():
    assert similarity("gloves", "goggles") < RANK_THRESHOLD
    assert similarity("gloves", "goggles") + 40 < similarity("gloves", "glove use")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("badge scna", "badge scan at entry"),
        ("glvoes", "gloves"),
        ("safty glasses", "safety glasses"),
    ],
)
def test_typos_still_find_the_topic(query, expected):
    assert rank(query, [*SITE, "safety glasses"])[0][0] == expected


def test_typos_of_the_same_name_are_duplicates():
    assert similarity("glvoes", "gloves") >= DUPLICATE_THRESHOLD
    assert similarity("safty glasses", "safety glasses") >= DUPLICATE_THRESHOLD


def test_different_numbers_are_different_topics():
    assert similarity("line 3 changeover", "line 4 changeover") < RANK_THRESHOLD
    assert possible_duplicates(["line 3 changeover", "line 4 changeover"]) == []
    assert rank("line 3 changeover", ["line 4 changeover", "line 3 changeover"]) == [
        ("line 3 changeover", 100.0)
    ]


def test_a_number_on_one_side_is_offered_but_not_a_duplicate():
    score = similarity("line changeover", "line 3 changeover")
    assert RANK_THRESHOLD <= score < DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("gloves", "guard open"),
        ("badge scan at entry", "forklift speed"),
        ("goggles", "glove box"),
        ("fire extinguisher", "forklift speed"),
        ("emergency stop", "stop"),
        ("fire exit blocked", "5S audit"),
    ],
)
def test_unrelated_topics_score_below_the_threshold(a, b):
    assert similarity(a, b) < RANK_THRESHOLD


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_a_blank_query_offers_nothing(query):
    assert rank(query, SITE) == []
    assert TopicIndex(SITE).rank(query) == []


def test_a_query_of_filler_words_only_matches_its_exact_key():
    assert rank("The", ["the", "gloves"]) == [("the", 100.0)]
    assert similarity("of the", "the") == 0.0


def test_case_and_spaces_do_not_matter():
    assert similarity("  Badge   SCAN at entry ", "badge scan at entry") == 100.0
    ranked = rank("GLOVES ", ["wearing gloves", "gloves", "Glove use"])
    assert ranked[0] == ("gloves", 100.0)  # the exact key first, then ties by name
    assert [name for name, _ in ranked[1:]] == ["Glove use", "wearing gloves"]


def test_german_stems_and_filler():
    assert similarity("Handschuhe tragen", "Handschuh", "de") >= DUPLICATE_THRESHOLD
    assert rank("Handschuhe tragen", ["Schutzbrille", "Handschuh"], "de")[0][0] == "Handschuh"
    assert similarity("Handschuhe", "Schutzbrille", "de") < RANK_THRESHOLD


def test_spanish_stems_and_filler():
    assert similarity("uso de guantes", "guantes", "es") >= DUPLICATE_THRESHOLD
    assert similarity("uso de guantes", "gafas de seguridad", "es") < RANK_THRESHOLD


def test_polish_and_regional_language_tags():
    assert similarity("noszenie rękawic", "rękawice", "pl") >= DUPLICATE_THRESHOLD
    assert normalise("Gloves", "en-GB") == normalise("gloves", "EN") == ("glove",)


def test_an_unknown_language_compares_unstemmed_words():
    assert normalise("Les Gants", "fr") == ("gants", "les")


def test_duplicates_on_a_realistic_site_are_the_intended_pairs():
    found = possible_duplicates(TOPICS)
    assert {frozenset(pair[:2]) for pair in found} == INTENDED
    scores = [score for _, _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(DUPLICATE_THRESHOLD <= score <= 100 for score in scores)


def test_names_with_the_same_key_are_duplicates_and_repeats_are_not():
    assert possible_duplicates(["Gloves", "gloves ", "gloves ", "the", "The"]) == [
        ("Gloves", "gloves ", 100.0),
        ("the", "The", 100.0),
    ]


def test_rank_keeps_to_the_limit_and_threshold():
    names = [f"glove check {n}" for n in range(20)]
    assert len(rank("glove check 7", names, limit=3)) == 1
    assert len(rank("glove check", names, limit=3)) == 3
    assert rank("glove check", names, limit=0) == []
    assert rank("gloves", ["goggles"], threshold=0) == [("goggles", 40.0)]


def test_two_thousand_names_rank_correctly():
    areas = ["press", "paint", "weld", "assembly", "dock", "warehouse", "office", "canteen"]
    things = ["guard open", "floor markings", "spill kit", "fire extinguisher", "pallet wrap"]
    names = [f"{area} {n} {thing}" for area in areas for thing in things for n in range(50)]
    names.append("wearing gloves")
    assert len(names) == 2001
    index = TopicIndex(names)
    assert index.rank("glove use")[0] == ("wearing gloves", 100.0)
    ranked = index.rank("weld 17 spill kits")
    assert ranked[0] == ("weld 17 spill kit", 100.0)
    assert all("17" in name for name, _ in ranked)
    assert rank("paint 3 guard opne", names)[0][0] == "paint 3 guard open"


def test_stems_are_cached_per_word():
    ts._stem.cache_clear()
    normalise.cache_clear()
    normalise("gloves gloves glove")
    assert ts._stem.cache_info().misses == 2


@pytest.mark.parametrize("name", ["²", "gloves ①", "line ³ changeover", "٣ press"])
def test_digits_that_are_not_decimal_do_not_break_scoring(name):
    assert ts.similarity(name, "gloves") >= 0
    assert ts.rank(name, ["gloves", name])[0][0] == name
