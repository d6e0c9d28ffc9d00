"""The JSON API under /api/v1: Gemba JSON sync, photos, gaps, exports."""

from __future__ import annotations

import uuid

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from gemba.api import (
    bp,
    etags,
    openapi,
    pagination,
    plan_reads,
    reads,
    reference,
    review_views,
    wording,
)
from gemba.api.auth import authenticate
from gemba.capture import records, trash
from gemba.domain.gemba_json import RecordInvalid
from gemba.domain.schema_errors import Message
from gemba.extensions import csrf, db
from gemba.gaps import to_check
from gemba.interchange import archives, exports, imports
from gemba.models import Site, Walk
from gemba.notices import inbox
from gemba.platform.compression import gzip_json
from gemba.platform.errors import problem

# Triage, actions and the reference page register on the same blueprint from there.
_ = (review_views, reference)

# Session callers are CSRF-checked in authenticate(); bearer callers need no token.
csrf.exempt(bp)
bp.before_request(authenticate)
bp.after_request(gzip_json)
# Registered after gzip, so it runs before it: the tag is of the JSON itself.
bp.after_request(etags.conditional_read)


@bp.errorhandler(imports.DocumentInvalid)
def document_invalid(error: imports.DocumentInvalid):
    """The envelope was wrong: say which field, nothing was written."""
    return problem(error.status, error.detail, errors=wording.field_errors(error.errors))


@bp.errorhandler(pagination.QueryInvalid)
def query_invalid(error: pagination.QueryInvalid):
    """A malformed query parameter is the caller's mistake, not an empty list."""
    detail = _l("A query parameter is not valid.")
    return problem(400, detail, errors=wording.field_errors(error.errors))


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document describing every operation here."""
    return jsonify(openapi.document())


@bp.post("/sync")
def sync():
    """Write a batch of Gemba JSON records; a result per record, and the gaps it moved."""
    doc = imports.parse_json(request.get_data(cache=False))
    try:
        result = imports.import_document(current_user, doc)
    except (IntegrityError, OperationalError) as exc:
        if not records.worth_retrying(exc):
            raise  # a full disk or a lost database: the app's 503 says so
        return problem(409, _l("Another request changed the same records meanwhile; send again."))
    return jsonify(reads.sync_response(result))


# Records an observer deletes from a walk on the phone; sites and personas are managed pages.
DELETABLE = ("walk", "place", "thing", "fact", "statement")


@bp.delete("/records/<record_type>/<uuid:record_id>")
def delete_record(record_type: str, record_id: uuid.UUID):
    """Delete one record of the caller's walk; gaps follow.

    The offline app queues a delete like any record, so it may arrive twice: a record
    already deleted (it is in the trash) is answered as deleted again, not 404."""
    if record_type not in DELETABLE:
        detail = Message("Records of type %(type)s are not deleted here.", type=repr(record_type))
        return problem(404, detail)
    try:
        result = records.delete(current_user, record_type, record_id)
    except RecordInvalid as exc:
        if exc.status == 404 and trash.was_deleted(record_type, record_id):
            return jsonify(
                {
                    "results": [{"id": str(record_id), "type": record_type, "status": "deleted"}],
                    "gaps": [],
                    "cleared_gaps": [],
                }
            )
        return problem(exc.status, exc.errors[0].message)
    return jsonify(reads.sync_response(result))


@bp.get("/sites")
def list_sites():
    """Sites, by name."""
    return pagination.respond(reads.list_sites(pagination.page_params(request.args)))


@bp.get("/sites/<uuid:site_id>/topics")
def list_site_topics(site_id: uuid.UUID):
    """A site's topics with counts."""
    site = db.get_or_404(Site, site_id)
    return pagination.respond(reads.list_topics(site, pagination.page_params(request.args)))


@bp.get("/sites/<uuid:site_id>/to-check")
def list_to_check(site_id: uuid.UUID):
    """What the analysts asked for at the site, strongest first: a walk's "To check here"."""
    site = db.get_or_404(Site, site_id)
    walk_id = reads.uuid_param(request.args, "walk")
    # A walk the server has not seen yet (queued on a phone) is no error: nothing to tick.
    walk = db.session.get(Walk, walk_id) if walk_id else None
    return jsonify(to_check.as_json(site, walk, walk_id))


@bp.get("/sites/<uuid:site_id>/export")
def export_site(site_id: uuid.UUID):
    """The whole site as a Gemba JSON file."""
    return _download(exports.site_export(db.get_or_404(Site, site_id)))


@bp.get("/sites/<uuid:site_id>/export.zip")
def export_site_archive(site_id: uuid.UUID):
    """The whole site and its photos as one zip."""
    return _download_archive(exports.site_export(db.get_or_404(Site, site_id)))


@bp.get("/walks")
def list_walks():
    """Walks, newest first, optionally at one site."""
    page = pagination.page_params(request.args)
    return pagination.respond(reads.list_walks(page, reads.uuid_param(request.args, "site")))


@bp.get("/walks/<uuid:walk_id>")
def get_walk(walk_id: uuid.UUID):
    """A walk with its records, as Gemba JSON."""
    return jsonify(exports.walk_export(db.get_or_404(Walk, walk_id)).document)


@bp.get("/walks/<uuid:walk_id>/export")
def export_walk(walk_id: uuid.UUID):
    """A walk as a Gemba JSON file."""
    return _download(exports.walk_export(db.get_or_404(Walk, walk_id)))


@bp.get("/walks/<uuid:walk_id>/export.zip")
def export_walk_archive(walk_id: uuid.UUID):
    """A walk and its photos as one zip."""
    return _download_archive(exports.walk_export(db.get_or_404(Walk, walk_id)))


@bp.get("/plans")
def list_plans():
    """Walk plans with their checklists, as Gemba JSON (the capture app keeps them)."""
    page = pagination.page_params(request.args, whole_by_default=True)
    site_id = reads.uuid_param(request.args, "site")
    return pagination.respond(plan_reads.plans_document(site_id, page))


@bp.get("/plans/<uuid:plan_id>")
def get_plan(plan_id: uuid.UUID):
    """One walk plan with its checklist, as Gemba JSON."""
    document = plan_reads.plan_document(plan_id)
    if document is None:
        return problem(404, _l("No such walk plan."))
    return jsonify(document)


@bp.get("/plans/due")
@bp.get("/walks/due", endpoint="list_walks_due")
def list_due_walks():
    """The caller's walks due today and overdue, earliest first (at both addresses: the
    capture app asks the plans', a script the walks')."""
    page = pagination.page_params(request.args, whole_by_default=True)
    return pagination.respond(plan_reads.due_walks(current_user, page))


@bp.get("/notices")
def list_notices():
    """The caller's notices, newest first: the app's "For you" list."""
    return jsonify(inbox.for_you(current_user))


@bp.post("/notices/<int:notice_id>/read")
def mark_notice_read(notice_id: int):
    """Mark one of the caller's notices read; another user's is not found."""
    notice = inbox.mark_read(current_user, notice_id)
    if notice is None:
        return problem(404, _l("No such notice."))
    return jsonify(notice)


@bp.get("/gaps")
def list_gaps():
    """Gaps, strongest first, filtered by site, walk, topic and status."""
    page = pagination.page_params(request.args)
    return pagination.respond(reads.list_gaps(page, **reads.gap_filters(request.args)))


def _download_archive(export: exports.Export) -> Response:
    """The document and its photos as a zip file."""
    return Response(
        archives.archive(export),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{archives.archive_name(export)}"'},
    )


def _download(export: exports.Export) -> Response:
    """The document as a file: a browser saves it instead of showing it."""
    return Response(
        export.dumps(),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )
