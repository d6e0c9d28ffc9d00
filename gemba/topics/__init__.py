"""Topics that hold together: analysts merge topics that are one (undoably), give topics
synonyms, and see which topics of a site are probably the same. Verdicts only work when a
statement and its facts share a topic, so this is where near-duplicates are folded."""

from flask import Blueprint

bp = Blueprint("topics", __name__, url_prefix="/topics")
