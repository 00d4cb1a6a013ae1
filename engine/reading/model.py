"""The validated shapes every later stage works on: the rulebook, its criteria, and packets.

Everything here is immutable and already checked, so compile/evaluate/explain never re-check
input; each object keeps the place it was written (`Pos`) for messages and lint."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Union

from engine.reading.dates import months_before
from engine.reading.records import CONFIDENCE, Candidate, Packet, Record  # noqa: F401 - re-exported: packets' shapes


@dataclass(frozen=True, order=True)
class Pos:
    file: str
    line: int
    col: int


# --------------------------------------------------------------------------- ladder and evidence

@dataclass(frozen=True)
class Level:
    id: str
    name: str
    band: str
    track: str
    rank: int  # 0 for the most junior level of its track
    pos: Pos


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    description: str
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string | enum | integer | number | boolean | date | list | ref
    required: bool = False
    values: tuple[str, ...] = ()
    evidence: str | None = None  # the record type a ref field points at
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class EvidenceType:
    id: str
    name: str
    plural: str
    description: str
    dates: str  # point | span
    fields: dict[str, Field]
    pos: Pos


# A record's confidence, which `where` may test like a field (`confidence: verified`).
CONFIDENCE_FIELD = Field("confidence", "enum", True, CONFIDENCE, description="how far the record is confirmed")


def record_field(fields: dict[str, Field], name: str) -> Field:
    """The field `name` that a condition on a record tests, given its type's declared `fields`:
    a name none declares is the record's confidence, the one other name `where` accepts (no
    type may declare it: every record has its own)."""
    return fields.get(name, CONFIDENCE_FIELD)


# Candidate facts that `candidate:` criteria can test; derived per packet in evaluate.
CANDIDATE_FIELDS: dict[str, Field] = {
    "months_at_level": Field("months_at_level", "integer", description="whole months since reaching the current level"),
    "steps_to_target": Field(
        "steps_to_target", "integer",
        description="levels between the current level (or its equivalent on the target's track) and the target",
    ),
    "nominated": Field("nominated", "boolean", description="the manager nominates the candidate"),
    "track": Field("track", "string", description="the candidate's current track"),
    "level": Field("level", "string", description="the candidate's current level"),
    "team": Field("team", "string", description="the candidate's team"),
}
# The candidate's standing on the ladder: which level a promotion may start from, and after how
# long. Placement judges evidence, not standing, and sets conditions on these aside.
STANDING_FIELDS = ("steps_to_target", "months_at_level")
# The candidate's fields a condition on a record may compare with (`{candidate: team}`): who
# they are and where they sit, from the packet. Not `attributes` (fairness only, never rules).
CANDIDATE_VALUES: dict[str, str] = {
    "id": "the candidate's id", "name": "the candidate's name", "team": "the candidate's team",
    "manager": "the candidate's manager", "track": "the candidate's track", "level": "the candidate's current level",
}


@dataclass(frozen=True)
class CandidateValue:
    """A condition's value taken from the candidate (`{candidate: id}`), compared by the engine
    with the candidate's fact; a candidate without the field fails the condition."""

    field: str  # one of CANDIDATE_VALUES


# ------------------------------------------------------------------------------------- criteria

@dataclass(frozen=True)
class Term:
    """One condition on one field: `field op value`. Dates stay ISO strings until compile."""

    field: str
    op: str  # eq ne lt lte gt gte in not_in contains matches present absent
    value: Any  # a literal, a tuple for in/not_in, or a CandidateValue
    pos: Pos | None = None  # None: implied by the criterion (e.g. `distinct: team` needs a team)


@dataclass(frozen=True)
class Window:
    amount: int
    unit: str  # days | weeks | months | years

    @property
    def key(self) -> str:
        return f"w_{self.amount}_{self.unit}"

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"

    @property
    def adjective(self) -> str:
        """'24-month', as in 'the 24-month window'."""
        return f"{self.amount}-{self.unit[:-1]}"

    def cutoff(self, as_of: date) -> date:
        """First day inside the window that ends on `as_of` (inclusive on both ends).

        A window reaching back before the calendar's first day (0001-01-01) starts on that
        day: no date can lie before it, so every verdict is the same as for the longer window."""
        if self.unit in ("days", "weeks"):
            ordinal = as_of.toordinal() - self.amount * (7 if self.unit == "weeks" else 1)
            return date.fromordinal(max(ordinal, date.min.toordinal()))
        return months_before(as_of, self.amount * (12 if self.unit == "years" else 1))


@dataclass(frozen=True)
class Link:
    by: str  # ref field on the matched record
    evidence: str  # type of the linked record
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class RecordMatch:
    """Which records of one type count: conditions, an optional window, an optional link."""

    evidence: str  # the first type (`evidence: [talk, training]`: talk)
    terms: tuple[Term, ...]
    window: Window | None = None
    link: Link | None = None
    also: tuple[str, ...] = ()  # the other types counted with it, in the order written

    @property
    def types(self) -> tuple[str, ...]:
        return (self.evidence, *self.also)


@dataclass(frozen=True, kw_only=True)
class CriterionBase:
    id: str
    description: str
    required: bool = True
    blocker: bool = False
    points: int = 0
    points_each: int = 0
    max_points: int | None = None
    inherited_from: str | None = None
    pos: Pos


@dataclass(frozen=True, kw_only=True)
class CountCriterion(CriterionBase):
    match: RecordMatch
    at_least: int
    distinct: str | None = None
    kind: str = "count"


@dataclass(frozen=True, kw_only=True)
class SumCriterion(CriterionBase):
    match: RecordMatch
    field: str | None  # None: the sum adds up the length of each record's span (`span`)
    at_least: float
    span: str | None = None  # months | weeks: the part of each span inside the window, up to as_of
    # Only the record with the highest `field` per distinct value of this field counts: the
    # highest milestone reached per area, not every milestone on the way there.
    best_per: str | None = None
    kind: str = "sum"


@dataclass(frozen=True, kw_only=True)
class CandidateCriterion(CriterionBase):
    terms: tuple[Term, ...]
    kind: str = "candidate"


@dataclass(frozen=True, kw_only=True)
class NoDisputedCriterion(CriterionBase):
    """`no_disputed`: met when no record of the types (every type, unless named), on or before
    as_of and inside the window, is disputed. `match` selects the disputed records."""

    match: RecordMatch
    kind: str = "no_disputed"


@dataclass(frozen=True, kw_only=True)
class CompositeCriterion(CriterionBase):
    kind: str  # all_of | any_of | none_of | k_of
    children: tuple["Criterion", ...]
    k: int = 0  # for k_of

    @property
    def needed(self) -> int:
        return {"all_of": len(self.children), "any_of": 1, "none_of": 0}.get(self.kind, self.k)


Criterion = Union[CountCriterion, SumCriterion, CandidateCriterion, NoDisputedCriterion, CompositeCriterion]


def walk(criteria: tuple[Criterion, ...]):
    """Every criterion, parents before children."""
    for criterion in criteria:
        yield criterion
        if isinstance(criterion, CompositeCriterion):
            yield from walk(criterion.children)


def walk_sides(criteria: tuple[Criterion, ...], against: bool = False):
    """(criterion, against) for every criterion, parents first: `against` when it sits under an
    odd number of `none_of`, so that what it counts holds the candidate back (a finding)."""
    for criterion in criteria:
        yield criterion, against
        if isinstance(criterion, CompositeCriterion):
            yield from walk_sides(criterion.children, against != (criterion.kind == "none_of"))


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    description: str
    group: str | None
    criteria: tuple[Criterion, ...]
    pos: Pos


@dataclass(frozen=True)
class Nearly:
    """When a candidate who is not ready is nearly ready (docs/rules.md, "The verdict")."""

    max_unmet: int = 1
    # Each points requirement may be short by at most this many points, or by this share of
    # what it needs ("10%", the default: 0 of 90 points is not nearly 90).
    max_points_short: int | str = "10%"

    @property
    def points_share(self) -> int | None:
        """The percentage, when the allowance is a share of each requirement."""
        return int(self.max_points_short.rstrip("%")) if isinstance(self.max_points_short, str) else None

    def points_allowed(self, needed: float) -> float:
        """How many points short of `needed` a nearly-ready candidate may be."""
        share = self.points_share
        return needed * share / 100 if share is not None else self.max_points_short

    def allows_short(self, short: float, needed: float) -> bool:
        share = self.points_share
        return short * 100 <= needed * share if share is not None else short <= self.max_points_short


@dataclass(frozen=True)
class PointsRule:
    at_least: int | None
    groups: dict[str, int]
    pos: Pos


@dataclass(frozen=True)
class LevelRules:
    level: Level
    summary: str
    builds_on: str | None
    nearly: Nearly
    points: PointsRule | None
    competencies: tuple[Competency, ...]
    pos: Pos

    def criteria(self):
        for competency in self.competencies:
            yield from walk(competency.criteria)


@dataclass(frozen=True)
class Calibration:
    """How calibration reports judge a cohort (rules/calibration.yaml)."""

    parity_max_gap: float = 0.15
    parity_min_candidates: int = 5
    manager_max_gap: float = 0.25
    manager_min_candidates: int = 3
    min_group: int = 5
    attributes: tuple[str, ...] | None = None  # None: every attribute found in the packets
    opportunities: tuple[CountCriterion, ...] = ()


@dataclass(frozen=True)
class Acceptance:
    """A lint finding the organisation has weighed and accepts, with its reason (ladder.yaml
    `accepted:`): lint shows it as accepted and does not fail on it, and the published framework
    states the reason. `track` is what the finding is about."""

    finding: str  # a lint code
    track: str
    reason: str
    pos: Pos


@dataclass(frozen=True)
class Rulebook:
    name: str
    description: str
    source: str
    digest: str  # content hash of every rule file: names compiled rulesets and caches
    tracks: dict[str, Track]
    levels: dict[str, Level]
    equivalence: tuple[dict[str, str], ...]
    evidence: dict[str, EvidenceType]
    rules: dict[str, LevelRules]
    nearly: Nearly
    calibration: Calibration = Calibration()
    standing: str = ""  # how the organisation treats levels one track has and another lacks
    accepted: tuple[Acceptance, ...] = ()
    # How a disputed record counts (ladder.yaml `disputed:`; docs/rules.md, "Confidence"): toward
    # nothing until resolved ("ignore", the default); only where it holds the candidate back
    # ("hold"); like any other ("count").
    disputed: str = "ignore"
    compiled_cache: dict = field(default_factory=dict, compare=False, repr=False)

    def next_level(self, level: Level) -> Level | None:
        levels = self.tracks[level.track].levels
        return levels[level.rank + 1] if level.rank + 1 < len(levels) else None

    def band_order(self) -> list[str]:
        """Every band, lowest first. Each track orders the bands of its levels; the tracks are
        merged, so a band only one track has (E7 above E6) still has its place. Bands no track
        orders against each other go by their spelling with numbers as numbers (E2 before E10)."""
        above: dict[str, set[str]] = {}
        for track in self.tracks.values():
            for lower, higher in zip(track.levels, track.levels[1:]):
                above.setdefault(higher.band, set())
                if lower.band != higher.band:
                    above.setdefault(higher.band, set()).add(lower.band)
            for level in track.levels:
                above.setdefault(level.band, set())
        order: list[str] = []
        while above:
            ready = [band for band, below in above.items() if not below - set(order)]
            # a contradiction between tracks (E3 below E4 on one, above it on another) has no
            # order to follow: the spelling decides what the tracks cannot
            band = min(ready or above, key=_band_key)
            order.append(band)
            del above[band]
        return order

    def equivalent(self, level: Level, track: str) -> Level | None:
        """The level on `track` that stands level with `level` (itself on its own track)."""
        if level.track == track:
            return level
        for row in self.equivalence:
            if row.get(level.track) == level.id and track in row:
                return self.levels[row[track]]
        return None


def _band_key(band: str) -> tuple:
    """'E10' after 'E9': digits compare as numbers."""
    return tuple((0, int(part), "") if part[0] in "0123456789" else (1, 0, part) for part in re.split(r"([0-9]+)", band) if part)
