"""A walk's Gemba JSON and its zip with photos, downloaded from the walk page.

The same documents the API's export routes give (`gemba.interchange`), behind the
session's login instead of a token. Who may read them is the API's rule: anyone logged
in reads every walk and site; only writing is limited to a walk's observer.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

from flask import Response
from flask_login import login_required

from gemba.capture import bp
from gemba.domain import clock
from gemba.extensions import db
from gemba.interchange import archives, exports
from gemba.models import Walk


@bp.get("/walks/<uuid:walk_id>/export.json")
@login_required
def export_walk(walk_id: uuid.UUID):
    """The walk, its site and the site's personas as a Gemba JSON file."""
    walk = db.get_or_404(Walk, walk_id)
    return json_download(_walk_export(walk))


@bp.get("/walks/<uuid:walk_id>/export.zip")
@login_required
def export_walk_archive(walk_id: uuid.UUID):
    """The walk's document and the photos of its records as one zip."""
    walk = db.get_or_404(Walk, walk_id)
    return zip_download(_walk_export(walk))


def _walk_export(walk: Walk) -> exports.Export:
    return named(exports.walk_export(walk), "walk", walk.id, walk.started_at, walk.site.time_zone)


def named(
    export: exports.Export, kind: str, record_id: uuid.UUID, moment: datetime, zone: str | None
) -> exports.Export:
    """The export under a name a person can sort and tell apart in a downloads folder,
    `gemba-walk-2026-11-20-1a2b3c4d.json`: the day on the site's clock (a walk's start; a
    site's export, the day it was taken) and the start of the record's id."""
    day = clock.local(moment, zone).date().isoformat()
    return dataclasses.replace(export, filename=f"gemba-{kind}-{day}-{str(record_id)[:8]}.json")


def json_download(export: exports.Export) -> Response:
    """The document as a file: the browser saves it instead of showing it."""
    return Response(
        export.dumps(),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


def zip_download(export: exports.Export) -> Response:
    """The document and its photos as a zip file."""
    return Response(
        archives.archive(export),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{archives.archive_name(export)}"'},
    )
