"""The home's "For you" at 390 px: a notice decided for the observer is at the top,
unread first with its badge, big enough to tap, and one tap marks it read on the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gemba.extensions import db
from gemba.models import NoticeState, SentNotice
from tests.offline.conftest import log_in
from tests.offline.test_capture_app import TARGET, WIDTH, Finger

pytestmark = pytest.mark.browser

# Each row's box and the smallest text in it, and where the section sits on the home.
ROWS_JS = """() => [...document.querySelectorAll('.for-you-open')].map((b) => {
  const r = b.getBoundingClientRect();
  const sizes = [b, ...b.querySelectorAll('*')]
    .map((e) => parseFloat(getComputedStyle(e).fontSize));
  return {id: b.dataset.notice, text: b.innerText, width: r.width, height: r.height,
          right: r.right, font: Math.min(...sizes)};
})"""
LINK = "/app/walks/new"  # any page of the app: where the notice points
ORDER_JS = """() => [...document.querySelectorAll('main section, main h2.section-title')]
  .map((e) => e.className)"""


def add_notice(
    app, user, subject: str, minutes_ago: int, read: bool = False, link: str | None = None
) -> int:
    with app.app_context():
        now = datetime.now(UTC)
        row = SentNotice(
            user_id=user.id,
            kind="action_assigned",
            key=subject,
            state=NoticeState.sent.value,
            subject=subject,
            body=f"{subject}, at Plant 2",
            link=link,
            created_at=now - timedelta(minutes=minutes_ago),
            read_at=now if read else None,
        )
        db.session.add(row)
        db.session.commit()
        notice_id = row.id
        db.session.remove()
        return notice_id


def read_at(app, notice_id: int):
    with app.app_context():
        value = db.session.get(SentNotice, notice_id).read_at
        db.session.remove()
        return value


def test_the_home_shows_my_notices_first_and_a_tap_marks_one_read(server, make_user, phone_context):
    user = make_user("observer", email="walker@example.com")
    other = make_user("observer", email="other@example.com")
    add_notice(server.app, user, "Read already", 1, read=True)
    fresh = add_notice(server.app, user, "Action assigned: fix the guard", 30, link=LINK)
    add_notice(server.app, other, "Not for this walker", 0)
    page = phone_context.new_page()
    log_in(page, server.url, user.email)

    page.wait_for_selector(".for-you")
    assert page.evaluate(ORDER_JS)[0] == "for-you"  # above the due walks and the walk list
    assert page.inner_text(".for-you h2 .badge-unread") == "1"
    rows = page.evaluate(ROWS_JS)
    assert [r["id"] for r in rows][:1] == [str(fresh)]  # unread first, though older
    assert len(rows) == 2
    assert "Read already" in rows[1]["text"]
    assert "Action assigned: fix the guard" in rows[0]["text"]
    assert "fix the guard, at Plant 2" in rows[0]["text"]
    assert "Not for this walker" not in page.inner_text("main")
    for row in rows:
        assert row["height"] >= TARGET
        assert row["right"] <= WIDTH
        assert row["font"] >= 16

    finger = Finger(page)
    finger.tap(f".for-you-open[data-notice='{fresh}']")

    page.wait_for_url(server.url + LINK)  # the notice's link opened, once the read was sent
    for _ in range(50):  # the POST is on its way
        if read_at(server.app, fresh) is not None:
            break
        page.wait_for_timeout(100)
    assert read_at(server.app, fresh) is not None
    assert finger.taps == 1
    unsent = page.evaluate(f"() => localStorage.getItem('gemba.forYou.unsent.{user.id}')")
    assert unsent == "[]"  # the server took it: nothing waits on the phone


def test_a_notice_opened_offline_is_read_on_the_server_once_back_online(
    server, make_user, phone_context
):
    user = make_user("observer", email="walker@example.com")
    notice = add_notice(server.app, user, "Gap flagged at Press 1", 5, link=LINK)
    page = phone_context.new_page()
    log_in(page, server.url, user.email)
    page.wait_for_selector(".for-you .badge-unread")

    phone_context.set_offline(True)
    page.tap(f".for-you-open[data-notice='{notice}']")
    page.wait_for_selector(".for-you h2:not(:has(.badge-unread))")  # read on the phone at once
    unsent = page.evaluate(f"() => localStorage.getItem('gemba.forYou.unsent.{user.id}')")
    assert unsent == f"[{notice}]"
    assert "opens when the network is back" in page.inner_text("#status")
    assert page.url == server.url + "/app"  # no browser error page for the link
    assert read_at(server.app, notice) is None

    phone_context.set_offline(False)
    for _ in range(50):
        if read_at(server.app, notice) is not None:
            break
        page.wait_for_timeout(100)
    assert read_at(server.app, notice) is not None
