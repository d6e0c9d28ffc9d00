"""Every page of the route table, opened by every role in a pseudo-locale, shows no text
that did not go through the catalog, apart from what users typed. A string someone adds
tomorrow without `_()` fails here, on the page that shows it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import String, select
from wtforms.i18n import get_translations

from gemba.extensions import db
from gemba.models import Base
from gemba.platform import languages
from tests.i18n import pseudo
from tests.security.pages import ROLES, build_world, forms_on, page_rules, urls

# Words that are the same in every language: the product's name and formats' names.
ALLOWED = ("Gemba", "JSON", "CSV", "API", "OpenAPI", "PNG", "JPEG", "UTC", "fuzz", "κ", "p")
_ENUM = re.compile(r"^[a-z_]+$")


@pytest.fixture
def pseudo_app(app, monkeypatch):
    monkeypatch.setitem(languages.LANGUAGES, pseudo.CODE, "Pseudo")
    pseudo.install(app.instance_path)
    return app


def typed_data(app) -> set[str]:
    """Every text a user or the test world stored (not the stored enum words, which a
    page must translate)."""
    found: set[str] = set()
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for value in row:
                    if isinstance(value, str) and not _ENUM.match(value):
                        found.add(value)
                        if "@" in value:  # a user is shown by the name part of the e-mail
                            found.add(value.split("@")[0])
        db.session.remove()
    found |= set(languages.LANGUAGES.values())  # each language by its own name
    return found | wtforms_messages()


def wtforms_messages() -> set[str]:
    """WTForms' own messages ("This field is required."): Flask-WTF translates them from
    the catalogs WTForms ships, which hold every shipped language."""
    codes = [code for code in languages.LANGUAGES if code not in ("en", pseudo.CODE)]
    shipped = [get_translations([code]) for code in codes]
    known = set.intersection(*(set(t._catalog) for t in shipped))  # noqa: SLF001
    return {message for message in known if isinstance(message, str) and message}


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {texts[:6]}" for url, texts in sorted(problems.items()))


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_page_speaks_through_the_catalog(pseudo_app, make_user, make_site, write, role):
    world = build_world(pseudo_app, make_user, make_site, write)
    data = typed_data(pseudo_app)
    client = world.client(pseudo_app, role)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = pseudo.CODE
    problems: dict[str, list[str]] = {}
    seen = 0
    for rule in page_rules(pseudo_app):
        for url in urls(rule, world, role):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            seen += 1
            html = response.get_data(as_text=True)
            assert f'<html lang="{pseudo.CODE}"' in html, url
            found = pseudo.unmarked(pseudo.visible_texts(html), data, ALLOWED)
            if found:
                problems[url] = found
    assert seen >= (1 if role == "anonymous" else 10)
    assert not problems, _report(problems)


def test_the_form_errors_speak_through_the_catalog(pseudo_app, make_user, make_site, write):
    """Each form of the admin's pages sent empty: the messages by the fields and the
    flashed notices are translated."""
    world = build_world(pseudo_app, make_user, make_site, write)
    data = typed_data(pseudo_app)
    client = world.client(pseudo_app, "admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = pseudo.CODE
    problems: dict[str, list[str]] = {}
    sent: set[tuple[str, frozenset]] = set()
    for rule in page_rules(pseudo_app):
        for url in urls(rule, world, "admin"):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in forms_on(url, response.get_data(as_text=True)):
                key = (re.sub(r"\d+|[0-9a-f-]{36}", "#", form.action), frozenset(form.inputs))
                if form.method != "post" or key in sent or "delete" in form.action:
                    continue
                sent.add(key)
                values = {
                    n: ("" if i.kind in ("text", "textarea", "email", "number", "date") else v)
                    for n, i in form.inputs.items()
                    for v in (i.chosen[:1] or [""])
                }
                reply = client.post(form.action, data=values, follow_redirects=True)
                if reply.mimetype != "text/html":
                    continue
                found = pseudo.unmarked(
                    pseudo.visible_texts(reply.get_data(as_text=True)), data, ALLOWED
                )
                if found:
                    problems[f"POST {form.action} (from {url})"] = found
    assert not problems, _report(problems)
