"""The trend measures in the reader's words: a short column label and a one-line
definition for each measure of `PeriodTrend.to_row()` (the full rules are in
docs/trends.md), and the CSV headers.

The table and the CSV read the same rows, so a measure added to the domain shows in the
CSV at once; `test_every_measure_has_words` keeps this list in step with it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

# Shown on the page, in this order: (key of to_row(), label, definition).
MEASURES = (
    (
        "gaps_flagged",
        _l("Flagged"),
        _l("Gaps flagged in the period: the engine or an observer found the contradiction."),
    ),
    ("gaps_confirmed", _l("Confirmed"), _l("Gaps an analyst confirmed in the period.")),
    ("gaps_dismissed", _l("Dismissed"), _l("Gaps an analyst dismissed in the period.")),
    (
        "gaps_actioned",
        _l("Actioned"),
        _l("Gaps moved to actioned in the period: an action was decided from them."),
    ),
    (
        "gaps_verified",
        _l("Verified"),
        _l("Gaps whose action was verified in the period by evidence gathered after it."),
    ),
    (
        "gaps_closed_by_evidence",
        _l("Closed by evidence"),
        _l("Gaps the evidence stopped contradicting in the period."),
    ),
    (
        "gaps_reopened",
        _l("Re-opened"),
        _l("Gaps moved back to open in the period, by an analyst or by stronger evidence."),
    ),
    (
        "gaps_open_at_end",
        _l("Open at the end"),
        _l(
            "Gaps still open when the period ended: not dismissed, verified or closed by "
            "evidence (confirmed and actioned gaps are open: the problem is not solved yet)."
        ),
    ),
    (
        "gaps_untriaged_at_end",
        _l("Untriaged at the end"),
        _l("Of those open gaps, the ones nobody has triaged since they were flagged or re-opened."),
    ),
    (
        "median_hours_to_triage",
        _l("Median hours to triage"),
        _l(
            "The middle time from flag to first triage, over the gaps first triaged in the "
            "period; empty when there were none."
        ),
    ),
    (
        "gaps_first_triaged",
        _l("Gaps first triaged"),
        _l("How many gaps that median is over."),
    ),
    (
        "median_days_to_verified",
        _l("Median days to verified"),
        _l(
            "The middle time from first triage to verification, over the gaps verified in the "
            "period; empty when there were none."
        ),
    ),
    (
        "gaps_timed_to_verified",
        _l("Gaps verified after triage"),
        _l("How many gaps that median is over."),
    ),
    ("walks_due", _l("Walks due"), _l("Planned walks whose due day fell in the period.")),
    (
        "walks_on_time",
        _l("On time"),
        _l("Of those, walks done before the plan's next due day began."),
    ),
    ("walks_late", _l("Late"), _l("Walks done, but on or after the plan's next due day.")),
    (
        "walks_missed",
        _l("Missed"),
        _l("Walks not done, and the plan's next due day has begun."),
    ),
    (
        "walks_pending",
        _l("Pending"),
        _l("Walks not done yet, and the plan's next due day has not begun."),
    ),
    (
        "topics_observed",
        _l("Topics observed"),
        _l("Topics with a fact in the last weeks before the period's end (see below)."),
    ),
    (
        "topics_stale",
        _l("Topics gone stale"),
        _l("Topics with no fact in those weeks, or none at all."),
    ),
)
KEYS = tuple(key for key, _, _ in MEASURES)
# The columns of PeriodTrend.to_row() that are not measures a table shows in a column.
FRAME = ("site", "period", "start", "end", "as_of", "complete", "stale_weeks")

CSV_COLUMNS = ("site_name", *FRAME[:6], *KEYS, "stale_weeks")
# Each CSV column's header in the reader's language (the English is the column's name).
HEADERS = {
    "site_name": lazy_pgettext("CSV column", "site_name"),
    "site": lazy_pgettext("CSV column", "site"),
    "period": lazy_pgettext("CSV column", "period"),
    "start": lazy_pgettext("CSV column", "start"),
    "end": lazy_pgettext("CSV column", "end"),
    "as_of": lazy_pgettext("CSV column", "as_of"),
    "complete": lazy_pgettext("CSV column", "complete"),
    "gaps_flagged": lazy_pgettext("CSV column", "gaps_flagged"),
    "gaps_confirmed": lazy_pgettext("CSV column", "gaps_confirmed"),
    "gaps_dismissed": lazy_pgettext("CSV column", "gaps_dismissed"),
    "gaps_actioned": lazy_pgettext("CSV column", "gaps_actioned"),
    "gaps_verified": lazy_pgettext("CSV column", "gaps_verified"),
    "gaps_closed_by_evidence": lazy_pgettext("CSV column", "gaps_closed_by_evidence"),
    "gaps_reopened": lazy_pgettext("CSV column", "gaps_reopened"),
    "gaps_open_at_end": lazy_pgettext("CSV column", "gaps_open_at_end"),
    "gaps_untriaged_at_end": lazy_pgettext("CSV column", "gaps_untriaged_at_end"),
    "median_hours_to_triage": lazy_pgettext("CSV column", "median_hours_to_triage"),
    "gaps_first_triaged": lazy_pgettext("CSV column", "gaps_first_triaged"),
    "median_days_to_verified": lazy_pgettext("CSV column", "median_days_to_verified"),
    "gaps_timed_to_verified": lazy_pgettext("CSV column", "gaps_timed_to_verified"),
    "walks_due": lazy_pgettext("CSV column", "walks_due"),
    "walks_on_time": lazy_pgettext("CSV column", "walks_on_time"),
    "walks_late": lazy_pgettext("CSV column", "walks_late"),
    "walks_missed": lazy_pgettext("CSV column", "walks_missed"),
    "walks_pending": lazy_pgettext("CSV column", "walks_pending"),
    "topics_observed": lazy_pgettext("CSV column", "topics_observed"),
    "topics_stale": lazy_pgettext("CSV column", "topics_stale"),
    "stale_weeks": lazy_pgettext("CSV column", "stale_weeks"),
}


def label(key: str) -> str:
    """A measure's column label in the reader's language."""
    return next(str(words) for name, words, _ in MEASURES if name == key)
