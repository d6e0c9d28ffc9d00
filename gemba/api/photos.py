"""Photos over the API: PUT /api/v1/photos/{id} to send one, GET for its metadata.

A photo travels apart from the Gemba JSON records, keyed by its own
client-made UUID, so a phone can send it again after a dropped connection
and get "unchanged" instead of a duplicate.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from gemba.api import bp, openapi, openapi_parts
from gemba.domain.blur_requests import BlurRequestError, parse_blur
from gemba.domain.photos import PhotoRejected
from gemba.domain.schema_errors import Message
from gemba.extensions import db
from gemba.models import Photo
from gemba.photos import queries as photo_queries
from gemba.photos import service as photos
from gemba.photos import serving
from gemba.platform.errors import problem

NEEDS_RECORD = _l(
    "Name the record this photo shows: send the multipart field `record` with the UUID of "
    "a place, thing, fact or statement. A photo is evidence for one record, so a photo "
    "without one is not kept."
)
TRUE = {"1", "true", "yes", "on"}


@bp.put("/photos/<uuid:photo_id>")
def put_photo(photo_id: uuid.UUID):
    """Attach a photo (multipart `file`) to a record (`record`); created, or unchanged if resent."""
    if request.mimetype != "multipart/form-data":
        return refuse(415, _l("Send the photo as multipart/form-data (fields file and record)."))
    try:
        upload = request.files.get("file")
        fields = request.form
    except RequestEntityTooLarge:
        return too_large()
    if upload is None:
        return refuse(400, _l("The multipart field `file` with the photo is missing."))
    raw_record = (fields.get("record") or "").strip()
    if not raw_record:
        return refuse(422, NEEDS_RECORD, "record")
    try:
        record_id = uuid.UUID(raw_record)
    except ValueError:
        return refuse(
            422, _l("`record` must be the UUID of a place, thing, fact or statement."), "record"
        )
    try:
        blur = parse_blur(fields.get("blur"))
    except BlurRequestError as exc:
        return refuse(422, exc.message, "blur")
    try:
        data = upload.read()
        photo, status = photos.save_photo(
            current_user,
            photo_id,
            data,
            record_id,
            gps_opt_in=(fields.get("use_gps") or "").strip().lower() in TRUE,
            blur=blur,
        )
    except RequestEntityTooLarge:
        return too_large()
    except PhotoRejected as exc:
        response = refuse(exc.status, exc.message, getattr(exc, "field", "file"))
        if exc.status == 503:
            response.headers["Retry-After"] = "5"
        return response
    response = jsonify({**photo_body(photo), "status": status})
    if status == "created":
        response.status_code = 201
        response.headers["Location"] = url_for("api.get_photo", photo_id=photo.id)
    return response


@bp.get("/photos/<uuid:photo_id>")
def get_photo(photo_id: uuid.UUID):
    """A photo's metadata and the addresses of its thumbnail and display copy."""
    photo = db.get_or_404(Photo, photo_id)
    serving.check_may_see(photo)
    return jsonify(photo_body(photo))


@bp.get("/photos/<uuid:photo_id>/<variant>")
def get_photo_copy(photo_id: uuid.UUID, variant: str):
    """A photo's thumbnail or display copy, for a token as for a session."""
    if variant not in serving.VARIANTS:
        abort(404)
    return serving.copy_response(db.get_or_404(Photo, photo_id), variant)


def photo_body(photo: Photo) -> dict[str, Any]:
    """The metadata with the URLs of the served copies: under /api/v1 for a bearer token
    (a script has no session for the pages' addresses), the pages' own for a session."""
    endpoint = "api.get_photo_copy" if g.get("api_bearer") else "media.serve_photo"
    urls = {
        variant: url_for(endpoint, photo_id=photo.id, variant=variant)
        for variant in serving.VARIANTS
    }
    return photo_queries.photo_json(photo, urls)


def too_large():
    """413 with the limit, for a request Flask refused to read past MAX_CONTENT_LENGTH."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = Message(
        "The upload is too large; the limit is %(limit)s MB per request.",
        limit=f"{limit / 1_048_576:g}",
    )
    return refuse(413, message)


def refuse(status: int, message: object, field: str = "file"):
    """A problem naming the field; problem() says the message in the reader's language."""
    return problem(status, message, errors=[{"field": field, "message": message}])


# -- the OpenAPI description -------------------------------------------------------------------

openapi.TAGS.append({"name": "photos", "description": "Photos as evidence for records."})

_RENDITION = {
    "type": "object",
    "required": ["url", "width", "height", "type"],
    "properties": {
        "url": {
            "type": "string",
            "description": "Where the copy is served: `/api/v1/photos/{id}/{variant}` when "
            "the request carried a bearer token, the pages' address for a session.",
        },
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
        "type": {"type": "string", "description": "Its media type, image/jpeg."},
    },
}
openapi.add_schema(
    "Photo",
    {
        "description": (
            "A photo attached to one record. Only re-encoded copies are served, with all "
            "EXIF/XMP metadata (GPS, camera serial) stripped and faces blurred; the uploaded "
            "bytes never are."
        ),
        "type": "object",
        "required": [
            "id",
            "record",
            "record_type",
            "walk",
            "sha256",
            "size_bytes",
            "source_format",
            "taken_at",
            "created_at",
            "display",
            "thumb",
        ],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "record": {"type": "string", "format": "uuid"},
            "record_type": {"enum": list(photos.KINDS)},
            "walk": {"type": "string", "format": "uuid"},
            "sha256": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "SHA-256 of the bytes received, for evidence integrity.",
            },
            "size_bytes": {"type": "integer", "minimum": 1},
            "source_format": {"enum": ["JPEG", "PNG", "WEBP", "HEIF"]},
            "taken_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "Capture time from EXIF, when the camera recorded its time zone.",
            },
            "created_at": {"type": "string", "format": "date-time"},
            "display": {**_RENDITION, "description": "At most 2048 px on the long edge."},
            "thumb": {**_RENDITION, "description": "At most 400 px on the long edge."},
            "blurred": {
                "type": "array",
                "items": openapi_parts.ref("BlurBox"),
                "description": "The areas blurred in both copies (faces the detector found, "
                "boxes the observer drew), padded when applied. Photos stored before "
                "blurring existed have none.",
            },
            "status": {
                "enum": ["created", "unchanged"],
                "description": "Only in the answer to PUT.",
            },
        },
    },
)


def _problem(description: str) -> dict[str, Any]:
    return openapi_parts.problem_response(description)


# A photo that was stored (or sent before) can be read back by the id in its path.
_TO_PHOTO = {
    "GetPhoto": {"operationId": "getPhoto", "parameters": {"photo_id": "$request.path.photo_id"}}
}


openapi.add_operation(
    "/photos/{photo_id}",
    "put",
    {
        "operationId": "putPhoto",
        "summary": "Send a photo of a place, thing, fact or statement.",
        "description": (
            "Idempotent by the photo's UUID: the same bytes sent again for the same record "
            "answer 200 `unchanged`; the same UUID with other bytes, or for another record, "
            "is 409. JPEG, PNG, WebP and HEIC are accepted; anything else, empty or damaged "
            "files and decompression bombs are refused (413, 415, 422). Gemba JSON calls "
            "`record` optional, but this server keeps a photo only with its record: without "
            "it the answer is 422. Only the observer of the record's walk (or an admin) may "
            "add photos. With `use_gps`, the photo's EXIF position becomes the position of "
            "the record's place when that place has none; otherwise it is discarded."
        ),
        "tags": ["photos"],
        "parameters": [openapi_parts.path_id("photo_id", "photo")],
        "requestBody": openapi_parts.photo_upload(
            "The photo: JPEG, PNG, WebP or HEIC, at most 25 MB (MAX_CONTENT_LENGTH).",
            {
                "record": {
                    "type": "string",
                    "format": "uuid",
                    "description": "The UUID of the place, thing, fact or "
                    "statement the photo shows. Required here (422 without it).",
                },
                "use_gps": {
                    "type": "boolean",
                    "default": False,
                    "description": "Put the photo's EXIF position into the "
                    "record's place if it has none.",
                },
                "blur": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": openapi_parts.ref("BlurRequest"),
                    "description": "JSON: the areas to blur as the observer "
                    "left them on the phone (see BlurRequest). Without it the "
                    "server finds the faces itself. 422 naming `blur` when "
                    "it cannot be read.",
                },
            },
            required=("record",),
        ),
        "responses": {
            "200": {
                **openapi_parts.json_body(
                    openapi_parts.ref("Photo"), "Sent before: nothing changed."
                ),
                "links": _TO_PHOTO,
            },
            "201": {
                **openapi_parts.json_body(openapi_parts.ref("Photo"), "Stored."),
                "links": _TO_PHOTO,
                "headers": {
                    "Location": {
                        "description": "The photo's metadata.",
                        "schema": {"type": "string"},
                    }
                },
            },
            "400": _problem("No `file` field, or no CSRF token with a session."),
            "401": openapi_parts.ERRORS["401"],
            "403": _problem("The record belongs to another observer's walk."),
            "404": _problem("No such record."),
            "409": _problem("The photo id is already used for other bytes or another record."),
            "413": _problem("The upload is over the size limit or has too many pixels."),
            "415": _problem("Not a photo (JPEG, PNG, WebP, HEIC), or not multipart/form-data."),
            "422": _problem("Empty or damaged photo, or no `record` (or not a UUID)."),
            "503": _problem("Busy decoding other photos, or storage failed: send again."),
        },
    },
)
openapi.add_operation(
    "/photos/{photo_id}",
    "get",
    {
        "operationId": "getPhoto",
        "summary": "A photo's metadata and where its copies are served.",
        "tags": ["photos"],
        "parameters": [openapi_parts.path_id("photo_id", "photo")],
        "responses": {
            "200": openapi_parts.json_body(openapi_parts.ref("Photo"), "The photo."),
            **openapi_parts.errors("401", "404"),
        },
    },
)
openapi.add_operation(
    "/photos/{photo_id}/{variant}",
    "get",
    {
        "operationId": "getPhotoCopy",
        "summary": "A photo's thumbnail or display copy (JPEG).",
        "description": (
            "Only the re-encoded copies are served, with the camera's metadata stripped. A "
            "copy never changes: its ETag is the SHA-256 of its bytes, it may be kept for a "
            "year, and `If-None-Match` with that ETag answers 304."
        ),
        "tags": ["photos"],
        "parameters": [
            openapi_parts.path_id("photo_id", "photo"),
            {
                "name": "variant",
                "in": "path",
                "required": True,
                "description": "`thumb` (at most 400 px) or `display` (at most 2048 px).",
                "schema": {"enum": list(serving.VARIANTS)},
            },
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of a copy the client has.",
                "schema": {"type": "string"},
            },
        ],
        "responses": {
            "200": {
                "description": "The copy.",
                "headers": {
                    "ETag": {"description": "The copy's SHA-256.", "schema": {"type": "string"}}
                },
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            },
            "304": {"description": "The client's copy is current."},
            **openapi_parts.errors("401", "404"),
        },
    },
)
