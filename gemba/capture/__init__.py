"""Capture on the floor: walks and their records, the one write path that every form,
sync and import goes through, and the walk page's timeline."""

from flask import Blueprint

bp = Blueprint("capture", __name__)
