"""The analyst's loop over the API: triage a gap, and decide and follow up actions.

Thin views over the services the pages use (`gaps.triage.decide`,
`review.actions`), so the rules, the audit events and the roles are the pages' own:
anyone logged in reads, analysts and admins decide. A body is checked against the
schema the OpenAPI document publishes for it, so the contract and the checks agree.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jsonschema import Draft202012Validator

from gemba.api import action_reads, bp, openapi_loop, pagination, reads, wording
from gemba.domain.gemba_json import FieldError
from gemba.domain.schema_errors import Message, best_errors
from gemba.domain.text import problem as text_problem
from gemba.extensions import db
from gemba.gaps import triage
from gemba.interchange import imports
from gemba.models import Action, ActionStatus, Gap, Role
from gemba.platform.errors import problem
from gemba.review import actions

NOT_ALLOWED = _l("Only analysts and admins triage gaps and decide actions.")
NO_GAP = _l("No such gap.")
NO_ACTION = _l("No such action.")
INVALID = _l("The request body is not valid.")
STALE = _l("The action changed since you read it; read it again and send your change again.")


# The review services refuse in English sentences (a ValueError); marked here so the
# problem's `detail` is said in the reader's language (platform.errors.localized).
SERVICE_REFUSALS = (
    _l("An action answers at least one gap."),
    _l("All gaps of an action belong to one site."),
    _l("All gaps of an action belong to its site."),
)
UNKNOWN = _l("The body names something that does not exist.")


class BodyInvalid(Exception):
    """The body breaks its schema or a rule; carries (field, message) pairs. A body that
    names a gap or a user that does not exist is 404, as an unknown reference in a sync."""

    def __init__(self, errors: list[FieldError], status: int = 422) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors
        self.status = status


@bp.errorhandler(BodyInvalid)
def body_invalid(error: BodyInvalid):
    """A body that parses but says something impossible: which fields, nothing written."""
    detail = UNKNOWN if error.status == 404 else INVALID
    return problem(error.status, detail, errors=wording.field_errors(error.errors))


def _body(schema_name: str) -> dict[str, Any]:
    """The request's JSON object, checked against its published schema."""
    body = imports.parse_json(request.get_data(cache=False))
    schema = openapi_loop.SCHEMAS[schema_name]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = best_errors(validator, body)
    if errors:
        raise BodyInvalid(errors)
    return body


def _check_text(body: dict[str, Any]) -> None:
    """The rules of the pages' forms a schema cannot say: a title that is not blank, and
    text that is text (no control characters, no lone surrogates). Checked after the
    references, so a body naming a gap that does not exist is 404 whatever its text."""
    if "title" in body and not body["title"].strip():
        raise BodyInvalid([FieldError("title", _l("Say what will be done."))])
    for name in ("description", "reason"):
        if isinstance(body.get(name), str):  # a lone carriage return is a line break too
            body[name] = body[name].replace("\r\n", "\n").replace("\r", "\n")
    for name in ("title", "description", "reason"):
        value = body.get(name)
        refused = text_problem(value, multiline=name != "title") if value else None
        if refused is not None:
            raise BodyInvalid([FieldError(name, refused)])


def _may_decide() -> bool:
    return current_user.has_role(Role.analyst)


# -- triage ----------------------------------------------------------------------------------


@bp.post("/gaps/<uuid:gap_id>/triage")
def triage_gap(gap_id: uuid.UUID):
    """Confirm, dismiss (with a reason), ask for more observation, or re-open a gap."""
    if not _may_decide():
        return problem(403, NOT_ALLOWED)
    if db.session.get(Gap, gap_id) is None:
        return problem(404, NO_GAP)
    body = _body("TriageRequest")
    _check_text(body)
    reason = (body.get("reason") or "").strip() or None
    if body["status"] == "dismissed" and reason is None:
        raise BodyInvalid([FieldError("reason", _l("Say why the gap is dismissed."))])
    try:
        triage.decide(gap_id, body["status"], current_user, reason)
    except LookupError:
        return problem(404, NO_GAP)
    except ValueError as exc:
        return problem(422, str(exc))
    return jsonify(reads.one_gap(gap_id))


# -- actions ---------------------------------------------------------------------------------


@bp.get("/actions")
def list_actions():
    """Actions, newest first, filtered by site, gap and status."""
    status = request.args.get("status")
    if status is not None and status not in ActionStatus.__members__:
        allowed = ", ".join(ActionStatus.__members__)
        message = Message("Must be one of: %(values)s.", values=allowed)
        raise pagination.QueryInvalid([FieldError("status", message)])
    page = pagination.page_params(request.args)
    return pagination.respond(
        action_reads.list_actions(
            page,
            site_id=reads.uuid_param(request.args, "site"),
            gap_id=reads.uuid_param(request.args, "gap"),
            status=status,
        )
    )


@bp.get("/actions/<uuid:action_id>")
def get_action(action_id: uuid.UUID):
    """An action with its gaps; its ETag is what an edit's If-Match names."""
    action = action_reads.load(action_id)
    if action is None:
        return problem(404, NO_ACTION)
    return _action_response(action).make_conditional(request)


@bp.post("/actions")
def create_action():
    """Decide a countermeasure for one or more gaps of a site; they become actioned."""
    if not _may_decide():
        return problem(403, NOT_ALLOWED)
    body = _body("ActionCreate")
    gap_ids = _gap_ids(body["gaps"])
    owner_id = _owner_id(body.get("owner"))
    _check_text(body)
    data = actions.ActionData(
        title=body["title"],
        description=body.get("description"),
        owner_id=owner_id,
        due_date=_day(body.get("due_date")),
        status=body.get("status") or ActionStatus.open.value,
    )
    try:
        created = actions.create_action(current_user, data, gap_ids)
    except ValueError as exc:
        return problem(422, str(exc))
    response = _action_response(action_reads.load(created.id), 201)
    response.headers["Location"] = url_for("api.get_action", action_id=created.id)
    return response


@bp.patch("/actions/<uuid:action_id>")
def update_action(action_id: uuid.UUID):
    """Change an action's title, details, owner, due date, status or gaps; with If-Match,
    only if nobody changed it since (412 otherwise)."""
    if not _may_decide():
        return problem(403, NOT_ALLOWED)
    action = action_reads.load(action_id)
    if action is None:
        return problem(404, NO_ACTION)
    body = _body("ActionPatch")
    gap_ids = _gap_ids(body["gaps"]) if "gaps" in body else [g.id for g in action.gaps]
    owner_id = _owner_id(body["owner"]) if "owner" in body else action.owner_id
    _check_text(body)
    data = actions.ActionData(
        title=body.get("title", action.title),
        description=body.get("description", action.description),
        owner_id=owner_id,
        due_date=_day(body["due_date"]) if "due_date" in body else action.due_date,
        status=body.get("status", action.status),
    )
    seen = actions.fingerprint(action)
    if_match = request.headers.get("If-Match")
    if if_match is not None and if_match.strip() != "*":
        wanted = action_reads.fingerprint_in(if_match)
        # Not the current one: the domain refuses it in the edit's own transaction.
        seen = seen if seen in wanted else (wanted[0] or "stale")
    try:
        actions.update_action(current_user, action_id, data, gap_ids, seen)
    except actions.ActionChanged:
        return problem(412, STALE)
    except LookupError:
        return problem(404, NO_ACTION)
    except ValueError as exc:
        return problem(422, str(exc))
    db.session.expire_all()
    return _action_response(action_reads.load(action_id))


def _action_response(action: Action, status: int = 200) -> Response:
    body = action_reads.action_json(action)
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = action_reads.etag(action, body)
    return response


def _gap_ids(values: list[str]) -> list[uuid.UUID]:
    """The gaps named, each of which must exist (the pages offer only real ones)."""
    ids = list(dict.fromkeys(uuid.UUID(v) for v in values))
    found = set(db.session.scalars(db.select(Gap.id).where(Gap.id.in_(ids))))
    missing = [i for i, gap_id in enumerate(ids) if gap_id not in found]
    if missing:
        unknown = [FieldError(f"gaps.{i}", NO_GAP) for i in missing]
        raise BodyInvalid(unknown, 404)
    return ids


def _owner_id(email: str | None) -> int | None:
    if not email:
        return None
    user = action_reads.active_user(email)
    if user is None:
        unknown = FieldError("owner", _l("No active user has this e-mail."))
        raise BodyInvalid([unknown], 404)
    return user.id


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
