"""The one line the engine writes under each verdict, as a phrase (gemba.domain.phrases):
English for the API and exports, the reader's language on a page. Each function returns
the phrase whose English is exactly the sentence the engine has always written."""

from __future__ import annotations

import math
from collections import Counter

from gemba.domain.phrases import N_, Nn_, Number, Phrase, Word
from gemba.domain.units import canonical_unit


def percent(fraction: float) -> int:
    """Round a fraction to a whole percentage, halves up (12.5 % shows as 13 %)."""
    share = min(max(fraction, 0.0), 1.0) if fraction == fraction else 0.0  # NaN says nothing
    return math.floor(share * 100 + 0.5)


def quantity(value: float, unit: str | None) -> Phrase | Number:
    """A value with its canonical unit ("24 min"); counts show the bare number."""
    canonical = canonical_unit(unit)
    if canonical == "count":
        return Number(value)
    return Phrase(N_("%(value)s %(unit)s"), {"value": Number(value), "unit": canonical})


def _unit(unit: str) -> str | Word:
    """A unit symbol as written everywhere; "count" is a word of the reader's language."""
    return Word(N_("count")) if unit == "count" else unit


def said(claim: Phrase) -> Phrase:
    return Phrase(N_("Said %(claim)s"), {"claim": claim})


def frequency(word: str, k: int, n: int, rate: float, low: float, high: float) -> Phrase:
    """'Said "always"; observed 11 of 15 (73%, 95% CI 48–89%)'."""
    claim = Phrase(N_('"%(word)s"'), {"word": Word(word)})
    return Phrase(
        N_("%(said)s; observed %(k)s of %(n)s (%(rate)s%%, 95%% CI %(low)s–%(high)s%%)"),
        {
            "said": said(claim),
            "k": k,
            "n": n,
            "rate": percent(rate),
            "low": percent(low),
            "high": percent(high),
        },
    )


def bound(
    comparator: str, value: float, unit: str, tolerance: float, beyond: int, n: int, worst: float
) -> tuple[Phrase, Phrase]:
    """The claim ('≤ 15 min (tolerance 10%)') and the line: 'Said ≤ 15 min; 2 of 9
    observations above (max 22 min)'. The note on excluded units is added by the caller."""
    args = {
        "symbol": "≤" if comparator == "<=" else "≥",
        "value": Number(value),
        "unit": _unit(unit),
    }
    if tolerance:
        claim = Phrase(
            N_("%(symbol)s %(value)s %(unit)s (tolerance %(tolerance)s%%)"),
            {**args, "tolerance": Number(tolerance * 100)},
        )
    else:
        claim = Phrase(N_("%(symbol)s %(value)s %(unit)s"), args)
    if comparator == "<=":
        line = N_("%(said)s; %(beyond)s of %(n)s observations above (max %(worst)s)%(note)s")
    else:
        line = N_("%(said)s; %(beyond)s of %(n)s observations below (min %(worst)s)%(note)s")
    values = {"said": said(claim), "beyond": beyond, "n": n, "worst": quantity(worst, unit)}
    return claim, Phrase(line, values)


def typical_claim(value: float, unit: str, tolerance: float) -> Phrase:
    return Phrase(
        N_("%(value)s %(unit)s ±%(tolerance)s%%"),
        {"value": Number(value), "unit": _unit(unit), "tolerance": Number(tolerance * 100)},
    )


def typical_once(claim: Phrase, mean: float, unit: str) -> Phrase:
    return Phrase(
        N_("%(said)s; observed %(mean)s once (one observation is not enough)%(note)s"),
        {"said": said(claim), "mean": quantity(mean, unit)},
    )


def typical(claim: Phrase, mean: float, unit: str, n: int, low: float, high: float) -> Phrase:
    return Phrase(
        N_("%(said)s; observed mean %(mean)s over %(n)s (95%% CI %(low)s–%(high)s)%(note)s"),
        {
            "said": said(claim),
            "mean": quantity(mean, unit),
            "n": n,
            "low": Number(low),
            "high": quantity(high, unit),
        },
    )


def with_note(line: Phrase, note: Phrase | None) -> Phrase:
    """Fill the line's note slot: nothing, or '; 2 observations in °C not comparable'."""
    return Phrase(line.template, {**line.args, "note": note or ""}, line.plural, line.count)


def excluded_note(excluded: Counter[str]) -> Phrase | None:
    """Which observations were left out because their unit is in another dimension."""
    if not excluded:
        return None
    (first_unit, first_count), *rest = sorted(excluded.items())
    parts: list[Phrase] = [
        _counted(
            Nn_("%(count)s observation in %(unit)s", "%(count)s observations in %(unit)s"),
            first_count,
            unit=_unit(first_unit),
        )
    ]
    parts += [
        Phrase(N_("%(count)s in %(unit)s"), {"count": count, "unit": _unit(unit)})
        for unit, count in rest
    ]
    listed = parts[0]
    for part in parts[1:]:
        listed = Phrase(N_("%(first)s, %(next)s"), {"first": listed, "next": part})
    return Phrase(N_("; %(excluded)s not comparable"), {"excluded": listed})


def marked(count: int) -> Phrase:
    """'1 fact' / '2 facts'."""
    return _counted(Nn_("%(count)s fact", "%(count)s facts"), count)


def _counted(forms: tuple[str, str], count: int, **args: object) -> Phrase:
    """A phrase whose form follows the count, as ngettext chooses."""
    return Phrase(forms[0], {"count": count, **args}, forms[1], count)


def manual_added(line: Phrase, count: int) -> Phrase:
    return Phrase(
        N_("%(line)s; %(marked)s marked by an observer"), {"line": line, "marked": marked(count)}
    )


def manual_only(note: str | None, count: int) -> Phrase:
    if note:
        return Phrase(N_('Marked as contradicting by an observer: "%(note)s"'), {"note": note})
    return Phrase(
        N_("Marked as contradicting by an observer (%(marked)s)"), {"marked": marked(count)}
    )


def voiced(standard: str | None, line: Phrase) -> Phrase:
    """A plan's standard is not something a person said: 'The standard (SOP-12 rev C)
    says "always"; observed 11 of 15 …' instead of 'Said "always"; …'."""
    if standard is None:
        return line
    return _replace_said(line, standard)


def _replace_said(phrase: Phrase, standard: str) -> Phrase:
    """The phrase with its "Said …" part spoken by the standard (looked for in the first
    slot, where every line of the engine keeps it)."""
    said_part = phrase.args.get("said")
    if isinstance(said_part, Phrase) and said_part.template == N_("Said %(claim)s"):
        claim = said_part.args["claim"]
        if standard:
            source = Phrase(
                N_("The standard (%(reference)s) says %(claim)s"),
                {"reference": standard, "claim": claim},
            )
        else:
            source = Phrase(N_("The standard says %(claim)s"), {"claim": claim})
        return Phrase(phrase.template, {**phrase.args, "said": source}, phrase.plural, phrase.count)
    inner = phrase.args.get("line")
    if isinstance(inner, Phrase):
        return Phrase(phrase.template, {**phrase.args, "line": _replace_said(inner, standard)})
    return phrase
