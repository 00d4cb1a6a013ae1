"""Growth and mobility: next-step plans, and evaluating a candidate on the other track.

Both are read from ordinary evaluations, so a plan can never ask for something the verdict
does not: a plan's steps are exactly the verdict's unmet required criteria, in the rulebook's
own words. What no evidence can fix comes first (a level to reach, months to serve), then the
smallest gap."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from engine.common.text import record_label
from engine.explaining.explain import VERDICT_WORDS, explain
from engine.explaining.outcomes import Outcomes, set_aside
from engine.explaining.phrasing import counted_unit, indefinite, join_words, plural, requirement
from engine.explaining.reasons import standing
from engine.matching.evaluate import CriterionResult, Evaluation, PointsResult, candidate_fields, evaluate
from engine.reading.model import CountCriterion, Level, Packet, Rulebook, SumCriterion, Term, Window


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


def not_on_track(book: Rulebook, packet: Packet, track: str) -> str:
    """Why `on_track` has no packet for `track`, as an answer: 'Developer has no management
    equivalent: the management track starts at Tech Lead, band E3.'"""
    target, name = packet.target, book.tracks[track].name.lower()
    if track == target.track:
        return f"{target.name} is on the {name} track already: this is its verdict there."
    level = other_track_level(book, target, track)
    if level is None:
        ruled = [lv for lv in book.tracks[track].levels if lv.id in book.rules]
        order = book.band_order()
        where = ""
        if ruled and order.index(target.band) > order.index(ruled[-1].band):  # above the track's top
            where = f": the {name} track stops at {ruled[-1].name}, band {ruled[-1].band}"
        elif ruled:
            where = f": the {name} track starts at {ruled[0].name}, band {ruled[0].band}"
        return f"{target.name} has no {name} equivalent{where}. This is the verdict for {target.name}."
    here = book.equivalent(book.levels[packet.candidate.level], track)
    return (f"{target.name}'s {name} equivalent, {level.name}, is no step up from where the candidate stands there "
            f"({here.name if here else level.name}). This is the verdict for {target.name}.")


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
        "track_names": {t: track.name for t, track in book.tracks.items()},
    }


def _plan_for(book: Rulebook, packet: Packet) -> dict[str, Any]:
    evaluation = evaluate(book, packet)
    document = explain(book, evaluation)
    results = {r.criterion.id: r for _, found in evaluation.all_evidence.competencies for r in found}
    names = {c["id"]: c["name"] for c in document["competencies"]}
    months = document["candidate"]["months_at_level"]
    steps = []
    for order, (competency, item) in enumerate((c["id"], i) for c in document["competencies"] for i in c["criteria"]):
        if item["met"] or not item["required"]:
            continue
        step = _step(book, packet, item, results[item["id"]], months)
        steps.append(step | {"competency": names[competency], "criterion": item["id"], "have": item["observed"],
                             "need": item["needed"], "order": order})
    for points in evaluation.all_evidence.points:
        if not points.met:
            steps.append(_points_step(book, evaluation, points))
    if verify := _verify_step(document["verdict"], document["evidence_confidence"]):
        steps.append(verify)
    # What evidence cannot fix comes first: the level to reach, then the time to wait.
    steps.sort(key=lambda s: (WAITS.index(s["waits_for"]), s["gap"], s["still_needed"], s["order"]))
    reach = next((s["reach"] for s in steps if s["waits_for"] == "level"), None)
    for step in steps:
        del step["order"]
        step.pop("reach", None)
    current = book.levels[packet.candidate.level].name
    return {
        "track": packet.target.track, "track_name": book.tracks[packet.target.track].name,
        "level": packet.target.id, "name": packet.target.name,
        "verdict": document["verdict"], "headline": document["headline"],
        "not_open": f"{packet.target.name} is not open to {indefinite(current)}: first reach {join_words(reach, 'or')}." if reach else None,
        "steps": steps,
    }


WAITS = ("level", "time", None)  # step order: a level to reach, months to wait, then evidence
RANK = {"not_ready": 0, "nearly": 1, "ready": 2}


def _verify_step(verdict: str, confidence: dict) -> dict[str, Any] | None:
    """When the verdict rests on records nobody has verified (on verified records alone it would
    be lower), getting them verified is a step: 'Get H-1 and H-2 verified'. Not when verified
    evidence alone would give a better verdict (a disputed finding): resolving it is the step."""
    alone = confidence["verified_only_verdict"]
    records = confidence["depends_on"]
    if RANK[alone] >= RANK[verdict] or not records:
        return None
    ids = join_words([r["id"] for r in records], "and")
    which = "; ".join(f"{record_label(r)} is {r['confidence']}" for r in records)
    return {"competency": "Evidence", "criterion": "verification",
            "text": f"Get {ids} verified: on verified evidence alone the verdict would be "
                    f"{VERDICT_WORDS[alone].lower()} ({which})",
            "waits_for": None, "have": None, "need": None, "still_needed": len(records), "gap": 0.0,
            "order": 20_000, "closest": []}


def _step(book: Rulebook, packet: Packet, item: dict, result: CriterionResult, months: int) -> dict[str, Any]:
    """One unmet required criterion as a step: its text, how far off it is, and what it waits for."""
    needed, observed = item["needed"], item["observed"]
    kind, step = item["kind"], {"waits_for": None, "closest": []}
    if kind == "none_of":
        # A blocker to clear comes first: each record found and what clears it, or (no record
        # behind the finding) what was found.
        findings = _clearing(book, packet, result)
        text = f"{item['description']}: {'; '.join(findings) or item['statement']}"
        still, gap = len(findings) or int(observed), 0.0
    elif kind == "candidate":
        return step | _candidate_step(book, packet, item, result, months)
    elif kind == "no_disputed":
        ids = list(result.counted)
        text = f"{item['description']}: get {join_words(ids, 'and')} resolved ({item['statement']})"
        still, gap = len(ids), 0.0
    elif kind in ("all_of", "any_of", "k_of"):
        open_children = [c["description"] for c in item.get("children", []) if not c["met"]]
        still = int(needed - observed)
        text = f"{item['description']}: {still} more of these: " + "; ".join(open_children)
        gap = still / needed if needed else 1.0
    else:
        still = needed - observed
        more = f"{_number(still)} more {counted_unit(book, result.criterion, still)}"  # what to go and show
        # A record the candidate has, short only of a number, is a step in its own terms.
        own = Outcomes(book, packet).own_terms(result)
        standing = "; ".join(b["text"] for b in item.get("best", ()))  # a best-per sum: where each key stands
        where = f": {standing}" if standing else ""
        text = f"{item['description']}: {own or _none_yet(book, result) or f'{more} (you have {_number(observed)} of {_number(needed)}{where})'}"
        if aside := set_aside(result):  # records the candidate has, waiting on a dispute
            text += (f"; or get {join_words(aside, 'and')} resolved: {'it is' if len(aside) == 1 else 'they are'} "
                     f"disputed and count{'s' if len(aside) == 1 else ''} toward nothing until then")
        gap = still / needed if needed else 1.0
        closest = sorted(item["not_counted"], key=lambda m: len(m["reasons"]))[:2]
        step["closest"] = [f"{record_label(m)}: {'; '.join(m['reasons'])}" for m in closest]
    return step | {"text": text, "still_needed": _number(still), "gap": round(gap, 4)}


def _none_yet(book: Rulebook, result: CriterionResult) -> str | None:
    """A criterion asking for one record with conditions, when the candidate has none of that
    type at all, said by what the record must show ('no team growth record yet: needs a team
    growth record where direct reports is at least 4'), not '1 more team growth record (0 of 1)':
    the conditions are the quantity that matters."""
    criterion = result.criterion
    if (not isinstance(criterion, CountCriterion) or criterion.distinct or criterion.at_least != 1
            or result.misses or not criterion.match.terms):
        return None
    evidence = book.evidence[criterion.match.evidence]
    return f"no {evidence.name} yet: needs {requirement(book, criterion)}"


def _candidate_step(book: Rulebook, packet: Packet, item: dict, result: CriterionResult, months: int) -> dict[str, Any]:
    """A condition on the candidate: a level to reach first, or months still to serve."""
    failed = {c.term.field: c.term for miss in result.misses for c in miss.failed if c.term is not None}
    needs = [t.value + (t.op == "gt") for t in result.criterion.terms if t.field == "months_at_level" and t.op in ("gte", "gt")]
    months_needed = max(needs, default=None)
    reach = _levels_to_reach(book, packet, failed["steps_to_target"]) if "steps_to_target" in failed else []
    if reach:
        then = f", then {plural(months_needed, 'month')} at that level" if months_needed else ""
        return {"text": f"{item['description']}: first reach {join_words(reach, 'or')}{then} ({standing(book, packet)})",
                "waits_for": "level", "reach": reach, "still_needed": 1, "gap": 1.0}
    if "months_at_level" in failed and months_needed and months < months_needed:
        still = months_needed - months
        return {"text": f"{item['description']}: {plural(still, 'more month', 'more months')} at the current level "
                        f"(you have {months} of {months_needed})",
                "waits_for": "time", "still_needed": still, "gap": round(still / months_needed, 4)}
    return {"text": f"{item['description']}: {item['statement']}", "still_needed": 1, "gap": 1.0}


def _levels_to_reach(book: Rulebook, packet: Packet, term: Term) -> list[str]:
    """The levels, ahead of the candidate, at which `steps_to_target: N` holds: on the
    candidate's own track if there are any. Empty when the term fails for another reason
    (the candidate already stands at or above those levels)."""
    target, current = packet.target, book.levels[packet.candidate.level]
    steps = candidate_fields(book, packet)["steps_to_target"]
    if term.op != "eq" or (steps is not None and steps <= term.value):
        return []
    fitting = [level for level in book.levels.values()
               if (eq := book.equivalent(level, target.track)) is not None and target.rank - eq.rank == term.value]
    own = [level.name for level in fitting if level.track == current.track and level.rank > current.rank]
    return own or [level.name for level in fitting]


def _clearing(book: Rulebook, packet: Packet, result: CriterionResult) -> list[str]:
    """What clears each record behind a `none_of` finding: a disputed record needs the committee
    to resolve the dispute; any record stops counting once it leaves every window it is found
    in. Only the findings that hold count, and each record is said once."""
    records = {r.id: r for r in packet.records}
    # record id -> (0, date it leaves, window) < (1, window) not before the calendar ends
    # < (2,) ongoing < (3,) no limit: the latest of the windows a record is found in
    until: dict[str, tuple] = {}
    for child in result.children:
        for inner in child.walk() if child.met else ():
            if not inner.met:
                continue
            window = getattr(inner.criterion, "match", None) and inner.criterion.match.window
            for record_id in inner.counted:
                end = records[record_id].end
                leaves = _leaves(window, end) if window and end else None
                key = (0, leaves, window.adjective) if leaves else (1, window.adjective) if window and end else (2,) if window else (3,)
                until[record_id] = max(until.get(record_id, key), key)
    parts = []
    for record_id, key in until.items():
        record = records[record_id]
        label = record_label({"id": record.id, "title": record.title})
        if key[0] == 0:
            when = f"it stops counting on {key[1]}, when it leaves the {key[2]} window"
        elif key[0] == 1:
            when = f"it stays in the {key[1]} window past {date.max}, the last day of the calendar"
        else:
            when = "it counts for as long as it is ongoing" if key[0] == 2 else "it counts with no time limit"
        if record.confidence == "disputed":
            parts.append(f"{label} is disputed: the committee must resolve the dispute (otherwise {when})")
        else:
            parts.append(f"{label}: {when}")
    return parts


def _leaves(window: Window, end: date) -> date | None:
    """The first as-of date at which a record that ended on `end` is outside `window`
    (the window's first day is after `end`); None if there is none in the calendar."""
    low, high = end.toordinal() + 1, min(end.toordinal() + window.amount * 372 + 8, date.max.toordinal())
    if window.cutoff(date.fromordinal(high)) <= end:
        return None
    while low < high:  # cutoff grows with the as-of date: find its first step past `end`
        middle = (low + high) // 2
        if window.cutoff(date.fromordinal(middle)) > end:
            high = middle
        else:
            low = middle + 1
    return date.fromordinal(low)


def _points_step(book: Rulebook, evaluation: Evaluation, points: PointsResult) -> dict[str, Any]:
    """Earn the points a requirement is short, suggesting only criteria that earn points in its
    group (any group, for the total) and can still earn more: the cheapest routes first."""
    scope = f" in {points.group}" if points.group else ""
    short = points.needed - points.observed
    found = dict(evaluation.all_evidence.competencies)
    sources = []
    words = Outcomes(book, evaluation.packet)
    for competency in evaluation.rules.competencies:
        if points.group and competency.group != points.group:
            continue
        for order, result in enumerate(found[competency.id]):
            route = _route(book, result, words)
            if route:
                sources.append((route[0], competency.id, order, route[1]))
    sources.sort(key=lambda s: s[:3])
    examples = [text for *_, text in sources[:3]]
    return {"competency": "Points", "criterion": f"points:{points.group}" if points.group else "points",
            "text": f"Earn {plural(short, 'more point', 'more points')}{scope} (you have {points.observed} of {points.needed})"
                    + (": for example, " + "; ".join(examples) if examples else ""),
            "waits_for": None, "have": points.observed, "need": points.needed, "still_needed": short,
            "gap": round(short / points.needed, 4), "order": 10_000, "closest": []}


def _route(book: Rulebook, result: CriterionResult, words: Outcomes) -> tuple[tuple, str] | None:
    """How a criterion could earn more points, with a sort key (cheapest first): one more record
    for a criterion already earning per record, then any per-record criterion, then a criterion
    whose points come when it is met, nearest first. None if it can earn no more."""
    criterion = result.criterion
    description = criterion.description or requirement(book, criterion)
    if criterion.points_each:
        if criterion.max_points is not None and result.points >= criterion.max_points:
            return None
        unit = counted_unit(book, criterion)
        so_far = (f"{result.points} of a possible {plural(criterion.max_points, 'point')}" if criterion.max_points is not None
                  else f"{plural(result.points, 'point')} so far")
        return (0 if result.points else 1, -criterion.points_each), \
            f"{description} ({so_far}; {criterion.points_each} more per {unit})"
    if criterion.points and not result.met:
        if isinstance(criterion, (CountCriterion, SumCriterion)):
            gap = (result.needed - result.observed) / result.needed if result.needed else 1.0
            have = words.own_terms(result) or f"you have {words.quantity(result)}"
            return (2, gap), f"{description} ({plural(criterion.points, 'point')}; {have})"
        return (2, 1.0), f"{description} ({plural(criterion.points, 'point')})"
    return None


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)
