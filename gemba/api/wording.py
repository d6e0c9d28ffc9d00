"""The write path's refusals, marked for the catalog so the API can say them in the
reader's language.

Domain code is pure (no Flask, no catalog), and the write path's parts hand their
refusals up as English text: a `Message` (gemba/domain/schema_errors.py) that keeps its
template and values, or a plain sentence. They are translated where the request's
language is known, by `gemba.platform.errors.localized()` (every problem document's
`detail` and `errors[].message`, and each rejected record of a sync, see `record_errors`).
For that, each English template must be in the catalog: this module marks them with `_l`,
a keyword pybabel (babel.cfg) and tests/i18n/pseudo.py already extract.
tests/i18n/test_api_language.py checks that every template the domain builds is here.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from gemba.domain.schema_errors import FieldError
from gemba.platform.errors import localized

# Built by gemba/domain/schema_errors.py and gemba/domain/text.py (values filled in).
DOMAIN_TEMPLATES = (
    _l("This field is required."),
    _l("Too long: at most %(limit)s characters."),
    _l("This field cannot be empty."),
    _l("Must be one of: %(values)s."),
    _l("Out of range (%(bound)s %(limit)s)."),
    _l("Not a valid %(format)s."),
    _l("Not a valid value."),
    _l("Must be %(type)s."),
    _l("Must be %(first)s or %(second)s."),
    _l("Not a valid value for this field."),
    _l("Remove the unpaired surrogate U+%(code)s at position %(position)s: it is not text."),
    _l("Remove the line break at position %(position)s: this field is a single line."),
    _l("Remove the control character U+%(code)s (%(name)s) at position %(position)s."),
    _l("Remove the control character U+%(code)s at position %(position)s."),
    # The names of control characters, put into the sentence above (text.CHARACTER).
    lazy_pgettext("control character", "NUL"),
    lazy_pgettext("control character", "backspace"),
    lazy_pgettext("control character", "line break"),
    lazy_pgettext("control character", "vertical tab"),
    lazy_pgettext("control character", "form feed"),
    lazy_pgettext("control character", "carriage return"),
    lazy_pgettext("control character", "escape"),
    lazy_pgettext("control character", "delete"),
    lazy_pgettext("control character", "next line"),
)

# Built by the API itself (gemba/api/reads.py, views.py, photos.py).
API_TEMPLATES = (
    _l("Must be a whole number from %(low)s to %(high)s."),
    _l("Must be a UUID."),
    _l("Must be a topic name of at most %(limit)s characters."),
    _l("Records of type %(type)s are not deleted here."),
    _l("The upload is too large; the limit is %(limit)s MB per request."),
)

# Whole sentences the write path raises as plain English (records, plans, links, photos);
# the catalog is looked up with the text as it is.
SENTENCES = (
    _l("Must be a JSON object."),
    _l("A fact is either a behaviour (performed) or a measurement (value), not both."),
    _l("A walk cannot shadow itself."),
    _l("A walk cannot end before it starts."),
    _l("Must be a finite number."),
    _l("This item is listed twice."),
    _l("Enter a number between -1,000,000,000,000 and 1,000,000,000,000."),
    _l("Enter a tolerance between 0 and 10 (0–1000 %)."),
    _l("Not a known time zone. Use an IANA name such as Europe/Warsaw or UTC."),
    _l("Refers to a record that was rejected."),
    _l("Unknown site."),
    _l("A plan cannot move to another site."),
    _l("Only analysts and admins can add or change walk plans."),
    _l("This item belongs to another site's plan."),
    _l("Unknown walk plan."),
    _l("The plan is for another site."),
    _l("Unknown checklist item at this site."),
    _l("No user with this e-mail address."),
    _l("A persona cannot move to another site."),
    _l("Give both latitude and longitude."),
    _l("Unknown fact."),
    _l("Unknown statement."),
    _l("The statement is from another site."),
    _l("You can only link facts of your own walks."),
    _l("A link cannot be moved to other records."),
    _l("This fact is already linked to that statement."),
    _l("A walk cannot move to another site."),
    _l("This walk belongs to another observer."),
    _l("Unknown thing on this walk."),
    _l("You can only delete records of your own walks."),
    _l("Only analysts and admins can delete this."),
    _l("No such record."),
    _l("Unknown walk."),
    _l("A record cannot move to another walk."),
    _l("You can only add to and edit your own walks."),
    _l("Unknown place on this walk."),
    _l("Unknown persona at this site."),
    _l("Unknown walk to shadow."),
    _l("The walk to shadow is at another site."),
    _l("Shadow the original walk, not another shadow."),
    # The envelope of a sync (gemba/interchange/imports.py).
    _l("The body is empty; send a Gemba JSON document."),
    _l("Send a JSON object."),
    _l("The document is not a Gemba JSON v1 document."),
    # Photos (gemba/domain/photos.py, gemba/photos/service.py).
    _l("This file is not a photo (JPEG, PNG, WebP or HEIC)."),
    _l("The file is empty."),
    _l("This photo is damaged or incomplete. Please take or send it again."),
    _l("This photo is too large (%(size)s MB); the limit is %(limit)s MB."),
    _l("A behaviour item's standard is a frequency."),
    _l("A measure item's standard is a value."),
    _l("This photo has too many pixels; the limit is %(limit)s megapixels."),
    _l("This photo has too many pixels (%(width)s×%(height)s); the limit is %(limit)s megapixels."),
    _l("The server is busy with other photos. Please send this one again in a moment."),
    _l("The photo could not be stored just now. Please send it again in a moment."),
    _l("No place, thing, fact or statement has this id."),
    _l("You can only add photos to records of your own walks."),
    _l("This photo id is already attached to another record."),
    _l("This photo id was already used for a different picture; send a new photo with a new id."),
    # The areas to blur sent with a photo (gemba/domain/blur_requests.py).
    _l("`blur` must be a JSON object."),
    _l("`blur.reviewed` must be true or false."),
    _l("`blur.boxes` must be a list of boxes."),
    _l("`blur.boxes` holds at most %(limit)s boxes."),
    _l("Box %(number)s must be an object."),
    _l("Box %(number)s: `%(name)s` must be a fraction of the picture, from 0 to 1."),
    _l("Box %(number)s must have a size and lie inside the picture."),
    _l("Box %(number)s: `source` must be detector or observer."),
)


def field_errors(errors: list[FieldError]) -> list[dict[str, str]]:
    """Field errors as a problem's or a record's `errors` member, in the reader's language
    (the field name as it is: it is for programs)."""
    return [{"field": e.field, "message": localized(e.message)} for e in errors]


def record_errors(out: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """A rejected record's result with its `errors` and `reason` in the reader's language."""
    if not errors:
        return out
    said = field_errors(errors)
    return {**out, "errors": said, "reason": "; ".join(e["message"] for e in said)}
