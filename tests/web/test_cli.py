"""The flask commands: users, tokens, demo, recompute."""

from __future__ import annotations

from gemba.extensions import db
from gemba.models import Gap, Plan, User


def test_user_create_reads_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["user", "create", "Ana@Example.com", "--role", "analyst", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.role) == ("ana@example.com", "analyst")
        assert user.check_password("a long enough password")


def test_user_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["user", "create", "o@example.com"], input="pw-long-enough\n" * 2)
    assert result.exit_code == 0, result.output
    assert "Created observer o@example.com." in result.output


def test_user_create_refuses_duplicates_and_weak_passwords(runner):
    args = ["user", "create", "x@example.com", "--password-stdin"]
    assert runner.invoke(args=args, input="password\n").exit_code == 1
    assert runner.invoke(args=args, input="long enough pw\n").exit_code == 0
    again = runner.invoke(args=args, input="long enough pw\n")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_token_create_prints_the_token_last(app, runner, make_user):
    user = make_user()
    result = runner.invoke(args=["token", "create", user.email])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("gmb_")
    from gemba.accounts import services as accounts

    with app.app_context():
        assert accounts.user_for_token(token).id == user.id
    assert runner.invoke(args=["token", "create", "nobody@example.com"]).exit_code == 1


def test_demo_is_repeatable_and_flags_gaps(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "say-vs-do gaps flagged" in first.output
    second = runner.invoke(args=["demo"])
    assert "created" not in second.output.split("(")[1].split(")")[0]
    with app.app_context():
        gaps = db.session.scalars(db.select(Gap)).all()
        explanations = {g.explanation for g in gaps}
    # The badge rule, as the shift lead said it and as the site's access rule writes it,
    # judged on the badge walk, the weekly safety rounds of the demo's plans and the
    # unannounced gate check (not on the second observer's shadow of the badge round).
    assert any(e.startswith('Said "always"; observed 6 of 26') for e in explanations)
    assert any(
        e.startswith('The standard (Site access rule 1) says "always"') for e in explanations
    )
    assert len(gaps) >= 4


def test_demo_without_plans_is_the_three_walks(app, runner):
    assert runner.invoke(args=["demo", "--no-plans"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == 0
        explanations = {g.explanation for g in db.session.scalars(db.select(Gap))}
    assert any(e.startswith('Said "always"; observed 5 of 8') for e in explanations)


def test_gaps_recompute_reports_and_agrees_with_incremental(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        before = {(g.statement_id, g.explanation) for g in db.session.scalars(db.select(Gap))}
    result = runner.invoke(args=["gaps", "recompute"])
    assert result.exit_code == 0
    assert "0 gaps changed" in result.output
    with app.app_context():
        after = {(g.statement_id, g.explanation) for g in db.session.scalars(db.select(Gap))}
    assert before == after
