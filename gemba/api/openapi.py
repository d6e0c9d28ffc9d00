"""The OpenAPI 3.1 document of /api/v1, built from a registry other modules can extend.

The API's own schemas (`openapi_schemas`) and operations (`openapi_operations`) are
registered here at import time; a module that adds an endpoint (photo upload, say)
calls `add_operation()` and, if it needs one, `add_schema()`, describing it with the
pieces in `openapi_parts`, and `document()` includes it. Paths are relative to /api/v1.
The record schemas are the ones `gemba.domain.gemba_json` validates with, so
the published contract and the server's checks cannot drift apart.
"""

from __future__ import annotations

import copy
from typing import Any

from gemba.api import openapi_loop, openapi_operations, openapi_schemas
from gemba.api.openapi_parts import IF_NONE_MATCH, NOT_MODIFIED, PAGE_HEADERS

API_PREFIX = "/api/v1"
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}
SCHEMAS: dict[str, dict[str, Any]] = {}
TAGS: list[dict[str, str]] = [
    {"name": "sync", "description": "Send Gemba JSON records."},
    {"name": "read", "description": "Walks, sites, topics and gaps."},
    {"name": "review", "description": "Triage gaps; decide and follow up actions."},
    {"name": "plans", "description": "Walk plans and the walks due."},
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


def document(server_url: str = API_PREFIX) -> dict[str, Any]:
    """The whole OpenAPI document, as served at /api/v1/openapi.json."""
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), spec in sorted(OPERATIONS.items()):
        paths.setdefault(path, {})[method] = _conditional(method, copy.deepcopy(spec))
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
                "Lists page with `limit` and an opaque `cursor` (`next_cursor`, and a "
                '`Link: <...>; rel="next"` header); reads carry an `ETag` and answer '
                "`If-None-Match` with 304; an action's edit takes `If-Match` (412 if stale). "
                "A readable reference is at /api/v1/reference. "
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


def _conditional(method: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Every read answers If-None-Match with 304 and tags its 200 (etags.conditional_read);
    a list also links its next page. Said here once rather than in each operation."""
    if method != "get" or "200" not in spec.get("responses", {}):
        return spec
    names = {p.get("name") for p in spec.get("parameters", [])}
    if "If-None-Match" not in names:
        spec["parameters"] = [*spec.get("parameters", []), IF_NONE_MATCH]
    spec["responses"].setdefault("304", NOT_MODIFIED)
    headers = spec["responses"]["200"].setdefault("headers", {})
    headers.setdefault("ETag", PAGE_HEADERS["ETag"])
    if "cursor" in names:
        headers.setdefault("Link", PAGE_HEADERS["Link"])
    return spec


def _register_the_api_itself() -> None:
    """The schemas and operations of the API's own endpoints."""
    for name, schema in {**openapi_schemas.SCHEMAS, **openapi_loop.SCHEMAS}.items():
        add_schema(name, schema)
    for path, method, spec in [*openapi_operations.OPERATIONS, *openapi_loop.OPERATIONS]:
        add_operation(path, method, spec)


_register_the_api_itself()
