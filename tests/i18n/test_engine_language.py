"""The engine's sentences in Spanish, German and Polish: every message of engine.po keeps
the slots of its English template, every phrase the engine writes reads in the reader's
language with no English left, and a gap page in German shows its explanation with a
decimal comma."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po

from gemba.domain import deciding, explanations, observer_effect, phrases
from gemba.domain.saydo import FrequencyClaim, Observation
from gemba.gaps import check_notes, to_check, updates
from gemba.models import gap_id_for
from gemba.platform import phrasing
from tests.conftest import login, uid

LANGUAGES = ["es", "de", "pl"]
CATALOGS = Path(__file__).resolve().parents[2] / "gemba" / "translations"
SLOT = re.compile(r"%\((\w+)\)[sd]")
# English words that must not survive in a translated sentence (case-sensitive words).
ENGLISH = re.compile(
    r"\b(observed|observations?|Observe|Said|says|walks|announced|unannounced|facts?|marked"
    r"|done|claim|band|interval|mean|tolerance|count|decide|not comparable|Observer|effect"
    r"|rates?|exact|proportion|Verified|Still|Enough|since|verify|evidence|statement)\b"
)


def _messages(language: str) -> list:
    with (CATALOGS / language / "engine.po").open("rb") as handle:
        return [message for message in read_po(handle) if message.id]


def _slots(text: str) -> Counter[str]:
    return Counter(SLOT.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_engine_message_keeps_its_slots(language):
    messages = _messages(language)
    assert len(messages) == 63
    wrong = []
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted, percent = _slots(ids[0]), "%%" in ids[0]
        for string in strings:
            if not string:
                wrong.append(f"empty: {ids[0]}")
                continue
            if _slots(string) != wanted or ("%%" in string) != percent:
                wrong.append(f"{ids[0]} -> {string}")
            if "%(" in ids[0] or percent:  # a formatted template: no stray %
                bare = string.count("%") - 2 * string.count("%%")
                if bare != sum(wanted.values()):
                    wrong.append(f"stray % in {string}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("language", "forms"), [("es", 3), ("de", 2), ("pl", 3)])
def test_plurals_have_the_forms_of_the_language(language, forms):
    plurals = [m for m in _messages(language) if isinstance(m.id, tuple)]
    assert len(plurals) == 2
    for message in plurals:
        assert len(message.string) == forms, message.id


def _observations(performed: int, missed: int) -> list[Observation]:
    return [Observation(f"p{i}", performed=True) for i in range(performed)] + [
        Observation(f"m{i}", performed=False) for i in range(missed)
    ]


def _engine_phrases() -> list[phrases.Phrase]:
    """Every kind of sentence the engine writes, as phrases (English by default)."""
    found: list[phrases.Phrase] = []
    excluded = explanations.excluded_note(Counter({"kg": 2, "°C": 1, "count": 3}))
    line = explanations.frequency("always", 11, 15, 0.73, 0.48, 0.89)
    found += [line, explanations.voiced("SOP-12 rev C", line), explanations.voiced("", line)]
    for comparator, tolerance, unit in (("<=", 0.1, "min"), (">=", 0.0, "count")):
        claim, bound = explanations.bound(comparator, 1.5, unit, tolerance, 2, 9, 22.5)
        found += [claim, explanations.with_note(bound, excluded)]
    typical = explanations.typical_claim(10, "min", 0.2)
    found += [
        explanations.with_note(explanations.typical_once(typical, 24.5, "min"), None),
        explanations.with_note(explanations.typical(typical, 13, "min", 4, 12.5, 13.5), excluded),
        explanations.manual_added(line, 1),
        explanations.manual_added(line, 3),
        explanations.manual_only(None, 2),
        explanations.manual_only("Nobody scans here", 1),
    ]
    notes = [
        deciding.frequency_note("usually", 0, 0),
        deciding.frequency_note("usually", 9, 14),
        deciding.frequency_note("always", 20, 20),
        deciding.frequency_note("never", 0, 20),
        deciding.frequency_note("always", 0, 5),
        deciding.frequency_note("usually", 14, 14),
        deciding.frequency_note("usually", 7, 10),
        deciding.frequency_note("usually", 699, 1000),
        deciding.typical_note(8, 12, 10, 0, 1),
        deciding.typical_note(8, 12, 10, 3, 3),
        deciding.typical_note(8, 12, 12, 3, 3),
        deciding.typical_note(8, 12, 30, 1, 5),
        deciding.typical_note(8, 12, 10, 0.1, 20),
        deciding.bound_note(0),
        deciding.bound_note(2),
    ]
    found += [phrase for note in notes for phrase in (note.said, note.reason) if phrase]
    for claim, announced, unannounced in (
        (FrequencyClaim("usually"), (13, 1), (5, 9)),
        (FrequencyClaim("always"), (14, 0), (5, 9)),
        (FrequencyClaim("always"), (5, 9), (14, 0)),
        (FrequencyClaim("usually"), (5, 9), (13, 1)),
        (FrequencyClaim("usually"), (10, 4), (9, 5)),
        (FrequencyClaim("usually"), (400, 200), (300, 300)),
        (FrequencyClaim("usually"), (40, 60), (45, 55)),
        (FrequencyClaim("always"), (4, 0), (0, 0)),
        (FrequencyClaim("always"), (0, 0), (4, 0)),
        (None, (0, 0), (0, 0)),
    ):
        effect = observer_effect.split(
            claim, _observations(*announced), _observations(*unannounced)
        )
        found += observer_effect.phrased(effect)
        if effect.only_announced or effect.only_unannounced:  # a claim that is no frequency
            found += observer_effect.phrased(dataclasses.replace(effect, claim=None))[3:]
    found += _check_note_phrases()
    for claim, topic in ((None, None), ({"frequency": "always"}, None), ({"x": 1}, 3)):
        row = SimpleNamespace(claim=claim, evidence_topic=topic)
        found.append(updates._no_verdict_reason(row))
    return found


def _check_note_phrases() -> list[phrases.Phrase]:
    """The walk page's notes on what would decide an item to check (needs a request)."""
    found: list[phrases.Phrase] = []
    found += [p for p in check_notes.asked_note({}) if isinstance(p, phrases.Phrase)]
    decided = check_notes.asked_note({"limit": 15, "beyond": 1})
    found += [p for p in decided if isinstance(p, phrases.Phrase)]
    done_at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    for status, states, needed in (
        ("verified", ["closed"], 5),
        ("done", ["open"], 5),
        ("done", ["waiting"], 2),
        ("done", ["waiting"], 5),
    ):
        action = SimpleNamespace(status=status, done_at=done_at)
        since = [SimpleNamespace(state=state, observed=2) for state in states]
        note = check_notes.verify_note(action, since, needed, "Europe/Berlin")
        found += [p for p in note if isinstance(p, phrases.Phrase)]
    return found


def _templates(phrase: phrases.Phrase) -> set[str]:
    """The templates of a phrase and of the phrases and words in its slots."""
    found = {phrase.template}
    for value in phrase.args.values():
        if isinstance(value, phrases.Phrase):
            found |= _templates(value)
        elif isinstance(value, phrases.Word):
            found.add(value.text)
    return found


def test_the_phrases_cover_every_engine_template(app):
    with app.test_request_context():
        used = set().union(*(_templates(phrase) for phrase in _engine_phrases()))
    outside = {"rows", "Not a valid float value.", "Analyst asks", "Verify action"}
    outside.add("Too thin to judge")
    templates = {m.id if isinstance(m.id, str) else m.id[0] for m in _messages("de")}
    assert templates - outside - used == set()


def test_the_english_sentences_are_the_engines(app):
    with app.test_request_context():
        shown = [phrases.english(phrase) for phrase in _engine_phrases()]
    assert 'Said "always"; observed 11 of 15 (73%, 95% CI 48–89%)' in shown
    assert any("Fisher's exact test" in line for line in shown)
    assert any("two-proportion z test" in line for line in shown)
    assert any("Observe 3 more since" in line for line in shown)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_engine_phrase_reads_in_the_language(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        reader = phrasing.reader()
        english_lines, translated = [], []
        for phrase in _engine_phrases():
            english_lines.append(phrases.english(phrase))
            translated.append(phrases.render(phrase, reader))
        labels = [str(label) for label in to_check.LABELS.values()]
    leftovers = [
        f"{source}\n  -> {text}"
        for source, text in zip(english_lines, translated, strict=True)
        if ENGLISH.search(text) or text == source
    ]
    leftovers += [label for label in labels if label in ("Analyst asks", "Verify action")]
    assert not leftovers, "\n".join(leftovers)
    assert any("≤ 1,5 min" in text for text in translated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_engine_template_is_in_the_compiled_catalog(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        reader = phrasing.reader()
        for message in _messages(language):
            if isinstance(message.id, tuple):
                assert reader.ngettext(*message.id, 1) == message.string[0]
                assert reader.ngettext(*message.id, 5) == message.string[-1]
            elif message.context:
                assert reader.pgettext(message.context, message.id) == message.string
            else:
                assert reader.gettext(message.id) == message.string


def _gap_page(app, client, make_user, make_walk, write, claim, facts, language="de"):
    observer = make_user("observer")
    walk = make_walk(observer)
    statement = uid()
    batch = [
        {
            "type": "statement",
            "id": statement,
            "walk": walk,
            "text": "Changeover takes a minute and a half",
            "topic": "Changeover",
            "claim": claim,
            "speaker": None,
        }
    ]
    for fact in facts:
        batch.append(
            {"type": "fact", "id": uid(), "walk": walk, "text": "Timed", "topic": "Changeover"}
            | fact
        )
    result = write(observer, *batch)
    assert not result.rejected
    login(client, make_user("analyst"))
    gap_id = gap_id_for(uuid.UUID(statement))
    response = client.get(f"/review/gaps/{gap_id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_measure_gap_reads_in_german_with_a_decimal_comma(
    app, client, make_user, make_walk, write
):
    claim = {"comparator": "<=", "value": 1.5, "unit": "min"}
    html = _gap_page(
        app, client, make_user, make_walk, write, claim, [{"value": 2.5, "unit": "min"}]
    )
    assert '<html lang="de">' in html
    assert "Gesagt: ≤ 1,5 min; 1 von 1 Beobachtungen darüber (max. 2,5 min)" in html
    assert "Said ≤" not in html
    assert "observations above" not in html


def test_a_frequency_gap_reads_in_german(app, client, make_user, make_walk, write):
    claim = {"frequency": "always"}
    facts = [{"performed": False}, {"performed": True}]
    html = _gap_page(app, client, make_user, make_walk, write, claim, facts)
    assert "Gesagt: „immer“; beobachtet 1 von 2 (50 %, 95-%-KI" in html
    assert 'Said "always"' not in html
    assert "Said &#34;always&#34;" not in html


def test_a_quote_stands_between_the_readers_quotation_marks(
    app, client, make_user, make_walk, write
):
    facts = [{"performed": False}]
    german = _gap_page(app, client, make_user, make_walk, write, {"frequency": "always"}, facts)
    assert "„Changeover takes a minute and a half“" in german  # the typed words, German marks
    english = _gap_page(
        app, client, make_user, make_walk, write, {"frequency": "always"}, facts, "en"
    )
    assert "“Changeover takes a minute and a half”" in english
