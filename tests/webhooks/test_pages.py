"""The admin's webhook pages: add, edit, turn off, delete, a new secret, the test event;
bad input is put by its field; only admins see any of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gemba.extensions import db
from gemba.models import Webhook
from tests.conftest import login
from tests.webhooks.conftest import deliveries

HOOK_ROUTES = [
    ("GET", "/manage/webhooks/"),
    ("POST", "/manage/webhooks/"),
    ("GET", "/manage/webhooks/{id}"),
    ("POST", "/manage/webhooks/{id}"),
    ("POST", "/manage/webhooks/{id}/test"),
    ("POST", "/manage/webhooks/{id}/secret"),
    ("POST", "/manage/webhooks/{id}/delete"),
]


def _hooks(app) -> list[Webhook]:
    with app.app_context():
        rows = list(db.session.scalars(select(Webhook).order_by(Webhook.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_an_admin_adds_a_hook_and_sees_its_secret(app, admin_client, receiver, demo):
    page = admin_client.get("/manage/webhooks/")
    assert page.status_code == 200
    assert "No webhooks yet." in page.get_data(as_text=True)
    response = admin_client.post(
        "/manage/webhooks/",
        data={"url": f"  {receiver.url}  ", "events": ["gap.triaged", "walk.missed"], "site": ""},
    )
    assert response.status_code == 302
    (hook,) = _hooks(app)
    assert (hook.url, hook.events, hook.site_id) == (
        receiver.url,
        ["gap.triaged", "walk.missed"],
        None,
    )
    assert hook.secret.startswith("whsec_")
    assert len(hook.secret) > 40
    assert response.location == f"/manage/webhooks/{hook.id}"
    shown = admin_client.get(response.location).get_data(as_text=True)
    assert hook.secret in shown
    assert "Nothing sent yet." in shown
    listed = admin_client.get("/manage/webhooks/").get_data(as_text=True)
    assert receiver.url in listed
    assert "2 events" in listed


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "ftp://example.com/x", "events": ["gap.triaged"]}, "url", "http:// or https://"),
        ({"url": "file:///etc/passwd", "events": ["gap.triaged"]}, "url", "http:// or https://"),
        ({"url": "https://", "events": ["gap.triaged"]}, "url", "host name"),
        ({"url": "http://example.com:port/", "events": ["gap.triaged"]}, "url", "web address"),
        ({"url": "", "events": ["gap.triaged"]}, "url", "This field is required."),
        ({"url": "https://example.com/" + "a" * 2000, "events": ["gap.triaged"]}, "url", "2000"),
        ({"url": "https://example.com/h"}, "events", "Choose at least one event."),
        ({"url": "https://example.com/h", "events": ["gap.eaten"]}, "events", "not a valid choice"),
        ({"url": "https://example.com/h\x00", "events": ["gap.triaged"]}, "url", ""),
        (
            {"url": "https://example.com/h", "events": ["gap.triaged"], "site": "nope"},
            "site",
            "Not a valid choice",
        ),
    ],
)
def test_bad_input_is_shown_by_its_field(app, admin_client, demo, data, field, message):
    response = admin_client.post("/manage/webhooks/", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert 'class="error"' in page
    assert message in page
    assert _hooks(app) == []


def test_a_bad_address_and_no_event_are_both_shown_at_once(app, admin_client, demo):
    response = admin_client.post("/manage/webhooks/", data={"url": "ftp://nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "http:// or https://" in page
    assert "Choose at least one event." in page


def test_edit_turns_a_hook_off_and_scopes_it_to_a_site(app, admin_client, demo, add_hook):
    hook_id, _ = add_hook("https://example.com/h", ["gap.triaged"])
    response = admin_client.post(
        f"/manage/webhooks/{hook_id}",
        data={"url": "https://example.com/other", "events": ["action.created"], "site": demo.site},
    )
    assert response.status_code == 302
    (hook,) = _hooks(app)
    assert (hook.url, hook.events, str(hook.site_id), hook.active) == (
        "https://example.com/other",
        ["action.created"],
        demo.site,
        False,  # the box left unticked
    )
    page = admin_client.get(f"/manage/webhooks/{hook_id}").get_data(as_text=True)
    assert "Nothing is queued or sent while it is off." in page
    bad = admin_client.post(
        f"/manage/webhooks/{hook_id}", data={"url": "gopher://x", "events": ["gap.triaged"]}
    )
    assert bad.status_code == 200
    assert "http:// or https://" in bad.get_data(as_text=True)


def test_a_new_secret_replaces_the_old_one(app, admin_client, demo, add_hook):
    hook_id, secret = add_hook("https://example.com/h", ["gap.triaged"])
    assert admin_client.post(f"/manage/webhooks/{hook_id}/secret").status_code == 302
    (hook,) = _hooks(app)
    assert hook.secret != secret
    assert hook.secret.startswith("whsec_")


def test_delete_removes_the_hook_and_its_deliveries(
    app, admin_client, demo, add_hook, receiver, deliver
):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    admin_client.post(f"/manage/webhooks/{hook_id}/test")
    deliver()
    assert admin_client.post(f"/manage/webhooks/{hook_id}/delete").status_code == 302
    assert _hooks(app) == []
    assert deliveries(app) == []
    assert admin_client.get(f"/manage/webhooks/{hook_id}").status_code == 404
    assert admin_client.post(f"/manage/webhooks/{hook_id}/test").status_code == 404


def test_the_test_button_queues_an_event_that_the_next_run_sends(
    app, admin_client, demo, add_hook, receiver, deliver
):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    response = admin_client.post(f"/manage/webhooks/{hook_id}/test", follow_redirects=True)
    assert "A test event is queued" in response.get_data(as_text=True)
    assert receiver.requests == []
    deliver()
    (got,) = receiver.requests
    assert got.headers["Gemba-Event"] == "webhook.test"
    assert got.json["data"]["webhook_id"] == hook_id
    page = admin_client.get(f"/manage/webhooks/{hook_id}").get_data(as_text=True)
    assert "Test event" in page
    assert "delivered" in page
    assert "answer 200" in page
    assert "1 attempt" in page
    assert "&#34;seen&#34;: 1" in page  # the start of the receiver's answer


@pytest.mark.parametrize("role", ["observer", "analyst"])
def test_only_admins_reach_the_webhook_pages(app, demo, login_as, add_hook, role):
    hook_id, _ = add_hook("https://example.com/h", ["gap.triaged"])
    client, _ = login_as(role)
    for method, path in HOOK_ROUTES:
        response = client.open(path.format(id=hook_id), method=method)
        assert response.status_code == 403, (method, path)
    assert 'href="/manage/webhooks/"' not in client.get("/").get_data(as_text=True)


def test_an_admin_sees_the_link_in_the_navigation(admin_client, demo):
    page = admin_client.get("/").get_data(as_text=True)
    assert 'href="/manage/webhooks/"' in page


def test_the_forms_carry_csrf_tokens_end_to_end(csrf_app, demo_rows):
    from tests.review.conftest import copy_demo

    copy_demo(csrf_app, demo_rows)
    with csrf_app.app_context():
        from gemba.models import User

        admin = db.session.scalar(select(User).where(User.email == "demo@example.com"))
        db.session.expunge(admin)
    client = login(csrf_app.test_client(), admin)
    refused = client.post(
        "/manage/webhooks/", data={"url": "https://example.com/h", "events": ["gap.triaged"]}
    )
    assert refused.status_code == 400
    assert _hooks(csrf_app) == []
    page = client.get("/manage/webhooks/").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    accepted = client.post(
        "/manage/webhooks/",
        data={"url": "https://example.com/h", "events": ["gap.triaged"], "csrf_token": token},
    )
    assert accepted.status_code == 302
    (hook,) = _hooks(csrf_app)
    assert client.post(f"/manage/webhooks/{hook.id}/delete").status_code == 400
