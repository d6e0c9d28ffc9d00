"""Photos: the service that checks, processes and stores them, their storage, and serving
them behind login (blueprint `media`, with the `flask photos` commands)."""

from flask import Blueprint

bp = Blueprint("media", __name__, cli_group="photos")
