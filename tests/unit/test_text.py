"""Text with rules (gemba.domain.text) and query parameters (gemba.platform.params), at
their edges."""

from __future__ import annotations

import re
import uuid

import pytest
from werkzeug.datastructures import MultiDict

from gemba.domain import text
from gemba.platform import params


@pytest.mark.parametrize(
    "value",
    ["", "Press 2", "tab\tinside", "Zoë, ß, 漢字, 🙂", "\u00a0no-break space", "\u200bzero width"],
)
def test_text_a_person_types_is_kept_on_one_line_and_on_many(value):
    assert text.problem(value) is None
    assert text.problem(value, multiline=True) is None


@pytest.mark.parametrize(
    ("value", "multiline", "message"),
    [
        ("a\x00@x.io", False, "Remove the control character U+0000 (NUL) at position 2."),
        ("\x00", True, "Remove the control character U+0000 (NUL) at position 1."),
        ("ab\ncd", False, "Remove the line break at position 3: this field is a single line."),
        ("ab\r\ncd", False, "Remove the line break at position 3: this field is a single line."),
        ("ab\rcd", False, "Remove the line break at position 3: this field is a single line."),
        ("ab\rcd", True, "Remove the control character U+000D (carriage return) at position 3."),
        ("\x1b[31m", True, "Remove the control character U+001B (escape) at position 1."),
        ("x\x7f", True, "Remove the control character U+007F (delete) at position 2."),
        ("x\x85", True, "Remove the control character U+0085 (next line) at position 2."),
        ("x\x9f", True, "Remove the control character U+009F at position 2."),
        ("x\x0b", True, "Remove the control character U+000B (vertical tab) at position 2."),
        ("\ud800", False, "Remove the unpaired surrogate U+D800 at position 1: it is not text."),
        ("ok \udfff", True, "Remove the unpaired surrogate U+DFFF at position 4: it is not text."),
    ],
)
def test_text_is_refused_with_the_character_and_its_position(value, multiline, message):
    assert text.problem(value, multiline=multiline) == message


def test_the_first_bad_character_is_named():
    assert "position 1" in text.problem("\x01\x00")


@pytest.mark.parametrize(
    ("value", "kept"),
    [("a\r\nb", None), ("a\nb", None), ("a\n\r\nb", None), ("a\r\r\nb", "position 2")],
)
def test_multi_line_text_keeps_line_feeds_and_cr_lf_pairs(value, kept):
    found = text.problem(value, multiline=True)
    assert found is None if kept is None else kept in found


def test_cr_lf_is_read_as_lf():
    assert text.normalise_newlines("one\r\ntwo\r\n") == "one\ntwo\n"


def test_the_pattern_in_the_openapi_document_says_the_same_as_the_one_line_check():
    pattern = re.compile(text.ONE_LINE_PATTERN.replace("$", r"\Z"))
    for code in range(0x00, 0xA1):
        char = chr(code)
        assert (pattern.match(f"a{char}b") is not None) == (text.problem(f"a{char}b") is None)


# -- query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        ("0", 1),
        ("-2", 1),
        ("2.5", 1),
        ("٣", 1),  # an Arabic-Indic three: a digit to Python, not to a person typing a URL
        ("²", 1),
        ("10000", params.MAX_PAGE),
        ("10001", params.MAX_PAGE),
        ("99999999999999999999", params.MAX_PAGE),
        ("9" * 5000, params.MAX_PAGE),  # int() refuses more than 4,300 digits
    ],
)
def test_a_page_is_always_a_page_from_1_to_the_last_there_can_be(raw, page):
    assert params.page({} if raw is None else {"page": raw}) == page


@pytest.mark.parametrize(
    ("raw", "number"),
    [("7", 7), ("0", None), ("²", None), ("2147483647", 2147483647), ("2147483648", None)],
)
def test_an_id_fits_an_integer_column_or_is_none(raw, number):
    assert params.whole_number({"topic_id": raw}, "topic_id") == number


def test_a_malformed_uuid_filter_is_no_filter():
    some = uuid.uuid4()
    assert params.uuid_or_none({"site": str(some)}, "site") == some
    assert params.uuid_or_none({"site": "x\x00"}, "site") is None
    assert params.uuid_or_none({}, "site") is None


def test_search_text_is_stripped_cut_and_checked():
    assert params.search_text({"q": "  badge  "}, "q", max_length=200) == "badge"
    assert params.search_text({"q": "x" * 300}, "q", max_length=200) == "x" * 200
    assert params.search_text({"q": "   "}, "q", max_length=200) is None
    with pytest.raises(params.ParamInvalid) as refused:
        params.search_text({"q": "a\x00"}, "q", max_length=200)
    assert refused.value.code == 400
    assert refused.value.field == "q"
    assert "U+0000" in refused.value.description


def test_every_value_of_a_query_string_is_checked():
    params.check_text(MultiDict([("topic", "badge"), ("status", "open")]))
    with pytest.raises(params.ParamInvalid) as refused:
        params.check_text(MultiDict([("topic", "badge"), ("topic", "a\nb")]))
    assert refused.value.field == "topic"
