"""components/schemas of /api/v1: the Gemba JSON records and the bodies around them.

The record schemas are copies of the ones `gemba.domain.gemba_json` validates with, so
the published contract and the server's checks cannot drift apart; the others describe
the sync request and its results, problem details, gaps, and the pages of the read
endpoints. `gemba.api.openapi` registers every one of them.
"""

from __future__ import annotations

import copy
from typing import Any

from gemba.api.openapi_parts import UUID, ref
from gemba.domain.gemba_json import FORMAT, MAX_RECORDS, RECORD_SCHEMAS, RECORD_TYPES
from gemba.models import GapStatus

_RECORD_NAMES = {t: f"{t.capitalize()}Record" for t in RECORD_TYPES}
_TIME = {"type": "string", "format": "date-time"}
_OPT_TIME = {"type": ["string", "null"], "format": "date-time"}


PAGING: dict[str, Any] = {
    "total": {"type": "integer", "minimum": 0, "description": "Items in the whole list."},
    "limit": {
        "type": ["integer", "null"],
        "minimum": 1,
        "description": "Items per page; null when the whole list was asked for.",
    },
    "offset": {
        "type": ["integer", "null"],
        "minimum": 0,
        "description": "The offset asked for; null on a page asked for by cursor.",
    },
    "next_offset": {
        "type": ["integer", "null"],
        "description": "The offset of the next page; null on the last page or by cursor.",
    },
    "next_cursor": {
        "type": ["string", "null"],
        "description": "The `cursor` of the next page; null on the last page.",
    },
}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    """A page of items, as every list endpoint answers."""
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset", "next_offset", "next_cursor"],
        "properties": {"items": {"type": "array", "items": item}, **PAGING},
    }


_ID_OR_NULL = {"anyOf": [UUID, {"type": "null"}]}
_CHECK_ITEM = {
    "type": "object",
    "required": ["key", "kind", "label", "topic", "topic_id", "what", "decide", "ticked"],
    "properties": {
        "key": {"type": "string", "description": "Stable across reads: what a hide keeps."},
        "kind": {"enum": ["needs_observation", "verify_action", "thin_claim"]},
        "label": {"type": "string", "description": "The kind in words."},
        "topic": {"type": "string"},
        "topic_id": {"type": "integer"},
        "what": {
            "type": "string",
            "description": "The statement's text (empty once the site's retention removed "
            "it) or the action's title.",
        },
        "expired_at": {
            **_OPT_TIME,
            "description": "When the site's retention removed the statement's words.",
        },
        "said_by": {"type": ["string", "null"]},
        "claim": {"type": ["object", "null"]},
        "note": {"type": ["string", "null"], "description": "The analyst's note."},
        "decide": {"type": "string", "description": "e.g. Observe about 6 more to decide."},
        "why": {"type": "string"},
        "more": {"type": ["integer", "null"], "minimum": 0},
        "since": {**_OPT_TIME, "description": "When the action took effect."},
        "ticked": {"type": "boolean", "description": "The walk has a fact on the topic."},
        "gap": _ID_OR_NULL,
        "action": _ID_OR_NULL,
        "statement": _ID_OR_NULL,
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    **{name: copy.deepcopy(RECORD_SCHEMAS[t]) for t, name in _RECORD_NAMES.items()},
    "Record": {
        "description": "One Gemba JSON record; `type` says which.",
        "oneOf": [ref(name) for name in _RECORD_NAMES.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {t: f"#/components/schemas/{n}" for t, n in _RECORD_NAMES.items()},
        },
    },
    "Document": {
        "description": "A Gemba JSON v1 document, as exports and reads give it.",
        "type": "object",
        "required": ["format", "records"],
        "properties": {
            "format": {"const": FORMAT},
            "records": {"type": "array", "items": ref("Record")},
        },
    },
    "SyncRequest": {
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
    "DueWalks": {
        "type": "object",
        "required": ["due"],
        "properties": {
            "due": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["plan", "site", "title", "due_at", "status"],
                    "properties": {
                        "plan": UUID,
                        "site": UUID,
                        "title": {"type": "string"},
                        "due_at": _TIME,
                        "status": {"enum": ["due", "overdue"]},
                    },
                },
            },
            **PAGING,
        },
    },
    "FieldError": {
        "type": "object",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "A path such as `claim.value`."},
            "message": {"type": "string"},
        },
    },
    "Notice": {
        "description": "A notice decided for the caller (the same as its e-mail, if any).",
        "type": "object",
        "required": ["id", "kind", "subject", "body", "link", "created_at", "read"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "kind": {"type": "string"},
            "subject": {"type": "string"},
            "body": {"type": "string", "description": "The line a digest shows."},
            "link": {"type": ["string", "null"]},
            "created_at": _TIME,
            "read": {"type": "boolean", "description": "Opened in the app."},
        },
    },
    "NoticeList": {
        "type": "object",
        "required": ["notices", "unread"],
        "properties": {
            "notices": {"type": "array", "items": ref("Notice"), "maxItems": 50},
            "unread": {"type": "integer", "minimum": 0, "description": "Of all, not the 50."},
        },
    },
    "Problem": {
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
    "RecordResult": {
        "type": "object",
        "required": ["id", "type", "status"],
        "properties": {
            "id": {"type": ["string", "null"], "description": "As sent; null if it had none."},
            "type": {"enum": [*RECORD_TYPES, None]},
            "status": {"enum": ["created", "updated", "unchanged", "rejected", "deleted"]},
            "errors": {"type": "array", "items": ref("FieldError")},
            "reason": {"type": "string", "description": "The errors in one sentence."},
            "http_status": {
                "type": "integer",
                "description": "For a rejected record, the status it would get alone: "
                "403 not yours, 404 unknown reference, 409 conflict, 422 invalid.",
            },
        },
    },
    "Gap": {
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
            "id": UUID,
            "site": UUID,
            "walk": {
                "anyOf": [UUID, {"type": "null"}],
                "description": "The walk the statement was logged on; null for the written "
                "standard of a walk plan's item, which no walk logged.",
            },
            "statement": {**UUID, "description": "The statement the evidence contradicts."},
            "statement_text": {
                "type": "string",
                "description": "Empty once the site's retention removed the words.",
            },
            "statement_expired_at": {
                **_OPT_TIME,
                "description": "When the site's retention removed the statement's words.",
            },
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
            "evidence": {"type": "array", "items": UUID, "description": "Fact ids."},
            "observed": {"type": "integer", "minimum": 0},
            "flagged_at": _TIME,
            "updated_at": {**_TIME, "description": "When the evidence last changed."},
            "triaged_at": _OPT_TIME,
        },
    },
    "SyncResponse": {
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
                "items": UUID,
                "description": "Ids of gaps the batch removed: the evidence no longer contradicts.",
            },
        },
    },
    "WalkSummary": {
        "type": "object",
        "required": ["id", "site", "title", "status", "started_at"],
        "properties": {
            "id": UUID,
            "site": UUID,
            "site_name": {"type": "string"},
            "title": {"type": "string"},
            "purpose": {"type": ["string", "null"]},
            "status": {"enum": ["in_progress", "finished"]},
            "announced": {
                "type": ["boolean", "null"],
                "description": "Whether the team knew the walk was coming (null: not recorded).",
            },
            "calibrates": {
                "anyOf": [UUID, {"type": "null"}],
                "description": "The walk this one shadows, for a calibration walk.",
            },
            "observer": {"type": "string", "description": "The observer's user name."},
            "started_at": _TIME,
            "ended_at": _OPT_TIME,
            "updated_at": _TIME,
        },
    },
    "Topic": {
        "type": "object",
        "required": ["name", "statements", "facts", "gaps"],
        "properties": {
            "name": {"type": "string"},
            "statements": {"type": "integer", "minimum": 0},
            "facts": {"type": "integer", "minimum": 0},
            "gaps": {"type": "integer", "minimum": 0, "description": "Contradicted gaps."},
        },
    },
    "ToCheck": {
        "description": "What a walk at a site should check (gemba.gaps.to_check).",
        "type": "object",
        "required": ["site", "walk", "limit", "items"],
        "properties": {
            "site": UUID,
            "walk": _ID_OR_NULL,
            "limit": {"type": "integer", "minimum": 1, "description": "Items a walk shows."},
            "items": {"type": "array", "items": _CHECK_ITEM},
        },
    },
    "WalkList": _list_of(ref("WalkSummary")),
    "SiteList": _list_of(ref("SiteRecord")),
    "TopicList": _list_of(ref("Topic")),
    "GapList": _list_of(ref("Gap")),
}
