"""The calibration page: how far observers agree when they log the same walk. Analysts
only: an observer's low agreement is for the analysts to act on, not for the others to see."""

from __future__ import annotations

from flask import render_template

from gemba.accounts.security import role_required
from gemba.models import Role
from gemba.review import bp, calibration
from gemba.review.map_views import _sites
from gemba.review.views import uuid_arg


@bp.route("/calibration")
@role_required(Role.analyst)
def calibration_page():
    """Agreement per observer, observer pair and topic, and where observers disagree most."""
    site_id = uuid_arg("site")
    return render_template(
        "review/calibration.html",
        page=calibration.calibration_page(site_id),
        sites=_sites(),
        site_id=site_id,
    )
