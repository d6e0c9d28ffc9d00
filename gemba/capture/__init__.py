"""Capture on the floor: walks and their records, the one write path that every form,
sync and import goes through, and the walk page's timeline."""

from flask import Blueprint

bp = Blueprint("capture", __name__)


@bp.app_template_filter("source_label")
def source_label(source: str | None) -> str:
    """Jinja `|source_label`: where a statement was heard, in the reader's words, as a page
    says it in passing ("Maintenance technician (interview)")."""
    from gemba.capture.vocabulary import SOURCE_WORDS

    return str(SOURCE_WORDS.get(source or "", source or ""))
