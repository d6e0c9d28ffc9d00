"""The operations of /api/v1 itself: sync, the reads, the exports and this description.

Each is a (path, method, spec) triple, the path relative to /api/v1, that
`gemba.api.openapi` registers (checking that its operationId is unique); a module with
endpoints of its own registers them there the same way (triage, actions and plans are
in `openapi_loop`). Lists page with `limit` and `cursor` (or the older `offset`), and
`openapi.document()` adds every read's ETag and 304; exports answer as attachments, the
archives as zip files. An
answer's `links` say which reads its ids lead to (a page of walks to each walk's
document and exports, the gaps a sync moved to their walk and site), true whenever the
answer holds such an id; schemathesis' stateful tests follow them.
"""

from __future__ import annotations

from typing import Any

from gemba.api import openapi_parts
from gemba.api.openapi_parts import PAGE_PARAMETERS, errors, filter_id, json_body, path_id, ref
from gemba.domain.text import ONE_LINE_PATTERN
from gemba.models import GapStatus

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


# -- links: where an answer leads (OpenAPI links; schemathesis' stateful tests follow them) --


def _link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """A link to an operation, its parameters as runtime expressions."""
    return {"operationId": operation_id, "parameters": parameters}


def _to_walk(walk: str) -> dict[str, Any]:
    """The reads of the walk whose id is at `walk`."""
    return {
        "GetWalk": _link("getWalk", walk_id=walk),
        "ExportWalk": _link("exportWalk", walk_id=walk),
        "ExportWalkArchive": _link("exportWalkArchive", walk_id=walk),
        "ListGapsOfWalk": _link("listGaps", walk=walk),
    }


def _to_site(site: str) -> dict[str, Any]:
    """The reads of the site whose id is at `site`."""
    return {
        "ListSiteTopics": _link("listSiteTopics", site_id=site),
        "ExportSite": _link("exportSite", site_id=site),
        "ExportSiteArchive": _link("exportSiteArchive", site_id=site),
        "ListWalksAtSite": _link("listWalks", site=site),
        "ListGapsAtSite": _link("listGaps", site=site),
        "ListToCheckAtSite": _link("listToCheck", site_id=site),
    }


def _leads_to(response: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    return {**response, "links": links}


OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "/openapi.json",
        "get",
        {
            "operationId": "getOpenApiDocument",
            "summary": "This document.",
            "tags": ["meta"],
            "security": [],
            "responses": {"200": json_body({"type": "object"}, "The OpenAPI document.")},
        },
    ),
    (
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
                # The gaps a batch moved are on a walk and a site the batch wrote to.
                "200": _leads_to(
                    json_body(ref("SyncResponse"), "A result per record."),
                    {
                        **_to_walk("$response.body#/gaps/0/walk"),
                        **_to_site("$response.body#/gaps/0/site"),
                    },
                ),
                **errors("400", "401", "409", "413", "422"),
            },
        },
    ),
    (
        "/sites",
        "get",
        {
            "operationId": "listSites",
            "summary": "Sites, by name.",
            "tags": ["read"],
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": _leads_to(
                    json_body(ref("SiteList"), "A page of sites."),
                    _to_site("$response.body#/items/0/id"),
                ),
                **errors("400", "401"),
            },
        },
    ),
    (
        "/sites/{site_id}/topics",
        "get",
        {
            "operationId": "listSiteTopics",
            "summary": "A site's topics, with counts of statements, facts and gaps.",
            "tags": ["read"],
            "parameters": [path_id("site_id", "site"), *PAGE_PARAMETERS],
            "responses": {
                "200": _leads_to(
                    json_body(ref("TopicList"), "A page of topics."),
                    {
                        "ListGapsOnTopic": _link(
                            "listGaps",
                            site="$request.path.site_id",
                            topic="$response.body#/items/0/name",
                        )
                    },
                ),
                **errors("400", "401", "404"),
            },
        },
    ),
    (
        "/sites/{site_id}/to-check",
        "get",
        {
            "operationId": "listToCheck",
            "summary": "What the analysts asked for at a site: what a walk there should check.",
            "description": (
                "Gaps marked `needs_observation` (with the analyst's note), actions marked "
                "done that the evidence since must verify, and frequency claims too thin to "
                "judge, strongest first, each with what would decide it (`decide`, `more`). "
                "With `walk`, an item is `ticked` when that walk has a fact on its topic, and "
                "thin claims are chosen by the evidence from before that walk, so one it "
                "settles stays listed. A walk shows the first `limit` items it has not hidden."
            ),
            "tags": ["read"],
            "parameters": [
                path_id("site_id", "site"),
                {
                    **filter_id("walk", "walk"),
                    "description": "The walk it is for (one the server has not seen yet is "
                    "no error).",
                },
            ],
            "responses": {
                "200": json_body(ref("ToCheck"), "The items, strongest first."),
                **errors("400", "401", "404"),
            },
        },
    ),
    (
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
    ),
    (
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
    ),
    (
        "/walks",
        "get",
        {
            "operationId": "listWalks",
            "summary": "Walks, newest first.",
            "tags": ["read"],
            "parameters": [filter_id("site", "site"), *PAGE_PARAMETERS],
            "responses": {
                "200": _leads_to(
                    json_body(ref("WalkList"), "A page of walks."),
                    {
                        **_to_walk("$response.body#/items/0/id"),
                        **_to_site("$response.body#/items/0/site"),
                    },
                ),
                **errors("400", "401"),
            },
        },
    ),
    (
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
    ),
    (
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
    ),
    (
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
    ),
    (
        "/notices",
        "get",
        {
            "operationId": "listNotices",
            "summary": "The caller's notices, newest first (at most 50): the app's \"For you\".",
            "tags": ["read"],
            "responses": {
                "200": json_body(ref("NoticeList"), "The notices."),
                **errors("401"),
            },
        },
    ),
    (
        "/notices/{notice_id}/read",
        "post",
        {
            "operationId": "markNoticeRead",
            "summary": "Mark one of the caller's notices read.",
            "description": "Idempotent (a tap queued offline may come twice); not yours: 404.",
            "tags": ["read"],
            "parameters": [openapi_parts.path_int("notice_id", "notice")],
            "responses": {
                "200": json_body(ref("Notice"), "The notice, read."),
                **errors("400", "401", "404"),
            },
        },
    ),
    (
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
                    "description": "Only this topic (matched ignoring case and spaces); one "
                    "line, no control characters.",
                    "schema": {"type": "string", "maxLength": 200, "pattern": ONE_LINE_PATTERN},
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
                "200": _leads_to(
                    json_body(ref("GapList"), "A page of gaps."),
                    {
                        **_to_walk("$response.body#/items/0/walk"),
                        **_to_site("$response.body#/items/0/site"),
                        "TriageGap": _link("triageGap", gap_id="$response.body#/items/0/id"),
                        "ListActionsOfGap": _link("listActions", gap="$response.body#/items/0/id"),
                    },
                ),
                **errors("400", "401"),
            },
        },
    ),
    (
        "/records/{record_type}/{record_id}",
        "delete",
        {
            "operationId": "deleteRecord",
            "summary": "Delete a walk or a record of a walk; get the gaps it moved.",
            "description": (
                "Idempotent: a record already deleted is answered `deleted` again, so a "
                "queued delete whose answer was lost can be sent again. Deleting from another "
                "observer's walk is refused (403). What is deleted is kept for an admin to "
                "restore for a while."
            ),
            "tags": ["sync"],
            "parameters": [
                {
                    "name": "record_type",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["walk", "place", "thing", "fact", "statement"]},
                },
                path_id("record_id", "record"),
            ],
            "responses": {
                "200": json_body(ref("SyncResponse"), "The record's result: deleted."),
                **errors("400", "401", "403", "404"),
            },
        },
    ),
]
