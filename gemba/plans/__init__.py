"""Walk plans (leader standard work): analysts manage a site's recurring walks and their
checklists, and see the programme (due, done, late, missed); observers see the walks
due to them."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
