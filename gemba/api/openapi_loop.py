"""The OpenAPI description of the analyst's loop: triage, actions, plans and walks due,
and the reference page. Registered by `gemba.api.openapi` with the API's own parts.

The request schemas here are the ones `review_views` validates bodies with, so the
published contract and the server's checks cannot drift apart. Examples are real
values a script can send.
"""

from __future__ import annotations

from typing import Any

from gemba.api.openapi_parts import (
    PAGE_PARAMETERS,
    UUID,
    WHOLE_UNLESS_PAGED,
    errors,
    filter_id,
    json_body,
    path_id,
    problem_response,
    ref,
)
from gemba.api.openapi_schemas import PAGING
from gemba.domain.text import ONE_LINE_PATTERN
from gemba.gaps.triage import REASON_LIMIT
from gemba.models import ActionStatus
from gemba.review.forms import NOTE_MAX

_GAP_ID = "0b7f6a52-3c1e-4f0e-9a51-2d8f1c6b7e11"
_ACTION_ID = "6a1c2e9d-8b47-4d3f-a0c5-7e2b9f41d8a3"
_SITE_ID = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
_ACTION_STATUSES = list(ActionStatus.__members__)
_DATE = {"type": ["string", "null"], "format": "date"}
# Text that is text: no control characters but tab and line breaks (gemba.domain.text).
MULTI_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
_NOTE = {"type": ["string", "null"], "maxLength": NOTE_MAX, "pattern": MULTI_LINE_PATTERN}
_OWNER = {
    "type": ["string", "null"],
    "maxLength": 254,
    "description": "The owner's e-mail (an active user); null for nobody yet.",
}
_GAP_IDS = {
    "type": "array",
    "items": UUID,
    "minItems": 1,
    "maxItems": 100,
    "description": "The gaps it answers, all at one site.",
}
_ACTION_FIELDS: dict[str, Any] = {
    "title": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": ONE_LINE_PATTERN},
    "description": _NOTE,
    "owner": _OWNER,
    "due_date": _DATE,
    "status": {"enum": _ACTION_STATUSES},
    "gaps": _GAP_IDS,
}
ACTION_EXAMPLE: dict[str, Any] = {
    "id": _ACTION_ID,
    "site": _SITE_ID,
    "title": "Fix the badge reader at the north gate",
    "description": "Facilities replace the reader; the shift lead checks it each morning.",
    "owner": "ana@example.com",
    "due_date": "2026-12-18",
    "status": "in_progress",
    "created_at": "2026-12-01T09:30:00Z",
    "updated_at": "2026-12-02T14:05:00Z",
    "done_at": None,
    "gaps": [],
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "TriageRequest": {
        "description": "A triage decision; dismissing needs a reason.",
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"enum": ["confirmed", "dismissed", "needs_observation", "open"]},
            "reason": {**_NOTE, "maxLength": REASON_LIMIT},
        },
        # Dismissing needs a reason that says something.
        "if": {"properties": {"status": {"const": "dismissed"}}, "required": ["status"]},
        "then": {
            "required": ["reason"],
            "properties": {"reason": {"type": "string", "pattern": "\\S"}},
        },
        "examples": [{"status": "dismissed", "reason": "The SOP changed last week."}],
    },
    "ActionCreate": {
        "type": "object",
        "required": ["title", "gaps"],
        "properties": _ACTION_FIELDS,
        "examples": [
            {
                "title": "Fix the badge reader at the north gate",
                "owner": "ana@example.com",
                "due_date": "2026-12-18",
                "gaps": [_GAP_ID],
            }
        ],
    },
    "ActionPatch": {
        "description": "Only the fields sent change.",
        "type": "object",
        "properties": _ACTION_FIELDS,
        "examples": [{"status": "done"}],
    },
    "Action": {
        "type": "object",
        "required": ["id", "site", "title", "owner", "due_date", "status", "gaps"],
        "properties": {
            "id": UUID,
            "site": UUID,
            "title": {"type": "string"},
            "description": {"type": ["string", "null"]},
            "owner": {"type": ["string", "null"], "description": "The owner's e-mail."},
            "due_date": _DATE,
            "status": {"enum": _ACTION_STATUSES},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "done_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When it took effect (done); later evidence verifies it.",
            },
            "gaps": {"type": "array", "items": ref("Gap"), "description": "Strongest first."},
        },
        "examples": [ACTION_EXAMPLE],
    },
    "ActionList": {
        "type": "object",
        "required": ["items", "total", "limit", "offset", "next_offset", "next_cursor"],
        "properties": {"items": {"type": "array", "items": ref("Action")}, **PAGING},
    },
    "PlanDocument": {
        "description": "A Gemba JSON document of plan records, with the paging members.",
        "type": "object",
        "required": ["format", "records"],
        "properties": {
            "format": {"const": "gemba/v1"},
            "records": {"type": "array", "items": ref("PlanRecord")},
            **PAGING,
        },
    },
}

_ETAG = {"ETag": {"description": "Send it as If-Match to edit.", "schema": {"type": "string"}}}
_PRECONDITION = problem_response("If-Match names a version that is no longer current.")


def _action_body(description: str) -> dict[str, Any]:
    body = json_body(ref("Action"), description)
    body["content"]["application/json"]["example"] = ACTION_EXAMPLE
    return {**body, "headers": _ETAG}


def _request(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "/gaps/{gap_id}/triage",
        "post",
        {
            "operationId": "triageGap",
            "summary": "Triage a gap: confirm, dismiss (with a reason), ask for more "
            "observation, or re-open.",
            "description": "Analysts and admins only (403 otherwise); written to the audit "
            "trail as on the gap's page. A gap an action answers becomes `actioned` by "
            "the action, not here.",
            "tags": ["review"],
            "parameters": [path_id("gap_id", "gap")],
            "requestBody": _request("TriageRequest"),
            "responses": {
                "200": json_body(ref("Gap"), "The gap as triaged."),
                **errors("400", "401", "403", "404", "422"),
            },
        },
    ),
    (
        "/actions",
        "get",
        {
            "operationId": "listActions",
            "summary": "Actions, newest first, each with the gaps it answers.",
            "tags": ["review"],
            "parameters": [
                filter_id("site", "site"),
                {**filter_id("gap", "gap"), "description": "Only actions answering this gap."},
                {
                    "name": "status",
                    "in": "query",
                    "description": "Only actions in this status.",
                    "schema": {"enum": _ACTION_STATUSES},
                },
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": json_body(ref("ActionList"), "A page of actions."),
                **errors("400", "401"),
            },
        },
    ),
    (
        "/actions",
        "post",
        {
            "operationId": "createAction",
            "summary": "Decide an action for gaps of one site; open gaps become actioned.",
            "tags": ["review"],
            "requestBody": _request("ActionCreate"),
            "responses": {
                "201": {
                    **_action_body("Created; Location is its address."),
                    "links": {
                        "GetAction": {
                            "operationId": "getAction",
                            "parameters": {"action_id": "$response.body#/id"},
                        }
                    },
                },
                **errors("400", "401", "403", "404", "422"),
            },
        },
    ),
    (
        "/actions/{action_id}",
        "get",
        {
            "operationId": "getAction",
            "summary": "An action and its gaps; its ETag is what If-Match names in an edit.",
            "tags": ["review"],
            "parameters": [path_id("action_id", "action")],
            "responses": {"200": _action_body("The action."), **errors("401", "404")},
        },
    ),
    (
        "/actions/{action_id}",
        "patch",
        {
            "operationId": "updateAction",
            "summary": "Change an action: title, details, owner, due date, status or gaps.",
            "description": "With `If-Match: <ETag>`, only if nobody changed the action "
            "since that read (412 otherwise); every change is audited.",
            "tags": ["review"],
            "parameters": [
                path_id("action_id", "action"),
                {
                    "name": "If-Match",
                    "in": "header",
                    "description": "The ETag of the action as read.",
                    "schema": {"type": "string"},
                },
            ],
            "requestBody": _request("ActionPatch"),
            "responses": {
                "200": _action_body("The action as changed."),
                "412": _PRECONDITION,
                **errors("400", "401", "403", "404", "422"),
            },
        },
    ),
    (
        "/plans",
        "get",
        {
            "operationId": "listPlans",
            "summary": "Walk plans with their checklists (retired items last), as Gemba JSON.",
            "description": "What the capture app keeps on the phone to walk a plan offline. "
            "An item's `standard` is judged by the say-vs-do engine like a spoken claim. "
            "By site and title; all of them unless `limit` or `cursor` asks for a page.",
            "tags": ["plans"],
            "parameters": [filter_id("site", "site"), *WHOLE_UNLESS_PAGED],
            "responses": {
                "200": json_body(ref("PlanDocument"), "The plans, by site and title."),
                **errors("400", "401"),
            },
        },
    ),
    (
        "/plans/{plan_id}",
        "get",
        {
            "operationId": "getPlan",
            "summary": "One walk plan with its checklist, as Gemba JSON.",
            "tags": ["plans"],
            "parameters": [path_id("plan_id", "plan")],
            "responses": {
                "200": json_body(ref("Document"), "The plan's record."),
                **errors("401", "404"),
            },
        },
    ),
]

_DUE = {
    "summary": "The caller's walks due today and overdue, earliest first.",
    "description": "An occurrence of a plan assigned to the caller (by name or role) that "
    "no walk of the plan has answered: `due` on its day in the site's time zone, `overdue` "
    "after it, until the plan's next occurrence begins (then missed). All of them unless "
    "`limit` or `cursor` asks for a page.",
    "tags": ["plans"],
    "parameters": WHOLE_UNLESS_PAGED,
    "responses": {"200": json_body(ref("DueWalks"), "The walks due."), **errors("400", "401")},
}
OPERATIONS += [
    ("/plans/due", "get", {"operationId": "listDueWalks", **_DUE}),
    ("/walks/due", "get", {"operationId": "listWalksDue", **_DUE}),
]

OPERATIONS.append(
    (
        "/reference",
        "get",
        {
            "operationId": "getApiReference",
            "summary": "This document as a page for people: operations by tag, with examples.",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The reference page.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        },
    )
)
