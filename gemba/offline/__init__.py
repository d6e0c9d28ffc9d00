"""Offline capture: an installable app shell that queues records in the browser and syncs them."""

from flask import Blueprint

bp = Blueprint("offline", __name__)
