"""Stage 5, explain: an evaluation as a plain, JSON-ready verdict a person can act on.

Every sentence is built from the rulebook's own words (descriptions, evidence names, field
names) and the engine's matches; nothing here decides anything. The document's shape is
`schemas/verdict.schema.json`."""
from __future__ import annotations

from typing import Any

from engine.explaining.outcomes import Outcomes, set_aside
from engine.explaining.phrasing import noun_for, number, plural
from engine.matching.evaluate import NEARLY, NOT_READY, READY, Assessment, CriterionResult, Evaluation
from engine.reading.dates import months_between
from engine.reading.model import Nearly, Rulebook

VERDICT_WORDS = {READY: "Ready", NEARLY: "Nearly ready", NOT_READY: "Not ready"}


def explain(rulebook: Rulebook, evaluation: Evaluation, why_not: bool = True) -> dict[str, Any]:
    """The verdict document. Without `why_not`, each criterion leaves out `not_counted` (the
    records that did not count, and why: most of the work on a packet of many records), for an
    output that never shows it (a calibration's CSV, impact, placement's headlines); the rest
    is the same, byte for byte."""
    packet, rules = evaluation.packet, evaluation.rules
    full = evaluation.all_evidence
    words = Outcomes(rulebook, packet, why_not)
    candidate = packet.candidate
    current = rulebook.levels[candidate.level]
    required_total = sum(1 for c in rules.competencies for k in c.criteria if k.required) + len(full.points)
    names = {c.id: c.name for c in rules.competencies}
    document: dict[str, Any] = {
        "packet": packet.source,
        "candidate": {
            "id": candidate.id, "name": candidate.name, "track": candidate.track, "level": candidate.level,
            "level_name": current.name, "months_at_level": months_between(candidate.level_since, packet.as_of),
            "manager": candidate.manager, "team": candidate.team, "nominated": candidate.nominated,
        },
        "target": {"level": packet.target.id, "name": packet.target.name, "track": packet.target.track, "band": packet.target.band},
        "as_of": packet.as_of.isoformat(),
        "rulebook": {"name": rulebook.name, "digest": rulebook.digest[:16]},
        "verdict": full.verdict,
        "headline": f"{VERDICT_WORDS[full.verdict]} for {packet.target.name}: "
                    f"{required_total - len(full.unmet)} of {required_total} required criteria met",
        "competencies": [
            {"id": cid, "name": names[cid], "criteria": [words.criterion(r) for r in results]}
            for cid, results in full.competencies
        ],
        "points": [_points_json(p) for p in full.points],
        "missing": words.missing(full, names),
        "evidence_confidence": _confidence(evaluation, words),
    }
    if full.verdict == NEARLY:
        short = f", points at most {points_allowance(rules.nearly)} short" if full.points else ""
        document["headline"] += f" (nearly: at most {rules.nearly.max_unmet} unmet, no blocker{short})"
    elif full.verdict == NOT_READY:
        document["headline"] += "; " + "; ".join(not_nearly(rules, full))
    return document


def not_nearly(rules, assessment: Assessment) -> list[str]:
    """Each part of the level's nearly rule (docs/rules.md, "The verdict") that a not-ready
    verdict fails, so the reader sees why it is not nearly ready."""
    nearly, parts = rules.nearly, []
    if assessment.blockers:
        parts.append(f"unmet {noun_for(len(assessment.blockers), 'blocker')}: {', '.join(assessment.blockers)}")
    if len(assessment.unmet) > nearly.max_unmet:
        parts.append(f"{plural(len(assessment.unmet), 'required criterion', 'required criteria')} unmet, "
                     f"nearly allows at most {nearly.max_unmet}")
    for points in assessment.points:
        short = points.needed - points.observed
        if not nearly.allows_short(short, points.needed):
            scope = f"points in {points.group}" if points.group else "points"
            share = f" ({nearly.points_share}%)" if nearly.points_share is not None else ""
            parts.append(f"{scope}: {short} short of {points.needed}, "
                         f"nearly allows at most {number(nearly.points_allowed(points.needed))}{share} short")
    return parts


def points_allowance(nearly: Nearly) -> str:
    """How short of a points requirement nearly ready may be: '2', or '10%' of each."""
    return f"{nearly.points_share}%" if nearly.points_share is not None else str(nearly.max_points_short)


def _points_json(points) -> dict:
    return {"group": points.group, "observed": points.observed, "needed": points.needed, "met": points.met}


def _confidence(evaluation: Evaluation, words: Outcomes) -> dict[str, Any]:
    full, verified = evaluation.all_evidence, evaluation.verified_only
    records = words.records
    unverified = [r for r in records.values() if r.confidence != "verified"]
    depends: dict[str, list[str]] = {}
    for result in _changed(full, verified):
        for record_id in words.relied_on(result):
            if records[record_id].confidence != "verified":
                depends.setdefault(record_id, [])
                if result.criterion.id not in depends[record_id]:
                    depends[record_id].append(result.criterion.id)
    differs = full.verdict != verified.verdict
    result = {
        "unverified_records": len(unverified),
        "verified_only_verdict": verified.verdict,
        "differs": differs,
        "depends_on": [  # in packet order
            {"id": r.id, "title": r.title, "confidence": r.confidence, "criteria": depends[r.id]}
            for r in sorted((records[record_id] for record_id in depends), key=lambda r: r.index)
        ],
    }
    notes = []
    if differs:
        note = (f"On verified evidence alone the verdict would be {VERDICT_WORDS[verified.verdict].lower()} "
                f"(on all evidence: {VERDICT_WORDS[full.verdict].lower()}).")
        if result["depends_on"]:
            note += " Check these records: " + ", ".join(f"{r['id']} ({r['confidence']})" for r in result["depends_on"]) + "."
        notes.append(note)
    if aside := _set_aside(full, records):  # the rulebook's `disputed` policy: counted toward nothing
        result["set_aside"] = aside
        notes.append("Disputed, counting toward nothing until resolved: "
                     + "; ".join(f"{r['id']} (for {', '.join(r['criteria'])})" for r in aside) + ".")
    if notes:
        result["note"] = " ".join(notes)
    return result


def _set_aside(full: Assessment, records: dict) -> list[dict[str, Any]]:
    """Disputed records the rulebook's policy sets aside, each with the top-level criteria they
    would count for once resolved (met or not: a disputed finding left out of a none_of too)."""
    found: dict[str, list[str]] = {}
    for _, results in full.competencies:
        for result in results:
            for record_id in set_aside(result):
                found.setdefault(record_id, []).append(result.criterion.id)
    return [{"id": rid, "title": records[rid].title, "criteria": criteria}
            for rid, criteria in sorted(found.items(), key=lambda item: records[item[0]].index)]


def _changed(full: Assessment, verified: Assessment) -> list[CriterionResult]:
    """Top-level criteria whose outcome or points change when only verified records are kept."""
    after = {r.criterion.id: r for _, results in verified.competencies for r in results}
    return [r for _, results in full.competencies for r in results
            if (r.met, r.points) != (after[r.criterion.id].met, after[r.criterion.id].points)]
