"""Export, import into an empty instance, export again: the same document, byte for byte."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gemba.capture import records
from gemba.domain.gemba_json import COMPARATORS, FREQUENCIES, SENTIMENTS, SOURCES, THING_KINDS
from gemba.extensions import db
from gemba.interchange import exports, imports
from gemba.models import Base, Site, User, Walk
from tests.conftest import login, uid

KEEP = {"users", "api_tokens"}


def wipe(app) -> None:
    """Empty every table but the accounts: an instance with users and no data."""
    with app.app_context():
        present = set(sqlalchemy.inspect(db.engine).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in present and table.name not in KEEP:
                db.session.execute(table.delete())
        db.session.commit()


def write(app, user: User, batch: list) -> records.WriteResult:
    with app.app_context():
        return records.write(db.session.get(User, user.id), batch)


def site_export(app, site_id: str) -> str:
    with app.app_context():
        return exports.site_export(db.session.get(Site, uuid.UUID(site_id))).dumps()


def import_text(app, user: User, text: str) -> records.WriteResult:
    with app.app_context():
        actor = db.session.get(User, user.id)
        return imports.import_document(actor, imports.parse_json(text))


def one_of_each(site: str | None = None) -> list[dict]:
    """A walk with one record of every type (and both kinds of claim)."""
    site = site or uid()
    persona, walk, place, thing = uid(), uid(), uid(), uid()
    said, measured, fact, timed, link = uid(), uid(), uid(), uid(), uid()
    plan, item, retired = uid(), uid(), uid()
    return [
        {"type": "site", "id": site, "name": "Plant 2", "description": "Presses and paint"},
        {"type": "persona", "id": persona, "site": site, "name": "Night-shift operator"},
        {
            "type": "walk",
            "id": walk,
            "site": site,
            "plan": plan,
            "title": "Line 3 changeover",
            "purpose": "Why is changeover slow?",
            "started_at": "2026-11-20T08:00:00+01:00",
        },
        {
            "type": "place",
            "id": place,
            "walk": walk,
            "name": "Press 2",
            "lat": 51.5,
            "lon": -0.12,
            "accuracy_m": 8,
        },
        {
            "type": "thing",
            "id": thing,
            "walk": walk,
            "place": place,
            "name": "Torque wrench",
            "kind": "tool",
        },
        {
            "type": "statement",
            "id": said,
            "walk": walk,
            "place": place,
            "topic": "Badge scan at entry",
            "speaker": "Shift lead",
            "source": "interview",
            "persona": persona,
            "text": "We always scan our badges.",
            "claim": {"frequency": "always"},
        },
        {
            "type": "statement",
            "id": measured,
            "walk": walk,
            "topic": "Changeover time",
            "text": "Never more than fifteen minutes.",
            "claim": {"value": 15, "unit": "min", "comparator": "<="},
        },
        {
            "type": "fact",
            "id": fact,
            "walk": walk,
            "place": place,
            "things": [thing],
            "topic": "Badge scan at entry",
            "text": "Walked in without scanning",
            "performed": False,
            "sentiment": "pain",
            "plan_item": item,
            "observed_at": "2026-11-20T08:12:00+01:00",
        },
        {
            "type": "fact",
            "id": timed,
            "walk": walk,
            "topic": "Changeover time",
            "text": "Timed the changeover",
            "value": 24,
            "unit": "min",
        },
        {
            "type": "contradiction",
            "id": link,
            "fact": fact,
            "statement": said,
            "note": "Said it in front of the scanner that was off",
        },
        {
            "type": "plan",
            "id": plan,
            "site": site,
            "title": "Line 3, every shift",
            "purpose": "Leader standard work, layer 1",
            "route": ["Press 2", "Paint booth"],
            "schedule": "DTSTART;TZID=Europe/Warsaw:20261101T000000\n"
            "RRULE:FREQ=DAILY;BYHOUR=6,14,22;BYMINUTE=0;BYSECOND=0",
            "assignee_role": "observer",
            "items": [
                {
                    "id": uid(),
                    "topic": "Changeover time",
                    "question": "How long did the changeover take?",
                    "kind": "measure",
                    "unit": "min",
                    "standard": {"value": 15, "unit": "min", "comparator": "<="},
                },
                {
                    "id": item,
                    "topic": "Badge scan at entry",
                    "question": "Does everyone scan their badge?",
                    "kind": "behaviour",
                    "standard": {"frequency": "always"},
                    "reference": "SOP-12 rev C",
                },
                {
                    "id": retired,
                    "topic": "Gloves at the press",
                    "question": "Gloves worn at the press?",
                    "kind": "behaviour",
                    "retired": True,
                },
            ],
        },
    ]


def test_an_export_imported_into_an_empty_instance_exports_the_same(app, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    assert not write(app, admin, batch).rejected
    first = site_export(app, batch[0]["id"])
    wipe(app)
    result = import_text(app, admin, first)
    assert imports.summary(result) == {
        "created": len(batch),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert site_export(app, batch[0]["id"]) == first
    assert imports.summary(import_text(app, admin, first))["unchanged"] == len(batch)


def test_exports_write_timestamps_in_utc(app, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    write(app, admin, batch)
    document = json.loads(site_export(app, batch[0]["id"]))
    walk = next(r for r in document["records"] if r["type"] == "walk")
    assert walk["started_at"] == "2026-11-20T07:00:00+00:00"
    stamps = [v for r in document["records"] for k, v in r.items() if k.endswith("_at")]
    assert stamps
    assert all(s.endswith("+00:00") for s in stamps)


def test_a_walk_export_leaves_out_links_to_statements_on_other_walks(app, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    site = batch[0]["id"]
    other_walk, other_statement = uid(), uid()
    fact = next(r for r in batch if r["type"] == "fact")
    write(
        app,
        admin,
        batch
        + [
            {"type": "walk", "id": other_walk, "site": site, "title": "Earlier"},
            {"type": "statement", "id": other_statement, "walk": other_walk, "text": "We scan."},
            {
                "type": "contradiction",
                "id": uid(),
                "fact": fact["id"],
                "statement": other_statement,
            },
        ],
    )
    with app.app_context():
        document = exports.walk_export(db.session.get(Walk, uuid.UUID(batch[2]["id"]))).document
    links = [r for r in document["records"] if r["type"] == "contradiction"]
    assert [link["statement"] for link in links] == [batch[5]["id"]]


# -- generated walks -------------------------------------------------------------------------

_ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
)
_TEXT = st.text(
    # Text the rules of gemba.domain.text keep: no control characters, no lone surrogates.
    alphabet=st.characters(exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=24,
).filter(str.strip)
_OPTIONAL_TEXT = st.none() | _TEXT
_MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=_ZONES
)
_TOPICS = st.none() | st.sampled_from(
    ["Badge scan", "badge  SCAN", " Changeover time", "CHANGEOVER TIME", "Gloves"]
)
_NUMBER = st.floats(-1e12, 1e12) | st.integers(-(10**6), 10**6)  # the bounds of gemba.domain.bounds
_CLAIM = (
    st.none()
    | st.builds(lambda f: {"frequency": f}, st.sampled_from(FREQUENCIES))
    | (
        st.fixed_dictionaries(
            {"value": _NUMBER},
            optional={
                "unit": st.sampled_from(["min", "s", "h", "pcs"]),
                "tolerance": st.floats(0, 10),
                "comparator": st.sampled_from(COMPARATORS),
            },
        )
    )
)


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _drop_none(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None}


@st.composite
def walks(draw) -> list[dict]:
    """A site with personas and a walk or two, each with places, things, statements, facts."""
    site = uid()
    out: list[dict] = [
        {"type": "site", "id": site, "name": draw(_TEXT), "description": draw(_OPTIONAL_TEXT)}
    ]
    personas = [uid() for _ in range(draw(st.integers(0, 2)))]
    out += [{"type": "persona", "id": p, "site": site, "name": draw(_TEXT)} for p in personas]
    persona = st.none() | st.sampled_from(personas) if personas else st.none()
    facts, statements = [], []
    for _ in range(draw(st.integers(1, 2))):
        walk = uid()
        started = draw(_MOMENTS)
        ended = draw(st.none() | st.timedeltas(timedelta(0), timedelta(days=2)))
        out.append(
            {
                "type": "walk",
                "id": walk,
                "site": site,
                "title": draw(_TEXT),
                "purpose": draw(_OPTIONAL_TEXT),
                "status": draw(st.sampled_from(["in_progress", "finished"])),
                "started_at": _stamp(started),
                "ended_at": _stamp(started + ended if ended is not None else None),
            }
        )
        places = [uid() for _ in range(draw(st.integers(0, 2)))]
        place = st.none() | st.sampled_from(places) if places else st.none()
        for p in places:
            located = draw(st.booleans())
            out.append(
                {
                    "type": "place",
                    "id": p,
                    "walk": walk,
                    "name": draw(_TEXT),
                    "lat": draw(st.floats(-90, 90)) if located else None,
                    "lon": draw(st.floats(-180, 180)) if located else None,
                    "accuracy_m": draw(st.none() | st.floats(0, 1000)),
                    "note": draw(_OPTIONAL_TEXT),
                    "observed_at": _stamp(draw(st.none() | _MOMENTS)),
                }
            )
        things = [uid() for _ in range(draw(st.integers(0, 2)))]
        for t in things:
            out.append(
                {
                    "type": "thing",
                    "id": t,
                    "walk": walk,
                    "place": draw(place),
                    "name": draw(_TEXT),
                    "kind": draw(st.none() | st.sampled_from(THING_KINDS)),
                }
            )
        for _ in range(draw(st.integers(0, 2))):
            statements.append(uid())
            out.append(
                {
                    "type": "statement",
                    "id": statements[-1],
                    "walk": walk,
                    "place": draw(place),
                    "topic": draw(_TOPICS),
                    "speaker": draw(_OPTIONAL_TEXT),
                    "source": draw(st.none() | st.sampled_from(SOURCES)),
                    "persona": draw(persona),
                    "text": draw(_TEXT),
                    "claim": draw(_CLAIM),
                    "observed_at": _stamp(draw(st.none() | _MOMENTS)),
                }
            )
        for _ in range(draw(st.integers(0, 3))):
            facts.append(uid())
            kind = draw(st.sampled_from(["behaviour", "measurement", "note"]))
            out.append(
                {
                    "type": "fact",
                    "id": facts[-1],
                    "walk": walk,
                    "place": draw(place),
                    "things": draw(st.lists(st.sampled_from(things), unique=True))
                    if things
                    else None,
                    "topic": draw(_TOPICS),
                    "text": draw(_TEXT),
                    "performed": draw(st.booleans()) if kind == "behaviour" else None,
                    "value": draw(_NUMBER) if kind == "measurement" else None,
                    "unit": draw(st.sampled_from(["min", "s", "pcs"]))
                    if kind == "measurement"
                    else None,
                    "sentiment": draw(st.none() | st.sampled_from(SENTIMENTS)),
                    "persona": draw(persona),
                    "observed_at": _stamp(draw(st.none() | _MOMENTS)),
                }
            )
    if facts and statements:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(facts), st.sampled_from(statements)),
                unique=True,
                max_size=3,
            )
        )
        out += [
            {
                "type": "contradiction",
                "id": uid(),
                "fact": f,
                "statement": s,
                "note": draw(_OPTIONAL_TEXT),
            }
            for f, s in pairs
        ]
    return [_drop_none(r) for r in draw(st.permutations(out))]


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=walks())
def test_generated_walks_survive_the_round_trip(app, admin, batch):
    wipe(app)
    result = write(app, admin, batch)
    assert not result.rejected, [r.as_json() for r in result.rejected]
    site = next(r["id"] for r in batch if r["type"] == "site")
    first = site_export(app, site)
    assert len(json.loads(first)["records"]) == len(batch)
    wipe(app)
    assert not import_text(app, admin, first).rejected
    assert site_export(app, site) == first


# -- the command line ------------------------------------------------------------------------


def test_the_cli_exports_a_walk_and_imports_it_elsewhere(app, runner, make_user, tmp_path):
    admin = make_user("admin")
    batch = one_of_each()
    write(app, admin, batch)
    out = tmp_path / "walk.json"
    exported = runner.invoke(args=["export", "--walk", batch[2]["id"], "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text()
    wipe(app)
    imported = runner.invoke(args=["import", str(out), "--as", admin.email])
    assert imported.exit_code == 0, imported.output
    assert f"Imported {len(batch)} records: {len(batch)} created" in imported.output
    again = runner.invoke(args=["export", "--walk", batch[2]["id"]])
    assert again.output == text


def test_the_cli_exports_a_site_to_standard_output(app, runner, make_user):
    admin = make_user("admin")
    batch = one_of_each()
    write(app, admin, batch)
    result = runner.invoke(args=["export", "--site", batch[0]["id"]])
    assert result.exit_code == 0
    assert len(json.loads(result.output)["records"]) == len(batch)


@pytest.mark.parametrize(
    "args",
    [["export"], ["export", "--walk", uid(), "--site", uid()], ["export", "--walk", uid()]],
)
def test_the_cli_export_needs_one_existing_walk_or_site(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code != 0


def test_the_cli_import_reports_rejected_records_and_exits_1(runner, make_user, tmp_path):
    observer = make_user("observer")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"format": "gemba/v1", "records": one_of_each()[:1]}))
    result = runner.invoke(args=["import", str(path), "--as", observer.email])
    assert result.exit_code == 1
    assert "1 of 1 records were refused, so nothing was imported." in result.output
    assert "Only analysts and admins can add or change sites." in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [("{oops", "not valid JSON"), ('{"format": "gemba/v0", "records": []}', "format")],
)
def test_the_cli_import_refuses_a_bad_file(runner, make_user, tmp_path, content, message):
    admin = make_user("admin")
    path = tmp_path / "doc.json"
    path.write_text(content)
    result = runner.invoke(args=["import", str(path), "--as", admin.email])
    assert result.exit_code == 1
    assert message in result.output


def test_the_cli_import_needs_a_known_user(runner, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('{"format": "gemba/v1", "records": []}')
    result = runner.invoke(args=["import", str(path), "--as", "nobody@example.com"])
    assert result.exit_code == 1
    assert "No active user" in result.output


# -- the admin page --------------------------------------------------------------------------


def _upload(client, text: str, name: str = "walk.json"):
    data = {"file": (io.BytesIO(text.encode()), name)}
    return client.post("/manage/import", data=data, content_type="multipart/form-data")


def test_an_admin_imports_a_file_on_the_import_page(app, login_as, make_user):
    client, admin = login_as("admin")
    batch = one_of_each()
    page = _upload(client, json.dumps({"format": "gemba/v1", "records": batch}))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Imported {len(batch)} records: {len(batch)} created" in html
    again = _upload(client, json.dumps({"format": "gemba/v1", "records": batch}))
    assert f"{len(batch)} unchanged" in again.get_data(as_text=True)


def test_the_import_page_lists_rejected_records(login_as):
    client, _ = login_as("admin")
    page = _upload(
        client, json.dumps({"format": "gemba/v1", "records": [{"type": "walk", "id": uid()}]})
    )
    html = page.get_data(as_text=True)
    assert "1 of 1 records were refused, so nothing was imported." in html
    assert "site: This field is required." in html


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("{oops", "walk.json", "not valid JSON"),
        ("[]", "walk.json", "Must be a JSON object."),
        ("{}", "walk.txt", "Choose a .json file, or a .zip export"),
    ],
)
def test_the_import_page_explains_a_bad_file(login_as, text, name, message):
    client, _ = login_as("admin")
    html = _upload(client, text, name).get_data(as_text=True)
    assert message in html


def test_only_admins_see_the_import_page(login_as):
    client, _ = login_as("analyst")
    assert client.get("/manage/import").status_code == 403
    admin_client, _ = login_as("admin")
    assert admin_client.get("/manage/import").status_code == 200
    assert "/manage/import" in admin_client.get("/manage/sites").get_data(as_text=True)


def test_the_import_page_keeps_csrf(csrf_app, make_user):
    client = login(csrf_app.test_client(), make_user("admin"))
    response = _upload(client, '{"format": "gemba/v1", "records": []}')
    assert response.status_code == 400
