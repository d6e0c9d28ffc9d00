"""Start-up, configuration, first-run setup, login and the migration head."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade

from gemba import create_app
from gemba.extensions import db
from gemba.models import Base, User
from gemba.platform.database import MIGRATIONS_DIR, at_head
from tests.conftest import PASSWORD, login


def test_empty_instance_creates_and_upgrades_its_database(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMBA_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True})
    assert (tmp_path / "gemba.db").exists()
    assert (tmp_path / "secret_key").exists()
    assert len(app.config["SECRET_KEY"]) >= 32
    again = create_app({"TESTING": True})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.engine.dispose()
    # The migration turns SQLite's foreign keys off for its table rebuilds; the app's
    # connections have them on again, or deletes would leave rows that pointed at them.
    for started in (app, again):
        with started.app_context():
            assert db.session.scalar(db.text("PRAGMA foreign_keys")) == 1
            db.engine.dispose()


def test_a_start_on_a_database_behind_the_head_upgrades_it(tmp_path, monkeypatch):
    """A database at the head starts without Alembic; one a revision behind is upgraded."""
    monkeypatch.setenv("GEMBA_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True})
    assert at_head(app)
    with app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision="-1")
        db.engine.dispose()
    assert not at_head(app)
    again = create_app({"TESTING": True})
    assert at_head(again)
    with again.app_context():
        db.engine.dispose()


def test_environment_overrides_config(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMBA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_GEMBA_AUTO_MIGRATE", "false")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "gemba.db").exists()


def test_models_and_migration_head_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_first_visit_leads_to_setup_and_creates_the_admin(client, app):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.endswith("/setup")
    response = client.post(
        "/setup",
        data={"email": "Boss@Example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    with app.app_context():
        admin = db.session.scalar(db.select(User))
        assert admin.email == "boss@example.com"
        assert admin.role == "admin"
    assert client.get("/setup").status_code == 302  # gone once a user exists


def test_setup_refuses_a_weak_password_and_keeps_the_email(client):
    response = client.post(
        "/setup", data={"email": "boss@example.com", "password": "short", "confirm": "short"}
    )
    assert response.status_code == 200
    assert b"at least 10 characters" in response.data
    assert b'value="boss@example.com"' in response.data


def test_login_with_a_wrong_password_gives_one_generic_message(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert b"E-mail or password is wrong." in response.data
    response = client.post("/login", data={"email": "nobody@example.com", "password": "x" * 9})
    assert b"E-mail or password is wrong." in response.data


def test_login_then_walks_page(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_login_ignores_an_offsite_next(client, make_user):
    user = make_user()
    response = client.post(
        "/login?next=//evil.example.com/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.location == "/"


def test_deactivated_user_is_logged_out(app, client, make_user):
    user = make_user()
    login(client, user)
    assert client.get("/").status_code == 200
    with app.app_context():
        row = db.session.get(User, user.id)
        row.active = False
        db.session.commit()
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user()
    phone, laptop = login(app.test_client(), user), login(app.test_client(), user)
    response = phone.post(
        "/profile",
        data={
            "action": "password",
            "current": PASSWORD,
            "password": "a much longer secret",
            "confirm": "a much longer secret",
        },
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 200
    assert laptop.get("/").status_code == 302


def test_wsgi_module_builds_the_app(tmp_path):
    env = {**os.environ, "GEMBA_INSTANCE_PATH": str(tmp_path), "FLASK_GEMBA_AUTO_MIGRATE": "false"}
    code = "import wsgi; print(wsgi.app.name)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "gemba"


def test_log_out_everywhere_from_the_profile_page(app, make_user):
    user = make_user()
    phone, laptop = login(app.test_client(), user), login(app.test_client(), user)
    assert b"Log out everywhere" in phone.get("/profile").data
    phone.post("/logout", data={"everywhere": "1"})
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302


def test_a_full_disk_during_a_write_is_a_clear_503_and_saves_nothing(app, make_user, make_walk):
    from unittest import mock

    from sqlalchemy.exc import OperationalError

    from gemba.gaps import updates as gap_updates
    from gemba.models import Place

    user = make_user()
    walk = make_walk(user)
    client = login(app.test_client(), user)
    full = OperationalError("INSERT", {}, Exception("database or disk is full"))
    with mock.patch.object(gap_updates, "refresh", side_effect=full) as refresh:
        response = client.post(f"/walks/{walk}/places/new", data={"name": "Dock"})
    assert refresh.call_count == 1  # not retried: a full disk stays full
    assert response.status_code == 503
    assert b"disk is full" in response.data
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Place)) == 0
