"""The published framework: the career framework as documents, generated from the rules, so
the document and the rules can never disagree."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .explain import requirement
from .templating import ENVIRONMENT
from .model import CompositeCriterion, Criterion, Rulebook
from .report import write_atomic

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
                "builds_on": book.levels[rules.builds_on].name if rules and rules.builds_on else None,
                "nearly": {"max_unmet": rules.nearly.max_unmet, "max_points_short": rules.nearly.max_points_short} if rules else None,
                "points": {"at_least": rules.points.at_least, "groups": rules.points.groups} if rules and rules.points else None,
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
        "fields": [{"name": f.name, "type": f.type, "required": f.required, "values": list(f.values),
                    "refers_to": book.evidence[f.evidence].name if f.evidence else None, "description": f.description}
                   for f in e.fields.values()],
    } for e in book.evidence.values()]
    return {"name": book.name, "description": book.description, "tracks": tracks, "equivalence": rows,
            "evidence": evidence, "nearly": book.nearly.max_unmet, "digest": book.digest[:16]}


def _criterion(book: Rulebook, criterion: Criterion) -> dict[str, Any]:
    item = {
        "id": criterion.id, "description": criterion.description, "requirement": requirement(book, criterion),
        "required": criterion.required, "blocker": criterion.blocker,
        "inherited_from": book.levels[criterion.inherited_from].name if criterion.inherited_from else None,
        "points": criterion.points, "points_each": criterion.points_each, "max_points": criterion.max_points,
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

