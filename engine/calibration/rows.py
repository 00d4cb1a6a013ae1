"""A cohort's rows: one compact row per evaluated candidate, as much as the report's tables
need, with repeated values shared so that a cohort of 100k fits in memory."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Dependence(NamedTuple):
    """An unverified record a verdict rests on: the criteria whose outcome it changes, and which
    way. `against`: the record holds a criterion back (a disputed conduct concern found under
    `none_of`), so without it the verdict would rise; otherwise it counts towards one."""

    id: str
    title: str  # kept only where the verdict would differ: no other table shows it
    confidence: str
    against: bool
    criteria: tuple[str, ...]


@dataclass(slots=True)
class Row:
    """One evaluated candidate, as much as the report's tables need: a cohort of 100k keeps
    100k rows, so their strings and small dicts are shared (`Calibration.add`)."""

    page: str
    packet: str
    id: str
    name: str
    track: str
    level: str
    level_name: str
    target: str
    target_name: str
    manager: str | None
    nominated: bool | None
    verdict: str
    verified_only: str
    unmet: tuple[str, ...]
    missing: tuple[str, ...]
    depends_on: tuple[Dependence, ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    opportunities: dict[str, bool] = field(default_factory=dict)
    # A packet naming no target is placed on its track: (level id or None if none is met, its
    # steps from the current level, the first level above it not met); None when not placed.
    placed: tuple[str | None, int | None, str | None] | None = None
