"""Placement: the highest level a candidate's evidence meets on each track ("which title am I
at?"), and the first level above it not met, with why.

Every level of a track is evaluated bottom-up like any target, by the same engine. What
placement decides (docs/rules.md, "Placement"):

- A level is *met* when its verdict on all evidence is ready; nearly ready is not met.
- The placement is the highest level met. A level below it that is not met does not pull it
  down - a level's rules need not build on the one below (a points-based top level), and
  lower levels often ask for hands-on work in recent windows that a senior packet does not
  show - but it is said, as a level whose own bar the evidence does not meet.
- Placement judges evidence, not standing. Conditions on where the candidate stands on the
  ladder (`steps_to_target`) and for how long (`months_at_level`) say when a promotion may
  happen, not which level the evidence shows: they are set aside (`STANDING_FIELDS`) for every
  level, those the candidate holds included. For a level above where the candidate stands,
  those that do not hold are said, as what a promotion to it would still ask.
- The entry level of a track, with no promotion rules, is met by default; a level above it
  without rules is not judged (never met).
- Every track is placed; on another track than the candidate's, where they stand is the
  equivalent of their current level (the equivalence table), if there is one.

The shape of the document is `schemas/placement.schema.json`."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.explaining.explain import VERDICT_WORDS, explain
from engine.explaining.phrasing import plural
from engine.explaining.reasons import Reasons
from engine.matching.evaluate import READY, Evaluation, Miss, evaluate
from engine.matching.evaluate import verdict as level_verdict
from engine.reading.dates import months_between
from engine.reading.model import Level, Packet, Rulebook


def place(book: Rulebook, packet: Packet, tracks: list[str] | None = None) -> dict[str, Any]:
    """The placement of the packet's candidate on `tracks` (default: every track, theirs first).
    The packet's target is ignored. (`placed`: where the candidate is placed, alone.)"""
    candidate = packet.candidate
    current = book.levels[candidate.level]
    order = tracks or [candidate.track] + [t for t in book.tracks if t != candidate.track]
    return {
        "packet": packet.source,
        "candidate": {"id": candidate.id, "name": candidate.name, "track": candidate.track, "level": candidate.level,
                      "level_name": current.name, "months_at_level": months_between(candidate.level_since, packet.as_of)},
        "as_of": packet.as_of.isoformat(),
        "rulebook": {"name": book.name, "digest": book.digest[:16]},
        "tracks": [_track(book, packet, track) for track in order],
    }


def placed(book: Rulebook, packet: Packet) -> dict[str, Any]:
    """The placement on the candidate's own track in brief, what a calibration shows beside a
    verdict: the level placed at (None: none met), its steps from the current level, and the
    first level above it not met (None: the top is met). The same as `place`'s, at a fraction
    of its cost: each level's verdict alone is worked out (`matching.evaluate.verdict`), from
    the top of the track down, stopping at the first level met (the highest met is the
    placement; the levels below it do not change it)."""
    levels = book.tracks[packet.candidate.track].levels
    top = next((i for i in range(len(levels) - 1, -1, -1) if _met(book, packet, levels[i])), -1)
    level = levels[top] if top >= 0 else None
    first = levels[top + 1] if top + 1 < len(levels) else None
    standing = book.levels[packet.candidate.level]
    return {"level": level.id if level else None, "steps": level.rank - standing.rank if level else None,
            "first_not_met": first.id if first else None}


def _met(book: Rulebook, packet: Packet, level: Level) -> bool:
    """Whether the evidence meets the level, as `_level` decides it."""
    if level.id not in book.rules:
        return level.rank == 0
    return level_verdict(book, replace(packet, target=level), judge_standing=False) == READY


def _track(book: Rulebook, packet: Packet, track_id: str) -> dict[str, Any]:
    """Every level of one track, bottom-up; the highest met, and the first not met above it."""
    track = book.tracks[track_id]
    standing = book.equivalent(book.levels[packet.candidate.level], track_id)
    levels = [_level(book, packet, level, standing) for level in track.levels]
    top = max((i for i, judged in enumerate(levels) if judged["met"]), default=-1)
    placed = track.levels[top] if top >= 0 else None
    first = track.levels[top + 1] if top + 1 < len(track.levels) else None
    home = track_id == packet.candidate.track
    return {
        "track": track_id,
        "name": track.name,
        "standing": {"level": standing.id, "name": standing.name} if standing else None,
        "placed": {"level": placed.id, "name": placed.name, "steps": levels[top]["steps"]} if placed else None,
        "first_not_met": {"level": first.id, "name": first.name} if first else None,
        "headline": _headline(track.name, placed, first, levels, standing, home),
        "levels": levels,
    }


def _level(book: Rulebook, packet: Packet, level: Level, standing: Level | None) -> dict[str, Any]:
    """One level judged: met or not, its verdict, and for a level not met, why."""
    entry: dict[str, Any] = {"level": level.id, "name": level.name,
                             "steps": level.rank - standing.rank if standing else None}
    if level.id not in book.rules:
        if level.rank == 0:
            return entry | {"met": True, "verdict": None, "note": "met by default: the entry level has no promotion rules"}
        return entry | {"met": False, "verdict": None, "note": "not judged: it has no promotion rules"}
    at_level = replace(packet, target=level)
    evaluation = evaluate(book, at_level, judge_standing=False)
    verdict = evaluation.all_evidence.verdict
    entry |= {"met": verdict == READY, "verdict": verdict, "verified_only_verdict": evaluation.verified_only.verdict,
              "set_aside": _set_aside(book, at_level, evaluation) if standing is None or level.rank > standing.rank else []}
    if verdict != READY:
        document = explain(book, evaluation)
        entry |= {"headline": document["headline"], "missing": document["missing"]}
    return entry


def _set_aside(book: Rulebook, packet: Packet, evaluation: Evaluation) -> list[str]:
    """What a promotion to the level would still ask of the candidate's standing, in words."""
    reasons = Reasons(book, packet)
    found: list[str] = []
    for result in evaluation.all_evidence.results():
        if result.set_aside:
            found += reasons.miss(result.criterion, Miss("candidate", result.set_aside))["reasons"]
    return list(dict.fromkeys(found))


def relation(steps: int | None, home: bool) -> str:
    """Where a level stands from the candidate's current level (or its equivalent elsewhere)."""
    if steps is None:
        return "the current level has no equivalent here"
    base = "the current level" if home else "the equivalent of the current level"
    if steps == 0:
        return base
    return f"{plural(abs(steps), 'level')} {'above' if steps > 0 else 'below'} {base}"


def _headline(track: str, placed: Level | None, first: Level | None, levels: list[dict], standing: Level | None,
              home: bool) -> str:
    """'Individual contributor: Senior Developer (the current level); first not met: Staff
    Engineer, nearly ready'."""
    met = f"{placed.name} ({relation(placed.rank - standing.rank if standing else None, home)})" if placed else "no level met"
    if first is None:
        return f"{track}: {met}, the top of the track"
    verdict = levels[first.rank]["verdict"]
    if verdict is None:
        return f"{track}: {met}; next: {first.name}, not judged (it has no promotion rules)"
    return f"{track}: {met}; first not met: {first.name}, {VERDICT_WORDS[verdict].lower()}"
