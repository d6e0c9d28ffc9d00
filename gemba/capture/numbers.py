"""Numbers typed the way the user's language writes them: "1,5" in German or Polish, "1.5"
in English. The number input of a browser sends "1.5" whatever the language; a text typed
elsewhere (an older browser, a form sent by a script) may carry the locale's comma."""

from __future__ import annotations

from babel.numbers import NumberFormatError, parse_decimal
from flask import has_request_context
from flask_babel import get_locale
from wtforms import FloatField


def parse_number(raw: str) -> float:
    """The number in `raw`, read the request language's way (strictly, so "1.5" is never
    fifteen in German), else the way Python reads it. ValueError if neither can."""
    text = raw.strip()
    locale = get_locale() if has_request_context() else None
    if locale is not None:
        try:
            return float(parse_decimal(text, locale=locale, strict=True))
        except (NumberFormatError, ValueError):
            pass
    return float(text)


class LocalFloatField(FloatField):
    """A FloatField that accepts the user's decimal separator as well as the point; its
    refusal is WTForms' own message, in WTForms' translation."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_number(valuelist[0])
        except (ValueError, TypeError, AttributeError) as exc:
            self.data = None
            raise ValueError(
                self.invalid_value_message or self.gettext("Not a valid float value.")
            ) from exc
