"""Who may do what in the analyst workspace, as a role x route matrix.

Observers are often the same people later at a desk (PRODUCT.md): they read every
review page, report and export. Triage, actions and persona notes are analyst work.
"""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest

from gemba.extensions import db
from gemba.models import Action, Gap, User
from gemba.review import actions
from gemba.topics import merging
from tests.conftest import login
from tests.review.conftest import topic_id

ANON, OBSERVER, ANALYST, ADMIN = "anon", "observer", "analyst", "admin"

READ = [
    "/review/",
    "/review/?status=all&sort=said",
    "/review/gaps.csv",
    "/review/gaps/{gap}",
    "/review/actions",
    "/review/actions.csv",
    "/review/actions/{action}",
    "/review/topics",
    "/review/topics/{topic}",
    "/review/personas",
    "/review/personas/{persona}",
    "/review/walks",
    "/review/walks/{walk}/experience",
    "/review/sites/{site}/experience",
    "/review/walks/{walk}/report",
    "/review/history",
]
ANALYST_PAGES = [
    "/review/gaps/{gap}/actions/new",
    "/review/actions/{action}/edit",
    "/review/calibration",
    "/topics/duplicates",
    "/topics/duplicates?site={site}",
    "/review/trends/",
    "/review/trends/?site={site}&unit=month&periods=3",
    "/review/trends.csv",
]
ACTION = {"title": "T", "status": "open", "owner": "", "gaps": ["{gap}"]}
POSTS = [
    ("/review/gaps/{gap}/confirm", {"confirm-note": "ok"}),
    ("/review/gaps/{gap}/observe", {"observe-note": "look again"}),
    ("/review/gaps/{gap}/dismiss", {"dismiss-reason": "wrong line"}),
    ("/review/gaps/{gap}/reopen", {}),
    (
        "/review/gaps/{gap}/actions/new",
        {"title": "T", "status": "open", "owner": "", "gaps": ["{gap}"]},
    ),
    (
        "/review/actions/{action}/edit",
        {"title": "T2", "status": "done", "owner": "", "gaps": ["{gap}"], "seen": "{seen}"},
    ),
    ("/review/actions/{action}/status", {"status": "in_progress"}),
    ("/review/actions/{action}/verification-walk", {"walker": "{walker}", "day": "2027-01-04"}),
    ("/review/personas/{persona}", {"text": "Thinks the rule is for others"}),
    ("/topics/{topic}/merge", {"target": "{twin}"}),
    ("/topics/merges/{merge}/undo", {}),
    ("/topics/{topic}/synonyms", {"name": "Torque before start"}),
    ("/topics/synonyms/{synonym}/delete", {}),
    ("/topics/{topic}/translations", {"language": "es", "name": "Par de apriete al arrancar"}),
    ("/topics/{topic}/translations", {"language": "es", "clear": "Clear"}),
]


@pytest.fixture
def world(app, demo, make_user):
    """The demo plant with one action, and a client per role."""
    gap_id = demo.gap("torque")
    with app.app_context():
        gap = db.session.get(Gap, uuid.UUID(gap_id))
        action = Action(site_id=gap.site_id, title="Torque check card", gaps=[gap])
        db.session.add(action)
        db.session.commit()
        action_id = str(action.id)
        seen = actions.fingerprint(action)
        merged, synonym = _merge_and_synonym(demo)
    clients = {ANON: app.test_client()}
    users = {role: make_user(role) for role in (OBSERVER, ANALYST, ADMIN)}
    for role, user in users.items():
        clients[role] = login(app.test_client(), user)
    ids = {
        "gap": gap_id,
        "action": action_id,
        "topic": topic_id(demo, "Torque check before start"),
        "persona": demo.personas["tech"],
        "walk": demo.walks["changeover"],
        "site": demo.site,
        "seen": seen,
        "walker": str(users[OBSERVER].id),
        "twin": topic_id(demo, "Forklift speeding"),
        "merge": merged,
        "synonym": synonym,
    }
    return {"clients": clients, "ids": ids}


def _merge_and_synonym(demo) -> tuple[str, int]:
    """A merge to undo and a synonym to remove (gemba.topics), apart from {topic}."""
    admin = db.session.get(User, demo.admin.id)
    target = topic_id(demo, "Safety glasses in press hall")
    merged = merging.merge(admin, topic_id(demo, "Badge scan at entry"), target)
    synonym = merging.add_synonym(admin, target, "Eye protection")
    return str(merged.merge.id), synonym.id


def _url(template: str, world) -> str:
    return template.format(**world["ids"])


MATRIX = [(url, {ANON: 302, OBSERVER: 200, ANALYST: 200, ADMIN: 200}) for url in READ]
MATRIX += [(url, {ANON: 302, OBSERVER: 403, ANALYST: 200, ADMIN: 200}) for url in ANALYST_PAGES]


@pytest.mark.parametrize(("route", "expected"), MATRIX)
def test_role_matrix_for_review_pages(world, route, expected):
    for role, status in expected.items():
        response = world["clients"][role].get(_url(route, world))
        assert response.status_code == status, (role, route, status)
        if status == 302:
            assert "/login" in response.location


@pytest.mark.parametrize(("route", "data"), POSTS)
@pytest.mark.parametrize(("role", "status"), [(ANON, 302), (OBSERVER, 403), (ANALYST, 302)])
def test_role_matrix_for_review_changes(world, route, data, role, status):
    data = {
        key: [_url(v, world) for v in value] if isinstance(value, list) else _url(value, world)
        for key, value in data.items()
    }
    response = world["clients"][role].post(_url(route, world), data=data)
    assert response.status_code == status, (role, route, response.get_data(as_text=True)[:500])
    if role == ANON:
        assert "/login" in response.location
    elif role == ANALYST:
        assert "/login" not in response.location


def test_every_review_route_is_in_the_matrix(app):
    covered = {template.split("?")[0] for template in READ + ANALYST_PAGES}
    covered |= {template for template, _ in POSTS}
    rules = {
        rule.rule.replace("<uuid:", "{").replace("<int:", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/review", "/topics"))
    }
    names = {
        "{gap_id}": "{gap}",
        "{action_id}": "{action}",
        "{topic_id}": "{topic}",
        "{persona_id}": "{persona}",
        "{walk_id}": "{walk}",
        "{site_id}": "{site}",
        "{merge_id}": "{merge}",
        "{synonym_id}": "{synonym}",
    }
    for old, new in names.items():
        rules = {rule.replace(old, new) for rule in rules}
    assert rules <= covered, rules - covered


class _Inline(HTMLParser):
    """Finds what a strict Content-Security-Policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style>")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]


def test_review_pages_have_no_inline_script_or_style(world):
    client = world["clients"][ANALYST]
    for route in READ + ANALYST_PAGES:
        response = client.get(_url(route, world))
        if response.mimetype != "text/html":
            continue
        finder = _Inline()
        finder.feed(response.get_data(as_text=True))
        assert finder.problems == [], route


@pytest.mark.parametrize("role", [OBSERVER, ANALYST])
def test_the_main_navigation_leads_to_the_gaps(world, role):
    page = world["clients"][role].get("/").get_data(as_text=True)
    assert re.search(r'<a href="/review/"\s*>Gaps</a>', page)
