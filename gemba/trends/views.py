"""The trends page and its CSV: per site, week by week or month by month, the gaps
flagged, triaged and closed and the planned walks done, as of now. Analysts and admins
only (observers do not see how their site compares). An odd query argument is replaced by
its default and the filter says so; it never fails the page."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Response, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from gemba.accounts.security import role_required
from gemba.domain.trend_coverage import DEFAULT_STALE_WEEKS
from gemba.domain.trend_periods import MONTH, WEEK
from gemba.domain.trends import PeriodTrend
from gemba.domain.units import format_number
from gemba.models import Role, utcnow
from gemba.platform import params
from gemba.review.exports import safe
from gemba.trends import bp, charts, measures, queries, snapshots

MAX_PERIODS = 26
DEFAULT_PERIODS = {WEEK: 12, MONTH: 6}


@dataclass
class Choice:
    """What the filter asks for, once every odd value is replaced by its default."""

    site_id: uuid.UUID | None = None
    persona_id: uuid.UUID | None = None
    unit: str = WEEK
    count: int = DEFAULT_PERIODS[WEEK]
    problems: dict[str, str] = field(default_factory=dict)  # argument -> what was done

    def args(self) -> dict[str, str]:
        found = {"site": str(self.site_id or ""), "unit": self.unit, "periods": str(self.count)}
        if self.persona_id is not None:
            found["persona"] = str(self.persona_id)
        return found


def read_choice(
    args: Mapping[str, str],
    known: set[uuid.UUID],
    personas: Mapping[uuid.UUID, uuid.UUID] | None = None,
) -> Choice:
    """The filter from the query string: a site id or all sites, a persona (its site's
    trends, that persona's gaps and topics), week or month, 1 to 26 periods (12 weeks or 6
    months unless told). `personas` maps each persona to its site."""
    choice = Choice()
    if args.get("site"):
        choice.site_id = params.uuid_or_none(args, "site")
        if choice.site_id not in known:
            choice.site_id = None
            choice.problems["site"] = _("No such site; showing all sites.")
    if args.get("persona"):
        persona_id = params.uuid_or_none(args, "persona")
        site_id = (personas or {}).get(persona_id) if persona_id else None
        if site_id is None:
            choice.problems["persona"] = _("No such persona; showing everyone.")
        else:
            if choice.site_id not in (None, site_id):
                choice.problems["site"] = _("The persona is at another site; showing its site.")
            choice.persona_id, choice.site_id = persona_id, site_id
    unit = args.get("unit") or WEEK
    if unit not in DEFAULT_PERIODS:
        unit = WEEK
        choice.problems["unit"] = _("Choose weeks or months; showing weeks.")
    choice.unit, choice.count = unit, DEFAULT_PERIODS[unit]
    if args.get("periods"):
        count = params.whole_number(args, "periods", MAX_PERIODS)
        if count is None:
            choice.problems["periods"] = _(
                "Choose from 1 to %(most)d periods; showing %(count)d.",
                most=MAX_PERIODS,
                count=choice.count,
            )
        else:
            choice.count = count
    return choice


@dataclass
class SiteBlock:
    """One site's part of the page: its rows (oldest period first) and its two charts."""

    site: queries.SiteInfo
    trends: list[PeriodTrend]
    gap_chart: Markup
    walk_chart: Markup


def cell(value: object) -> str:
    """A measure as the table shows it: a missing median as a dash, numbers plainly."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _compute(choice: Choice, sites: list[queries.SiteInfo], as_of: datetime):
    chosen = [s for s in sites if choice.site_id in (None, s.id)]
    found = snapshots.trends_for(chosen, choice.unit, choice.count, as_of, choice.persona_id)
    return chosen, found


def _read(args: Mapping[str, str]):
    """The sites, the personas and the filter the query string asks for."""
    sites = queries.load_sites()
    personas = queries.load_personas()
    choice = read_choice(
        args, {site.id for site in sites}, {persona.id: persona.site_id for persona in personas}
    )
    return sites, personas, choice


@bp.route("/")
@role_required(Role.analyst)
def trends_page():
    """Each site's trends as a table and two charts, then the sites side by side."""
    sites, personas, choice = _read(request.args)
    as_of = utcnow()
    chosen, found = _compute(choice, sites, as_of)
    blocks = [
        SiteBlock(
            site,
            found[site.id],
            charts.gap_chart(f"trend-gaps-{n}", site.name, found[site.id]),
            charts.walk_chart(f"trend-walks-{n}", site.name, found[site.id]),
        )
        for n, site in enumerate(chosen)
    ]
    comparison = queries.latest_comparison(found) if len(chosen) > 1 else []
    return render_template(
        "trends/index.html",
        sites=sites,
        persona_groups=[
            (site, group)
            for site in sites
            if (group := [p for p in personas if p.site_id == site.id])
        ],
        persona=next((p for p in personas if p.id == choice.persona_id), None),
        choice=choice,
        blocks=blocks,
        comparison=comparison,
        comparison_sites=chosen,
        # Each label and definition translated once, not once per cell of every table.
        measures=[(key, str(words), str(text)) for key, words, text in measures.MEASURES],
        label=measures.label,
        cell=cell,
        as_of=as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        stale_weeks=DEFAULT_STALE_WEEKS,
        max_periods=MAX_PERIODS,
    )


@role_required(Role.analyst)
def trends_csv():
    """Every site's table as CSV: one row per site and period, the same arguments."""
    sites, _personas, choice = _read(request.args)
    as_of = utcnow()
    chosen, found = _compute(choice, sites, as_of)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(measures.HEADERS[column]) for column in measures.CSV_COLUMNS])
    for site in chosen:
        for trend in found[site.id]:
            row = trend.to_row() | {"site_name": site.name}
            writer.writerow([safe(_plain(row[column])) for column in measures.CSV_COLUMNS])
    stamp = as_of.strftime("%Y%m%d-%H%M")
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="gemba-trends-{stamp}.csv"'},
    )


# /review/trends.csv beside the page, as /review/gaps.csv beside the inbox: a blueprint's
# rules all start with its prefix and a "/", so this one is added to the app by hand.
bp.record_once(
    lambda state: state.app.add_url_rule(
        f"{bp.url_prefix}.csv", f"{bp.name}.trends_csv", trends_csv
    )
)


def _plain(value: object) -> object:
    """A median as its rounded digits ("13.5"), not in the spreadsheet's exponent form."""
    return f"{value:g}" if isinstance(value, float) and abs(value) < 1e15 else value
