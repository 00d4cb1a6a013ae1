"""The committee's figures, worked out from the cohort's rows: verdicts per level, parity between
equivalent levels, managers' agreement with the rules, the criteria that stop most candidates,
and fairness across groups (withholding small groups). Pure functions: the same rows give the
same figures, whoever asks."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Callable

from engine.calibration.rows import Row
from engine.matching.evaluate import NEARLY, NOT_READY, READY
from engine.reading.model import Rulebook

VERDICTS = (READY, NEARLY, NOT_READY)
TOP_BLOCKERS = 3
FAIRNESS_RULE = ("Groups of fewer than {n} candidates are withheld; and while the candidates withheld (with those who lack "
                 "the attribute) number fewer than {n}, the next smallest group is withheld too, so that no withheld group's "
                 "figures can be worked out by subtracting the groups shown from the totals.")


def brief(row: Row) -> dict[str, Any]:
    return {"page": row.page, "candidate": row.name, "id": row.id, "track": row.track, "level": row.target,
            "level_name": row.target_name, "verdict": row.verdict, "manager": row.manager, "nominated": row.nominated}


def levels_with_rules(book: Rulebook) -> list[tuple[str, str]]:
    """(track, level) of every level with rules, in ladder order."""
    return [(t.id, level.id) for t in book.tracks.values() for level in t.levels if level.id in book.rules]


def summary(book: Rulebook, rows: list[Row]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        counts[(book.levels[row.target].track, row.target)][row.verdict] += 1
    return [{"track": track, "level": level, "level_name": book.levels[level].name,
             "candidates": sum(counts[(track, level)].values()), **{v: counts[(track, level)][v] for v in VERDICTS}}
            for track, level in levels_with_rules(book) if (track, level) in counts]


def parity(book: Rulebook, rows: list[Row]) -> list[dict[str, Any]]:
    settings = book.calibration
    by_level = Counter(r.target for r in rows)
    ready = Counter(r.target for r in rows if r.verdict == READY)
    found = []
    for equivalence in book.equivalence:
        levels = [{"track": track, "level": level, "level_name": book.levels[level].name,
                   "candidates": by_level[level], "ready": ready[level],
                   "rate": round(ready[level] / by_level[level], 4) if by_level[level] else None}
                  for track, level in equivalence.items()]
        comparable = [lv for lv in levels if lv["candidates"] >= settings.parity_min_candidates]
        gap = round(max(lv["rate"] for lv in comparable) - min(lv["rate"] for lv in comparable), 4) if len(comparable) > 1 else None
        found.append({"levels": levels, "gap": gap, "flagged": gap is not None and gap > settings.parity_max_gap,
                      "comparable": len(comparable) > 1})
    return found


def placement(book: Rulebook, rows: list[Row]) -> dict[str, Any]:
    """Candidates whose packet names no target are placed on their track (`ladder place`) as
    well as judged for the next level. A levelling question is a candidate whose evidence places
    them below their current level, at no level of the track, or beyond the next level (the next
    level itself is a promotion: the verdict says it). In cohort order."""
    placed = [r for r in rows if r.placed is not None]
    levelling = []
    for row in placed:
        level, steps, first = row.placed
        if steps is not None and 0 <= steps <= 1:
            continue
        levelling.append({"page": row.page, "candidate": row.name, "id": row.id, "track": row.track, "level": row.level,
                          "level_name": row.level_name, "placed_level": level,
                          "placed_level_name": book.levels[level].name if level else None, "steps": steps,
                          "first_not_met": first, "first_not_met_name": book.levels[first].name if first else None,
                          "manager": row.manager})
    return {"placed": len(placed), "levelling": levelling}


def managers(book: Rulebook, rows: list[Row]) -> list[dict[str, Any]]:
    settings = book.calibration
    known = [r for r in rows if r.nominated is not None and r.manager]
    cohort_rate = sum(r.nominated == (r.verdict == READY) for r in known) / len(known) if known else None
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in known:
        groups[row.manager].append(row)
    result = []
    for manager in sorted(groups):
        mine = groups[manager]
        agree = sum(r.nominated == (r.verdict == READY) for r in mine)
        rate = agree / len(mine)
        result.append({
            "manager": manager, "candidates": len(mine), "nominated": sum(r.nominated for r in mine),
            "ready": sum(r.verdict == READY for r in mine), "agree": agree, "agreement": round(rate, 4),
            "outlier": len(mine) >= settings.manager_min_candidates and cohort_rate is not None
                       and rate < cohort_rate - settings.manager_max_gap,
        })
    return result


def blockers(book: Rulebook, rows: list[Row]) -> list[dict[str, Any]]:
    """Per level, the criteria most often unmet by candidates not ready or nearly ready: the
    first TOP_BLOCKERS and any tied with the last of them. Shares are of all candidates."""
    result = []
    descriptions = {lid: {c.id: c.description for c in rules.criteria()} | _points_descriptions(rules)
                    for lid, rules in book.rules.items()}
    for track, level in levels_with_rules(book):
        candidates = [r for r in rows if r.target == level]
        stopped = [r for r in candidates if r.verdict != READY]
        ranked = sorted(Counter(criterion for r in stopped for criterion in r.unmet).items(), key=lambda kv: (-kv[1], kv[0]))
        top = [(cid, n) for cid, n in ranked if n >= ranked[min(TOP_BLOCKERS, len(ranked)) - 1][1]] if ranked else []
        if top:
            result.append({"track": track, "level": level, "level_name": book.levels[level].name,
                           "candidates": len(candidates), "stopped": len(stopped),
                           "criteria": [{"criterion": cid, "description": descriptions[level][cid],
                                         "candidates": n, "share": round(n / len(candidates), 4)} for cid, n in top]})
    return result


def fairness(book: Rulebook, rows: list[Row], label: Callable[[set[str]], dict[str, str]], scrub: Callable[[str], str]) -> dict[str, Any]:
    settings = book.calibration
    names = settings.attributes if settings.attributes is not None else sorted({k for r in rows for k in r.attributes})
    opportunities = [{"id": c.id, "description": c.description} for c in settings.opportunities]
    attributes = []
    for name in names:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            if name in row.attributes:
                groups[str(row.attributes[name])].append(row)
        visible = shown_groups({value: len(members) for value, members in groups.items()},
                               len(rows) - sum(map(len, groups.values())), settings.min_group)
        labels = label(visible)
        shown = [{
            "group": labels[value], "candidates": len(groups[value]),
            "ready_rate": round(sum(r.verdict == READY for r in groups[value]) / len(groups[value]), 4),
            "opportunities": {o["id"]: round(sum(r.opportunities.get(o["id"], False) for r in groups[value]) / len(groups[value]), 4)
                              for o in opportunities},
        } for value in sorted(visible, key=labels.__getitem__)]
        attributes.append({"attribute": scrub(name), "groups": shown, "suppressed": len(visible) < len(groups)})
    return {"min_group": settings.min_group, "rule": FAIRNESS_RULE.format(n=settings.min_group),
            "opportunities": opportunities, "attributes": attributes}


def _points_descriptions(rules) -> dict[str, str]:
    """A level's points requirements by the ids verdicts give them (`points`, `points:GROUP`)."""
    if rules.points is None:
        return {}
    found = {f"points:{group}": f"At least {needed} points in {group}" for group, needed in rules.points.groups.items()}
    if rules.points.at_least:
        found["points"] = f"At least {rules.points.at_least} points in total"
    return found


def shown_groups(sizes: dict[str, int], without: int, min_group: int) -> set[str]:
    """The groups whose figures can be shown. Groups below `min_group` are withheld; and while the
    candidates withheld (with those who lack the attribute) are some but fewer than `min_group`,
    the smallest shown group is withheld too, or the totals minus the shown groups would give
    the figures of a withheld group."""
    shown = {value for value, size in sizes.items() if size >= min_group}
    hidden = without + sum(size for value, size in sizes.items() if value not in shown)
    while 0 < hidden < min_group and shown:
        smallest = min(shown, key=lambda value: (sizes[value], value))
        shown.discard(smallest)
        hidden += sizes[smallest]
    return shown
