"""The analyst workspace: gap inbox, gap page and triage, actions, topic charts, empathy and
experience maps, CSV exports and the printable report."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
