"""Suggestions while an observer types: the claim a quote makes, and the site's topics a
typed name probably means. Both are proposals the observer accepts with a tap; nothing is
written here. The quote is read by the same rules the capture app runs offline
(gemba/domain/claim_rules.json)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from flask import jsonify, request
from flask_babel import get_locale

from gemba.api import bp, openapi, openapi_parts, reads
from gemba.domain import quote_claims
from gemba.domain.gemba_json import CLAIM, FieldError
from gemba.extensions import db
from gemba.models import Site
from gemba.topics import suggestions

MAX_TEXT = 1000
MAX_LANG = 35


@bp.get("/claims/suggest")
def suggest_claim():
    """The claim and topic a quote proposes, and the site's topics ranked against it."""
    site = _site(request.args)
    text = _text(request.args, "text")
    proposal = quote_claims.suggest(text, _language(request.args))
    ranked = suggestions.suggest(site.id, proposal.topic or text)
    return jsonify(
        {
            "claim": proposal.claim,
            "topic": proposal.topic,
            "topics": [t.as_json() for t in ranked],
        }
    )


@bp.get("/topics/suggest")
def suggest_topics():
    """The site's topics most like a typed name, best first."""
    site = _site(request.args)
    typed = _text(request.args, "q")
    return jsonify({"topics": [t.as_json() for t in suggestions.suggest(site.id, typed)]})


def _site(args: Mapping[str, str]) -> Site:
    site_id = reads.uuid_param(args, "site")
    if site_id is None:
        raise reads.QueryInvalid([FieldError("site", "Name the site (its UUID).")])
    return db.get_or_404(Site, site_id)


def _language(args: Mapping[str, str]) -> str:
    """The quote's language: ?lang=, else the request's (its locale); the parser reads a
    language it has no rules for as English."""
    lang = args.get("lang", "").strip()
    if len(lang) > MAX_LANG:
        raise reads.QueryInvalid([FieldError("lang", "Give a language tag such as es or de-AT.")])
    return lang or str(get_locale() or "en")


def _text(args: Mapping[str, str], name: str) -> str:
    text = args.get(name, "")
    if len(text) > MAX_TEXT:
        raise reads.QueryInvalid([FieldError(name, f"Keep it under {MAX_TEXT} characters.")])
    return text


_SUGGESTED_TOPIC: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "similarity"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "similarity": {
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "description": "How alike, 0–100: Snowball stems compared with a typo-tolerant "
            "score; numbers in names must match.",
        },
    },
}
openapi.add_schema("SuggestedTopic", _SUGGESTED_TOPIC)
openapi.add_schema(
    "ClaimSuggestion",
    {
        "type": "object",
        "required": ["claim", "topic", "topics"],
        "properties": {
            "claim": {
                "anyOf": [copy.deepcopy(CLAIM), {"type": "null"}],
                "description": "The claim the quote makes, or null when it makes none.",
            },
            "topic": {"type": ["string", "null"], "description": "The quote's subject."},
            "topics": {"type": "array", "items": openapi_parts.ref("SuggestedTopic")},
        },
    },
)
openapi.add_schema(
    "TopicSuggestions",
    {
        "type": "object",
        "required": ["topics"],
        "properties": {"topics": {"type": "array", "items": openapi_parts.ref("SuggestedTopic")}},
    },
)


def _site_param() -> dict[str, Any]:
    return {
        "name": "site",
        "in": "query",
        "required": True,
        "description": "The site whose topics are ranked.",
        "schema": openapi_parts.UUID,
    }


def _text_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": {"type": "string", "maxLength": MAX_TEXT},
    }


openapi.add_operation(
    "/claims/suggest",
    "get",
    {
        "operationId": "suggestClaim",
        "summary": "The claim a typed quote makes, and the site's topics ranked against it.",
        "description": (
            'Reads frequency words, hedges ("nine times out of ten"), comparators ("never '
            'more than", "within", "up to") and quantities with units, by the rules the '
            "capture app applies offline. A proposal only: the observer accepts or edits it."
        ),
        "tags": ["read"],
        "parameters": [
            _site_param(),
            _text_param("text", "What was said, as typed."),
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "description": (
                    "The quote's language (es, de, pl, en; es-MX reads as es). Without it, "
                    "the request's language; a language without rules reads as English."
                ),
                "schema": {"type": "string", "maxLength": MAX_LANG},
            },
        ],
        "responses": {
            "200": openapi_parts.json_body(openapi_parts.ref("ClaimSuggestion"), "The proposal."),
            **openapi_parts.errors("400", "401", "404"),
        },
    },
)
openapi.add_operation(
    "/topics/suggest",
    "get",
    {
        "operationId": "suggestTopics",
        "summary": "The site's topics most like a typed name, best first.",
        "description": (
            "Synonyms and the names of topics merged into another count as that topic's "
            "names; each topic is listed once, under its own name."
        ),
        "tags": ["read"],
        "parameters": [_site_param(), _text_param("q", "The topic as typed so far.")],
        "responses": {
            "200": openapi_parts.json_body(
                openapi_parts.ref("TopicSuggestions"), "The topics, best first."
            ),
            **openapi_parts.errors("400", "401", "404"),
        },
    },
)
