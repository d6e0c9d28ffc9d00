"""Every form, as every role, sent values nobody would type: never a server error.

The forms are found the way a browser finds them (`tests/security/pages.py`): every page
of `app.url_map` is opened, its forms read from the HTML, and Hypothesis fills each
field with what the page offers, text from all of Unicode, and the values that broke
apps before (NUL, CR LF, huge numbers, dates in year 9999, 6,000 characters, ids of
nothing). Derandomized, so CI sends the same requests every run; raise
GEMBA_FUZZ_EXAMPLES to explore locally.
"""

from __future__ import annotations

import io
import os
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gemba.extensions import db
from gemba.models import User
from tests.security.pages import (
    ROLES,
    Input,
    PageForm,
    World,
    build_world,
    crawl,
    endpoint_of,
    random_uuid,
)

# Generated examples per form and role (about 100 of them), after the odd values.
EXAMPLES = int(os.environ.get("GEMBA_FUZZ_EXAMPLES", "8"))
# POST routes no page offers a form for, and why that is right.
NOT_ON_A_PAGE = {
    "auth.setup": "only before the first user exists (tests/web/test_app_setup.py)",
    "notices.unsubscribe": "linked from e-mails only (tests/notices/test_unsubscribe.py)",
}
TAKE_AWAY = ("delete", "finish", "revoke", "logout")
# Sent in every field of every form, each as an explicit example before the generated ones.
ODD = [
    "",
    "-1",
    "1e308",
    "nan",
    "99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "\x00",
    "a\r\nb",
    "\u202e\u0007",
    "x" * 6000,
    "²",
]
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_CHANGES = ("odd", "odd", "text", "id", "offered", "left out", "twice")


def _typed(name: str, control: Input) -> bool:
    """A control whose value a person types or picks (not the CSRF token, not a button)."""
    return name != "csrf_token" and control.kind != "submit"


def odd_everywhere(form: PageForm, value: str) -> dict:
    """The page's own values with `value` in every field a person types or picks (hidden
    inputs keep theirs: they say which form it is, or what the form saw)."""
    data = form.defaults()
    for name, control in form.inputs.items():
        if _typed(name, control) and control.kind not in ("file", "hidden"):
            data[name] = [value]
    return data


def odd_in(form: PageForm, name: str, value: str) -> dict:
    """The page's own values with `value` in one field, so no other field refuses it first."""
    return {**form.defaults(), name: [value]}


def submissions(form: PageForm) -> st.SearchStrategy[dict]:
    """What a browser sends untouched (the page's own values), with one to three fields
    changed: to an odd value, any text, an id of nothing, another value the page offers,
    two values, or left out. Files are a few random bytes."""
    names = [name for name, control in form.inputs.items() if _typed(name, control)]
    base = form.defaults()

    @st.composite
    def build(draw) -> dict:
        data = {name: list(values) for name, values in base.items()}
        if not names:
            return data
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
            control = form.inputs[name]
            change = draw(st.sampled_from(_CHANGES))
            if control.kind == "file":
                data[name] = draw(st.binary(max_size=64))
            elif change == "left out":
                data.pop(name, None)
            elif change == "twice":
                data[name] = draw(st.lists(st.sampled_from(control.values or [""]), min_size=2))
            else:
                data[name] = [draw(_changed(change, control))]
        return data

    return build()


def _changed(change: str, control: Input) -> st.SearchStrategy[str]:
    if change == "odd":
        return st.sampled_from(ODD)
    if change == "text":
        return _TEXT
    if change == "id":
        return st.builds(random_uuid)
    return st.sampled_from(control.values or [""])


def _log_in_again(app, client, world: World, role: str) -> None:
    """A form may have logged the client out (everywhere, too): log in as the user is now."""
    if role == "anonymous":
        client.delete_cookie("session")
        return
    with app.app_context():
        session_id = db.session.get(User, world.users[role].id).get_id()
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


def _send(client, form: PageForm, data: dict):
    """The submission as the browser sends it: a query string, or a (multipart) form."""
    if form.method == "get":
        return client.get(form.action, query_string=data)
    body = {
        name: (io.BytesIO(value), "upload.jpg") if isinstance(value, bytes) else value
        for name, value in data.items()
    }
    return client.post(form.action, data=body)


@pytest.fixture
def world(app, make_user, make_site, write) -> World:
    return build_world(app, make_user, make_site, write)


def test_no_form_answers_a_server_error(app, world):
    forms = [
        (role, form)
        for role in (*ROLES, "anonymous")
        for form in crawl(app, world.client(app, role), world, role)
    ]
    # The control: no POST route escapes the fuzzing for want of a form on some page.
    posted = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith("api.")
    }
    assert posted - {endpoint_of(app, form) for _, form in forms} - set(NOT_ON_A_PAGE) == set()

    # Forms that take things away go last, so the others still find what they are about.
    forms.sort(key=lambda item: any(verb in item[1].action for verb in TAKE_AWAY))
    clients = {role: world.client(app, role) for role, _ in forms}
    swept: set[tuple] = set()
    started = time.monotonic()
    for role, form in forms:
        # The odd values are sent to each form once, as the first role that sees it; the
        # generated submissions as every role.
        signature = (endpoint_of(app, form), form.method, frozenset(form.inputs))
        _fuzz(app, clients[role], world, role, form, sweep=signature not in swept)
        swept.add(signature)
    print(
        f"{len(forms)} forms of {len(swept)} kinds, {EXAMPLES} generated examples each, "
        f"in {time.monotonic() - started:.1f}s"
    )


def _fuzz(app, client, world: World, role: str, form: PageForm, sweep: bool) -> None:
    """EXAMPLES generated submissions of one form, after (with `sweep`) each odd value in
    every field and a NUL in each field alone; the first 5xx fails with its request."""
    where = f"{form.method.upper()} {form.action} (form on {form.page}) as {role}"

    def send(data):
        _log_in_again(app, client, world, role)
        response = _send(client, form, data)
        response.close()
        assert response.status_code < 500, (where, data)

    test = given(data=submissions(form))(send)
    for value in ODD if sweep else ():
        test = example(data=odd_everywhere(form, value))(test)
    for name, control in form.inputs.items() if sweep else ():
        if _typed(name, control) and control.kind != "file":
            test = example(data=odd_in(form, name, "\x00"))(test)
    settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )(test)()
