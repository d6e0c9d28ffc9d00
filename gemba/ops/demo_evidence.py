"""Demo data for the evidence pages: an unannounced walk at the gate, where badges are
scanned far less often than on the announced one (an observer effect), and a second
observer shadowing the badge round, who logs the glasses under another name of the topic
(a merge the duplicates page proposes)."""

from __future__ import annotations

from collections.abc import Callable

SHADOW_EMAIL = "shadow@example.com"


def unannounced_walk(
    site: str, id_of: Callable[..., str], at: Callable[..., str], day: int
) -> list:
    """Badges at the gate when nobody expected a walk: 1 of 16 scanned."""
    walk = id_of("walk", "unannounced")
    gate = id_of("place", walk, "gate")
    out: list[dict] = [
        {
            "type": "walk",
            "id": walk,
            "site": site,
            "title": "Gate spot check (unannounced)",
            "purpose": "Do badges get scanned when nobody expects a walk?",
            "announced": False,
            "started_at": at(day, 6, 0),
        },
        {"type": "place", "id": gate, "walk": walk, "name": "Gate 2", "observed_at": at(day, 6, 1)},
    ]
    for i in range(16):
        done = i == 4
        out.append(
            {
                "type": "fact",
                "id": id_of("fact", walk, f"scan{i}"),
                "walk": walk,
                "topic": "Badge scan at entry",
                "text": "Scanned badge at entry" if done else "Walked in without scanning",
                "performed": done,
                "place": gate,
                "observed_at": at(day, 6, 2 + i),
            }
        )
    return out


def shadow_walk(
    site: str, shadowed: str, id_of: Callable[..., str], at: Callable[..., str], day: int
) -> list:
    """A second observer on the badge and safety round, logging on their own."""
    walk = id_of("walk", "shadow")
    gate, hall = id_of("place", walk, "gate"), id_of("place", walk, "hall")
    out: list[dict] = [
        {
            "type": "walk",
            "id": walk,
            "site": site,
            "title": "Badge and safety round (shadow)",
            "purpose": "Calibration: log the round independently",
            "calibrates": shadowed,
            "started_at": at(day, 7, 31),
        },
        {
            "type": "place",
            "id": gate,
            "walk": walk,
            "name": "Gate 2",
            "observed_at": at(day, 7, 32),
        },
        {
            "type": "place",
            "id": hall,
            "walk": walk,
            "name": "Press hall",
            "observed_at": at(day, 8, 0),
        },
    ]
    # The shadowed walk saw True, True, False, True, False, True, True, False.
    for i, done in enumerate([True, True, False, True, True, True, True, False]):
        out.append(
            _fact(
                walk, f"scan{i}", "Badge scan at entry", done, gate, at(day, 7, 40 + 2 * i), id_of
            )
        )
    for i in range(9):
        topic = "Wearing safety glasses in the press hall"
        out.append(_fact(walk, f"gl{i}", topic, i != 6, hall, at(day, 8, 5 + i), id_of))
    return out


def _fact(walk: str, key: str, topic: str, done: bool, place: str, t: str, id_of) -> dict:
    return {
        "type": "fact",
        "id": id_of("fact", walk, key),
        "walk": walk,
        "topic": topic,
        "text": "Done" if done else "Not done",
        "performed": done,
        "place": place,
        "observed_at": t,
    }
