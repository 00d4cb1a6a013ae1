"""Fairness figures: readiness, and access to evidence-generating work, by group of a candidate
attribute, against the whole cohort, overall and level by level, with every group too small
to show withheld, and any group whose figures could be worked out from those shown.

Withholding works as a statistics office suppresses a table's cells: a cell below the minimum
is withheld, and where the cells withheld from a row or a column (whose total is shown
elsewhere) would add up to fewer than the minimum, the next smallest cell goes too; otherwise
the total minus the cells shown would give the withheld figure away."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Callable, Iterable, TypeVar

from engine.calibration.figures import levels_with_rules
from engine.calibration.rows import Row
from engine.matching.evaluate import READY
from engine.reading.model import Rulebook

Member = TypeVar("Member")

RULE = ("Groups of fewer than {n} candidates are withheld; and while the candidates withheld (with those who lack "
        "the attribute) number fewer than {n}, the next smallest group is withheld too, so that no withheld group's "
        "figures can be worked out by subtracting the groups shown from the totals. Level by level the same holds "
        "for each level and for each group across the levels.")


def label(attribute: str) -> str:
    """An attribute's name in words: `work_pattern` reads "Work pattern"."""
    words = attribute.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def fairness(book: Rulebook, rows: list[Row], labels: Callable[[set[str]], dict[str, str]],
             scrub: Callable[[str], str]) -> dict[str, Any]:
    settings = book.calibration
    names = settings.attributes if settings.attributes is not None else sorted({k for r in rows for k in r.attributes})
    opportunities = [{"id": c.id, "description": c.description} for c in settings.opportunities]
    attributes = []
    for name in names:
        groups, shown = grouped(rows, lambda row: str(row.attributes[name]) if name in row.attributes else None,
                                settings.min_group, labels)
        attributes.append({
            "attribute": scrub(name), "label": label(scrub(name)),
            "groups": [{"group": group, **_rates(groups[value], opportunities)} for value, group in shown],
            "suppressed": len(shown) < len(groups),
        })
        levels = by_level(book, rows, name, shown, settings.min_group)
        shown_levels = [level for level in levels if any(cell["candidates"] is not None for cell in level["groups"])]
        attributes[-1].update(by_level=shown_levels, levels_withheld=len(levels) - len(shown_levels))
    return {"min_group": settings.min_group, "rule": RULE.format(n=settings.min_group), "opportunities": opportunities,
            "cohort": _rates(rows, opportunities), "attributes": attributes}


def _rates(members: list[Row], opportunities: list[dict]) -> dict[str, Any]:
    size = len(members)
    return {"candidates": size,
            "ready_rate": round(sum(r.verdict == READY for r in members) / size, 4) if size else None,
            "opportunities": {o["id"]: round(sum(r.opportunities.get(o["id"], False) for r in members) / size, 4) if size else None
                              for o in opportunities}}


def grouped(members: list[Member], value: Callable[[Member], str | None], min_group: int,
            labels: Callable[[set[str]], dict[str, str]], order: Callable[[str], Any] | None = None,
            ) -> tuple[dict[str, list[Member]], list[tuple[str, str]]]:
    """`members` by group (`value`: a member's group, None where it is not known), and the groups
    whose figures can be shown (`shown_groups`) as (group, label), in `order` (default: by label).
    `labels` is asked for the groups shown only. The fairness section's attributes and the
    decisions' override rates are withheld by this one rule."""
    groups: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        if (found := value(member)) is not None:
            groups[found].append(member)
    shown = shown_groups({group: len(found) for group, found in groups.items()},
                         len(members) - sum(map(len, groups.values())), min_group)
    named = labels(shown)
    return groups, [(group, named[group]) for group in sorted(shown, key=order or named.__getitem__)]


def shown_groups(sizes: dict[str, int], without: int, min_group: int) -> set[str]:
    """The groups whose figures can be shown. Groups below `min_group` are withheld; and while the
    candidates withheld (with those who lack the attribute) are some but fewer than `min_group`,
    the smallest shown group is withheld too, or the totals minus the shown groups would give
    the figures of a withheld group."""
    shown = {value for value, size in sizes.items() if size >= min_group}
    _complete(shown, sizes, without + sum(size for value, size in sizes.items() if value not in shown), min_group)
    return shown


def _complete(shown: set, sizes: dict, hidden: int, min_group: int) -> bool:
    """Withhold the smallest shown cells of one row or column until what it withholds is none or
    at least `min_group`; whether any was withheld."""
    changed = False
    while 0 < hidden < min_group and shown:
        smallest = min(shown, key=lambda cell: (sizes[cell], cell))
        shown.discard(smallest)
        hidden += sizes[smallest]
        changed = True
    return changed


def by_level(book: Rulebook, rows: list[Row], name: str, groups: list[tuple[str, str]], min_group: int) -> list[dict[str, Any]]:
    """Each level's readiness by group (the groups shown overall, as (value, label)), withheld
    cell by cell: the level's total is in the summary and each group's in the table above, so
    both a level's and a group's withheld cells must add up to none or at least `min_group`.
    A cell withheld reads None."""
    levels = [(track, level) for track, level in levels_with_rules(book) if any(r.target == level for r in rows)]
    members: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if name in row.attributes:
            members[(row.target, str(row.attributes[name]))].append(row)
    sizes = Counter({cell: len(people) for cell, people in members.items()})
    at_level = Counter(r.target for r in rows)
    values = [value for value, _ in groups]
    shown = {(level, value) for _, level in levels for value in values if sizes[(level, value)] >= min_group}
    changed = True
    while changed:
        changed = False
        for _, level in levels:
            changed |= _withhold_from(shown, sizes, [(level, value) for value in values], at_level[level], min_group)
        for value in values:
            total = sum(sizes[(level, value)] for _, level in levels)
            changed |= _withhold_from(shown, sizes, [(level, value) for _, level in levels], total, min_group)
    return [{"track": track, "level": level, "level_name": book.levels[level].name, "candidates": at_level[level],
             "groups": [{"group": group,
                         "candidates": sizes[(level, value)] if (level, value) in shown else None,
                         "ready_rate": round(sum(r.verdict == READY for r in members[(level, value)]) / sizes[(level, value)], 4)
                                       if (level, value) in shown else None}
                        for value, group in groups]}
            for track, level in levels]


def _withhold_from(shown: set, sizes: Counter, line: Iterable[tuple[str, str]], total: int, min_group: int) -> bool:
    """`_complete` for one row or column of the level-by-group table, whose total is `total`."""
    cells = set(line)
    mine = shown & cells
    if not _complete(mine, sizes, total - sum(sizes[cell] for cell in mine), min_group):
        return False
    shown.difference_update(cells - mine)
    return True
