"""The persona filter: a persona's trends count the gaps on what that persona said (a gap
the engine removed included) and the topics they spoke about or were seen on; planned
walks stay the site's; an unknown persona or one of another site is said, never a 500."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gemba.domain.trend_periods import WEEK
from gemba.extensions import db
from gemba.models import AuditEvent, Statement, gap_id_for
from gemba.trends import queries
from tests.conftest import uid


def _said_and_seen(site: str, persona: str | None, topic: str, n: int) -> list[dict]:
    """Someone says "always"; the observer sees it not done, by the same persona."""
    walk = uid()
    who = {"persona": persona} if persona else {}
    return [
        {"type": "walk", "id": walk, "site": site, "title": f"Round {n}"},
        {
            "type": "statement",
            "id": uid(),
            "walk": walk,
            "topic": topic,
            "text": f"We always do it {n}",
            "claim": {"frequency": "always"},
            **who,
        },
        {
            "type": "fact",
            "id": uid(),
            "walk": walk,
            "topic": topic,
            "text": "Not done",
            "performed": False,
            **who,
        },
    ]


@pytest.fixture
def two_personas(app, make_user, make_site, write):
    """One site, an operator and a setter: the operator's two gaps (one the engine has
    since removed, known only from its events) and the setter's one; a second site."""
    site, other = make_site("Plant 9"), make_site("Plant 10")
    user = make_user("analyst")
    operator, setter, elsewhere = uid(), uid(), uid()
    people = [
        {"type": "persona", "id": operator, "site": site, "name": "Operator"},
        {"type": "persona", "id": setter, "site": site, "name": "Setter"},
        {"type": "persona", "id": elsewhere, "site": other, "name": "Driver"},
    ]
    batch = (
        people
        + _said_and_seen(site, operator, "Gloves at the press", 1)
        + _said_and_seen(site, setter, "Guard closed", 2)
        + _said_and_seen(site, None, "Floor swept", 3)
    )
    assert all(r.status == "created" for r in write(user, *batch).results)
    gone = uuid.UUID(uid())  # a statement whose gap was removed: only events are left
    with app.app_context():
        kept = db.session.get(Statement, uuid.UUID(batch[4]["id"]))
        ghost = Statement(
            id=gone,
            walk_id=kept.walk_id,
            topic_id=kept.topic_id,
            persona_id=kept.persona_id,
            text="We always wipe it",
            observed_at=kept.observed_at,
        )
        db.session.add(ghost)
        flagged = datetime.now(UTC) - timedelta(days=1)
        db.session.add(
            AuditEvent(
                at=flagged,
                object_type="gap",
                object_id=str(gap_id_for(gone)),
                site_id=uuid.UUID(site),
                verb="flagged",
                detail={"site": site, "topic": kept.topic_id},
            )
        )
        db.session.commit()
    return {
        "site": uuid.UUID(site),
        "other": uuid.UUID(other),
        "operator": uuid.UUID(operator),
        "setter": uuid.UUID(setter),
        "elsewhere": uuid.UUID(elsewhere),
    }


def _totals(app, site: uuid.UUID, persona: uuid.UUID | None) -> dict[str, int]:
    with app.app_context():
        sites = queries.load_sites(site)
        moment = datetime.now(UTC) + timedelta(seconds=5)
        rows = [t.to_row() for t in queries.trends_for(sites, WEEK, 2, moment, persona)[site]]
        db.session.remove()
    return {
        "flagged": sum(row["gaps_flagged"] for row in rows),
        "open": rows[-1]["gaps_open_at_end"],
        "topics": rows[-1]["topics_observed"],
    }


def test_a_persona_counts_only_the_gaps_on_what_they_said(app, two_personas):
    site = two_personas["site"]
    assert _totals(app, site, None) == {"flagged": 4, "open": 4, "topics": 3}
    assert _totals(app, site, two_personas["operator"]) == {"flagged": 2, "open": 2, "topics": 1}
    assert _totals(app, site, two_personas["setter"]) == {"flagged": 1, "open": 1, "topics": 1}


def test_the_page_filters_by_persona_and_says_walks_stay_the_sites(app, two_personas, analyst):
    client, _ = analyst
    operator = two_personas["operator"]
    html = client.get(f"/review/trends/?persona={operator}&unit=week&periods=2").get_data(
        as_text=True
    )
    assert f'<option value="{operator}" selected>' in html
    assert "Showing what Operator said and was seen doing" in html
    assert "Plant 10" not in html.split("</form>")[1]  # only the persona's site is shown
    csv = client.get(f"/review/trends.csv?persona={operator}&unit=week&periods=2")
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 3
    assert all("Plant 9" in line for line in lines[1:])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("persona=not-an-id", "No such persona; showing everyone."),
        ("persona=0f8c2a9e-5b1d-4c3e-9a7f-6d2e1b0c9a88", "No such persona; showing everyone."),
        ("persona=%00", "No such persona; showing everyone."),
    ],
)
def test_an_unknown_persona_shows_everyone_and_says_so(app, two_personas, analyst, query, message):
    client, _ = analyst
    response = client.get(f"/review/trends/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Showing what" not in html
    assert client.get(f"/review/trends.csv?{query}").status_code == 200


def test_a_persona_of_another_site_shows_its_own_site(app, two_personas, analyst):
    client, _ = analyst
    query = f"site={two_personas['site']}&persona={two_personas['elsewhere']}"
    html = client.get(f"/review/trends/?{query}").get_data(as_text=True)
    assert "The persona is at another site; showing its site." in html
    assert "Showing what Driver said" in html
    shown = html.split("</form>")[1]
    assert "Plant 10" in shown
    assert "Plant 9" not in shown
