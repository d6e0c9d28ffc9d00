"""Claims proposed from Spanish, German and Polish quotes (claim_rules.json "es", "de",
"pl"): band words, negations apart from the word, negative concord, decimal commas and the
traps each language sets; the phone's port is held to CASES and the tables too
(tests/offline/test_quote_claims_js.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gemba.domain.quote_claims import suggest
from gemba.domain.quote_numbers import RULES_PATH
from tests.conftest import login, uid

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
LANGUAGES = ("es", "de", "pl")


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
    if claim is None:
        return None
    return {k: float(v) if isinstance(v, int | float) else v for k, v in claim.items()}


def table(language: str) -> list[dict]:
    return json.loads((RESOURCES / f"quotes_{language}.json").read_text(encoding="utf-8"))


BANDS = [
    ("es", "Siempre escaneamos la tarjeta.", "always"),
    ("es", "Casi siempre llevamos gafas.", "usually"),
    ("es", "Normalmente revisamos la carretilla.", "usually"),
    ("es", "Por lo general fichamos a tiempo.", "usually"),
    ("es", "A veces falta material.", "sometimes"),
    ("es", "De vez en cuando falta material.", "sometimes"),
    ("es", "Rara vez paramos la línea.", "rarely"),
    ("es", "Casi nunca usamos la escalera.", "rarely"),
    ("es", "Nunca dejamos la protección abierta.", "never"),
    ("es", "Jamás entramos sin casco.", "never"),
    ("de", "Wir scannen immer die Ausweise.", "always"),
    ("de", "Wir tragen meistens die Brille.", "usually"),
    ("de", "Normalerweise prüfen wir den Stapler.", "usually"),
    ("de", "Fast immer fangen wir pünktlich an.", "usually"),
    ("de", "Manchmal fehlt Material.", "sometimes"),
    ("de", "Ab und zu fehlt Material.", "sometimes"),
    ("de", "Wir halten die Linie selten an.", "rarely"),
    ("de", "Fast nie benutzen wir die Leiter.", "rarely"),
    ("de", "Wir lassen die Tür nie offen.", "never"),
    ("de", "Niemals ohne Helm.", "never"),
    ("pl", "Zawsze skanujemy identyfikator.", "always"),
    ("pl", "Zwykle nosimy okulary.", "usually"),
    ("pl", "Zazwyczaj sprawdzamy wózek.", "usually"),
    ("pl", "Prawie zawsze zaczynamy na czas.", "usually"),
    ("pl", "Czasami brakuje materiału.", "sometimes"),
    ("pl", "Od czasu do czasu brakuje materiału.", "sometimes"),
    ("pl", "Rzadko zatrzymujemy linię.", "rarely"),
    ("pl", "Prawie nigdy nie używamy drabiny.", "rarely"),
    ("pl", "Nigdy nie zostawiamy otwartej osłony.", "never"),
]

# (language, quote, expected claim): the rules each language needs. The JS port too.
CASES = [
    # negated frequencies, together and apart
    ("es", "No siempre limpiamos la máquina.", F("usually")),
    ("es", "No lo apuntamos siempre.", F("usually")),
    ("es", "No solemos parar la línea.", F("sometimes")),
    ("es", "No lo hacemos a veces.", None),
    ("es", "Nadie lleva siempre guantes.", None),
    ("de", "Niemand trägt immer Gehörschutz.", None),
    ("de", "Wir tragen nicht immer Handschuhe.", F("usually")),
    ("de", "Das machen wir nicht jedes Mal.", F("usually")),
    ("de", "Wir prüfen das nicht oft.", F("rarely")),
    ("pl", "Nie zawsze sprzątamy maszynę.", F("usually")),
    ("pl", "Nie sprawdzamy tego zawsze.", F("usually")),
    ("pl", "Niezbyt często sprawdzamy olej.", F("rarely")),
    # double negation: negative concord keeps "never"
    ("es", "No lo hacemos nunca.", F("never")),
    ("es", "No entramos jamás sin permiso.", F("never")),
    ("es", "No usamos casi nunca la escalera.", F("rarely")),
    ("pl", "Nigdy nie sprawdzamy etykiet.", F("never")),
    ("pl", "Nikt nie nosi kasku.", F("never")),
    ("pl", "Nikt nie pomija blokady.", F("always")),
    ("es", "Nunca nos saltamos el bloqueo.", F("always")),
    ("de", "Wir vergessen nie, die Temperatur einzutragen.", F("always")),
    ("de", "Keiner überspringt die Verriegelung.", F("always")),
    # a negation after an "often" word turns the behaviour round
    ("es", "Normalmente no cerramos el armario.", F("rarely")),
    ("de", "Die Tür ist meistens nicht abgeschlossen.", F("rarely")),
    ("pl", "Zwykle nie zamykamy szafki.", F("rarely")),
    ("pl", "Zawsze zapominamy wpisać temperaturę.", F("never")),
    ("es", "Siempre, no hay excepción, escaneamos.", F("always")),
    # numbers: decimal comma, grouping, number words
    ("de", "Ein Zyklus dauert 1,5 Minuten.", M(1.5, "min")),
    ("es", "El ciclo dura 1,5 minutos.", M(1.5, "min")),
    ("pl", "Cykl trwa 1,5 minuty.", M(1.5, "min")),
    ("de", "Das Coil wiegt 1.500 kg.", M(1500, "kg")),
    ("es", "La bobina pesa 1.500 kg.", M(1500, "kg")),
    ("pl", "Kręg waży 1 500 kg.", M(1500, "kg")),
    ("de", "Es dauert 2.5 Minuten.", M(2.5, "min")),
    ("es", "Tarda treinta y cinco minutos.", M(35, "min")),
    ("es", "Tarda ciento veinte segundos.", M(120, "s")),
    ("de", "Es dauert fünfundzwanzig Minuten.", M(25, "min")),
    ("de", "Es dauert anderthalb Stunden.", M(1.5, "h")),
    ("pl", "Trwa to dwadzieścia pięć minut.", M(25, "min")),
    ("pl", "Trwa to około dwudziestu pięciu minut.", M(25, "min")),
    ("pl", "Trwa to półtorej godziny.", M(1.5, "h")),
    ("es", "Tarda dos horas y media.", M(2.5, "h")),
    ("es", "Tarda media hora.", M(30, "min")),
    ("de", "Es dauert eine Viertelstunde.", M(15, "min")),
    ("pl", "Trwa to kwadrans.", M(15, "min")),
    # comparators, negated
    ("es", "Nunca tardamos más de quince minutos.", M(15, "min", "<=")),
    ("es", "No tardamos más de 10 minutos.", M(10, "min", "<=")),
    ("de", "Es dauert nicht länger als 10 Minuten.", M(10, "min", "<=")),
    ("de", "Die Last überschreitet nie 500 kg.", M(500, "kg", "<=")),
    ("pl", "Nie trwa to dłużej niż 10 minut.", M(10, "min", "<=")),
    ("pl", "Ładunek nigdy nie przekracza 500 kg.", M(500, "kg", "<=")),
    ("pl", "Co najmniej 20 minut.", M(20, "min", ">=")),
    ("de", "Es dauert zwischen 8 und 12 Minuten.", M(10, "min", None, 0.2)),
    ("es", "Tardamos de 5 a 10 minutos.", M(7.5, "min", None, 0.333)),
    ("pl", "Trwa to od 8 do 12 minut.", M(10, "min", None, 0.2)),
    # hedges
    ("es", "Nueve de cada diez veces empezamos a tiempo.", F("usually")),
    ("es", "Una de cada diez cajas sale mal.", F("rarely")),
    ("de", "In neun von zehn Fällen fangen wir pünktlich an.", F("usually")),
    ("de", "Einer von zehn Kartons ist beschädigt.", F("rarely")),
    ("pl", "Dziewięć razy na dziesięć zaczynamy na czas.", F("usually")),
    ("pl", "W 90% przypadków zdążamy.", F("usually")),
    ("pl", "W połowie przypadków brakuje wózka.", F("sometimes")),
    # traps: times of day, labels, questions, rates, no frequency word
    ("es", "La línea 3 es la más lenta.", None),
    ("es", "El turno 2 empieza a las 6:30.", None),
    ("es", "Empezamos a las 7.", None),
    ("es", "¿Siempre lleváis guantes?", None),
    ("es", "Lo revisamos dos veces por turno.", None),
    ("es", "No llevamos guantes.", None),
    ("de", "Linie 3 ist die langsamste.", None),
    ("de", "Wir fangen um 7 Uhr an.", None),
    ("de", "Tragt ihr immer Handschuhe?", None),
    ("de", "Wir verschicken 30 Paletten am Tag.", None),
    ("de", "Es passiert immer wieder.", None),
    ("de", "Auf jeden Fall prüfen wir das.", None),
    ("pl", "Linia 3 jest najwolniejsza.", None),
    ("pl", "Zaczynamy o 7 rano.", None),
    ("pl", "Czy zawsze nosicie rękawice?", None),
    ("pl", "Sprawdzamy to dwa razy na zmianę.", None),
    ("pl", "Prasa 2 robi 400 sztuk na godzinę.", None),
    ("pl", "Jak zawsze brakuje czasu.", None),
]


@pytest.mark.parametrize(("language", "text", "word"), BANDS)
def test_each_bands_words(language, text, word):
    assert suggest(text, language).claim == F(word)


@pytest.mark.parametrize(("language", "text", "claim"), CASES)
def test_rules_of_each_language(language, text, claim):
    assert normalised(suggest(text, language).claim) == normalised(claim)


def test_double_negation_is_never_not_a_negated_never():
    assert suggest("Nigdy nie sprawdzamy", "pl").claim == F("never")
    assert suggest("No lo hacemos nunca", "es").claim == F("never")
    assert suggest("Nunca lo hacemos", "es").claim == F("never")


def test_a_regional_tag_reads_as_its_language_and_an_unknown_one_as_english():
    assert suggest("Siempre escaneamos", "es-MX") == suggest("Siempre escaneamos", "es")
    assert suggest("Wir tragen immer Helme", "de_AT").claim == F("always")
    assert suggest("We never skip it", "fr") == suggest("We never skip it", "en")
    assert suggest("Siempre escaneamos", "en").claim is None


def test_each_language_has_the_rules_english_has():
    rules = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    for language in LANGUAGES:
        assert set(rules["en"]) <= set(rules[language]), language
        assert set(rules[language]["frequency"]) == set(rules["en"]["frequency"])
        assert rules[language]["number_format"]["decimal"] == ","


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_table_is_realistic(language):
    quotes = table(language)
    assert len(quotes) >= 40
    assert sum(q["claim"] is None for q in quotes) >= 10
    assert len({q["text"] for q in quotes}) == len(quotes)


@pytest.mark.parametrize("language", LANGUAGES)
def test_precision_and_recall_over_each_table(language):
    proposed = correct = expected = 0
    for quote in table(language):
        claim = suggest(quote["text"], language).claim
        expected += quote["claim"] is not None
        if claim is not None:
            proposed += 1
            correct += normalised(claim) == normalised(quote["claim"])
    assert correct / proposed >= 0.95
    assert correct / expected >= 0.9


@pytest.fixture
def site(write, make_user):
    site_id = uid()
    assert not write(make_user("admin"), {"type": "site", "id": site_id, "name": "Werk 2"}).rejected
    return site_id


def test_the_api_reads_the_quote_in_the_language_asked(client, make_user, site):
    login(client, make_user("observer"))
    asked = {"site": site, "text": "Nunca tardamos más de 15 minutos", "lang": "es"}
    body = client.get("/api/v1/claims/suggest", query_string=asked).json
    assert body["claim"] == {"value": 15, "unit": "min", "comparator": "<="}
    too_long = client.get("/api/v1/claims/suggest", query_string={**asked, "lang": "x" * 36})
    assert too_long.status_code == 400


def test_the_api_reads_the_quote_in_the_requests_language_by_default(client, make_user, site):
    login(client, make_user("observer"))
    quote = {"site": site, "text": "Wir tragen nicht immer Handschuhe"}
    german = client.get(
        "/api/v1/claims/suggest", query_string=quote, headers={"Accept-Language": "de"}
    )
    assert german.json["claim"] == F("usually")
    english = client.get(
        "/api/v1/claims/suggest", query_string=quote, headers={"Accept-Language": "en"}
    )
    assert english.json["claim"] is None
