"""API fixtures: bearer-token clients, and a check that a response matches the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from gemba.accounts import services as accounts
from gemba.api import openapi
from gemba.extensions import db
from gemba.models import User

DOC_URI = "urn:gemba:openapi"
V1 = "/api/v1"


def token_for(app: Flask, user: User) -> str:
    """A new API token for the user."""
    with app.app_context():
        return accounts.create_token(db.session.get(User, user.id))


@dataclass
class Api:
    """A script's view of the API: every call carries its bearer token."""

    client: FlaskClient
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(V1 + path, headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.post(V1 + path, headers=self.headers, **kwargs)

    def sync(self, *batch: Any) -> TestResponse:
        return self.post("/sync", json={"format": "gemba/v1", "records": list(batch)})


@pytest.fixture
def api_as(app, make_user) -> Callable[..., Api]:
    """Factory: an API caller with a bearer token, as a new user of the role (or a given one)."""

    def make(role: str = "observer", user: User | None = None) -> Api:
        user = user or make_user(role)
        return Api(app.test_client(), user, token_for(app, user))

    return make


@pytest.fixture
def api(api_as) -> Api:
    """An analyst's API caller: analysts may add sites, so most batches go through."""
    return api_as("analyst")


def _validator(schema: dict[str, Any], document: dict[str, Any]) -> Draft202012Validator:
    registry = Registry().with_resource(DOC_URI, Resource(document, DRAFT202012))
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def response_schema(document: dict, path: str, method: str, status: int) -> tuple[str, dict]:
    """The media type and schema the document promises for this response."""
    operation = document["paths"][path][method.lower()]
    response = operation["responses"][str(status)]
    ((media_type, content),) = response["content"].items()
    pointer = "/".join(
        part.replace("~", "~0").replace("/", "~1")
        for part in ("paths", path, method.lower(), "responses", str(status), "content", media_type)
    )
    return media_type, {"$ref": f"{DOC_URI}#/{pointer}/schema"}


def assert_conforms(response: TestResponse, path: str, method: str = "get") -> None:
    """The response's status, media type and body are what the OpenAPI document says."""
    document = openapi.document()
    media_type, schema = response_schema(document, path, method, response.status_code)
    assert response.mimetype == media_type, (response.mimetype, response.get_data(as_text=True))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(schema, document).iter_errors(response.get_json())
    ]
    assert not errors, errors
