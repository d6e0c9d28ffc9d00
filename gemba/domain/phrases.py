"""Sentences the engine writes, kept as an English template and its values, so each reader
gets them in their own language while the engine stays free of Flask.

The engine stores the English sentence (the API, exports and audit speak English) and,
beside it, the phrase as JSON; a page renders the phrase with the reader's gettext and
number format. Templates are marked with `N_` (plural pairs with `Nn_`) so
`pybabel extract -k N_ -k Nn_:1,2` finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gemba.domain.units import format_number


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools know
    """Mark an English template for extraction; translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Mark a singular and plural template for extraction (`-k Nn_:1,2`), as ngettext."""
    return singular, plural


@dataclass(frozen=True)
class Number:
    """A number written in the reader's format ("1.5" in English, "1,5" in German)."""

    value: float


@dataclass(frozen=True)
class Word:
    """A word of Gemba's vocabulary ("always", "count") that the reader's catalog has."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """An English template with %(name)s slots, and its values: text typed by people
    (str, inserted as it is), whole numbers, Number, Word or another Phrase. With
    `plural` and `count`, the template is chosen by the count as ngettext does."""

    template: str
    args: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None
    context: str | None = None  # pgettext's context, for a word that means more than one thing


def Np_(context: str, template: str) -> Phrase:  # noqa: N802
    """A phrase whose template is a word with several senses, marked with its context for
    extraction (`-k Np_:1c,2`): "Decided" of a claim is not "Decided" of an action."""
    return Phrase(template, context=context)


@dataclass(frozen=True)
class Reader:
    """How one reader's language writes a phrase."""

    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    number: Callable[[float], str]
    pgettext: Callable[[str, str], str] = lambda context, message: message


ENGLISH = Reader(lambda s: s, lambda s, p, n: s if n == 1 else p, format_number)


def render(phrase: Phrase, reader: Reader = ENGLISH) -> str:
    """The phrase in the reader's language."""
    if phrase.plural is not None and phrase.count is not None:
        template = reader.ngettext(phrase.template, phrase.plural, phrase.count)
    elif phrase.context is not None:
        template = reader.pgettext(phrase.context, phrase.template)
    else:
        template = reader.gettext(phrase.template)
    values = {name: _value(value, reader) for name, value in phrase.args.items()}
    try:
        return template % values if values or "%%" in template else template
    except (KeyError, TypeError, ValueError):  # a broken translation: the English is right
        return phrase.template % values if values else phrase.template


def _value(value: Any, reader: Reader) -> str:
    if isinstance(value, Phrase):
        return render(value, reader)
    if isinstance(value, Number):
        return reader.number(value.value)
    if isinstance(value, Word):
        return reader.gettext(value.text)
    return str(value)


def english(phrase: Phrase) -> str:
    return render(phrase, ENGLISH)


# -- stored as JSON -------------------------------------------------------------------------


def to_json(phrase: Phrase) -> dict[str, Any]:
    """The phrase as plain JSON (a gap's stats keep it)."""
    data: dict[str, Any] = {"t": phrase.template}
    if phrase.args:
        data["a"] = {name: _encode(value) for name, value in phrase.args.items()}
    if phrase.plural is not None:
        data["p"], data["n"] = phrase.plural, phrase.count
    if phrase.context is not None:
        data["c"] = phrase.context
    return data


def _encode(value: Any) -> list[Any]:
    if isinstance(value, Phrase):
        return ["f", to_json(value)]
    if isinstance(value, Number):
        return ["n", value.value]
    if isinstance(value, Word):
        return ["w", value.text]
    return ["s", value if isinstance(value, int | str) else str(value)]


def from_json(data: Any) -> Phrase | None:
    """A stored phrase, or None for anything that is not one (an older row)."""
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        return None
    try:
        args = {name: _decode(value) for name, value in (data.get("a") or {}).items()}
    except (TypeError, ValueError, IndexError):
        return None
    count = data.get("n")
    context = data.get("c")
    return Phrase(
        data["t"],
        args,
        data.get("p"),
        count if isinstance(count, int) else None,
        context if isinstance(context, str) else None,
    )


def _decode(value: Any) -> Any:
    kind, content = value[0], value[1]
    if kind == "f":
        phrase = from_json(content)
        if phrase is None:
            raise ValueError("not a phrase")
        return phrase
    if kind == "n":
        return Number(float(content))
    if kind == "w":
        return Word(str(content))
    return content
