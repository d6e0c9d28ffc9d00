"""Every shipped language is complete: each message the code marks (Python, templates,
e-mail texts, the capture app's JavaScript, the engine's phrases) has a translation, and
each translation keeps the message's slots, so no reader meets an English sentence or a
half-filled one."""

from __future__ import annotations

import re

import pytest

from gemba.offline.catalog import app_catalog, key
from gemba.platform import languages
from tests.i18n import pseudo

SHIPPED = sorted(code for code in languages.LANGUAGES if code != languages.DEFAULT)
_SLOT = re.compile(r"%\((\w+)\)[sd]|%%")


def _slots(text: str) -> list[str]:
    return sorted(_SLOT.findall(text))


def test_the_code_marks_its_messages():
    extracted = pseudo.extracted()
    assert len(extracted) > 1000
    for known in ("Contradicted: %(why)s", "Said %(claim)s", "Analyst asks"):
        assert extracted.get(known) is not None, known  # templates in _partials, domain N_


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated(language):
    merged = languages.merged_catalog(language)
    missing = [
        (message.id, message.locations[:1])
        for message in pseudo.extracted()
        if message.id and merged.get(message.id, context=message.context) is None
    ]
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:20]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_slots_of_their_message(language):
    wrong = []
    for message in languages.merged_catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(_slots(ids[-1])) | set(_slots(ids[0]))
        for string in strings:
            found = set(_slots(string))
            # A plural form may leave the count out ("one fact" for %(count)s fact).
            if found - expected or (len(ids) == 1 and found != expected):
                wrong.append((ids[0], string))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("language", SHIPPED)
def test_the_capture_app_has_every_message_of_its_code(language):
    """The phone app embeds offline.po alone: a message of its JavaScript translated only
    in another part would show in English there."""
    words = app_catalog(language)
    missing = [
        message.id
        for message in pseudo.extracted()
        if message.id
        and any(path.endswith(".js") for path, _ in message.locations)
        and key(message.id[0] if isinstance(message.id, tuple) else message.id, message.context)
        not in words
    ]
    assert not missing, missing[:20]
