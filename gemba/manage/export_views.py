"""A site's Gemba JSON and its zip with photos, downloaded from the site page.

The API's site exports behind the session's login: anyone logged in may read a site,
as through the API. A site with no walks gives its site and personas alone.
"""

from __future__ import annotations

import uuid

from flask_login import login_required

from gemba.capture.export_views import json_download, named, zip_download
from gemba.extensions import db
from gemba.interchange import exports
from gemba.manage import bp
from gemba.models import Site, utcnow


@bp.get("/sites/<uuid:site_id>/export.json")
@login_required
def export_site(site_id: uuid.UUID):
    """The whole site, every walk and what was logged on it, as a Gemba JSON file."""
    return json_download(_site_export(db.get_or_404(Site, site_id)))


@bp.get("/sites/<uuid:site_id>/export.zip")
@login_required
def export_site_archive(site_id: uuid.UUID):
    """The whole site and the photos of its records as one zip."""
    return zip_download(_site_export(db.get_or_404(Site, site_id)))


def _site_export(site: Site) -> exports.Export:
    return named(exports.site_export(site), "site", site.id, utcnow(), site.time_zone)
