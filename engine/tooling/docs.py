"""The published framework: the career framework as documents, generated from the rules, so
the document and the rules can never disagree."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.explaining.phrasing import counted_unit, indefinite, join_words, plural, requirement
from engine.reading.model import CompositeCriterion, Criterion, Field, LevelRules, PointsRule, Rulebook
from engine.rendering.report import write_atomic
from engine.rendering.templating import ENVIRONMENT

FORMATS = {"md": "framework.md.j2", "html": "framework.html.j2"}


def framework(book: Rulebook) -> dict[str, Any]:
    """Everything the framework documents say, as plain data."""
    tracks = []
    for track in book.tracks.values():
        levels = []
        for level in track.levels:
            rules = book.rules.get(level.id)
            levels.append({
                "id": level.id, "name": level.name, "band": level.band,
                "equivalents": [book.levels[other].name for row in book.equivalence if row.get(track.id) == level.id
                                for t, other in row.items() if t != track.id],
                "summary": rules.summary if rules else "",
                "has_rules": rules is not None,
                "builds_on": indefinite(book.levels[rules.builds_on].name) if rules and rules.builds_on else None,
                "nearly": {"max_unmet": rules.nearly.max_unmet, "max_points_short": rules.nearly.max_points_short} if rules else None,
                "points": {"at_least": rules.points.at_least, "groups": rules.points.groups} if rules and rules.points else None,
                "points_rule": _points_rule(rules.points) if rules and rules.points else None,
                "verdict_rule": _verdict_rule(rules) if rules else None,
                "competencies": [{
                    "id": c.id, "name": c.name, "description": c.description, "group": c.group,
                    "criteria": [_criterion(book, k) for k in c.criteria],
                } for c in rules.competencies] if rules else [],
            })
        tracks.append({"id": track.id, "name": track.name, "description": track.description, "levels": levels})
    rows = [[{"track": book.tracks[t].name, "level": book.levels[lv].name, "band": book.levels[lv].band} for t, lv in row.items()]
            for row in book.equivalence]
    evidence = [{
        "id": e.id, "name": e.name, "plural": e.plural, "description": e.description,
        "dates": "one date" if e.dates == "point" else "a start date, and an end date once finished",
        "fields": [{"name": f.name, "type": f.type, "required": f.required, "values": ", ".join(f.values) or _bounds(f),
                    "refers_to": indefinite(book.evidence[f.evidence].name) if f.evidence else None, "description": f.description}
                   for f in e.fields.values()],
    } for e in book.evidence.values()]
    return {"name": book.name, "description": book.description, "tracks": tracks, "equivalence": rows,
            "evidence": evidence, "nearly": book.nearly.max_unmet, "digest": book.digest[:16],
            "track_names": {t.id: t.name for t in book.tracks.values()}}


def _bounds(declared: Field) -> str:
    """The values a number field may take, as the rules declare them: 'from 1 to 10', 'at least 0'."""
    low, high = declared.minimum, declared.maximum
    if low is not None and high is not None:
        return f"from {low:g} to {high:g}"
    if low is not None:
        return f"at least {low:g}"
    return f"at most {high:g}" if high is not None else ""


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


def _criterion(book: Rulebook, criterion: Criterion) -> dict[str, Any]:
    item = {
        "id": criterion.id, "description": criterion.description, "requirement": requirement(book, criterion),
        "required": criterion.required, "blocker": criterion.blocker,
        "inherited_from": indefinite(book.levels[criterion.inherited_from].name) if criterion.inherited_from else None,
        "points_text": _points_text(book, criterion),
    }
    if isinstance(criterion, CompositeCriterion):
        item["children"] = [_criterion(book, c) for c in criterion.children]
    return item


def write(book: Rulebook, out: Path, fmt: str) -> list[Path]:
    """Write the framework documents into `out`; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    data = framework(book)
    template = ENVIRONMENT.get_template(FORMATS[fmt])
    pages = [("index", None)] + [(track["id"], track) for track in data["tracks"]] + [("evidence", None)]
    written = []
    for name, track in pages:
        path = out / f"{name}.{fmt}"
        write_atomic(path, template.render(framework=data, page=name, track=track, pages=[p for p, _ in pages], ext=fmt))
        written.append(path)
    return written

