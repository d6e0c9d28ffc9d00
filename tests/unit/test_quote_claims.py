"""Claims and topics proposed from quotes (gemba/domain/quote_claims.py, docs/quote-claims.md)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gemba.domain.quote_claims import Suggestion, suggest
from gemba.domain.quote_numbers import RULES_PATH, band_of
from gemba.domain.units import canonical_unit

QUOTES_PATH = Path(__file__).resolve().parents[1] / "resources" / "quotes.json"


def F(word: str) -> dict:
    return {"frequency": word}


def M(value: float, unit: str, comparator: str | None = None, tolerance=None) -> dict:
    claim: dict = {"value": value, "unit": unit}
    if comparator:
        claim["comparator"] = comparator
    if tolerance is not None:
        claim["tolerance"] = tolerance
    return claim


def normalised(claim: dict | None) -> dict | None:
    """A claim with every number as a float, so 10 and 10.0 compare equal."""
    if claim is None:
        return None
    return {k: float(v) if isinstance(v, int | float) else v for k, v in claim.items()}


def quotes() -> list[dict]:
    return json.loads(QUOTES_PATH.read_text(encoding="utf-8"))


BRIEF = [
    ("We never leave the guard open for more than 5 minutes", M(5, "min", "<="), "guard open"),
    ("Everyone always wears gloves", F("always"), "wear gloves"),
    ("A changeover takes ten minutes.", M(10, "min"), "changeover"),
    ("Never more than fifteen minutes.", M(15, "min", "<="), None),
    ("We scan our badges most of the time", F("usually"), "scan badges"),
]

# (quote, expected claim): the edges of every rule. The JS port is held to these too.
EDGES = [
    # hedges at the band edges: 0 never, 1 always, >=0.7 usually, <=0.2 rarely
    ("Seven times out of ten we start on time.", F("usually")),
    ("69% of the time we start on time.", F("sometimes")),
    ("Eight out of ten times we start on time.", F("usually")),
    ("Two times out of ten we start on time.", F("rarely")),
    ("21 percent of the time we start on time.", F("sometimes")),
    ("One time in ten we start on time.", F("rarely")),
    ("1 in every 5 orders is late.", F("rarely")),
    ("Half the time we start on time.", F("sometimes")),
    ("Three quarters of the time we start on time.", F("usually")),
    ("100% of the time we start on time.", F("always")),
    ("0% of the time we start on time.", F("never")),
    ("Eleven times out of ten we start on time.", None),
    # frequency words and their negations
    ("We don't always wear the visor.", F("usually")),
    ("We do not usually lock the cabinet.", F("sometimes")),
    ("Agents don't often escalate.", F("rarely")),
    ("We almost always wear the visor.", F("usually")),
    ("We never forget to log the temperature.", F("always")),
    ("We rarely skip the check.", F("usually")),
    ("We always forget to log the temperature.", F("never")),
    ("Nobody skips the lockout.", F("always")),
    ("Not once has anyone skipped the pre-start check.", F("always")),
    ("We don't wear gloves.", None),
    ("Everybody wears a helmet.", F("always")),
    ("No one uses the side door.", F("never")),
    ("We check every pallet.", F("always")),
    ("Never mind the noise, it's always like that.", F("always")),
    # numbers in words and digits, unit spellings
    ("It takes twenty-five minutes.", M(25, "min")),
    ("It takes twenty five minutes.", M(25, "min")),
    ("The walk is a hundred metres.", M(100, "m")),
    ("Curing takes one hundred and twenty seconds.", M(120, "s")),
    ("A box holds a dozen pieces.", M(12, "count")),
    ("It takes a couple of minutes.", M(2, "min")),
    ("It takes half an hour.", M(30, "min")),
    ("It takes an hour and a half.", M(1.5, "h")),
    ("It takes one and a half hours.", M(1.5, "h")),
    ("The coil weighs 1,500 kg.", M(1500, "kg")),
    ("The bag weighs 1,5 kg.", M(1.5, "kg")),
    ("A cycle is 2.5 min.", M(2.5, "min")),
    ("The weld takes 45secs.", M(45, "s")),
    ("It takes 3 hrs.", M(3, "h")),
    ("It weighs 2 kilos.", M(2, "kg")),
    ("It is 80 centimetres long.", M(80, "cm")),
    ("We take a 10-minute break.", M(10, "min")),
    ("A bin holds 40 pcs.", M(40, "count")),
    ("Scrap is 3 per cent.", M(3, "%")),
    ("The pump is checked every hour.", M(1, "h")),
    # ranges: the middle, with the tolerance reaching both ends
    ("It takes between 8 and 12 minutes.", M(10, "min", None, 0.2)),
    ("It takes 8-12 minutes.", M(10, "min", None, 0.2)),
    ("It takes 5 to 10 minutes.", M(7.5, "min", None, 0.333)),
    # comparators, affirmed and negated
    ("It takes more than 10 minutes.", M(10, "min", ">=")),
    ("It takes over 10 minutes.", M(10, "min", ">=")),
    ("It takes at least 10 minutes.", M(10, "min", ">=")),
    ("It takes 10 minutes or more.", M(10, "min", ">=")),
    ("It takes under 10 minutes.", M(10, "min", "<=")),
    ("It takes less than 10 minutes.", M(10, "min", "<=")),
    ("We finish within 10 minutes.", M(10, "min", "<=")),
    ("It takes up to 10 minutes.", M(10, "min", "<=")),
    ("It takes 10 minutes at most.", M(10, "min", "<=")),
    ("It takes a maximum of 10 minutes.", M(10, "min", "<=")),
    ("It takes no more than 10 minutes.", M(10, "min", "<=")),
    ("It is not more than 10 minutes.", M(10, "min", "<=")),
    ("It doesn't take more than 10 minutes.", M(10, "min", "<=")),
    ("It is no longer than 10 minutes.", M(10, "min", "<=")),
    ("The load never exceeds 500 kg.", M(500, "kg", "<=")),
    ("It is no less than 10 minutes.", M(10, "min", ">=")),
    ("It is never less than 10 minutes.", M(10, "min", ">=")),
    ("We never get it done within an hour.", M(1, "h", ">=")),
    ("It takes about 10 minutes.", M(10, "min")),
    ("It takes around 10 minutes.", M(10, "min")),
    # precedence between a frequency and a measure
    ("We always finish within 10 minutes.", M(10, "min", "<=")),
    ("We usually finish in 10 minutes.", M(10, "min")),
    ("Sometimes it takes more than an hour.", None),
    ("We don't always finish within 10 minutes.", None),
    ("It never takes an hour.", None),
    # traps
    ("Line 3 is the slowest line.", None),
    ("Press 2 runs 12 hours.", M(12, "h")),
    ("Follow SOP-12.", None),
    ("Shift 2 starts at 6:30.", None),
    ("We start at 8 o'clock.", None),
    ("The audit was on 12 March 2025.", None),
    ("We do the 5S round.", None),
    ("We ship 30 pallets a day.", None),
    ("Line 1 makes 400 parts per hour.", None),
    ("We check it twice a day.", None),
    ("The guard is annoying.", None),
    ("Do you always wear gloves?", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "claim", "topic"), BRIEF)
def test_the_briefs_examples(text, claim, topic):
    got = suggest(text)
    assert normalised(got.claim) == normalised(claim)
    assert got.topic == topic


@pytest.mark.parametrize(("text", "claim"), EDGES)
def test_edges_of_each_rule(text, claim):
    assert normalised(suggest(text).claim) == normalised(claim)


@pytest.mark.parametrize(
    ("rate", "word"),
    [
        (0, "never"),
        (0.001, "rarely"),
        (0.2, "rarely"),
        (0.2001, "sometimes"),
        (0.5, "sometimes"),
        (0.6999, "sometimes"),
        (0.7, "usually"),
        (0.8, "usually"),
        (0.999, "usually"),
        (1, "always"),
        (1.01, None),
        (-0.1, None),
    ],
)
def test_a_share_of_the_time_maps_to_the_band_containing_it(rate, word):
    assert band_of(rate) == word


def test_a_question_proposes_nothing():
    assert suggest("Do you always wear gloves?") == Suggestion(None, None)
    assert suggest("  How long does a changeover take ?  ") == Suggestion(None, None)


def test_topics_drop_subjects_and_reduce_the_first_verb():
    assert suggest("The operators always wear safety glasses.").topic == "wear safety glasses"
    assert suggest("The nurse typically checks the wristband.").topic == "check wristband"
    assert suggest("Line 3 usually stops at noon.").topic == "line 3 stops noon"
    assert suggest("We always lock the cabinet before we leave.").topic == "lock cabinet"
    assert suggest("Somebody always carries the radio.").topic == "carry radio"


def test_a_suggestion_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        suggest("We always scan").claim = None  # type: ignore[misc]


def test_an_unknown_language_reads_as_english():
    assert suggest("We always scan", "xx") == suggest("We always scan")
    assert suggest("We always scan", "") == suggest("We always scan", "en")


def test_units_use_the_engines_canonical_spellings():
    rules = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    for language in rules.values():
        for canonical, spellings in language["units"].items():
            assert canonical_unit(canonical) == canonical
            for spelling in spellings:
                # Either the engine reads it as this unit, or it does not know the spelling.
                assert canonical_unit(spelling) in (canonical, spelling.lower()), spelling
        assert set(language["article_units"]) <= set(language["units"])


def test_the_table_is_realistic_and_covers_no_claim_quotes():
    table = quotes()
    assert len(table) >= 170
    assert sum(q["claim"] is None for q in table) >= 30
    assert len({q["text"] for q in table}) == len(table)


def test_precision_and_recall_over_the_table():
    proposed = correct = expected = 0
    for quote in quotes():
        claim = suggest(quote["text"]).claim
        expected += quote["claim"] is not None
        if claim is not None:
            proposed += 1
            correct += normalised(claim) == normalised(quote["claim"])
    assert correct / proposed >= 0.9
    assert correct / expected >= 0.8
