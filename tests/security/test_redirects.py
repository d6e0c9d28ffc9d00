"""After login a user returns only to a page of this app, whatever `next=` says."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gemba.platform.redirects import local_path
from tests.conftest import PASSWORD

# Known ways to smuggle another site past a "starts with /" check, as they arrive in the
# decoded query parameter, and a few plain ones.
HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/x",
    "\t//evil.example",
    " /evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "//evil.example@gemba.local",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\u3000/evil.example",
    "/%0d%0a/x\n",
    "",
    "/" + "a" * 3000,
]
LOCAL = ["/", "/walks/1", "/review/?site=x&page=2", "/review/gaps/abc#triage", "/%2F%2Fevil"]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_target_off_this_app_is_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", LOCAL)
def test_a_path_of_this_app_is_kept(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_the_app(client, make_user, target):
    user = make_user("observer")
    response = client.post(
        f"/login?next={quote(target, safe='')}",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_login_returns_to_the_page_asked_for(client, make_user):
    user = make_user("observer")
    response = client.post(
        "/login?next=" + quote("/review/?page=2", safe=""),
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.location == "/review/?page=2"
