"""Growth and mobility: next-step plans, and evaluating a candidate on the other track.

Both are read from ordinary evaluations, so a plan can never ask for something the verdict
does not: a plan's steps are exactly the verdict's unmet required criteria, smallest gap first,
in the rulebook's own words."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .evaluate import Evaluation, evaluate
from .explain import VERDICT_WORDS, explain, plural
from .model import CandidateCriterion, Level, Packet, Rulebook
from .report import md_escape, record_label


def other_track_level(book: Rulebook, level: Level, track: str) -> Level | None:
    """The level on `track` that stands level with `level`, if it has rules."""
    found = book.equivalent(level, track)
    return found if found is not None and found.id in book.rules else None


def on_track(book: Rulebook, packet: Packet, track: str) -> Packet | None:
    """The packet retargeted to the equivalent of its target on `track`; None if there is none,
    or if it is no step up from where the candidate already stands on that track."""
    level = other_track_level(book, packet.target, track)
    here = book.equivalent(book.levels[packet.candidate.level], track)
    if level is None or (here is not None and level.rank <= here.rank):
        return None
    return replace(packet, target=level)


# ------------------------------------------------------------------------------ cross-track

def cross_track(book: Rulebook, home: Evaluation, away: Evaluation, away_document: dict) -> dict[str, Any]:
    """Which evidence carried over to the other track, and which that track does not value.

    A record counts for a level when some criterion of it (at any depth) counts the record,
    met or not: it is evidence that level values."""
    records = {r.id: r for r in home.packet.records}
    counted_home, counted_away = _counted(home), _counted(away)
    used_away = {c.match.evidence for c in away.rules.criteria() if hasattr(c, "match")}
    closest = _closest_misses(away_document)
    home_target, away_target = home.packet.target, away.packet.target

    def listed(ids: set[str]) -> list[dict]:
        return [{"id": i, "title": records[i].title, "type": records[i].type} for i in sorted(ids, key=lambda i: records[i].index)]

    def why_not(item: dict) -> str:
        if item["type"] not in used_away:
            return f"{away_target.name} counts no {book.evidence[item['type']].plural}"
        description, reasons = closest.get(item["id"], ("", []))
        return f"closest: {description}: {'; '.join(reasons)}" if reasons else f"no {away_target.name} criterion counts it"

    carried, not_valued, only_here = counted_home & counted_away, counted_home - counted_away, counted_away - counted_home
    away_track = book.tracks[away_target.track].name.lower()
    note = (f"What if: on the {away_track} track, at {away_target.name}, the level equivalent to {home_target.name} "
            f"(for which the verdict is {VERDICT_WORDS[home.all_evidence.verdict].lower()}). Of the records that count for "
            f"{home_target.name}, {_counts(len(carried))} here too and {len(not_valued)} {'does' if len(not_valued) == 1 else 'do'} not; "
            f"{_counts(len(only_here))} only here.")
    return {
        "from": {"track": home_target.track, "level": home_target.id, "name": home_target.name, "verdict": home.all_evidence.verdict},
        "to": {"track": away_target.track, "level": away_target.id, "name": away_target.name},
        "carried_over": listed(carried),
        "not_valued": [dict(item, reason=why_not(item)) for item in listed(not_valued)],
        "counts_only_here": listed(only_here),
        "note": note,
    }


def _counts(n: int) -> str:
    """'1 counts', '2 count': a number of records and the verb that agrees with it."""
    return f"{n} {'counts' if n == 1 else 'count'}"


def _closest_misses(document: dict) -> dict[str, tuple[str, list[str]]]:
    """For each record that did not count anywhere: the criterion it came closest to, and why."""
    best: dict[str, tuple[str, list[str]]] = {}

    def visit(items: list[dict]) -> None:
        for item in items:
            for miss in item["not_counted"]:
                if miss["id"] not in best or len(miss["reasons"]) < len(best[miss["id"]][1]):
                    best[miss["id"]] = (item["description"], miss["reasons"])
            visit(item.get("children", []))
    for competency in document["competencies"]:
        visit(competency["criteria"])
    return best


def _counted(evaluation: Evaluation) -> set[str]:
    return {record for result in evaluation.all_evidence.results() for record in result.counted}


# ------------------------------------------------------------------------------------- plans

def plan(book: Rulebook, packet: Packet) -> dict[str, Any]:
    """Next steps for the packet's target on its own track, and for its equivalent elsewhere."""
    targets = [packet]
    for track in book.tracks:
        if track != packet.target.track:
            moved = on_track(book, packet, track)
            if moved:
                targets.append(moved)
    candidate = packet.candidate
    return {
        "packet": packet.source,
        "candidate": {"id": candidate.id, "name": candidate.name, "track": candidate.track, "level": candidate.level,
                      "level_name": book.levels[candidate.level].name},
        "as_of": packet.as_of.isoformat(),
        "plans": [_plan_for(book, target) for target in targets],
        "no_equivalent": [book.tracks[t].name for t in book.tracks if t != packet.target.track
                          and not other_track_level(book, packet.target, t)],
    }


def _plan_for(book: Rulebook, packet: Packet) -> dict[str, Any]:
    evaluation = evaluate(book, packet)
    document = explain(book, evaluation)
    names = {c["id"]: c["name"] for c in document["competencies"]}
    months_needed = {c.id: max((t.value for t in c.terms if t.field == "months_at_level" and t.op in ("gte", "gt")), default=None)
                     for c in evaluation.rules.criteria() if isinstance(c, CandidateCriterion)}
    months = document["candidate"]["months_at_level"]
    steps = []
    for order, (competency, item) in enumerate((c["id"], i) for c in document["competencies"] for i in c["criteria"]):
        if item["met"] or not item["required"]:
            continue
        steps.append(_step(names[competency], item, order, months, months_needed.get(item["id"])))
    for points in document["points"]:
        if not points["met"]:
            steps.append(_points_step(document, points))
    steps.sort(key=lambda s: (s["gap"], s["still_needed"], s["order"]))
    for step in steps:
        del step["order"]
    return {
        "track": packet.target.track, "level": packet.target.id, "name": packet.target.name,
        "verdict": document["verdict"], "headline": document["headline"], "steps": steps,
    }


def _step(competency: str, item: dict, order: int, months: int, months_needed: int | None) -> dict[str, Any]:
    needed, observed = item["needed"], item["observed"]
    kind = item["kind"]
    closest = sorted(item["not_counted"], key=lambda m: len(m["reasons"]))[:2] if kind in ("count", "sum") else []
    if kind == "none_of":
        found = [r for child in item.get("children", []) if child["met"] for r in child["counted"]]
        text = f"{item['description']}: resolve {', '.join(record_label(r) for r in found)}"
        still, gap = len(found), 0.0  # a blocker to clear, not a gap to grow: first
    elif kind == "candidate":
        text = f"{item['description']}: {item['statement']}"
        still, gap = 1, 1.0
        if months_needed and months < months_needed:
            still, gap = months_needed - months, (months_needed - months) / months_needed
            text = (f"{item['description']}: {plural(still, 'more month', 'more months')} at the current level "
                    f"(you have {months} of {months_needed})")
    elif kind in ("all_of", "any_of", "k_of"):
        open_children = [c["description"] for c in item.get("children", []) if not c["met"]]
        still = int(needed - observed)
        text = f"{item['description']}: {still} more of these: " + "; ".join(open_children)
        gap = still / needed if needed else 1.0
    else:
        still = needed - observed
        unit = "" if kind == "count" else " more"
        text = f"{item['description']}: you have {_number(observed)} of {_number(needed)}{unit}".rstrip()
        gap = still / needed if needed else 1.0
    step = {"competency": competency, "criterion": item["id"], "text": text, "have": item["observed"],
            "need": item["needed"], "still_needed": _number(still), "gap": round(gap, 4), "order": order,
            "closest": [f"{record_label(m)}: {'; '.join(m['reasons'])}" for m in closest]}
    return step


def _points_step(document: dict, points: dict) -> dict[str, Any]:
    scope = f" in {points['group']}" if points["group"] else ""
    sources = [item["description"] for competency in document["competencies"] for item in competency["criteria"]
               if "points" in item and not item["met"]]
    short = points["needed"] - points["observed"]
    return {"competency": "Points", "criterion": f"points:{points['group']}" if points["group"] else "points",
            "text": f"Earn {plural(short, 'more point', 'more points')}{scope} (you have {points['observed']} of {points['needed']})"
                    + (": for example, " + "; ".join(sources[:3]) if sources else ""),
            "have": points["observed"], "need": points["needed"], "still_needed": short,
            "gap": round(short / points["needed"], 4), "order": 10_000, "closest": []}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


# ---------------------------------------------------------------------------------- rendering

def render_text(document: dict) -> str:
    c = document["candidate"]
    lines = [f"Next steps for {c['name']} ({c['id']}), {c['level_name']}, as of {document['as_of']}"]
    for item in document["plans"]:
        lines += ["", f"{item['name']} ({item['track']} track): {VERDICT_WORDS[item['verdict']].lower()}"]
        if not item["steps"]:
            lines.append("  Nothing missing: the rules are met.")
        for number, step in enumerate(item["steps"], 1):
            lines.append(f"  {number}. {step['text']}")
            lines += [f"       closest: {text}" for text in step["closest"]]
    for track in document["no_equivalent"]:
        lines += ["", f"The {track} track has no level equivalent to this one with promotion rules."]
    return "\n".join(lines) + "\n"


def render_markdown(document: dict) -> str:
    c = document["candidate"]
    lines = [md_escape(f"## Next steps for {c['name']} ({c['id']}), {c['level_name']}"), "", f"As of {document['as_of']}."]
    for item in document["plans"]:
        lines += ["", md_escape(f"### {item['name']} ({item['track']} track): {VERDICT_WORDS[item['verdict']].lower()}"), ""]
        lines += [f"{n}. {md_escape(s['text'])}" + "".join(f"<br>closest: {md_escape(t)}" for t in s["closest"])
                  for n, s in enumerate(item["steps"], 1)]
        if not item["steps"]:
            lines.append("Nothing missing: the rules are met.")
    return "\n".join(lines) + "\n"

