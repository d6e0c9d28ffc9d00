"""Error pages for people and problem details (RFC 9457) for the API.

A problem document speaks the request's language (Flask-Babel's get_locale(): the user's
own choice, then Accept-Language) and says which in `Content-Language`. A client that
asks for no language, for a user who chose none, gets English, so scripts that match a
`detail` keep working. Only the sentences for people are translated (`title`, `detail`,
each `errors[].message`); `type`, `status`, field names and other members are as sent.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale, get_locale, gettext, pgettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing here."),
    405: _l("That is not possible here."),
    413: _l("That upload is too large."),
    415: _l("That file type is not supported."),
    422: _l("The data is not valid."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    503: _l("The service is not available right now. Try again shortly."),
    500: _l("Something went wrong on our side. Nothing you sent was half-saved."),
}
ERROR = _l("Error")


def english(message: object) -> str:
    """A message in English whatever the request's language (for logs)."""
    with force_locale("en"):
        return localized(message)


def localized(message: object) -> str:
    """A message in the request's language.

    A lazy string is rendered; a domain `Message` (gemba/domain/schema_errors.py) has its
    template looked up and its values filled in (a value that is a Message too); any
    other text is looked up as it is, and stays as it is where the catalog has nothing."""
    template = getattr(message, "template", None)
    params = getattr(message, "params", None)
    if isinstance(template, str) and isinstance(params, Mapping):
        if not template:
            return ""
        context = getattr(message, "context", None)
        if context:
            return pgettext(context, template)
        values = {k: localized(v) if hasattr(v, "template") else v for k, v in params.items()}
        return gettext(template, **values) if values else gettext(template)
    if isinstance(message, str):
        return gettext(message) if message.strip() else message
    return str(message)


def wants_json() -> bool:
    """API paths and JSON clients get problem details, people get a page."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def problem(status: int, detail: object = None, **extra):
    """A problem-details response: type, title, status, detail, plus extra members, in the
    request's language (see the module's docstring)."""
    if isinstance(extra.get("errors"), list):
        extra["errors"] = [_localized_error(e) for e in extra["errors"]]
    body = {
        "type": "about:blank",
        "title": localized(MESSAGES.get(status, ERROR)),
        "status": status,
        "detail": localized(detail or MESSAGES.get(status, ERROR)),
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Content-Language"] = str(get_locale() or "en")
    return response


def _localized_error(error: object) -> object:
    """One member of `errors`: its message translated, the rest (field, pointer) as sent."""
    if isinstance(error, dict) and error.get("message"):
        return {**error, "message": localized(error["message"])}
    return error


def _described(error: HTTPException) -> object:
    """The detail of an HTTP error: Werkzeug's own English description only in English (as
    before); in another language the status's sentence, which the catalog translates."""
    status = error.code or 500
    if status == 404:
        return None
    default = getattr(type(error), "description", None)
    if error.description == default and status in MESSAGES and str(get_locale()) != "en":
        return None
    return error.description


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the errors it arose from (a full disk can surface as a lost savepoint)."""
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def register(app: Flask) -> None:
    """Install the handlers for HTTP errors, CSRF failures and unexpected errors."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        detail = _l("The form expired or was sent from elsewhere. Go back, reload and try again.")
        if wants_json():
            return problem(400, _l("Missing or invalid CSRF token."))
        return render_template("error.html", status=400, message=detail), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if wants_json():
            response = problem(status, _described(error))
            if status == 405 and error.get_response().headers.get("Allow"):
                response.headers["Allow"] = error.get_response().headers["Allow"]
            return response
        return render_template(
            "error.html", status=status, message=MESSAGES.get(status, error.description)
        ), status

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """A full disk or an unreachable database: say so plainly; nothing was saved."""
        app.logger.error("Database error: %s", error)
        from gemba.extensions import db

        db.session.rollback()
        text = " ".join(str(e).lower() for e in _chain(error))
        detail = (
            _l("The server's disk is full. Nothing was saved; try again later.")
            if "full" in text
            else _l("The database is not available right now. Nothing was saved; try again.")
        )
        if wants_json():
            return problem(503, detail)
        return render_template("error.html", status=503, message=detail), 503

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        from gemba.extensions import db

        db.session.rollback()
        if wants_json():
            return problem(500)
        return render_template("error.html", status=500, message=MESSAGES[500]), 500
