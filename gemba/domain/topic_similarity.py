"""Topic names that probably mean the same thing, so evidence is not split over near-twins.

A topic matches by exact name (case and spacing aside), so "gloves", "wearing gloves" and
"glove use" became three topics and a statement about one never met the facts of the
others. This module scores how alike two names are, to offer existing topics while a name
is typed (`rank`) and to list likely duplicates on a site (`possible_duplicates`).

How a name is compared:

- `normalise` casefolds it, drops punctuation (a hyphen or apostrophe joins: "change-over"
  is "changeover"), splits letters from digits ("line3" is "line 3"), drops filler words
  that carry no topic ("the", "use", "wearing"), stems the rest with the language's
  Snowball stemmer ("gloves" and "glove" are both "glove") and returns the distinct stems
  sorted, since word order says nothing about a topic.
- `similarity` (0..100) is rapidfuzz's Indel ratio over those stems, which tolerates typos
  ("glvoes", "safty"). When one name's stems are all in the other's ("glove" in "glove
  box"), token_set_ratio alone would say 100, but a narrower topic is not the same topic,
  so the score then also weighs how much of the longer name the shorter one covers.
- Numbers are identities, not text: "line 3 changeover" and "line 4 changeover" are
  different lines, so differing numbers halve the score (a number on one side only takes a
  fifth off: "line changeover" may still be offered for "line 3 changeover").

Thresholds: 60 to offer a topic while typing (a name with one extra word still shows),
80 for a likely duplicate (typos, inflections, filler words and word order, but not
"gloves" and "glove box").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import snowballstemmer
from rapidfuzz import fuzz, process

RANK_THRESHOLD = 60.0  # offer while typing: a name with one more word still shows
DUPLICATE_THRESHOLD = 80.0  # typos, inflections, filler and word order; not a narrower topic
NUMBERS_DIFFER = 0.5  # "line 3" against "line 4": a different thing altogether
NUMBER_ONE_SIDE = 0.8  # "line changeover" against "line 3 changeover": related, not the same

# Snowball algorithm per interface language; any other language is compared unstemmed.
_ALGORITHMS = {"en": "english", "es": "spanish", "de": "german", "pl": "polish"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that name no topic: articles, prepositions, conjunctions, possessives, and the verbs
# of use and wearing that people add around a thing ("wearing gloves", "glove use").
# Negations ("no", "not", "kein", "sin", "bez") stay: "no gloves" says something else.
# "wear" stays in English: "tool wear" is a topic of its own.
_STOP_WORDS = {
    "en": _words(
        "the a an of at on in into for to from and or with by per our their my your its "
        "is are be being was were use uses used using usage wearing worn"
    ),
    "es": _words(
        "el la los las lo un una unos unas de del al a en con por para y e o u su sus "
        "es son uso usos usar usando utilizar utilización llevar llevando puesto "
        "puestos"
    ),
    "de": _words(
        "der die das den dem des ein eine einer eines einem einen und oder mit von vom "
        "zu zum zur am im an auf in für bei beim ist sind tragen trägt getragen "
        "benutzen benutzung nutzung nutzen verwenden verwendung gebrauch"
    ),
    "pl": _words(
        "w we na z ze do i oraz lub albo o od po dla przy jest są użycie używanie "
        "stosowanie noszenie nosić"
    ),
}

_JOINERS = re.compile(r"[-‐‑'’`]")  # hyphens and apostrophes join the parts of one word
_WORDS = re.compile(r"[^\W\d_]+|\d+")  # runs of letters, runs of digits
_SPACES = re.compile(r"\s+")


def topic_key(name: str) -> str:
    """The exact matching key, as gemba.models.sites.topic_key (kept free of SQLAlchemy)."""
    return _SPACES.sub(" ", name).strip().casefold()


def _language(language: str) -> str:
    """ "en-GB" and "EN" are English: only the primary subtag picks the rules."""
    return language.split("-")[0].split("_")[0].casefold()


@functools.lru_cache(maxsize=65536)
def _stem(algorithm: str, word: str) -> str:
    """One word's stem, cached: Snowball in pure Python takes ~40 µs a word.

    A stemmer object keeps state while it works, so sharing one between threads is
    unsafe; making one costs under a microsecond (measured), so each cache miss makes its
    own and nothing is shared.
    """
    return snowballstemmer.stemmer(algorithm).stemWord(word)


@functools.lru_cache(maxsize=16384)
def normalise(name: str, language: str = "en") -> tuple[str, ...]:
    """The distinct stems of a name's topic words, sorted: what similarity compares.

    Numbers are kept as written, without leading zeros ("03" is "3").
    """
    lang = _language(language)
    algorithm = _ALGORITHMS.get(lang)
    stop = _STOP_WORDS.get(lang, frozenset())
    stems = set()
    for word in _WORDS.findall(_JOINERS.sub("", name.casefold())):
        if word.isdecimal():  # not isdigit(): "²" and "①" are digits int() refuses
            stems.add(str(int(word)))
        elif word not in stop:
            stems.add(_stem(algorithm, word) if algorithm else word)
    return tuple(sorted(stems))


@functools.lru_cache(maxsize=16384)
def _prepared(name: str, language: str) -> tuple[str, tuple[str, ...], str]:
    """Key, stems and stems as one string: rank() rebuilds its index from these each call."""
    stems = normalise(name, language)
    return topic_key(name), stems, " ".join(stems)


def _numbers(stems: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s for s in stems if s.isdecimal())


def _coverage(short: tuple[str, ...], long: tuple[str, ...]) -> float:
    """How much of the longer name (by letters) the shorter one's words find, 0..100."""
    total = sum(len(t) for t in long)
    found = sum(len(t) * max(fuzz.ratio(t, s) for s in short) for t in long)
    return found / total


def _score(a: tuple[str, ...], b: tuple[str, ...], set_ratio: float | None = None) -> float:
    """Similarity of two stem tuples; never above their token_set_ratio (rank's prefilter)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    ja, jb = " ".join(a), " ".join(b)
    if set_ratio is None:
        set_ratio = fuzz.token_set_ratio(ja, jb)
    whole = fuzz.ratio(ja, jb)
    if set_ratio < 100.0:
        score = (set_ratio + whole) / 2
    else:  # one name's words all appear in the other: a narrower topic, not the same
        short, long = (a, b) if len(ja) <= len(jb) else (b, a)
        score = (whole + _coverage(short, long)) / 2
    na, nb = _numbers(a), _numbers(b)
    if na != nb:
        score *= NUMBERS_DIFFER if na and nb else NUMBER_ONE_SIDE
    return round(score, 1)


def similarity(a: str, b: str, language: str = "en") -> float:
    """How alike two topic names are, 0..100; 100 for the same key or the same stems."""
    if topic_key(a) == topic_key(b):
        return 100.0 if topic_key(a) else 0.0
    return _score(normalise(a, language), normalise(b, language))


class TopicIndex:
    """A site's topic names, normalised once, to rank against many queries quickly."""

    def __init__(self, names: Iterable[str], language: str = "en") -> None:
        self.language = language
        self.names: list[str] = []
        self.keys: list[str] = []
        self.stems: list[tuple[str, ...]] = []
        self.joined: list[str] = []
        for name in dict.fromkeys(names):
            key, stems, joined = _prepared(name, language)
            if key:
                self.names.append(name)
                self.keys.append(key)
                self.stems.append(stems)
                self.joined.append(joined)

    def rank(
        self, query: str, limit: int = 8, threshold: float = RANK_THRESHOLD
    ) -> list[tuple[str, float]]:
        """Names at least `threshold` alike to the query, best first, ties by name.

        A name with the query's exact key comes first with 100, before names that only
        share its stems; ties go by name, case aside.
        """
        key = topic_key(query)
        if not key or limit <= 0:
            return []
        found = {i: 100.0 for i, k in enumerate(self.keys) if k == key}
        stems = normalise(query, self.language)
        if stems:
            candidates = process.extract(
                " ".join(stems),
                self.joined,
                scorer=fuzz.token_set_ratio,
                processor=None,
                score_cutoff=threshold,
                limit=None,
            )
            for _, set_ratio, i in candidates:
                if i not in found:
                    score = _score(stems, self.stems[i], set_ratio)
                    if score >= threshold:
                        found[i] = score
        order = sorted(
            found, key=lambda i: (-found[i], self.keys[i] != key, self.keys[i], self.names[i])
        )
        return [(self.names[i], found[i]) for i in order[:limit]]

    def duplicates(self, threshold: float = DUPLICATE_THRESHOLD) -> list[tuple[str, str, float]]:
        """Pairs of distinct names likely to be one topic, best first, then by names.

        Each pair appears once, its names in the order given to the index.
        """
        by_key: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            by_key.setdefault(key, []).append(i)
        pairs = [
            (self.names[i], self.names[j], 100.0)
            for same in by_key.values()
            for n, i in enumerate(same)
            for j in same[n + 1 :]
        ]
        for i, stems in enumerate(self.stems):
            if not stems:
                continue
            rest = self.joined[i + 1 :]
            candidates = process.extract(
                self.joined[i],
                rest,
                scorer=fuzz.token_set_ratio,
                processor=None,
                score_cutoff=threshold,
                limit=None,
            )
            for _, set_ratio, offset in candidates:
                j = i + 1 + offset
                if self.keys[i] != self.keys[j]:
                    score = _score(stems, self.stems[j], set_ratio)
                    if score >= threshold:
                        pairs.append((self.names[i], self.names[j], score))
        return sorted(pairs, key=lambda p: (-p[2], topic_key(p[0]), topic_key(p[1]), p[0], p[1]))


def rank(
    query: str,
    names: Iterable[str],
    language: str = "en",
    limit: int = 8,
    threshold: float = RANK_THRESHOLD,
) -> list[tuple[str, float]]:
    """`names` ranked against `query`, best first (see TopicIndex.rank); [] for a blank query."""
    return TopicIndex(names, language).rank(query, limit, threshold)


def possible_duplicates(
    names: Iterable[str], language: str = "en", threshold: float = DUPLICATE_THRESHOLD
) -> list[tuple[str, str, float]]:
    """Pairs of distinct names likely the same topic, best first (see TopicIndex.duplicates)."""
    return TopicIndex(names, language).duplicates(threshold)
