"""Error pages for people and problem details (RFC 9457) for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale
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


def english(message: object) -> str:
    """A message as the API writes it: in English whatever the request's language (a
    problem document's title is for programs and their logs; pages are for people)."""
    with force_locale("en"):
        return str(message)


def wants_json() -> bool:
    """API paths and JSON clients get problem details, people get a page."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def problem(status: int, detail: str | None = None, **extra):
    """A problem-details response: type, title, status, detail, plus extra members."""
    body = {
        "type": "about:blank",
        "title": english(MESSAGES.get(status, "Error")),
        "status": status,
        "detail": english(detail or MESSAGES.get(status, "Error")),
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


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
            return problem(400, "Missing or invalid CSRF token.")
        return render_template("error.html", status=400, message=detail), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if wants_json():
            response = problem(status, error.description if status != 404 else None)
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
