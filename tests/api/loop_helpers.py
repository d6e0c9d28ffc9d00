"""Gaps to triage and act on, made through the API as a script would."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import V1, Api
from tests.conftest import uid


def make_gaps(api: Api, count: int, site: str | None = None, name: str = "Plant 2") -> dict:
    """A site with a walk and `count` contradicted "always" claims: their gap ids, in order."""
    site = site or uid()
    walk = uid()
    records: list[dict[str, Any]] = [
        {"type": "site", "id": site, "name": name},
        {"type": "walk", "id": walk, "site": site, "title": "Line 3"},
    ]
    statements = []
    for n in range(count):
        statement = uid()
        statements.append(statement)
        topic = f"Topic {uid()[:8]} {n}"
        records += [
            {
                "type": "statement",
                "id": statement,
                "walk": walk,
                "topic": topic,
                "text": f"We always do {n}.",
                "claim": {"frequency": "always"},
            },
            {
                "type": "fact",
                "id": uid(),
                "walk": walk,
                "topic": topic,
                "text": "Not done",
                "performed": False,
            },
        ]
    response = api.sync(*records)
    assert response.status_code == 200, response.get_json()
    by_statement = {g["statement"]: g["id"] for g in response.get_json()["gaps"]}
    return {"site": site, "walk": walk, "gaps": [by_statement[s] for s in statements]}


def patch(api: Api, path: str, **kwargs: Any):
    """PATCH as the caller, extra headers merged with the token."""
    headers = {**api.headers, **kwargs.pop("headers", {})}
    return api.client.patch(V1 + path, headers=headers, **kwargs)


def get(api: Api, path: str, **kwargs: Any):
    """GET as the caller, extra headers merged with the token."""
    headers = {**api.headers, **kwargs.pop("headers", {})}
    return api.client.get(V1 + path, headers=headers, **kwargs)


def post(api: Api, path: str, **kwargs: Any):
    """POST as the caller, extra headers merged with the token."""
    headers = {**api.headers, **kwargs.pop("headers", {})}
    return api.client.post(V1 + path, headers=headers, **kwargs)
