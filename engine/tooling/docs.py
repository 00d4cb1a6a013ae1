"""The published framework: the career framework as a site of documents generated from the rules,
so the documents and the rules can never disagree.

An overview (table of contents, the bands of both tracks side by side with links to every level,
the tracks' equal standing, how a decision is reached), a page per track (its competency × level
grid), a page per level (what it is, its competencies as behaviours and the criteria that show
them, the evidence that counts, its verdict rule, its equivalent on the other track) and the
evidence types with an example packet. `write` replaces the pages of an earlier run and removes
those the rules no longer produce (`manifest`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from engine.explaining.phrasing import counted_unit, field_bounds, in_sentence, indefinite, join_words, plural, requirement
from engine.reading.model import (
    CompositeCriterion,
    CountCriterion,
    Criterion,
    Level,
    LevelRules,
    PointsRule,
    Rulebook,
    SumCriterion,
    walk,
)
from engine.rendering.templating import ENVIRONMENT
from engine.tooling import manifest
from engine.tooling.example_packet import example_packet

FORMATS = {"md": "framework.md.j2", "html": "framework.html.j2"}
LEVELS_DIR = "levels"  # level pages live here, so a level's id can never take a track's page


@dataclass(frozen=True)
class Site:
    """What `write` did: the pages written (overview first), and those of an earlier run removed."""

    written: list[Path]
    removed: list[Path]


def framework(book: Rulebook) -> dict[str, Any]:
    """Everything the framework documents say, as plain data (links without their extension)."""
    rank = {band: i for i, band in enumerate(book.band_order())}
    tracks = [{
        "id": track.id, "name": track.name, "description": track.description, "href": track.id,
        "levels": [_level(book, level, rank) for level in track.levels],
        "grid": _grid(book, track.levels),
    } for track in book.tracks.values()]
    evidence = [{
        "id": e.id, "name": e.name, "plural": e.plural, "description": e.description,
        "dates": "one date" if e.dates == "point" else "a start date, and an end date once finished",
        "fields": [{"name": f.name, "type": f.type, "required": f.required, "values": ", ".join(f.values) or field_bounds(f),
                    "refers_to": indefinite(book.evidence[f.evidence].name) if f.evidence else None, "description": f.description}
                   for f in e.fields.values()],
    } for e in book.evidence.values()]
    example = example_packet(book)
    return {
        "name": book.name, "description": book.description, "tracks": tracks, "evidence": evidence,
        "bands": [{"band": band, "cells": [[_ref(level) for level in track.levels if level.band == band] for track in book.tracks.values()]}
                  for band in rank],
        "standing": _standing(book, rank), "example": example, "fence": _fence(example),
        "nearly": book.nearly.max_unmet, "digest": book.digest[:16], "disputed": DISPUTED_WORDS[book.disputed],
    }


# ladder.yaml's `disputed` policy, as the published framework states it (docs/rules.md, "Confidence").
DISPUTED_WORDS = {
    "ignore": "A record marked disputed counts toward nothing, neither for nor against the candidate, until the dispute is resolved.",
    "hold": "A record marked disputed earns nothing until the dispute is resolved, but a disputed finding against the candidate "
            "(what a criterion says must not be there, such as a conduct concern) holds the verdict back until then.",
    "count": "A record marked disputed counts like any other while the dispute is open; the committee sees which verdicts rest on it.",
}


def _fence(text: str) -> str:
    """A Markdown code fence longer than any run of backticks in `text`, so none can close it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _ref(level: Level) -> dict[str, str]:
    return {"id": level.id, "name": level.name, "band": level.band, "href": f"{LEVELS_DIR}/{level.id}"}


def _level(book: Rulebook, level: Level, rank: dict[str, int]) -> dict[str, Any]:
    rules = book.rules.get(level.id)
    track = book.tracks[level.track].levels
    return {
        **_ref(level), "track": book.tracks[level.track].name, "track_href": level.track,
        "previous": _ref(track[level.rank - 1]) if level.rank else None,
        "next": _ref(track[level.rank + 1]) if level.rank + 1 < len(track) else None,
        "equivalents": [_equivalent(book, level, other, rank) for other in book.tracks if other != level.track],
        "summary": rules.summary if rules else "",
        "has_rules": rules is not None,
        "builds_on": {**_ref(book.levels[rules.builds_on]), "name": indefinite(book.levels[rules.builds_on].name)}
        if rules and rules.builds_on else None,
        "points_rule": _points_rule(rules.points) if rules and rules.points else None,
        "verdict_rule": _verdict_rule(rules) if rules else None,
        "competencies": [{
            "id": c.id, "name": c.name, "description": c.description, "group": c.group,
            "criteria": [_criterion(book, k) for k in c.criteria],
        } for c in rules.competencies] if rules else [],
        "evidence": _evidence_used(book, rules) if rules else [],
    }


def _equivalent(book: Rulebook, level: Level, track_id: str, rank: dict[str, int]) -> dict[str, Any]:
    """The level standing level with `level` on another track, or why there is none."""
    track = book.tracks[track_id]
    found = book.equivalent(level, track_id)
    if found is not None:
        return {"track": track.name, "level": _ref(found), "text": None}
    return {"track": track.name, "level": None, "text": f"No {in_sentence(track.name)} equivalent: {_beyond(track, level.band, rank)}."}


def _beyond(track, band: str, rank: dict[str, int]) -> str:
    """Where `track` stands against a band it has no equivalent at: 'the management track starts
    at Tech Lead, band E3'."""
    if not track.levels:
        return f"the {in_sentence(track.name)} track has no levels"
    first, top = track.levels[0], track.levels[-1]
    if rank[band] < rank[first.band]:
        return f"the {in_sentence(track.name)} track starts at {first.name}, band {first.band}"
    if rank[band] > rank[top.band]:
        return f"the {in_sentence(track.name)} track stops at {top.name}, band {top.band}"
    return f"no level of the {in_sentence(track.name)} track is declared to stand level with it"


def _standing(book: Rulebook, rank: dict[str, int]) -> dict[str, Any]:
    """Equal standing: the levels each track lacks, how the organisation treats them, and the
    reasons for the parity findings the rulebook accepts."""
    unmatched = []
    for track in book.tracks.values():
        for other in book.tracks.values():
            if other.id == track.id:
                continue
            for run in _runs([level for level in track.levels if book.equivalent(level, other.id) is None]):
                names = join_words([f"{level.name} ({level.band})" for level in run], "and")
                verb = "has" if len(run) == 1 else "have"
                unmatched.append(f"{names} {verb} no {in_sentence(other.name)} equivalent: {_beyond(other, run[0].band, rank)}.")
    accepted = []
    for acceptance in book.accepted:
        track = book.tracks[acceptance.track]
        if acceptance.finding == "lint.parity-top-band" and track.levels:
            top = track.levels[-1]
            accepted.append({"heading": f"Why the {in_sentence(track.name)} track stops at {top.name}, band {top.band}",
                             "reason": acceptance.reason})
    return {"text": book.standing, "unmatched": unmatched, "accepted": accepted}


def _runs(levels: list[Level]) -> Iterator[list[Level]]:
    """Levels of one track in runs of consecutive ranks: E1-E2 apart from E7."""
    run: list[Level] = []
    for level in levels:
        if run and level.rank != run[-1].rank + 1:
            yield run
            run = []
        run.append(level)
    if run:
        yield run


def _grid(book: Rulebook, levels: tuple[Level, ...]) -> dict[str, Any]:
    """The competency × level grid of a track: each competency in the words of each level, and
    the criteria a level adds to it. A cell the level leaves as the level before says so."""
    columns = [level for level in levels if level.id in book.rules]
    names: dict[str, list[str]] = {}
    for level in columns:
        for competency in book.rules[level.id].competencies:
            known = names.setdefault(competency.id, [])
            if competency.name not in known:
                known.append(competency.name)
    rows = []
    for competency_id, known in names.items():
        cells, before = [], None
        for level in columns:
            competency = next((c for c in book.rules[level.id].competencies if c.id == competency_id), None)
            if competency is None:
                cells.append(None)
                before = None
                continue
            same = before is not None and before[1] == competency.description
            cells.append({
                "href": f"{LEVELS_DIR}/{level.id}", "anchor": competency_id,
                "text": None if same else competency.description or competency.name, "same_as": before[0] if same else None,
                "added": [c.description or requirement(book, c) for c in competency.criteria if not c.inherited_from],
            })
            before = (level.name, competency.description)
        rows.append({"id": competency_id, "name": " / ".join(known), "cells": cells})
    return {"levels": [_ref(level) for level in columns], "rows": rows}


def _evidence_used(book: Rulebook, rules: LevelRules) -> list[dict[str, Any]]:
    """The evidence types a level's criteria count, each with the competencies it shows."""
    used: dict[str, list[str]] = {}
    for competency in rules.competencies:
        for criterion in walk(competency.criteria):
            if isinstance(criterion, (CountCriterion, SumCriterion)):
                for evidence in (*criterion.match.types, criterion.match.link.evidence if criterion.match.link else None):
                    if evidence and competency.name not in used.setdefault(evidence, []):
                        used[evidence].append(competency.name)
    return [{"id": e, "name": book.evidence[e].name, "plural": book.evidence[e].plural, "shows": join_words(shows, "and")}
            for e, shows in sorted(used.items(), key=lambda item: list(book.evidence).index(item[0]))]


def _verdict_rule(rules: LevelRules) -> str:
    """The level's verdict rule in words (docs/rules.md, "The verdict"), with its own numbers."""
    points = (1 if rules.points.at_least else 0) + len(rules.points.groups) if rules.points else 0
    criteria = sum(1 for c in rules.competencies for k in c.criteria if k.required)
    ready = f"Ready when all {plural(criteria + points, 'required criterion', 'required criteria')} are met"
    if points:
        ready += f" ({plural(criteria, 'criterion', 'criteria')} below and {plural(points, 'points requirement')})"
    nearly = rules.nearly
    if nearly.max_unmet < 1:
        return f"{ready}. There is no nearly ready at this level: anything less is not ready."
    parts = [f"at most {plural(nearly.max_unmet, 'required criterion is', 'required criteria are')} unmet",
             "it is not a blocker" if nearly.max_unmet == 1 else "none of them is a blocker"]
    if points:
        allowed = f"{nearly.points_share}% of what it needs" if nearly.points_share is not None else plural(nearly.max_points_short, "point")
        parts.append(f"no points requirement is more than {allowed} short")
    return f"{ready}. Nearly ready when {join_words(parts, 'and')}. Otherwise not ready."


def _points_rule(points: PointsRule) -> str:
    parts = [f"at least {points.at_least} in total"] if points.at_least else []
    parts += [f"at least {n} in {group}" for group, n in points.groups.items()]
    return (f"Points: {join_words(parts, 'and')}, earned by the criteria below that give points "
            "(a group's points are those of its competencies).")


def _points_text(book: Rulebook, criterion: Criterion) -> str | None:
    """What a criterion earns, once: 'Earns 3 points when met.', 'Earns 1 point per hire, up to 4.'"""
    if criterion.points_each:
        unit = counted_unit(book, criterion)
        cap = f", up to {criterion.max_points}" if criterion.max_points is not None else ""
        return f"Earns {plural(criterion.points_each, 'point')} per {unit}{cap}."
    return f"Earns {plural(criterion.points, 'point')} when met." if criterion.points else None


def _rule_line(book: Rulebook, criterion: Criterion) -> str:
    """The rule in words. The criteria inside an all_of, any_of or k_of are listed under it, so
    its own line only says how many of them it takes; a none_of's findings are named in it."""
    if isinstance(criterion, CompositeCriterion) and criterion.kind != "none_of":
        n = len(criterion.children)
        return {"all_of": f"all {n} of these", "any_of": f"at least one of these {n}"}.get(criterion.kind, f"at least {criterion.k} of these {n}")
    return requirement(book, criterion)


def _criterion(book: Rulebook, criterion: Criterion) -> dict[str, Any]:
    item = {
        "id": criterion.id, "description": criterion.description, "requirement": _rule_line(book, criterion),
        "required": criterion.required, "blocker": criterion.blocker,
        "inherited_from": indefinite(book.levels[criterion.inherited_from].name) if criterion.inherited_from else None,
        "points_text": _points_text(book, criterion), "children": [],
    }
    if isinstance(criterion, CompositeCriterion) and criterion.kind != "none_of":
        item["children"] = [_criterion(book, c) for c in criterion.children]
    return item


def pages(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every page of the site: its path without extension, its kind, and what it shows."""
    found = [("index", "index", {})]
    found += [(track["href"], "track", {"track": track}) for track in data["tracks"]]
    found += [(level["href"], "level", {"level": level}) for track in data["tracks"] for level in track["levels"]]
    return found + [("evidence", "evidence", {})]


def render(book: Rulebook, fmt: str) -> dict[str, str]:
    """Every page of the site in `fmt`, by its path in the site."""
    data = framework(book)
    template = ENVIRONMENT.get_template(FORMATS[fmt])
    return {f"{path}.{fmt}": template.render(framework=data, page=kind, ext=fmt, root="../" * path.count("/"), **extra)
            for path, kind, extra in pages(data)}


def write(book: Rulebook, out: Path, fmt: str) -> Site:
    """Write the framework's pages into `out` (made if missing; its parent must exist) and remove
    the pages an earlier run wrote there that the rules no longer produce, and only those."""
    site = render(book, fmt)
    out.mkdir(exist_ok=True)
    written, removed = manifest.replace(out, fmt, site)
    return Site(written, removed)
