"""The OpenAPI 3.1 document of /api/v1, built from a registry other modules can extend.

Operations and schemas are registered here at import time; a module that adds an
endpoint (photo upload, say) calls `add_operation()` and, if it needs one,
`add_schema()`, and `document()` includes it. Paths are relative to /api/v1.
The record schemas are the ones `gemba.domain.gemba_json` validates with, so
the published contract and the server's checks cannot drift apart.
"""

from __future__ import annotations

import copy
from typing import Any

from gemba.domain.gemba_json import FORMAT, MAX_RECORDS, RECORD_SCHEMAS, RECORD_TYPES
from gemba.models import GapStatus

API_PREFIX = "/api/v1"
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}
SCHEMAS: dict[str, dict[str, Any]] = {}
TAGS: list[dict[str, str]] = [
    {"name": "sync", "description": "Send Gemba JSON records."},
    {"name": "read", "description": "Walks, sites, topics and gaps."},
    {"name": "export", "description": "Gemba JSON documents to download."},
    {"name": "meta", "description": "This description."},
]
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def add_operation(path: str, method: str, spec: dict[str, Any]) -> None:
    """Register one operation (path relative to /api/v1); it needs a unique operationId."""
    method = method.lower()
    if method not in _METHODS or not path.startswith("/"):
        raise ValueError(f"Not an operation: {method.upper()} {path}")
    if "operationId" not in spec:
        raise ValueError(f"{method.upper()} {path} needs an operationId")
    taken = {s["operationId"] for key, s in OPERATIONS.items() if key != (path, method)}
    if spec["operationId"] in taken:
        raise ValueError(f"operationId {spec['operationId']} is already used")
    OPERATIONS[(path, method)] = spec


def add_schema(name: str, schema: dict[str, Any]) -> None:
    """Register a named schema under components/schemas."""
    SCHEMAS[name] = schema


def ref(name: str) -> dict[str, str]:
    """A reference to a named schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A response with a JSON body."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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


def document(server_url: str = API_PREFIX) -> dict[str, Any]:
    """The whole OpenAPI document, as served at /api/v1/openapi.json."""
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), spec in sorted(OPERATIONS.items()):
        paths.setdefault(path, {})[method] = copy.deepcopy(spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gemba API",
            "version": "1.0.0",
            "summary": "Gemba walks as Gemba JSON: sync, read, export.",
            "description": (
                "Every record carries a client-made UUID, so sending it again never makes a "
                "duplicate. Authenticate scripts with `Authorization: Bearer TOKEN` "
                "(`flask --app gemba token create EMAIL`); the app's own pages use their "
                "session cookie and send the CSRF token in the `X-CSRFToken` header. "
                "Errors are problem details (RFC 9457) with an `errors` list of field paths. "
                "See docs/gemba-json.md and docs/api.md."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": copy.deepcopy(TAGS),
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": paths,
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from the profile page or the CLI.",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The app's login session; unsafe methods also need the "
                    "X-CSRFToken header.",
                },
            },
        },
    }


# -- schemas ---------------------------------------------------------------------------------

_RECORD_NAMES = {t: f"{t.capitalize()}Record" for t in RECORD_TYPES}
for _type, _name in _RECORD_NAMES.items():
    add_schema(_name, copy.deepcopy(RECORD_SCHEMAS[_type]))

add_schema(
    "Record",
    {
        "description": "One Gemba JSON record; `type` says which.",
        "oneOf": [ref(name) for name in _RECORD_NAMES.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {t: f"#/components/schemas/{n}" for t, n in _RECORD_NAMES.items()},
        },
    },
)
add_schema(
    "Document",
    {
        "description": "A Gemba JSON v1 document, as exports and reads give it.",
        "type": "object",
        "required": ["format", "records"],
        "properties": {
            "format": {"const": FORMAT},
            "records": {"type": "array", "items": ref("Record")},
        },
    },
)
add_schema(
    "SyncRequest",
    {
        "description": (
            "A batch of records in any order (parents may come after children). A record that "
            "breaks its schema or a rule is rejected in the response; the others are kept."
        ),
        "type": "object",
        "required": ["format", "records"],
        "properties": {
            "format": {"const": FORMAT},
            "records": {"type": "array", "maxItems": MAX_RECORDS, "items": ref("Record")},
        },
    },
)
add_schema(
    "FieldError",
    {
        "type": "object",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "A path such as `claim.value`."},
            "message": {"type": "string"},
        },
    },
)
add_schema(
    "Problem",
    {
        "description": "Problem details (RFC 9457).",
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": ref("FieldError")},
        },
    },
)
add_schema(
    "RecordResult",
    {
        "type": "object",
        "required": ["id", "type", "status"],
        "properties": {
            "id": {"type": ["string", "null"], "description": "As sent; null if it had none."},
            "type": {"enum": [*RECORD_TYPES, None]},
            "status": {"enum": ["created", "updated", "unchanged", "rejected"]},
            "errors": {"type": "array", "items": ref("FieldError")},
            "reason": {"type": "string", "description": "The errors in one sentence."},
            "http_status": {
                "type": "integer",
                "description": "For a rejected record, the status it would get alone: "
                "403 not yours, 404 unknown reference, 409 conflict, 422 invalid.",
            },
        },
    },
)
_TIME = {"type": "string", "format": "date-time"}
_OPT_TIME = {"type": ["string", "null"], "format": "date-time"}
_UUID = {"type": "string", "format": "uuid"}
add_schema(
    "Gap",
    {
        "type": "object",
        "required": [
            "id",
            "statement",
            "evidence",
            "status",
            "severity",
            "confidence",
            "explanation",
        ],
        "properties": {
            "id": _UUID,
            "site": _UUID,
            "walk": _UUID,
            "statement": {**_UUID, "description": "The statement the evidence contradicts."},
            "statement_text": {"type": "string"},
            "topic": {"type": ["string", "null"]},
            "kind": {"type": "string", "description": "frequency, measure or manual."},
            "status": {"enum": list(GapStatus.__members__)},
            "contradicted": {
                "type": "boolean",
                "description": "False once the evidence no longer contradicts (kept if triaged).",
            },
            "severity": {"type": "number", "minimum": 0, "maximum": 1},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "explanation": {"type": "string"},
            "evidence": {"type": "array", "items": _UUID, "description": "Fact ids."},
            "observed": {"type": "integer", "minimum": 0},
            "flagged_at": _TIME,
            "updated_at": {**_TIME, "description": "When the evidence last changed."},
            "triaged_at": _OPT_TIME,
        },
    },
)
add_schema(
    "SyncResponse",
    {
        "type": "object",
        "required": ["format", "results", "gaps", "cleared_gaps"],
        "properties": {
            "format": {"const": FORMAT},
            "results": {
                "type": "array",
                "items": ref("RecordResult"),
                "description": "One result per record, in the order sent.",
            },
            "gaps": {
                "type": "array",
                "items": ref("Gap"),
                "description": "Gaps the batch created or changed.",
            },
            "cleared_gaps": {
                "type": "array",
                "items": _UUID,
                "description": "Ids of gaps the batch removed: the evidence no longer contradicts.",
            },
        },
    },
)


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    """A page of items, as every list endpoint answers."""
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset", "next_offset"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer", "minimum": 1},
            "offset": {"type": "integer", "minimum": 0},
            "next_offset": {
                "type": ["integer", "null"],
                "description": "The offset of the next page; null on the last page.",
            },
        },
    }


add_schema(
    "WalkSummary",
    {
        "type": "object",
        "required": ["id", "site", "title", "status", "started_at"],
        "properties": {
            "id": _UUID,
            "site": _UUID,
            "site_name": {"type": "string"},
            "title": {"type": "string"},
            "purpose": {"type": ["string", "null"]},
            "status": {"enum": ["in_progress", "finished"]},
            "observer": {"type": "string", "description": "The observer's user name."},
            "started_at": _TIME,
            "ended_at": _OPT_TIME,
            "updated_at": _TIME,
        },
    },
)
add_schema(
    "Topic",
    {
        "type": "object",
        "required": ["name", "statements", "facts", "gaps"],
        "properties": {
            "name": {"type": "string"},
            "statements": {"type": "integer", "minimum": 0},
            "facts": {"type": "integer", "minimum": 0},
            "gaps": {"type": "integer", "minimum": 0, "description": "Contradicted gaps."},
        },
    },
)
add_schema("WalkList", _list_of(ref("WalkSummary")))
add_schema("SiteList", _list_of(ref("SiteRecord")))
add_schema("TopicList", _list_of(ref("Topic")))
add_schema("GapList", _list_of(ref("Gap")))

# -- parameters ------------------------------------------------------------------------------

PAGE_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "description": "Items per page.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
    {
        "name": "offset",
        "in": "query",
        "description": "Items to skip.",
        "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000, "default": 0},
    },
]


def path_id(name: str, what: str) -> dict[str, Any]:
    """A UUID path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s UUID.",
        "schema": _UUID,
    }


def filter_id(name: str, what: str) -> dict[str, Any]:
    """An optional UUID query filter."""
    return {"name": name, "in": "query", "description": f"Only this {what}.", "schema": _UUID}


_ATTACHMENT = {
    "Content-Disposition": {
        "description": "attachment, with a file name.",
        "schema": {"type": "string"},
    }
}

ARCHIVE = {
    "description": "A zip archive: `gemba.json` (the document), `photos.json` "
    '(`{"photos": [{"id", "record", "file"}]}`) and each photo under `photos/`.',
    "content": {"application/zip": {"schema": {"contentMediaType": "application/zip"}}},
}

# -- operations ------------------------------------------------------------------------------

add_operation(
    "/openapi.json",
    "get",
    {
        "operationId": "getOpenApiDocument",
        "summary": "This document.",
        "tags": ["meta"],
        "security": [],
        "responses": {"200": json_body({"type": "object"}, "The OpenAPI document.")},
    },
)
add_operation(
    "/sync",
    "post",
    {
        "operationId": "syncRecords",
        "summary": "Send a batch of records; get a result per record and the gaps it moved.",
        "description": (
            "Idempotent: a record sent again (in the same batch or a later one) is "
            "`unchanged`, never duplicated, so a batch whose response was lost can be sent "
            "again. Records may refer to records later in the batch. One bad record is "
            "`rejected` with its reason; the others are kept. Updating a record of another "
            "observer's walk is rejected (403)."
        ),
        "tags": ["sync"],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("SyncRequest")}},
        },
        "responses": {
            "200": json_body(ref("SyncResponse"), "A result per record."),
            **errors("400", "401", "409", "413", "422"),
        },
    },
)
add_operation(
    "/sites",
    "get",
    {
        "operationId": "listSites",
        "summary": "Sites, by name.",
        "tags": ["read"],
        "parameters": PAGE_PARAMETERS,
        "responses": {
            "200": json_body(ref("SiteList"), "A page of sites."),
            **errors("400", "401"),
        },
    },
)
add_operation(
    "/sites/{site_id}/topics",
    "get",
    {
        "operationId": "listSiteTopics",
        "summary": "A site's topics, with counts of statements, facts and gaps.",
        "tags": ["read"],
        "parameters": [path_id("site_id", "site"), *PAGE_PARAMETERS],
        "responses": {
            "200": json_body(ref("TopicList"), "A page of topics."),
            **errors("400", "401", "404"),
        },
    },
)
add_operation(
    "/sites/{site_id}/export",
    "get",
    {
        "operationId": "exportSite",
        "summary": "A whole site as a Gemba JSON document, to download.",
        "tags": ["export"],
        "parameters": [path_id("site_id", "site")],
        "responses": {
            "200": {**json_body(ref("Document"), "The document."), "headers": _ATTACHMENT},
            **errors("401", "404"),
        },
    },
)
add_operation(
    "/sites/{site_id}/export.zip",
    "get",
    {
        "operationId": "exportSiteArchive",
        "summary": "A whole site as a zip: gemba.json, photos.json and the photo files.",
        "tags": ["export"],
        "parameters": [path_id("site_id", "site")],
        "responses": {
            "200": {**ARCHIVE, "headers": _ATTACHMENT},
            **errors("401", "404"),
        },
    },
)
add_operation(
    "/walks",
    "get",
    {
        "operationId": "listWalks",
        "summary": "Walks, newest first.",
        "tags": ["read"],
        "parameters": [filter_id("site", "site"), *PAGE_PARAMETERS],
        "responses": {
            "200": json_body(ref("WalkList"), "A page of walks."),
            **errors("400", "401"),
        },
    },
)
add_operation(
    "/walks/{walk_id}",
    "get",
    {
        "operationId": "getWalk",
        "summary": "A walk and its records as a Gemba JSON document (with its site).",
        "tags": ["read"],
        "parameters": [path_id("walk_id", "walk")],
        "responses": {
            "200": json_body(ref("Document"), "The walk's document."),
            **errors("401", "404"),
        },
    },
)
add_operation(
    "/walks/{walk_id}/export",
    "get",
    {
        "operationId": "exportWalk",
        "summary": "A walk as a Gemba JSON document, to download.",
        "tags": ["export"],
        "parameters": [path_id("walk_id", "walk")],
        "responses": {
            "200": {**json_body(ref("Document"), "The document."), "headers": _ATTACHMENT},
            **errors("401", "404"),
        },
    },
)
add_operation(
    "/walks/{walk_id}/export.zip",
    "get",
    {
        "operationId": "exportWalkArchive",
        "summary": "A walk as a zip: gemba.json, photos.json and the photo files.",
        "tags": ["export"],
        "parameters": [path_id("walk_id", "walk")],
        "responses": {
            "200": {**ARCHIVE, "headers": _ATTACHMENT},
            **errors("401", "404"),
        },
    },
)
add_operation(
    "/gaps",
    "get",
    {
        "operationId": "listGaps",
        "summary": "Say-vs-do gaps, strongest first (severity x confidence).",
        "tags": ["read"],
        "parameters": [
            filter_id("site", "site"),
            filter_id("walk", "walk"),
            {
                "name": "topic",
                "in": "query",
                "description": "Only this topic (matched ignoring case and spaces).",
                "schema": {"type": "string", "maxLength": 200},
            },
            {
                "name": "status",
                "in": "query",
                "description": "Only gaps in this triage status.",
                "schema": {"enum": list(GapStatus.__members__)},
            },
            *PAGE_PARAMETERS,
        ],
        "responses": {
            "200": json_body(ref("GapList"), "A page of gaps."),
            **errors("400", "401"),
        },
    },
)
