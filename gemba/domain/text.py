"""Text with rules: what a person may send as text, wherever it arrives.

PostgreSQL refuses a NUL character in text and SQLite stores it, so the same input was a
500 on one database and kept on the other. Other control characters (escape, bell, a
carriage return on its own) are never typed on purpose, hide text on a screen and in a
CSV cell, and a lone surrogate is not a character at all (it cannot be written as
UTF-8). So every text input, a form field, a Gemba JSON string or a query parameter,
passes this one check, and the refusal names the character and where it is.

- Tab is allowed everywhere; a line feed only in multi-line text (notes, what was said).
- Multi-line text is read with CR LF as LF: browsers send a textarea's line breaks as
  CR LF. A carriage return anywhere else is refused.
- Refused: the other control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F)
  and surrogates (U+D800-U+DFFF, which only a JSON escape like "\\ud800" can carry).

The refusal is an English `Message` that keeps its template and values, so the layer that
knows the reader's language says it in theirs (see gemba/domain/schema_errors.py).
"""

from __future__ import annotations

import re

from gemba.domain.schema_errors import Message

# What may not appear; a carriage return is allowed in multi-line text only before a line
# feed (normalise_newlines() turns the pair into one LF before the text is stored).
_SINGLE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")
# One-line text as a JSON Schema pattern (ECMA-262), for query parameters in the OpenAPI
# document (a query string is UTF-8, so it cannot carry a surrogate).
ONE_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f]*$"

# The names of control characters, as words in that context (the catalog may have "delete"
# as an action too).
CHARACTER = "control character"
_NAMES = {
    0x00: Message.word(CHARACTER, "NUL"),
    0x08: Message.word(CHARACTER, "backspace"),
    0x0A: Message.word(CHARACTER, "line break"),
    0x0B: Message.word(CHARACTER, "vertical tab"),
    0x0C: Message.word(CHARACTER, "form feed"),
    0x0D: Message.word(CHARACTER, "carriage return"),
    0x1B: Message.word(CHARACTER, "escape"),
    0x7F: Message.word(CHARACTER, "delete"),
    0x85: Message.word(CHARACTER, "next line"),
}


def normalise_newlines(value: str) -> str:
    """The text with each CR LF (a browser's line break in a textarea) as one LF."""
    return value.replace("\r\n", "\n")


def problem(value: str, *, multiline: bool = False) -> str | None:
    """Why the text is refused, in a sentence that says which character and where (its
    position counted from 1), or None when it is fine."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    code = ord(found.group())
    position = found.start() + 1
    if 0xD800 <= code <= 0xDFFF:
        return Message(
            "Remove the unpaired surrogate U+%(code)s at position %(position)s: it is not text.",
            code=f"{code:04X}",
            position=position,
        )
    if code in (0x0A, 0x0D) and not multiline:
        return Message(
            "Remove the line break at position %(position)s: this field is a single line.",
            position=position,
        )
    name = _NAMES.get(code)
    if name:
        return Message(
            "Remove the control character U+%(code)s (%(name)s) at position %(position)s.",
            code=f"{code:04X}",
            name=name,
            position=position,
        )
    return Message(
        "Remove the control character U+%(code)s at position %(position)s.",
        code=f"{code:04X}",
        position=position,
    )
