"""The log of who looked at a site's photos, for admins: a page and a CSV export.

A works-council site logs every view of its photos, and every site logs each view of
an original (gemba/photos/view_log.py). Admins show the log to the works council, on
the page or as a file; times are on the site's clock.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

from flask import Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from gemba.accounts.security import role_required
from gemba.domain.clock import iso_local
from gemba.extensions import db
from gemba.manage import bp
from gemba.models import Role, Site, utcnow
from gemba.photos import view_log
from gemba.platform import params
from gemba.review.exports import safe

COLUMNS = ("viewed_at", "email", "role", "photo_id", "variant", "walk_id", "photo_url")


@bp.get("/sites/<uuid:site_id>/photo-views")
@role_required(Role.admin)
def photo_views(site_id: uuid.UUID):
    """Who looked at the site's photos and when, newest first, a page at a time."""
    site = db.get_or_404(Site, site_id)
    found = view_log.views_of_site(site.id, params.page(request.args))
    return render_template(
        "manage/photo_views.html",
        site=site,
        log=found,
        page=found.page,
        pages=found.pages,
        page_url=lambda n: url_for("manage.photo_views", site_id=site.id, page=n),
        variant_names=_variant_names(),
    )


@bp.get("/sites/<uuid:site_id>/photo-views.csv")
@role_required(Role.admin)
def export_photo_views(site_id: uuid.UUID):
    """The site's whole photo view log as CSV, streamed, times with the site's offset."""
    site = db.get_or_404(Site, site_id)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(_csv_lines(site.id, site.time_zone)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="gemba-photo-views-{stamp}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def _csv_lines(site_id: uuid.UUID, zone: str | None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for view in view_log.iter_site_views(site_id):
        url = url_for(
            "media.serve_photo", photo_id=view.photo_id, variant="display", _external=True
        )
        writer.writerow(
            [
                iso_local(view.viewed_at, zone),
                safe(view.email),
                safe(view.role),
                str(view.photo_id),
                view.variant,
                str(view.walk_id) if view.walk_id else "",
                url if view.walk_id else "",
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _variant_names() -> dict[str, str]:
    return {
        "thumb": _("thumbnail"),
        "display": _("display copy"),
        "original": _("original"),
    }
