"""What the walk page says would decide an item to check: the analyst's request, or an
action's verification since it took effect (as phrases, in the reader's language)."""

from __future__ import annotations

from collections.abc import Mapping

from gemba.domain.deciding import note_for
from gemba.domain.phrases import N_, Phrase
from gemba.gaps import evidence
from gemba.models import Action, ActionStatus
from gemba.platform.phrasing import short_day


def asked_note(stats: Mapping) -> tuple[Phrase, Phrase | None, int | None]:
    """What would decide a gap an analyst wants observed again. Most gaps are decided by
    their numbers already; the analyst asks anyway, so the observer is told both."""
    note = note_for(stats)
    if note is None:
        return _AGAIN, None, None
    if note.more == 0:
        return _AGAIN, Phrase(N_("the numbers so far decide it already")), 0
    return note.said, note.reason, note.more


_AGAIN = Phrase(N_("Observe it again, as asked"))


def verify_note(
    action: Action, since: list[evidence.LoopStatus], needed: int, zone: str
) -> tuple[Phrase, Phrase | None, int | None]:
    """Say "Observe 4 more since 12 Mar to verify", or why more will not."""
    day = {"day": short_day(action.done_at, zone)}
    if action.status == ActionStatus.verified.value:
        return Phrase(N_("Verified by the evidence since %(day)s"), day), None, 0
    if any(status.state == "open" for status in since):
        against = Phrase(N_("the facts since go against the claim"))
        return Phrase(N_("Still contradicted since %(day)s"), day), against, None
    more = max(needed - min(status.observed for status in since), 0)
    why = Phrase(N_("verified once the facts since then agree with the claim"))
    if more == 0:
        return Phrase(N_("Enough observed since %(day)s"), day), why, 0
    return (
        Phrase(N_("Observe %(more)s more since %(day)s to verify"), {**day, "more": more}),
        why,
        more,
    )
