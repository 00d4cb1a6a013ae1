"""The committee's decisions against the rules' verdicts: how many of each verdict were promoted,
held (not yet), deferred or left undecided; how often the committee overrode the rules, by
track, level, manager and group attribute; and the reasons given for each override.

Override rates are where discretion shows, so they are withheld as the fairness section
withholds its groups (`fairness.grouped`, the same `min_group` from calibration.yaml): a
group of a few decided candidates says nothing and could name them. The figures come from
plain `Decided` records: the store that holds them is a layer above."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from engine.calibration import fairness
from engine.calibration.figures import VERDICTS, ladder_order
from engine.reading.model import Rulebook

DECISIONS = ("promote", "not_yet", "defer")
INVALID = "invalid"  # the verdict column of a packet that could not be judged
RULE = ("Groups of fewer than {n} decided candidates are withheld, as in the fairness section; and while the candidates "
        "withheld (with those the group is not known for) number fewer than {n}, the next smallest group is withheld too, "
        "so that no withheld group's figures can be worked out from the total and the groups shown.")


@dataclass(frozen=True)
class Decided:
    """A candidate of a cycle, their verdict and the decision in force (None: undecided)."""

    packet: str  # the packet's label, as the cycle lists it
    id: str | None
    name: str | None
    track: str | None
    level: str | None  # the level they were judged for
    manager: str | None
    verdict: str | None  # None: the packet is invalid
    decision: str | None = None
    reason: str = ""
    by: str = ""
    override: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)


def table(decided: list[Decided]) -> list[dict[str, Any]]:
    """A row per verdict (then invalid packets, then all), a column per decision and undecided."""
    counts: dict[str, dict[str, int]] = {v: dict.fromkeys((*DECISIONS, "undecided"), 0) for v in (*VERDICTS, INVALID, "all")}
    for item in decided:
        column = item.decision or "undecided"
        counts[item.verdict or INVALID][column] += 1
        counts["all"][column] += 1
    return [{"verdict": verdict, **cells, "candidates": sum(cells.values())} for verdict, cells in counts.items()]


def rates(book: Rulebook, decided: list[Decided], group_labels: Callable[[set[str]], dict[str, str]],
          manager_label: Callable[[str], str], scrub: Callable[[str], str]) -> dict[str, Any]:
    """Override rates among the decided candidates with a verdict, overall and by track, target
    level, manager and each group attribute the fairness section shows, small groups withheld.
    `promoted` counts overrides that promoted a candidate not judged ready, `held` those that
    did not promote one judged ready."""
    judged = [d for d in decided if d.decision and d.verdict]
    settings = book.calibration
    order = ladder_order(book)
    dimensions: list[tuple[str, str, Callable[[Decided], str | None], Callable[[set[str]], dict[str, str]], Callable]] = [
        ("track", "Track", lambda d: d.track, lambda values: {v: book.tracks[v].name for v in values}, lambda v: order_of_track(book, v)),
        ("level", "Target level", lambda d: d.level, lambda values: {v: book.levels[v].name for v in values}, lambda v: order[v]),
        ("manager", "Manager", lambda d: d.manager, lambda values: {v: manager_label(v) for v in values}, None),
    ]
    names = settings.attributes if settings.attributes is not None else sorted({k for d in judged for k in d.attributes})
    for name in names:
        dimensions.append((f"attribute:{scrub(name)}", fairness.label(scrub(name)),
                           lambda d, name=name: str(d.attributes[name]) if name in d.attributes else None, group_labels, None))
    return {"min_group": settings.min_group, "rule": RULE.format(n=settings.min_group), "all": _rate(judged),
            "by": [_dimension(key, title, judged, value, labels, order_key, settings.min_group)
                   for key, title, value, labels, order_key in dimensions]}


def order_of_track(book: Rulebook, track: str) -> int:
    return list(book.tracks).index(track)


def _dimension(key: str, title: str, judged: list[Decided], value: Callable[[Decided], str | None],
               labels: Callable[[set[str]], dict[str, str]], order_key: Callable[[str], Any] | None, min_group: int) -> dict[str, Any]:
    groups, shown = fairness.grouped(judged, value, min_group, labels, order_key)
    return {"key": key, "title": title, "groups": [{"group": group, **_rate(groups[v])} for v, group in shown],
            "suppressed": len(shown) < len(groups)}


def _rate(members: list[Decided]) -> dict[str, Any]:
    overrides = [d for d in members if d.override]
    return {"decided": len(members), "overrides": len(overrides),
            "promoted": sum(d.decision == "promote" for d in overrides),
            "held": sum(d.decision != "promote" for d in overrides),
            "rate": round(len(overrides) / len(members), 4) if members else None}


def reasons(decided: list[Decided], shown: Callable[[Decided], dict[str, Any]]) -> list[dict[str, Any]]:
    """Every override in force with the reason given, in cohort order; `shown` gives the
    candidate's id, name and page as the report shows them."""
    return [{**shown(d), "verdict": d.verdict or INVALID, "decision": d.decision, "reason": d.reason, "by": d.by}
            for d in decided if d.override]
