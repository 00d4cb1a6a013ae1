"""The committee's figures, worked out from the cohort's rows: verdicts per level, the candidate
lists of the agenda, parity between equivalent levels, managers' agreement with the rules, the
criteria that stop most candidates, and verdicts resting on unverified evidence (fairness is in
`fairness`). Pure functions: the same rows give the same figures, whoever asks."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from engine.calibration.rows import Row
from engine.matching.evaluate import NEARLY, NOT_READY, READY
from engine.reading.model import Rulebook

VERDICTS = (READY, NEARLY, NOT_READY)
RANK = {NOT_READY: 0, NEARLY: 1, READY: 2}
TOP_BLOCKERS = 3


def brief(row: Row) -> dict[str, Any]:
    """A candidate as every table of the report lists them: id beside name, since names repeat."""
    return {"page": row.page, "candidate": row.name, "id": row.id, "track": row.track, "current_level": row.level,
            "current_level_name": row.level_name, "level": row.target, "level_name": row.target_name, "verdict": row.verdict,
            "verified_only_verdict": row.verified_only, "manager": row.manager, "nominated": row.nominated}


def levels_with_rules(book: Rulebook) -> list[tuple[str, str]]:
    """(track, level) of every level with rules, in ladder order."""
    return [(t.id, level.id) for t in book.tracks.values() for level in t.levels if level.id in book.rules]


def ladder_order(book: Rulebook) -> dict[str, int]:
    """Every level's place on the ladder: tracks in rulebook order, each from its first level."""
    return {level.id: index for index, level in enumerate(level for t in book.tracks.values() for level in t.levels)}


def thresholds(book: Rulebook) -> dict[str, Any]:
    """What `calibration.yaml` set (or its defaults), so that every flag can say why it is raised."""
    settings = book.calibration
    return {"parity": {"max_gap": settings.parity_max_gap, "min_candidates": settings.parity_min_candidates},
            "managers": {"max_gap": settings.manager_max_gap, "min_candidates": settings.manager_min_candidates},
            "fairness": {"min_group": settings.min_group}}


def summary(book: Rulebook, rows: list[Row]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        counts[(book.levels[row.target].track, row.target)][row.verdict] += 1
    return [{"track": track, "level": level, "level_name": book.levels[level].name,
             "candidates": sum(counts[(track, level)].values()), **{v: counts[(track, level)][v] for v in VERDICTS}}
            for track, level in levels_with_rules(book) if (track, level) in counts]


def nominations(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """The candidates a meeting discusses, one list per agenda item, each candidate in one list.
    "Not nominated" is a nomination of false; for the nearly ready, no nomination given too."""
    def with_missing(row: Row) -> dict[str, Any]:
        return {**brief(row), "missing": list(row.missing)}
    return {
        "nominated_not_ready": [brief(r) for r in rows if r.nominated and r.verdict == NOT_READY],
        "nominated_nearly": [with_missing(r) for r in rows if r.nominated and r.verdict == NEARLY],
        "ready_not_nominated": [brief(r) for r in rows if r.verdict == READY and r.nominated is False],
        "nearly_not_nominated": [with_missing(r) for r in rows if r.verdict == NEARLY and not r.nominated],
        "nominated_ready": [brief(r) for r in rows if r.nominated and r.verdict == READY],
    }


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


def managers(book: Rulebook, rows: list[Row]) -> dict[str, Any]:
    """Each manager's agreement: the share of their candidates whose nomination matches the
    verdict (nominated and ready, or not nominated and not ready; nearly ready is not ready),
    against the whole cohort's. Candidates with no nomination given are left out."""
    settings = book.calibration
    known = [r for r in rows if r.nominated is not None and r.manager]
    cohort = _agreement(known)
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in known:
        groups[row.manager].append(row)
    by_manager = []
    for manager in sorted(groups):
        mine = _agreement(groups[manager])
        by_manager.append({
            "manager": manager, **mine,
            "outlier": mine["candidates"] >= settings.manager_min_candidates and cohort["agreement"] is not None
                       and mine["agreement"] < cohort["agreement"] - settings.manager_max_gap,
        })
    return {"cohort": cohort, "by_manager": by_manager}


def _agreement(rows: list[Row]) -> dict[str, Any]:
    agree = sum(r.nominated == (r.verdict == READY) for r in rows)
    return {"candidates": len(rows), "nominated": sum(bool(r.nominated) for r in rows), "ready": sum(r.verdict == READY for r in rows),
            "agree": agree, "agreement": round(agree / len(rows), 4) if rows else None}


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


def _points_descriptions(rules) -> dict[str, str]:
    """A level's points requirements by the ids verdicts give them (`points`, `points:GROUP`)."""
    if rules.points is None:
        return {}
    found = {f"points:{group}": f"At least {needed} points in {group}" for group, needed in rules.points.groups.items()}
    if rules.points.at_least:
        found["points"] = f"At least {rules.points.at_least} points in total"
    return found


def unverified(rows: list[Row]) -> list[dict[str, Any]]:
    """Verdicts that differ on verified evidence alone, which way they would move, and the
    records to check: those counted towards a criterion (without them the verdict falls) and
    those held against one (a disputed conduct concern: without it the verdict rises)."""
    return [{**brief(r), "direction": "higher" if RANK[r.verified_only] > RANK[r.verdict] else "lower",
             "records": [{"id": d.id, "title": d.title, "confidence": d.confidence, "effect": "against" if d.against else "for",
                          "criteria": list(d.criteria)} for d in r.depends_on]}
            for r in rows if r.verified_only != r.verdict]
