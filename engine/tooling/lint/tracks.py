"""Checks of the tracks: gaps in a track's order, and parity between the tracks, the ladder's
promise of equal prestige: equivalent levels on different tracks (the same band, evidence bars
of a similar height), and how high each track reaches."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from engine.reading.model import CandidateCriterion, CountCriterion, Criterion, Level, NoDisputedCriterion, Rulebook, SumCriterion
from engine.tooling.lint.registry import Finding, check

PARITY_RATIO = 1.5  # flag equivalent levels whose bars differ by more than this factor...
PARITY_MIN_GAP = 2  # ...and by at least this much (1 record against 2 is not a large gap)
_MEASURES = {"required": "required criteria", "evidence": "evidence records needed at least",
             "competencies": "competencies with a required criterion"}


@dataclass(frozen=True)
class Bar:
    """How much a level asks for: the measure compared across equivalent levels."""

    required: int  # required criteria, points requirements included
    evidence: int  # minimum number of evidence records its required criteria need
    competencies: int  # competencies with at least one required criterion


@check("lint.level-gap", "warning", "A gap in a track's order: a level builds on one that is neither directly below it "
       "nor its equivalent, or the equivalent of the level below, on another track.")
def level_gap(book: Rulebook) -> Iterator[Finding]:
    for level in book.rules.values():
        if level.builds_on:
            base = book.levels[level.builds_on]
            if not _builds_in_order(book, base, level.level):
                yield level.pos, (f"{level.level.id} builds on {base.id}, which is not the level directly below it on its "
                                  "track, nor its equivalent or the equivalent of the level below on another track")


def _builds_in_order(book: Rulebook, base: Level, level: Level) -> bool:
    """A level builds on the one directly below it; or, to share one definition between tracks,
    on a level of another track that stands level with it or with the level directly below it."""
    if base.track == level.track:
        return base.rank == level.rank - 1
    return (here := book.equivalent(base, level.track)) is not None and level.rank - here.rank in (0, 1)


@check("lint.parity-band", "error", "Equivalent levels on different tracks with different compensation bands.")
def parity_band(book: Rulebook) -> Iterator[Finding]:
    for levels in _equivalent_levels(book):
        if len({level.band for level in levels}) > 1:
            names = ", ".join(f"{level.id} is {level.band}" for level in levels)
            yield levels[-1].pos, f"equivalent levels must share a band: {names}"


@check("lint.parity-top-band", "warning", "A track whose top band is below another track's: its people must change "
       "track to reach the highest bands. The rulebook can accept it with a reason (ladder.yaml `accepted:`).")
def parity_top_band(book: Rulebook) -> Iterator[Finding]:
    rank = {band: i for i, band in enumerate(book.band_order())}
    tops = [track.levels[-1] for track in book.tracks.values() if track.levels]
    if not tops:
        return
    highest = max(tops, key=lambda level: rank[level.band])  # the first track, among equals
    for top in tops:
        if rank[top.band] < rank[highest.band]:
            yield (top.pos, f"track {top.track} stops at band {top.band} ({top.id}), below track {highest.track}, "
                            f"which reaches {highest.band} ({highest.id}): its people must change track to go higher", top.track)


@check("lint.parity-bar", "warning", "Equivalent levels whose evidence bars differ a lot.")
def parity_bar(book: Rulebook) -> Iterator[Finding]:
    for levels in _equivalent_levels(book):
        bars = {level.id: bar(book, level.id) for level in levels if level.id in book.rules}
        if len(bars) < 2:
            continue
        for measure in ("required", "evidence", "competencies"):
            values = {lid: getattr(found, measure) for lid, found in bars.items()}
            low, high = min(values.values()), max(values.values())
            if high > max(low, 1) * PARITY_RATIO and high - low >= PARITY_MIN_GAP:
                described = ", ".join(f"{lid} {value}" for lid, value in values.items())
                yield (book.rules[max(values, key=values.get)].pos,
                       f"equivalent levels ask for very different amounts ({_MEASURES[measure]}: {described}); "
                       f"more than {PARITY_RATIO:g}x apart")


def _equivalent_levels(book: Rulebook) -> Iterator[list[Level]]:
    for row in book.equivalence:
        yield [book.levels[level_id] for level_id in row.values()]


def bar(book: Rulebook, level_id: str) -> Bar:
    level = book.rules[level_id]
    required = [c for competency in level.competencies for c in competency.criteria if c.required]
    points = len(level.points.groups) + (1 if level.points.at_least else 0) if level.points else 0
    competencies = sum(any(c.required for c in competency.criteria) for competency in level.competencies)
    return Bar(len(required) + points, sum(_min_records(c) for c in required), competencies)


def _min_records(criterion: Criterion) -> int:
    """The fewest evidence records that can meet `criterion`."""
    if isinstance(criterion, CountCriterion):
        return criterion.at_least
    if isinstance(criterion, SumCriterion):
        return 1 if criterion.at_least > 0 else 0
    if isinstance(criterion, (CandidateCriterion, NoDisputedCriterion)):
        return 0
    needs = sorted(_min_records(c) for c in criterion.children)
    if criterion.kind == "none_of":
        return 0
    return sum(needs[:criterion.needed])
