"""The API reference page: the OpenAPI document as HTML, rendered on the server.

A person reading how to triage a gap from a script should not need a JavaScript
renderer (and the Content-Security-Policy allows no inline script anyway): the page is
a Jinja template over the same document /api/v1/openapi.json serves, so the two
cannot disagree. It is public like that document: it describes the API, holds no one's
data, and a script's author may read it before they have an account.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import render_template
from markupsafe import Markup, escape

from gemba.api import bp, openapi

_CODE = re.compile(r"`([^`]+)`")
_ORDER = ("get", "post", "put", "patch", "delete")


def prose(text: str | None) -> Markup:
    """A description with its `code` spans as <code>, everything else escaped."""
    escaped = str(escape(text or ""))
    # Safe: the text is escaped first; only the <code> tags added here are markup.
    return Markup(_CODE.sub(r"<code>\1</code>", escaped))  # noqa: S704


def _schema_name(content: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The media type and the named schema (or "object") of a body."""
    if not content:
        return None, None
    media_type, body = next(iter(content.items()))
    schema = body.get("schema", {})
    ref = schema.get("$ref", "")
    return media_type, ref.rsplit("/", 1)[-1] if ref else schema.get("type")


def _example(schemas: dict[str, Any], content: dict[str, Any] | None) -> str | None:
    """The body's example (its own, or its schema's first), as indented JSON."""
    if not content:
        return None
    body = next(iter(content.values()))
    example = body.get("example")
    if example is None:
        ref = body.get("schema", {}).get("$ref", "")
        examples = schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples") if ref else None
        example = examples[0] if examples else None
    return json.dumps(example, indent=2, ensure_ascii=False) if example is not None else None


def _operation(path: str, method: str, spec: dict[str, Any], schemas: dict) -> dict[str, Any]:
    request = spec.get("requestBody", {}).get("content")
    media_type, schema = _schema_name(request)
    responses = []
    for code, response in sorted(spec.get("responses", {}).items()):
        answer_type, answer_schema = _schema_name(response.get("content"))
        responses.append(
            {
                "code": code,
                "description": response.get("description", ""),
                "media_type": answer_type,
                "schema": answer_schema,
                "example": _example(schemas, response.get("content")) if code < "300" else None,
            }
        )
    return {
        "id": spec["operationId"],
        "method": method.upper(),
        "path": openapi.API_PREFIX + path,
        "summary": spec.get("summary", ""),
        "description": spec.get("description"),
        "public": spec.get("security") == [],
        "parameters": spec.get("parameters", []),
        "request": {"media_type": media_type, "schema": schema} if request else None,
        "request_example": _example(schemas, request),
        "responses": responses,
    }


def grouped(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The operations by tag, in the document's tag order, each by path and method."""
    schemas = document["components"]["schemas"]
    groups = {tag["name"]: {**tag, "operations": []} for tag in document["tags"]}
    for path, methods in sorted(document["paths"].items()):
        for method in sorted(methods, key=_ORDER.index):
            spec = methods[method]
            tag = (spec.get("tags") or ["meta"])[0]
            group = groups.setdefault(tag, {"name": tag, "description": "", "operations": []})
            group["operations"].append(_operation(path, method, spec, schemas))
    return [g for g in groups.values() if g["operations"]]


@bp.get("/reference")
def reference():
    """The API reference, for people: every operation, grouped, with examples."""
    document = openapi.document()
    schemas = {
        name: json.dumps(schema, indent=2, ensure_ascii=False)
        for name, schema in sorted(document["components"]["schemas"].items())
    }
    return render_template(
        "api/reference.html",
        info=document["info"],
        groups=grouped(document),
        schemas=schemas,
        prose=prose,
    )
