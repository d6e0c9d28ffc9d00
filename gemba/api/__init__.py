"""The JSON API under /api/v1: Gemba JSON sync, photos, gaps, exports, its OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
