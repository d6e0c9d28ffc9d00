"""Words, numbers and quantities in what someone said, read with claim_rules.json.

The rules are data, one block per language, so a new language is a new block and no
new code. Everything here works on a list of lower-case tokens and a parallel list of
marks ("used"): a token that belongs to a quantity, a comparator or a frequency is
marked, so the topic is what is left. static/offline/quote-claims.js is a port of this
module and of quote_claims.py; tests/offline/test_quote_claims_js.py holds them equal.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).with_name("claim_rules.json")
Phrases = list[tuple[tuple[str, ...], Any]]

# Numbers (with a time such as 6:30 kept whole so it is never a quantity), words with
# inner apostrophes and hyphens ("don't", "sop-12", "twenty-five") and the punctuation
# that matters (clause breaks, ranges, percent).
_TOKEN = re.compile(
    r"[0-9]+(?::[0-9]+)+|[0-9]+(?:[.,][0-9]+)*[^\W\d_]*|[^\W\d_][^\W_]*(?:['\-][^\W_]+)*"
    r"|[%°?!,;.\-]"
)
_GLUED = re.compile(r"^([0-9]+(?:[.,][0-9]+)*)([^\W\d_]+)$")
_NUMBER = re.compile(r"^[0-9]+(?:[.,][0-9]+)*$")
_LEADING = re.compile(r"^[0-9]{1,3}$|^[0-9]{1,3}(?:[0-9]{3})+$")
_THOUSANDS = re.compile(r"^[0-9]{3}(?:,[0-9]+)?$")


def split_words(text: str) -> list[str]:
    """Lower-case tokens of a text, with curly apostrophes read as straight ones."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")
    return _TOKEN.findall(text)


def phrases(items: list[str]) -> Phrases:
    """Phrases as token tuples, longest first, so "almost never" wins over "never"."""
    return _by_word({"": items})


@functools.cache
def _raw() -> dict[str, Any]:
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))


@functools.cache
def compiled(language: str) -> dict[str, Any]:
    """The rules of one language as token tuples and sets, built once per process; a
    language without rules ("fr", "") reads as English, and "es-MX" as "es"."""
    rules = _raw()
    base = language.lower().replace("_", "-").split("-")[0]
    return compile_rules(rules.get(base) or rules["en"])


def _by_word(groups: dict[str, list[str]]) -> list[tuple[tuple[str, ...], Any]]:
    pairs = {tuple(split_words(p)): word for word, items in groups.items() for p in items}
    return _longest_first({phrase: word for phrase, word in pairs.items() if phrase})


def _longest_first(pairs: dict[tuple[str, ...], Any]) -> list[tuple[tuple[str, ...], Any]]:
    return sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0]))


def _valued(table: dict[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    return _longest_first({tuple(split_words(k)): v for k, v in table.items()})


def compile_rules(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn one language's JSON block into what the readers use."""
    hedges, numbers, rate = raw["hedges"], raw["numbers"], raw["rate"]
    return {
        "raw": raw,
        "contractions": {k: split_words(v) for k, v in raw["contractions"].items()},
        "fixed": set(raw["fixed_words"]),
        "ignore": phrases(raw["ignore_phrases"]),
        "frequency": _by_word(raw["frequency"]),
        "negated": _by_word(raw["negated_frequency"]),
        "negated_map": dict(_by_word(raw["negated_frequency"])),
        "split_negations": set(raw.get("split_negations", [])),
        "weak": _by_word(raw["weak_frequency"]),
        "every": set(raw["every_words"]),
        "negative_verbs": phrases(raw["negative_verbs"]),
        "negations": set(raw["negations"]),
        "times": set(hedges["times"]),
        "out_of": phrases(hedges["out_of"]),
        "in": phrases(hedges["in"]),
        "of_the_time": phrases(hedges["of_the_time"]),
        "percent": phrases(hedges["percent"]),
        "fractions": _valued(hedges["fractions"]),
        "fraction_of": set(hedges.get("fraction_of", ["of"])),
        "ones": numbers["ones"],
        "tens": numbers["tens"],
        "scales": numbers["scales"],
        "joiners": set(numbers["joiners"]),
        "tens_joiners": set(numbers.get("tens_joiners", [])),
        "scales_alone": bool(numbers.get("scales_alone")),
        "number_phrases": _valued(numbers["phrases"]),
        "one": set(numbers["one"]),
        "plus_half": phrases(numbers["plus_half"]),
        "quantity_phrases": _valued(raw["quantity_phrases"]),
        "article_units": set(raw["article_units"]),
        "units": _by_word(raw["units"]),
        "labels": set(raw["labels"]),
        "before": _by_word(raw["comparators_before"]),
        "after": _by_word(raw["comparators_after"]),
        "approximate": _by_word({"~": raw["approximate"]}),
        "range_start": set(raw["range"]["start"]),
        "range_joiners": set(raw["range"]["joiners"]),
        "per": set(rate["per"]),
        "rate_articles": set(rate["articles"]),
        "periods": set(rate["periods"]),
        "rate_times": set(rate["times"]),
        "group": raw["number_format"]["group"],
        "decimal": raw["number_format"]["decimal"],
    }


def tokens_of(text: str, rules: dict[str, Any]) -> list[str]:
    """Tokens with contractions opened ("don't" -> "do not") and "45secs" split in two;
    where thousands are grouped by a space, "1 500" is one number."""
    out: list[str] = []
    spaced = rules["group"] == " "
    for token in split_words(text):
        glued = _GLUED.match(token)
        if spaced and _THOUSANDS.match(token) and out and _LEADING.match(out[-1]):
            out[-1] += token
        elif token in rules["contractions"]:
            out.extend(rules["contractions"][token])
        elif glued and token not in rules["fixed"]:
            out.extend(glued.groups())
        else:
            out.append(token)
    return out


def match_at(tokens: list[str], i: int, table: Phrases) -> tuple[int, Any]:
    """Length and value of the longest phrase of the table starting at i (0 if none)."""
    for phrase, value in table:
        if tuple(tokens[i : i + len(phrase)]) == phrase:
            return len(phrase), value
    return 0, None


def match_before(tokens: list[str], end: int, table: Phrases) -> tuple[int, Any]:
    """Length and value of the longest phrase of the table ending just before end."""
    for phrase, value in table:
        start = end - len(phrase)
        if start >= 0 and tuple(tokens[start:end]) == phrase:
            return len(phrase), value
    return 0, None


def round_to(value: float, places: int) -> float:
    """Round half up, the same in Python and JavaScript (round() is half-even)."""
    scale = 10**places
    return math.floor(value * scale + 0.5) / scale


def tidy(value: float) -> int | float:
    """A whole number as an int, so a claim reads 10 rather than 10.0."""
    value = round_to(value, 6)
    return int(value) if value == int(value) else value


def digits_value(token: str, rules: dict[str, Any]) -> float:
    """Read "1,500" as 1500 and "1,5" or "2.5" as decimals.

    A group separator followed by exactly three digits groups thousands; any other
    separator is the decimal point, as people type on a phone whatever their locale.
    """
    parts = re.split(r"([.,])", token)
    text, decimal_seen = parts[0], False
    for sep, part in zip(parts[1::2], parts[2::2], strict=True):
        if sep == rules["group"] and len(part) == 3 and not decimal_seen:
            text += part
        elif decimal_seen:
            break
        else:
            text, decimal_seen = f"{text}.{part}", True
    return float(text)


def _small(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[float, int] | None:
    """A number word below a hundred: "nine", "twenty-five", "twenty five"."""
    token = tokens[i] if i < len(tokens) else ""
    ones, tens = rules["ones"], rules["tens"]
    if token in ones:
        return ones[token], i + 1
    head, _, tail = token.partition("-")
    if head in tens and tail in ones and ones[tail] < 10:
        return tens[head] + ones[tail], i + 1
    if token in tens:
        j = i + 1
        if j + 1 < len(tokens) and tokens[j] in rules["tens_joiners"]:
            j += 1  # "treinta y cinco"
        after = tokens[j] if j < len(tokens) else ""
        if after in ones and 0 < ones[after] < 10:
            return tens[token] + ones[after], j + 1
        return tens[token], i + 1
    return None


def number_at(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[float, int] | None:
    """A number written in digits or words starting at i, and the index after it. Where
    the rules say "scales_alone", a scale is a number by itself ("cien metros") and takes
    the number after it without a joiner ("ciento veinte", "sto dwadzieścia")."""
    if i >= len(tokens):
        return None
    size, value = match_at(tokens, i, rules["number_phrases"])
    scales = rules["scales"]
    if size:
        found: tuple[float, int] | None = (float(value), i + size)
    elif _NUMBER.match(tokens[i]):
        found = (digits_value(tokens[i], rules), i + 1)
    elif tokens[i] in rules["one"] and i + 1 < len(tokens) and tokens[i + 1] in scales:
        found = (float(scales[tokens[i + 1]]), i + 2)
    elif tokens[i] in scales and rules["scales_alone"]:
        found = (1.0, i)  # "cien", "hundert", "sto": the scale below multiplies it
    else:
        found = _small(tokens, i, rules)
    if found is None:
        return None
    number, j = found
    if j < len(tokens) and tokens[j] in scales:
        number, j = number * scales[tokens[j]], j + 1
        joined = j < len(tokens) and tokens[j] in rules["joiners"]
        if joined or rules["scales_alone"]:
            more = _small(tokens, j + 1 if joined else j, rules)
            if more:
                number, j = number + more[0], more[1]
    half, _ = match_at(tokens, j, rules["plus_half"])
    return (number + 0.5, j + half) if half else (number, j)


def unit_at(tokens: list[str], j: int, rules: dict[str, Any]) -> tuple[str, int] | None:
    """The canonical unit spelled at j ("mins" -> "min"), allowing "10-minute"."""
    if j < len(tokens) and tokens[j] == "-":
        j += 1
    size, unit = match_at(tokens, j, rules["units"])
    return (unit, j + size) if size else None


def band_of(rate: float) -> str | None:
    """The frequency word for a share of the time: 0 never, 1 always, >=0.7 usually,
    <=0.2 rarely, else sometimes. The edges go to the narrower bands' neighbours the
    engine can still check: 0.8 sits in both usually and sometimes, and reads usually."""
    if rate < 0 or rate > 1:
        return None
    if rate == 0:
        return "never"
    if rate == 1:
        return "always"
    if rate >= 0.7:
        return "usually"
    return "rarely" if rate <= 0.2 else "sometimes"


def _share(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[float, int] | None:
    """A share of the time at i: "nine times out of ten", "95% of the time", "half the time"."""
    size, fraction = match_at(tokens, i, rules["fractions"])
    if size:
        of = 1 if i + size < len(tokens) and tokens[i + size] in rules["fraction_of"] else 0
        tail, _ = match_at(tokens, i + size + of, rules["of_the_time"])
        return (float(fraction), i + size + of + tail) if tail else None
    first = number_at(tokens, i, rules) or _one_of(tokens, i, rules)
    if first is None:
        return None
    part, j = first
    pct, _ = match_at(tokens, j, rules["percent"])
    if pct:
        tail, _ = match_at(tokens, j + pct, rules["of_the_time"])
        return (part / 100, j + pct + tail) if tail else None
    j += 1 if j < len(tokens) and tokens[j] in rules["times"] else 0
    link, _ = match_at(tokens, j, rules["out_of"])
    link = link or match_at(tokens, j, rules["in"])[0]
    whole = number_at(tokens, j + link, rules) if link else None
    if whole is None or whole[0] == 0:
        return None
    k = whole[1]
    k += 1 if k < len(tokens) and tokens[k] in rules["times"] else 0
    return part / whole[0], k


def _one_of(tokens: list[str], i: int, rules: dict[str, Any]) -> tuple[float, int] | None:
    """An article that counts one before "out of": "una de cada diez", "einer von zehn"."""
    if tokens[i] not in rules["one"]:
        return None
    link = match_at(tokens, i + 1, rules["out_of"])[0] or match_at(tokens, i + 1, rules["in"])[0]
    return (1.0, i + 1) if link else None


def read_hedge(tokens: list[str], used: list[str], rules: dict[str, Any]) -> str | None:
    """The first share-of-the-time hedge, as a frequency word; its tokens are marked."""
    for i in range(len(tokens)):
        if used[i] or (i and tokens[i - 1] in rules["labels"]):
            continue
        share = _share(tokens, i, rules)
        word = band_of(share[0]) if share else None
        if share and word:
            for k in range(i, share[1]):
                used[k] = f"freq:{word}"
            return word
    return None
