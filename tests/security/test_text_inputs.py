"""Text with rules at every input, generated from the code: every WTForms form class in
gemba, every form the pages show, and every string of the Gemba JSON record schemas get a
NUL, a line break where one line is meant, and (JSON only) a lone surrogate. Each is
refused with the message of `gemba.domain.text`, by its field, with nothing stored and
never a 5xx. A new form, field or record field is covered without editing this file.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
from collections.abc import Iterator

import pytest
import wtforms
from flask import request
from wtforms.fields import SelectFieldBase, StringField, TextAreaField
from wtforms.fields.core import UnboundField

import gemba
from gemba.domain import text
from gemba.domain.gemba_json import MULTILINE_FIELDS, RECORD_SCHEMAS
from gemba.platform.forms import TextRules
from tests.api.test_roundtrip import one_of_each
from tests.conftest import login, uid
from tests.security.pages import TEXT_INPUTS, build_world, crawl, snapshot

NUL = "\x00"
CR_LF = "one\r\ntwo"


# -- every form class -----------------------------------------------------------------------


def _form_classes() -> list[type]:
    """Every WTForms form class defined in gemba, found by importing every module."""
    for module in pkgutil.walk_packages(gemba.__path__, "gemba."):
        if not module.name.startswith("gemba.migrations"):
            importlib.import_module(module.name)
    found, stack = set(), [wtforms.Form]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("gemba."):
                found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORM_CLASSES = _form_classes()


def _text_fields(cls: type) -> Iterator[tuple[str, bool]]:
    """(name, multi-line) of each field of the class whose data is text."""
    for name in dir(cls):
        unbound = getattr(cls, name)
        if isinstance(unbound, UnboundField) and issubclass(
            unbound.field_class, StringField | SelectFieldBase
        ):
            yield name, issubclass(unbound.field_class, TextAreaField)


def _bad_values(multiline: bool) -> list[str]:
    """A NUL for every field; a line break, too, where one line is meant."""
    return [NUL] if multiline else [NUL, CR_LF]


def test_the_forms_are_found():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"LoginForm", "DismissForm", "ActionForm", "FactForm", "FilterForm"} <= names
    assert sum(len(list(_text_fields(cls))) for cls in FORM_CLASSES) > 40


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_form_follows_the_text_rules(cls):
    """One base for all forms (platform.forms.BaseForm or QueryForm): a form made on
    FlaskForm directly would let a NUL through to the database."""
    assert issubclass(cls, TextRules)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_text_field_of_every_form_refuses_what_the_rules_refuse(app, cls):
    wrong = []
    for name, multiline in _text_fields(cls):
        for value in _bad_values(multiline):
            with app.test_request_context(method="POST", data={name: value}):
                form = cls(request.form) if not hasattr(cls, "validate_on_submit") else cls()
                for field in form:  # choices a view fills in: make the bad value one of them
                    if isinstance(field, SelectFieldBase):
                        field.choices = [(value, value)]
                refused = not form.validate()
                if not refused or text.problem(value, multiline=multiline) not in form[name].errors:
                    wrong.append((name, value, form[name].errors))
    assert wrong == []


@pytest.mark.parametrize("cls", [c for c in FORM_CLASSES if any(_text_fields(c))])
def test_a_textarea_reads_cr_lf_as_lf(app, cls):
    areas = [name for name, multiline in _text_fields(cls) if multiline]
    with app.test_request_context(method="POST", data=dict.fromkeys(areas, CR_LF)):
        form = cls(request.form) if not hasattr(cls, "validate_on_submit") else cls()
        for field in form:
            if isinstance(field, SelectFieldBase):
                field.choices = []
        form.validate()
        for name in areas:
            assert form[name].data == "one\ntwo"
            assert not any("Remove" in error for error in form[name].errors)


# -- every form on every page, end to end ----------------------------------------------------

FIELD_NAMES = {name for cls in FORM_CLASSES for name, _ in _text_fields(cls)}


def _field_name(html_name: str) -> str:
    """The form's field name without the prefix a page gives it ("dismiss-reason")."""
    return html_name.rsplit("-", 1)[-1]


@pytest.mark.parametrize("role", ["admin", "anonymous"])
def test_every_page_form_refuses_bad_text_and_stores_nothing(
    app, make_user, make_site, write, role
):
    world = build_world(app, make_user, make_site, write)
    client = world.client(app, role)
    sent, wrong = 0, []
    for form in crawl(app, client, world, role):
        if form.method != "post":
            continue
        for name, control in form.inputs.items():
            kind = control.kind
            if _field_name(name) not in FIELD_NAMES or kind not in {*TEXT_INPUTS, "textarea"}:
                continue  # a raw input (back, next, action) or no text (a checkbox)
            for value in [NUL] if kind == "textarea" else [NUL, CR_LF]:
                login(client, world.users[role]) if role != "anonymous" else None
                before = snapshot(app)
                response = client.post(form.action, data={**form.defaults(), name: [value]})
                page = response.get_data(as_text=True)
                message = text.problem(value, multiline=kind == "textarea")
                sent += 1
                if (
                    response.status_code >= 500
                    or snapshot(app) != before
                    or (kind != "hidden" and message not in page)
                ):
                    wrong.append((form.action, name, value, response.status_code))
    assert sent > (20 if role == "admin" else 2)
    assert wrong == []


# -- every string of every Gemba JSON record ----------------------------------------------------


def _string_paths(schema: dict, path: tuple = ()) -> Iterator[tuple[tuple, bool]]:
    """(path, free text) of every string in a schema; free text has no enum, format or
    pattern to refuse a value before the text rules do."""
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from _string_paths(option, path)
    if schema.get("type") == "object":
        for name, prop in schema.get("properties", {}).items():
            yield from _string_paths(prop, (*path, name))
    elif schema.get("type") == "array":
        yield from _string_paths(schema["items"], (*path, 0))
    elif schema.get("type") == "string" or "const" in schema or "enum" in schema:
        free = not {"enum", "const", "format", "pattern"} & set(schema)
        yield path, free


def _record_strings(type_: str) -> dict[tuple, bool]:
    """Every string path of a record type, and whether it is free text."""
    found: dict[tuple, bool] = {}
    for path, free in _string_paths(RECORD_SCHEMAS[type_]):
        found[path] = found.get(path, True) and free
    return found


def _bad_json_values(path: tuple) -> list[str]:
    """A NUL, a lone surrogate, and a line break where one line is meant (or a carriage
    return alone where lines are allowed)."""
    multiline = len(path) == 1 and path[0] in MULTILINE_FIELDS
    return [NUL, "\ud800", "one\rtwo" if multiline else CR_LF]


def test_the_record_strings_are_found():
    paths = {(type_, path) for type_ in RECORD_SCHEMAS for path in _record_strings(type_)}
    assert {("site", ("name",)), ("statement", ("claim", "unit")), ("fact", ("things", 0))} <= paths
    assert len(paths) > 40
    assert all(len(path) <= 4 for _, path in paths)  # what _put() can reach


def _put(record: dict, path: tuple, value: str) -> None:
    """The value at the path: a field, a field of an object (claim.unit), an item, or a
    field inside a list's first object (items.0.standard.unit)."""
    name, *inner = path
    if not inner:
        record[name] = value
    elif isinstance(inner[0], int) and len(inner) == 1:
        record[name] = [value]
    elif isinstance(inner[0], int):
        items = copy.deepcopy(record.get(name) or [{}])
        _put(items[0], tuple(inner[1:]), value)
        record[name] = items[:1]
    else:
        inside = copy.deepcopy(record.get(name) or {})
        _put(inside, tuple(inner), value)
        record[name] = inside


@pytest.fixture
def synced(app, make_user):
    """An admin's session client and one record of each type already written (the parents
    a record refers to)."""
    admin = make_user("admin")
    client = login(app.test_client(), admin)
    batch = one_of_each()
    response = client.post("/api/v1/sync", json={"format": "gemba/v1", "records": batch})
    assert {r["status"] for r in response.get_json()["results"]} == {"created"}
    return client, batch


def _base(batch: list[dict], type_: str, path: tuple) -> dict:
    """A new record of the type, copied from the one in the batch that has most of the path
    (the statement with a measure claim for claim.unit), under a new id."""
    candidates = [r for r in batch if r["type"] == type_]

    def reach(record: dict) -> int:
        inner = record.get(path[0])
        return (inner is not None) + (
            len(path) > 1 and isinstance(inner, dict) and path[1] in inner
        )

    return {**copy.deepcopy(max(candidates, key=reach)), "id": uid()}


def _sync(client, record: dict):
    # ensure_ascii: a lone surrogate travels as the escape "\ud800", as a JSON client sends it
    body = json.dumps({"format": "gemba/v1", "records": [record]}, ensure_ascii=True)
    return client.post("/api/v1/sync", data=body, content_type="application/json")


@pytest.mark.parametrize("type_", list(RECORD_SCHEMAS))
def test_every_record_string_refuses_what_the_rules_refuse(app, synced, type_):
    client, batch = synced
    wrong, sent = [], 0
    for path, free in _record_strings(type_).items():
        for value in _bad_json_values(path):
            record = _base(batch, type_, path)
            _put(record, path, value)
            before = snapshot(app)
            response = _sync(client, record)
            sent += 1
            (result,) = response.get_json()["results"]
            fields = {error["field"]: error["message"] for error in result["errors"]}
            dotted = ".".join(map(str, path))
            multiline = len(path) == 1 and path[0] in MULTILINE_FIELDS
            if (
                response.status_code != 200
                or result["status"] != "rejected"
                or str(path[0]) not in {field.split(".")[0] for field in fields}
                or (free and fields.get(dotted) != text.problem(value, multiline=multiline))
                or snapshot(app) != before
            ):
                wrong.append((dotted, value, response.status_code, fields))
    assert sent >= 9
    assert wrong == []


@pytest.mark.parametrize("type_", list(RECORD_SCHEMAS))
def test_the_same_records_with_good_text_are_written(synced, type_):
    """The control for the test above: what is refused there is the bad text alone."""
    client, batch = synced
    record = _base(batch, type_, ("id",))
    # A schedule is multi-line iCalendar text with a grammar of its own (tested apart).
    for name in (MULTILINE_FIELDS - {"schedule"}) & set(RECORD_SCHEMAS[type_]["properties"]):
        record[name] = "Line one\r\nLine two\twith a tab"
    if type_ == "contradiction":  # one link per fact and statement: link another pair
        record["statement"] = [r["id"] for r in batch if r["type"] == "statement"][-1]
    response = _sync(client, record)
    assert response.get_json()["results"][0]["status"] == "created", response.get_json()
