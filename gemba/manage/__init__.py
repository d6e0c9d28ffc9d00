"""Administration pages: admins manage users; analysts and admins manage sites and personas."""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")
