"""Deliveries end to end: a triage through the page reaches a receiving server on loopback,
signed; a 500 is retried after the backoff, and nothing is sent twice after a 2xx."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from gemba.models import DeliveryStatus
from gemba.webhooks import delivery, signing
from tests.webhooks.conftest import dead_port, deliveries


def _triage(client, demo, statement: str = "torque"):
    gap_id = demo.gap(statement)
    response = client.post(f"/review/gaps/{gap_id}/confirm", data={"confirm-note": "Seen"})
    assert response.status_code == 302
    return gap_id


def test_a_triage_through_the_page_is_delivered_signed_by_the_next_run(
    app, demo, analyst, receiver, add_hook, deliver
):
    hook_id, secret = add_hook(receiver.url, ["gap.triaged"])
    client, user = analyst
    gap_id = _triage(client, demo)
    assert receiver.requests == []  # nothing is sent in the user's request
    before = int(time.time())
    out = deliver()
    assert "1 delivered" in out
    (got,) = receiver.requests
    assert got.path == "/hooks/gemba"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Gemba-Event"] == "gap.triaged"
    (row,) = deliveries(app, hook_id)
    assert got.headers["Gemba-Delivery"] == str(row.id)
    signature = got.headers["Gemba-Signature"]
    timestamp = int(signature.split(",")[0].removeprefix("t="))
    assert before - 1 <= timestamp <= int(time.time()) + 1
    assert signing.verify(secret, signature, got.body, now=int(time.time()))
    body = got.json
    assert body["type"] == "gap.triaged"
    assert body["site_id"] == demo.site
    assert body["data"]["gap"]["id"] == gap_id
    assert body["data"]["gap"]["status"] == "confirmed"
    assert body["data"]["change"]["actor_id"] == user.id
    assert body["url"].endswith(f"/review/gaps/{gap_id}")
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert '"seen": 1' in row.last_response


def test_the_signature_fails_for_another_secret_a_changed_body_or_a_replay(
    app, demo, analyst, receiver, add_hook, deliver
):
    _, secret = add_hook(receiver.url, ["gap.triaged"])
    _triage(analyst[0], demo)
    deliver()
    (got,) = receiver.requests
    value, now = got.headers["Gemba-Signature"], int(time.time())
    assert signing.verify(secret, value, got.body, now)
    assert not signing.verify(secret + "x", value, got.body, now)
    assert not signing.verify(secret, value, got.body + b" ", now)
    assert not signing.verify(secret, value, got.body, now + signing.TOLERANCE + 5)  # replayed
    assert not signing.verify(secret, "v1=abc", got.body, now)


def test_a_500_is_retried_after_the_backoff_and_never_sent_again_after_success(
    app, demo, analyst, receiver, add_hook, deliver
):
    hook_id, secret = add_hook(receiver.url, ["gap.triaged"])
    receiver.answers = [500]
    _triage(analyst[0], demo)
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    assert "1 to retry" in deliver(now)
    (row,) = deliveries(app, hook_id)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.next_attempt_at == now + delivery.backoff(1)
    deliver(now + timedelta(seconds=30))  # before the backoff: nothing sent
    assert len(receiver.requests) == 1
    retry_at = now + delivery.backoff(1)
    assert "1 delivered" in deliver(retry_at)
    first, second = receiver.requests
    assert first.headers["Gemba-Delivery"] == second.headers["Gemba-Delivery"]
    assert first.json == second.json
    assert signing.verify(
        secret, second.headers["Gemba-Signature"], second.body, retry_at.timestamp()
    )
    deliver(retry_at + timedelta(hours=1))
    deliver(retry_at + timedelta(days=2))
    assert len(receiver.requests) == 2  # no duplicate after success
    (row,) = deliveries(app, hook_id)
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 2, retry_at)


def test_a_client_error_fails_at_once_and_can_be_sent_again_from_the_page(
    app, demo, analyst, receiver, add_hook, deliver, admin_client
):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    receiver.answers = [404]
    _triage(analyst[0], demo)
    assert "1 failed for good" in deliver()
    (row,) = deliveries(app, hook_id)
    assert (row.status, row.last_status_code) == ("failed", 404)
    page = admin_client.get(f"/manage/webhooks/{hook_id}").get_data(as_text=True)
    assert "failed" in page
    assert "answer 404" in page
    again = admin_client.post(f"/manage/webhooks/{hook_id}/deliveries/{row.id}/again")
    assert again.status_code == 302
    assert "1 delivered" in deliver()
    assert len(receiver.requests) == 2


def test_it_gives_up_after_the_last_attempt(app, demo, analyst, receiver, add_hook, deliver):
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    receiver.answers = [503] * delivery.MAX_ATTEMPTS
    _triage(analyst[0], demo)
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        deliver(now)
        now += delivery.backoff(attempt)
    (row,) = deliveries(app, hook_id)
    assert (row.status, row.attempts) == (DeliveryStatus.failed, delivery.MAX_ATTEMPTS)
    deliver(now + timedelta(days=1))
    assert len(receiver.requests) == delivery.MAX_ATTEMPTS


def test_an_unsubscribed_event_is_not_queued(app, demo, analyst, receiver, add_hook, deliver):
    hook_id, _ = add_hook(receiver.url, ["action.created"])
    _triage(analyst[0], demo)
    deliver()
    assert deliveries(app, hook_id) == []
    assert receiver.requests == []


def test_a_dead_hook_neither_slows_nor_fails_the_triage(app, demo, analyst, add_hook, deliver):
    hook_id, _ = add_hook(f"http://127.0.0.1:{dead_port()}/gone", ["gap.triaged"])
    started = time.monotonic()
    _triage(analyst[0], demo)
    assert time.monotonic() - started < 2
    assert deliveries(app, hook_id) == []  # not even queued by the request
    assert "1 to retry" in deliver()
    (row,) = deliveries(app, hook_id)
    assert row.status == "pending"
    assert row.last_status_code is None
    assert "Connection refused" in row.last_error or "URLError" in row.last_error


def test_a_redirect_is_not_followed(app, demo, analyst, add_hook, deliver, receiver):
    receiver.answers = [302]
    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    _triage(analyst[0], demo)
    deliver()
    (row,) = deliveries(app, hook_id)
    assert (row.status, row.last_status_code) == ("failed", 302)
    assert len(receiver.requests) == 1


def test_a_receiver_that_never_answers_times_out_and_is_retried(app, demo, analyst, add_hook):
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never answers
        hook_id, _ = add_hook(f"http://127.0.0.1:{silent.getsockname()[1]}/", ["gap.triaged"])
        _triage(analyst[0], demo)
        started = time.monotonic()
        with app.app_context():
            done = delivery.run(timeout=0.5)
        assert time.monotonic() - started < 5
    assert done["retrying"] == 1
    (row,) = deliveries(app, hook_id)
    assert row.status == "pending"
    assert "timed out" in row.last_error


def test_a_failure_to_collect_still_sends_what_is_queued(
    app, demo, receiver, add_hook, deliver, admin_client, monkeypatch
):
    from gemba.webhooks import events

    hook_id, _ = add_hook(receiver.url, ["gap.triaged"])
    admin_client.post(f"/manage/webhooks/{hook_id}/test")

    def broken(*args):
        raise RuntimeError("a bug in a finder")

    monkeypatch.setattr(events, "_timed", broken)
    assert "1 delivered" in deliver()
    assert receiver.events() == ["webhook.test"]
