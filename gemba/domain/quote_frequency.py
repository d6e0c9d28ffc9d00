"""How often a quote says something happens: the frequency words of quote_claims.py.

The first frequency word or phrase of a quote ("always", "most of the time") is its
frequency claim; "not always" reads as usually, from the negated phrases of
claim_rules.json. Languages that put the negation apart from the word (rules key
"split_negations") are read in three more ways, all within one clause:

- a negation before a word that says "often" makes the negated phrase, as if written
  together: "no lo hacemos siempre" is "no siempre", usually;
- a negation with a word that already says "not often" agrees with it, as negative
  concord requires: "nigdy nie sprawdzamy", "no lo hacemos nunca" are never;
- a negation after a word that says "often" turns the behaviour round: "normalmente no
  cerramos" (usually we do not close) claims the closing happens rarely.

A negation before an "often" word whose negated phrase the rules do not list makes the
quote unclear (UNCLEAR), and no claim is proposed. static/offline/quote-claims.js is
the phone's port.
"""

from __future__ import annotations

from typing import Any

from gemba.domain.quote_numbers import match_at

UNCLEAR = "?"
CONCORD = ("never", "rarely")


def read_frequency(
    tokens: list[str], used: list[str], rules: dict[str, Any]
) -> tuple[str | None, bool, bool]:
    """The first frequency word, whether it was plain (not "not always"), and whether a
    negation after it in its clause turns the behaviour round; every word is marked."""
    first: tuple[str | None, bool, bool] = (None, True, False)
    i = 0
    while i < len(tokens):
        found = None if used[i] else _frequency_at(tokens, used, i, rules)
        if found is None:
            i += 1
            continue
        word, plain, size = found
        used[i : i + size] = [f"freq:{word}"] * size
        if first[0] is None:
            after = plain and word not in CONCORD and _negation_after(tokens, used, i + size, rules)
            first = (word, plain, after)
        i += size
    return first


def _frequency_at(
    tokens: list[str], used: list[str], i: int, rules: dict[str, Any]
) -> tuple[str, bool, int] | None:
    """The frequency word at i, read with a negation standing apart before it."""
    neg_size, neg_word = match_at(tokens, i, rules["negated"])
    size, word = match_at(tokens, i, rules["frequency"])
    if neg_size and neg_size >= size:
        return neg_word, False, neg_size
    if not size:
        return None
    k = _negation_before(tokens, used, i, rules)
    if k is None or word in CONCORD:
        return word, True, size
    used[k] = "neg"
    negated = rules["negated_map"].get((tokens[k], *tokens[i : i + size]))
    return (negated, False, size) if negated else (UNCLEAR, False, size)


def _negation_before(
    tokens: list[str], used: list[str], i: int, rules: dict[str, Any]
) -> int | None:
    """Where a free-standing negation stands earlier in the clause, if one does."""
    breaks = set(rules["raw"]["clause_breaks"])
    for k in range(i - 1, -1, -1):
        if tokens[k] in breaks:
            return None
        if tokens[k] in rules["split_negations"] and not used[k]:
            return k
    return None


def _negation_after(tokens: list[str], used: list[str], j: int, rules: dict[str, Any]) -> bool:
    """Whether a free-standing negation follows in the clause ("zwykle nie zamykamy")."""
    breaks = set(rules["raw"]["clause_breaks"])
    for k in range(j, len(tokens)):
        if tokens[k] in breaks:
            return False
        if tokens[k] in rules["split_negations"] and not used[k]:
            return True
    return False


def mark_all(tokens: list[str], used: list[str], table: list, mark: str) -> bool:
    """Mark every unmarked occurrence of the table's phrases; say whether any was found."""
    found, i = False, 0
    while i < len(tokens):
        size = 0 if used[i] else match_at(tokens, i, table)[0]
        if size and not any(used[i : i + size]):
            used[i : i + size] = [mark] * size
            found, i = True, i + size
        else:
            i += 1
    return found
