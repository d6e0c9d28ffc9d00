"""The pieces API descriptions are built from: references, responses, errors, parameters.

They sit below the registry (`gemba.api.openapi`) so that the API's own schemas and
operations and any module that adds an endpoint (photos, say) describe themselves with
the same pieces, and the registry can import the core descriptions without a cycle:
`json_body(ref("Photo"), "Stored.")`, `errors("401", "404")`, `path_id("photo_id", "photo")`.
"""

from __future__ import annotations

from typing import Any

UUID = {"type": "string", "format": "uuid"}


def ref(name: str) -> dict[str, str]:
    """A reference to a named schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A response with a JSON body."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def photo_upload(
    file_description: str, fields: dict[str, Any] | None = None, required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A multipart request body with a picture in `file` and, beside it, `fields`."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", *required],
                    "properties": {
                        "file": {
                            "type": "string",
                            "contentMediaType": "application/octet-stream",
                            "description": file_description,
                        },
                        **(fields or {}),
                    },
                },
                "encoding": {"file": {"contentType": "image/*, application/octet-stream"}},
            }
        },
    }


def problem_response(description: str) -> dict[str, Any]:
    """A response with a problem-details body (RFC 9457)."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }


# Error responses every operation may give; operations name the ones that apply.
ERRORS = {
    "400": problem_response("Malformed request: bad JSON, a bad query parameter, no CSRF token."),
    "401": problem_response("Not logged in, or the bearer token is invalid or revoked."),
    "403": problem_response("Logged in, but not allowed."),
    "404": problem_response("No such resource."),
    "409": problem_response("Another request wrote the same records at the same time; retry."),
    "413": problem_response("The body or the number of records is too large."),
    "422": problem_response("Well-formed JSON that is not a Gemba JSON document."),
}


def errors(*codes: str) -> dict[str, Any]:
    """The problem-details responses an operation can give, by status code."""
    return {code: ERRORS[code] for code in codes}


# -- parameters ------------------------------------------------------------------------------

CURSOR = {
    "name": "cursor",
    "in": "query",
    "description": "Where the page starts: the `next_cursor` of the page before (opaque; "
    "`offset` is ignored with it). A cursor page never repeats or skips an item because "
    "items were added meanwhile.",
    "schema": {"type": "string", "maxLength": 1000},
    "example": "WyJ3YWxrcyIsWyIyMDI2LTExLTIwVDA3OjAwOjAwKzAwOjAwIiwiLi4uIl1d",
}
LIMIT = {
    "name": "limit",
    "in": "query",
    "description": "Items per page (default 50, at most 200).",
    "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
}
PAGE_PARAMETERS = [
    LIMIT,
    CURSOR,
    {
        "name": "offset",
        "in": "query",
        "description": "Items to skip (the older way to page; prefer `cursor`).",
        "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000, "default": 0},
    },
]
# A list the capture app reads whole: paged only when `limit` or `cursor` is given.
WHOLE_UNLESS_PAGED = [
    {**LIMIT, "description": "Items per page (at most 200); without it and `cursor`, all."},
    CURSOR,
    PAGE_PARAMETERS[2],
]
# The headers every answer of a list carries.
PAGE_HEADERS = {
    "Link": {
        "description": 'The next page: `<URL>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "A weak tag of the body; send it as If-None-Match to get 304.",
        "schema": {"type": "string"},
    },
}
NOT_MODIFIED = {"description": "Not modified: the If-None-Match tag is still current."}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "description": "The ETag of an earlier answer: 304 without a body if it is unchanged.",
    "schema": {"type": "string"},
}


def path_id(name: str, what: str) -> dict[str, Any]:
    """A UUID path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s UUID.",
        "schema": UUID,
    }


def path_int(name: str, what: str) -> dict[str, Any]:
    """An integer path parameter (a row id that is never shared outside the app)."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1},
    }


def filter_id(name: str, what: str) -> dict[str, Any]:
    """An optional UUID query filter."""
    return {"name": name, "in": "query", "description": f"Only this {what}.", "schema": UUID}
