"""The flask commands speak the terminal's language (LC_ALL, LC_MESSAGES, then LANG),
English for any other, with the English words unchanged."""

from __future__ import annotations

import pytest

from gemba.cli import terminal_language

# CliRunner sets these for the command's run and removes the ones given None.
GERMAN = {"LANG": "de_DE.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
POLISH = {"LANG": "C.UTF-8", "LC_ALL": "pl_PL.UTF-8", "LC_MESSAGES": None}
ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "es_ES@euro"}, "es"),
        ({"LANG": "pl"}, "pl"),
        ({"LC_ALL": "pl_PL.UTF-8", "LANG": "de_DE.UTF-8"}, "pl"),
        ({"LC_MESSAGES": "es_MX.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),
        ({"LC_ALL": "", "LANG": "de_AT.UTF-8"}, "de"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_terminal_language_is_read_as_posix_does(environ, language):
    assert terminal_language(environ) == language


def test_a_command_speaks_german_with_a_german_lang(runner):
    created = runner.invoke(
        args=["user", "create", "o@example.com", "--password-stdin"],
        input="a long enough password\n",
        env=GERMAN,
    )
    assert created.exit_code == 0, created.output
    assert "Angelegt: Beobachter o@example.com." in created.output
    notified = runner.invoke(args=["notify", "--digest"], env=GERMAN)
    assert notified.exit_code == 0, notified.output
    assert notified.output == (
        "Hinweise: gesendet: 0, für die Zusammenfassung zurückgelegt: 0, abgeschaltet: 0, "
        "vom Mailserver endgültig abgelehnt: 0.\nZusammenfassungen gesendet: 0.\n"
    )
    recomputed = runner.invoke(args=["gaps", "recompute"], env=GERMAN)
    assert recomputed.output.startswith("Beurteilte Aussagen: 0 in 0,")


def test_an_error_speaks_the_terminal_language(runner):
    refused = runner.invoke(args=["token", "create", "nobody@example.com"], env=POLISH)
    assert refused.exit_code == 1
    assert "Brak aktywnego użytkownika nobody@example.com." in refused.output
    usage = runner.invoke(args=["export"], env=GERMAN)
    assert "Geben Sie genau eines von --walk ID oder --site ID an." in usage.output


def test_english_stays_as_it_was(runner):
    created = runner.invoke(
        args=["user", "create", "o@example.com", "--password-stdin"],
        input="a long enough password\n",
        env=ENGLISH,
    )
    assert created.output == "Created observer o@example.com.\n"
    notified = runner.invoke(args=["notify"], env=ENGLISH)
    assert notified.output == (
        "Notices: 0 sent, 0 kept for the digest, 0 turned off, "
        "0 refused by the mail server for good.\n"
    )
    recomputed = runner.invoke(args=["gaps", "recompute"], env=ENGLISH)
    assert recomputed.output.startswith("Judged 0 statements in 0.")


def test_the_photo_sweep_speaks_the_terminal_language(runner):
    swept = runner.invoke(args=["photos", "sweep", "--dry-run"], env=GERMAN)
    assert swept.exit_code == 0, swept.output
    assert swept.output == "Fotodateien in Gebrauch: 0, würden entfernt: 0.\n"
