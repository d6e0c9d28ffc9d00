"""Propose a claim and a topic from what someone said, so the observer only confirms.

"We never leave the guard open for more than 5 minutes" becomes the claim
{"value": 5, "unit": "min", "comparator": "<="} on the topic "guard open". The rules
(docs/quote-claims.md) are data in claim_rules.json, one block per language; this module
and quote_numbers.py only read them. A proposal is a suggestion: when the quote is
unclear it proposes no claim rather than a wrong one, since a wrong claim makes false
gaps. English, Spanish, German and Polish have rules (quote_frequency.py reads their
negations); any other language reads as English. static/offline/quote-claims.js is the
phone's port; tests/offline/test_quote_claims_js.py holds the two equal over
tests/resources/quotes*.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gemba.domain.quote_frequency import UNCLEAR, mark_all, read_frequency
from gemba.domain.quote_numbers import (
    compiled,
    match_at,
    match_before,
    number_at,
    read_hedge,
    round_to,
    tidy,
    tokens_of,
    unit_at,
)

# A behaviour one "skips" or "forgets" is the opposite of the one performed.
INVERSE = {
    "always": "never",
    "usually": "rarely",
    "sometimes": "sometimes",
    "rarely": "usually",
    "never": "always",
}
FLIP = {"<=": ">=", ">=": "<="}
RATE = "rate"


@dataclass(frozen=True)
class Suggestion:
    """What the quote seems to claim (Gemba JSON claim) and what it is about."""

    claim: dict | None
    topic: str | None


def suggest(text: str, language: str = "en") -> Suggestion:
    """Propose a claim and a topic for a quote; a question proposes neither."""
    stripped = text.strip()
    if not stripped or stripped.endswith("?") or stripped.startswith("\u00bf"):
        return Suggestion(None, None)
    rules = compiled(language)
    tokens = tokens_of(stripped, rules)
    used = [""] * len(tokens)
    mark_all(tokens, used, rules["ignore"], "ignore")
    hedge = read_hedge(tokens, used, rules)
    word, plain, turned = read_frequency(tokens, used, rules)
    measure = _read_quantities(tokens, used, rules)
    if hedge:
        word, plain, turned = hedge, True, False
    weak = _read_weak(tokens, used, rules)
    inverted = mark_all(tokens, used, rules["negative_verbs"], "negverb")
    claim = _decide(measure, word, plain, weak, inverted != turned)
    return Suggestion(claim, _topic(tokens, used, rules))


def _decide(
    measure: dict | str | None, word: str | None, plain: bool, weak: str | None, inverted: bool
) -> dict | None:
    """Which claim the quote makes, when it has a measure and a frequency word or neither.

    A measure is checked by measurement facts, so it wins over "always"/"usually" ("we
    always finish within 10 minutes" claims <= 10 min). "never" keeps a measure only as a
    bound it already flipped ("never more than 15"). Other words ("sometimes longer than
    an hour", "not always within 10 minutes") say how often a bound holds, which no claim
    expresses: no proposal; nor does an UNCLEAR word ("no lo hacemos a veces"). A rate
    ("400 parts per hour") has no unit the engine knows.
    """
    if measure == RATE or word == UNCLEAR:
        return None
    if isinstance(measure, dict):
        if word is None or (word in ("always", "usually") and plain):
            return measure
        if word == "never" and "comparator" in measure:
            return measure
        return None
    chosen = word or weak
    if chosen is None:
        return None
    return {"frequency": INVERSE[chosen] if inverted else chosen}


def _read_weak(tokens: list[str], used: list[str], rules: dict[str, Any]) -> str | None:
    """A quantifier that implies a frequency: "everyone" (always), "nobody" (never),
    "every customer" (always); used only when the quote has no frequency word."""
    found = None
    for i, token in enumerate(tokens):
        if used[i]:
            continue
        size, word = match_at(tokens, i, rules["weak"])
        if size:
            used[i : i + size] = [f"weak:{word}"] * size
            found = found or word
        elif token in rules["every"] and i + 1 < len(tokens):
            following = tokens[i + 1]
            if not used[i + 1] and following.isalpha() and not _unit_for_one(tokens, i + 1, rules):
                used[i] = "weak:always"
                found = found or "always"
    return found


def _read_quantities(
    tokens: list[str], used: list[str], rules: dict[str, Any]
) -> dict | str | None:
    """The first quantity's measure claim (or RATE); every quantity's tokens are marked."""
    if _has_times_rate(tokens, used, rules):
        return RATE
    first: dict | str | None = None
    i = 0
    while i < len(tokens):
        found = None if used[i] else _quantity_at(tokens, i, rules)
        if found is None:
            i += 1
            continue
        claim, end = found
        if _is_rate(tokens, end, rules):
            return RATE
        start, end = _bounds(tokens, used, i, end, claim, rules)
        used[start:end] = ["qty"] * (end - start)
        first = first or claim
        i = end
    return first


def _has_times_rate(tokens: list[str], used: list[str], rules: dict[str, Any]) -> bool:
    """ "twice a day", "three times per shift": how often, not a share of the time (whose
    words are already marked: "nueve veces de cada diez")."""
    return any(
        not used[i] and token in rules["rate_times"] and _is_rate(tokens, i + 1, rules)
        for i, token in enumerate(tokens)
    )


def _is_rate(tokens: list[str], end: int, rules: dict[str, Any]) -> bool:
    """Whether the quantity ending at end is per something ("30 pallets a day")."""
    if end >= len(tokens):
        return False
    if tokens[end] in rules["per"]:
        return True
    if tokens[end] in rules["rate_articles"] and end + 1 < len(tokens):
        following = tokens[end + 1]
        return following in rules["periods"] or bool(unit_at(tokens, end + 1, rules))
    return False


def _quantity_at(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[dict, int] | None:
    """A quantity starting at i: a fixed phrase, a range, a number and unit, "an hour"."""
    if i and tokens[i - 1] in rules["labels"]:
        return None
    size, fixed = match_at(tokens, i, rules["quantity_phrases"])
    if size:
        return {"value": tidy(fixed[0]), "unit": fixed[1]}, i + size
    ranged = _range_at(tokens, i, rules)
    if ranged:
        return ranged
    number = number_at(tokens, i, rules)
    unit = unit_at(tokens, number[1], rules) if number else _unit_for_one(tokens, i, rules)
    if unit is None:
        return None
    value = number[0] if number else 1.0
    end = unit[1]
    half, _ = match_at(tokens, end, rules["plus_half"])
    return {"value": tidy(value + (0.5 if half else 0)), "unit": unit[0]}, end + half


def _unit_for_one(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[str, int] | None:
    """The unit of "an hour" or "every hour": one of it, for units an article counts
    (time, length, mass), so "a pallet" or "every call" is no quantity."""
    if _article_counts(tokens, i, rules):
        unit = unit_at(tokens, i + 1, rules)
    elif i and tokens[i - 1] in rules["every"]:
        unit = unit_at(tokens, i, rules)
    else:
        return None
    return unit if unit and unit[0] in rules["article_units"] else None


def _article_counts(tokens: list[str], i: int, rules: dict[str, Any]) -> bool:
    """ "an hour" is one hour after a verb or comparator, never after a noun ("trucks a day")."""
    if tokens[i] not in rules["one"]:
        return False
    if i == 0:
        return True
    raw = rules["raw"]
    before = tokens[i - 1]
    return (
        before in raw["stop_words"]
        or before in raw["light_verbs"]
        or before in rules["every"]
        or bool(match_before(tokens, i, rules["before"])[0])
        or bool(match_at(tokens, i - 1, rules["approximate"])[0])
    )


def _range_at(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[dict, int] | None:
    """ "between 8 and 12 minutes", "10 to 15 min", "8-12 min": the middle, and the
    tolerance that reaches both ends (10 min +-20 %)."""
    start = i + 1 if tokens[i] in rules["range_start"] else i
    low = number_at(tokens, start, rules)
    if low is None or low[1] >= len(tokens) or tokens[low[1]] not in rules["range_joiners"]:
        return None
    high = number_at(tokens, low[1] + 1, rules)
    unit = unit_at(tokens, high[1], rules) if high else None
    if high is None or unit is None or low[0] + high[0] <= 0:
        return None
    middle = (low[0] + high[0]) / 2
    tolerance = round_to(abs(high[0] - low[0]) / (low[0] + high[0]), 3)
    return {"value": tidy(middle), "unit": unit[0], "tolerance": tolerance}, unit[1]


def _bounds(
    tokens: list[str], used: list[str], start: int, end: int, claim: dict, rules: dict[str, Any]
) -> tuple[int, int]:
    """Attach the comparator around a quantity, flipped by a negation earlier in the
    clause ("never ... more than 5" is <= 5); return the span the quantity covers."""
    left = start
    while (approximate := match_before(tokens, left, rules["approximate"])[0]) and left:
        left -= approximate
    size, comparator = match_before(tokens, left, rules["before"])
    if size:
        left -= size
    else:
        size, comparator = match_at(tokens, end, rules["after"])
        end += size
    if comparator and "tolerance" not in claim:
        if _negated(tokens, used, left, rules):
            comparator = FLIP[comparator]
        claim["comparator"] = comparator
    return left, end


def _negated(tokens: list[str], used: list[str], before: int, rules: dict[str, Any]) -> bool:
    """Whether a negation stands earlier in the same clause; the "not" of "not always"
    belongs to its frequency phrase and does not count."""
    breaks = set(rules["raw"]["clause_breaks"])
    for k in range(before - 1, -1, -1):
        if tokens[k] in breaks:
            return False
        if tokens[k] in rules["negations"] and (not used[k] or "never" in used[k]):
            return True
    return False


def _topic(tokens: list[str], used: list[str], rules: dict[str, Any]) -> str | None:
    """What the quote is about: the content words left once subjects, frequency,
    quantity and function words are gone; the first verb loses its third-person -s."""
    raw = rules["raw"]
    skip = set(raw["stop_words"]) | set(raw["light_verbs"]) | rules["negations"]
    skip |= set(rules["ones"]) | set(rules["tens"]) | set(raw["approximate"])
    subjects = set(raw["subjects"])
    roles = set(raw["roles"])
    breaks = set(raw["clause_breaks"])
    skip |= breaks
    words: list[str] = []
    for i, token in enumerate(tokens):
        if token in breaks and words:
            break
        if used[i] or token in skip or token in subjects or not token[0].isalnum():
            continue
        number = token[0] in "0123456789" and token not in rules["fixed"]
        if (not words and token in roles) or (number and not _labelled(tokens, i, rules)):
            continue
        if not words and i and _verb_position(tokens, used, i - 1, subjects | roles, rules):
            token = _base_verb(token, raw)
        words.append(token)
        if len(words) == raw["topic_words"]:
            break
    return " ".join(words) or None


def _labelled(tokens: list[str], i: int, rules: dict[str, Any]) -> bool:
    return bool(i) and tokens[i - 1] in rules["labels"]


def _verb_position(
    tokens: list[str], used: list[str], k: int, subjects: set[str], rules: dict[str, Any]
) -> bool:
    """Whether the word after index k stands where a verb does: after a subject, perhaps
    with a frequency between ("everyone always wears", "the doctor typically sees")."""
    while k >= 0:
        token = tokens[k]
        if token in subjects or token in rules["negations"]:
            return True
        if not used[k].startswith(("freq", "weak")):
            return False
        k -= 1
    return False


def _base_verb(word: str, raw: dict[str, Any]) -> str:
    """ "wears" -> "wear", "carries" -> "carry"; "press" and "bus" stay as they are."""
    if word.endswith(tuple(raw["verb_endings_kept"])):
        return word
    for ending, replacement in raw["verb_endings"]:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)] + replacement
    return word
