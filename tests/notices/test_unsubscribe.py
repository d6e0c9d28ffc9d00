"""The one-click unsubscribe link in every e-mail, and the choices on the profile page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from gemba.extensions import db
from gemba.models import User
from gemba.notices import preferences, sender
from tests.conftest import login
from tests.notices.conftest import PUBLIC_URL


def notify(app) -> None:
    with app.app_context():
        sender.run()


def modes(app, user) -> dict[str, str]:
    with app.app_context():
        return preferences.modes_for(user.id)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def link_of(message) -> str:
    return message["List-Unsubscribe"].strip("<>").removeprefix(PUBLIC_URL)


def test_the_link_in_an_e_mail_unsubscribes_from_its_kind_without_login(
    csrf_app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="First")
    notify(csrf_app)
    link = link_of(mailbox.messages[0])
    client = csrf_app.test_client()
    page = client.get(link)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Stop these e-mails?" in body
    assert "An action is assigned to you" in body
    assert owner.email in body
    done = client.post(link, data={"csrf_token": csrf_token(body)})
    assert done.status_code == 200
    assert "Unsubscribed" in done.get_data(as_text=True)
    assert modes(csrf_app, owner)["action_assigned"] == "none"
    assert modes(csrf_app, owner)["action_overdue"] == "immediate"
    make_action(owner, analyst, title="Second")
    notify(csrf_app)
    assert mailbox.subjects() == ["Action assigned to you: First"]


def test_a_post_without_the_pages_csrf_token_changes_nothing(
    csrf_app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst)
    notify(csrf_app)
    response = csrf_app.test_client().post(link_of(mailbox.messages[0]))
    assert response.status_code == 400
    assert modes(csrf_app, owner)["action_assigned"] == "immediate"


def test_a_mail_clients_one_click_post_unsubscribes_without_page_or_cookie(
    csrf_app, make_user, make_action, mailbox
):
    """RFC 8058: the client POSTs List-Unsubscribe=One-Click to the header's link."""
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst)
    notify(csrf_app)
    message = mailbox.messages[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = csrf_app.test_client().post(link_of(message), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert modes(csrf_app, owner)["action_assigned"] == "none"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_link_gives_a_clear_400(app, make_user, make_action, mailbox, method):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst)
    notify(app)
    link = link_of(mailbox.messages[0])
    with app.app_context():
        other_kind = preferences.unsubscribe_token(analyst.id, "nope")
    for bad in (
        link[:-2] + ("AA" if not link.endswith("AA") else "BB"),
        link + "x",
        "/notices/unsubscribe/x",
    ):
        response = app.test_client().open(bad, method=method)
        assert response.status_code == 400, bad
        assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    response = app.test_client().open(f"/notices/unsubscribe/{other_kind}", method=method)
    assert response.status_code == 400
    assert modes(app, owner)["action_assigned"] == "immediate"


def test_a_link_of_a_deactivated_account_does_not_work(app, make_user, make_action, mailbox):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst)
    notify(app)
    with app.app_context():
        db.session.get(User, owner.id).active = False
        db.session.commit()
    assert app.test_client().get(link_of(mailbox.messages[0])).status_code == 400


def test_the_digest_link_turns_off_every_kind_sent_as_a_digest(
    app, make_user, make_action, mailbox
):
    owner, analyst = make_user("observer"), make_user("analyst")
    make_action(owner, analyst, title="Assigned")
    make_action(owner, owner, title="Late", due_date=date(2026, 1, 5))
    with app.app_context():
        preferences.set_modes(
            db.session.get(User, owner.id),
            {"action_assigned": "digest", "action_overdue": "digest"},
        )
        sender.run()
        sender.send_digests()
    (digest,) = mailbox.messages
    assert digest["Subject"] == "Gemba: 2 notices"
    response = app.test_client().post(link_of(digest))
    assert response.status_code == 200
    chosen = modes(app, owner)
    assert (chosen["action_assigned"], chosen["action_overdue"]) == ("none", "none")
    assert chosen["walk_due"] == "immediate"


def test_the_profile_page_shows_and_saves_the_notice_choices(csrf_app, make_user):
    user = make_user("observer")
    client = login(csrf_app.test_client(), user)
    page = client.get("/profile").get_data(as_text=True)
    assert "E-mail notices" in page
    assert "Your action is overdue" in page
    assert 'value="immediate" selected' in page or 'selected value="immediate"' in page
    data = {"csrf_token": csrf_token(page), "action": "notices"}
    data |= {f"notices-{kind}": "immediate" for kind in preferences.KINDS}
    data |= {"notices-action_overdue": "digest", "notices-walk_missed": "none"}
    saved = client.post("/profile", data=data, follow_redirects=True)
    assert "Notice settings saved." in saved.get_data(as_text=True)
    chosen = modes(csrf_app, user)
    assert (chosen["action_overdue"], chosen["walk_missed"]) == ("digest", "none")
    assert chosen["action_assigned"] == "immediate"


def test_the_profile_page_refuses_an_unknown_choice(app, login_as):
    client, user = login_as("observer")
    data = {"action": "notices", "notices-action_overdue": "hourly"}
    data |= {f"notices-{kind}": "none" for kind in preferences.KINDS if kind != "action_overdue"}
    response = client.post("/profile", data=data)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert set(modes(app, user).values()) == {"immediate"}
