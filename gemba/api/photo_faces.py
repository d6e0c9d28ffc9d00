"""POST /api/v1/photos/faces: the faces the server would blur, proposed before sending.

The capture app shrinks a photo, sends a small copy here and draws the boxes over it; the
observer keeps, removes or adds boxes and sends the photo with its `blur` field. Nothing is
stored: the picture is decoded, looked at and forgotten.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from gemba.api import bp, openapi, openapi_parts
from gemba.api.photos import refuse, too_large
from gemba.domain import faces
from gemba.domain.photos import PhotoRejected
from gemba.photos import processing


@bp.post("/photos/faces")
def propose_faces():
    """Boxes around the faces in a picture (multipart `file`), as fractions of it upright."""
    if request.mimetype != "multipart/form-data":
        return refuse(415, _l("Send the picture as multipart/form-data (field file)."))
    try:
        upload = request.files.get("file")
        data = upload.read() if upload is not None else None
    except RequestEntityTooLarge:
        return too_large()
    if data is None:
        return refuse(400, _l("The multipart field `file` with the photo is missing."))
    try:
        boxes = processing.propose_boxes(data)
    except PhotoRejected as exc:
        response = refuse(exc.status, exc.message, getattr(exc, "field", "file"))
        if exc.status == 503:
            response.headers["Retry-After"] = "5"
        return response
    response = jsonify({"boxes": [box.to_json() for box in boxes], "detector": faces.DETECTOR})
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the OpenAPI description -------------------------------------------------------------------

openapi.add_schema(
    "BlurBox",
    {
        "description": "An area to blur, as fractions (0 to 1) of the upright picture.",
        "type": "object",
        "required": ["x", "y", "w", "h"],
        "properties": {
            "x": {"type": "number", "minimum": 0, "maximum": 1, "description": "Left edge."},
            "y": {"type": "number", "minimum": 0, "maximum": 1, "description": "Top edge."},
            "w": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Width."},
            "h": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Height."},
            "source": {
                "enum": ["detector", "observer"],
                "default": "observer",
                "description": "Who proposed it: the face detector, or the observer's drag.",
            },
        },
    },
)
openapi.add_schema(
    "BlurRequest",
    {
        "description": (
            "The `blur` field of a photo upload. `reviewed: true` says the boxes are the "
            "observer's final list (detector boxes kept and their own): the server blurs "
            "exactly those. Otherwise (and always on a works-council site) the server also "
            "blurs every face its own detector finds. Each box is padded when applied."
        ),
        "type": "object",
        "properties": {
            "boxes": {"type": "array", "maxItems": 100, "items": openapi_parts.ref("BlurBox")},
            "reviewed": {"type": "boolean", "default": False},
        },
    },
)
openapi.add_operation(
    "/photos/faces",
    "post",
    {
        "operationId": "proposeFaces",
        "summary": "Find the faces in a picture, to review before sending the photo.",
        "description": (
            "Nothing is stored. Send a small copy (a long edge of about 1024 px is plenty); "
            "the boxes are fractions of the upright picture, so they fit the full photo "
            "too. The same refusals as a photo upload (413, 415, 422), and 503 with "
            "Retry-After when the server is busy with other photos."
        ),
        "tags": ["photos"],
        "requestBody": openapi_parts.photo_upload("The picture: JPEG, PNG, WebP or HEIC."),
        "responses": {
            "200": openapi_parts.json_body(
                {
                    "type": "object",
                    "required": ["boxes", "detector"],
                    "properties": {
                        "boxes": {"type": "array", "items": openapi_parts.ref("BlurBox")},
                        "detector": {"type": "string", "description": "The detector's name."},
                    },
                },
                "The faces found (maybe none).",
            ),
            "415": openapi_parts.problem_response("Not multipart, or not a photo."),
            "503": openapi_parts.problem_response("Busy with other photos; send again."),
            **openapi_parts.errors("400", "401", "413", "422"),
        },
    },
)
