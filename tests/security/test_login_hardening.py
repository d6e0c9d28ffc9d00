"""Logging in tells nothing about which accounts exist; passwords that fall first are
refused; the database file with the password hashes is private to its owner."""

from __future__ import annotations

import os
import stat

import pytest

from gemba import create_app
from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.models import accounts as account_models
from tests.conftest import PASSWORD


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """Every password hash comparison made, wherever it is made."""
    made: list[str] = []

    def counting(real, where):
        def check(pwhash: str, password: str) -> bool:
            made.append(where)
            return real(pwhash, password)

        return check

    monkeypatch.setattr(
        accounts, "check_password_hash", counting(accounts.check_password_hash, "dummy")
    )
    monkeypatch.setattr(
        account_models,
        "check_password_hash",
        counting(account_models.check_password_hash, "user"),
    )
    return made


@pytest.mark.parametrize("email", ["nobody@example.com", "known"])
def test_a_login_costs_one_hash_check_whether_or_not_the_email_exists(
    client, make_user, hash_checks, email
):
    user = make_user("observer")
    email = user.email if email == "known" else email
    response = client.post("/login", data={"email": email, "password": "wrong password!"})
    assert "E-mail or password is wrong." in response.get_data(as_text=True)
    assert len(hash_checks) == 1


@pytest.mark.parametrize(
    ("password", "email", "problem"),
    [
        ("aaaaaaaaa", "", "at least 10"),  # nine characters
        ("aaaaaaaaaa", "", "too common"),  # ten, but one letter
        ("ababababab", "", "too common"),
        ("password123", "", "too common"),
        ("Password123", "", "too common"),
        ("qwertyuiop", "", "too common"),
        ("gembawalks", "", "too common"),
        ("operator.nine@example.com", "operator.nine@example.com", "e-mail"),
        ("OPERATOR.NINE@example.com", "operator.nine@example.com", "e-mail"),
        ("operator.nine", "operator.nine@example.com", "e-mail"),
        ("night shift 4 press", "operator.nine@example.com", None),
        (PASSWORD, "", None),
    ],
)
def test_password_policy(password, email, problem):
    found = accounts.password_problem(password, email)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_a_password_change_to_the_email_is_refused(app, make_user):
    user = make_user("observer")
    with app.app_context():
        stored = db.session.get(account_models.User, user.id)
        with pytest.raises(accounts.AccountError, match="e-mail"):
            accounts.set_password(stored, stored.email)


def test_the_database_file_is_created_private(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMBA_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "GEMBA_AUTO_MIGRATE": True})
    with app.app_context():
        db.engine.dispose()
    path = tmp_path / "instance" / "gemba.db"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for extra in ("gemba.db-wal", "gemba.db-shm"):
        if (tmp_path / "instance" / extra).exists():
            assert stat.S_IMODE(os.stat(tmp_path / "instance" / extra).st_mode) == 0o600
