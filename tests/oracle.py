"""The rule semantics of docs/rules.md, restated as a small, deliberately plain evaluator.

It works on the raw rulebook and packet dicts (as read from YAML) and shares no code with the
engine, so that tests/matching/test_differential.py can require the two to agree. Every function below
is one paragraph of docs/rules.md; it assumes its input is valid (the engine checks that).

Besides verdicts and counts it states why each record of a count or sum did not count (the
README's "the records that came closest with the condition each failed"), as condition names:
`"<field> <operator>"` for a `where` condition (`"team present"` for the field a `distinct`,
a `sum` or a `linked.by` needs), `"window"`, `"as-of"` and `"disputed"` (set aside by the
rulebook's `disputed` policy). A record's own conditions come first;
only a record that fails none of them is explained by its linked record."""
from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

COMPOSITES = ("all_of", "any_of", "none_of", "k_of")
CANDIDATE_FIELD_TYPES = {
    "months_at_level": "integer", "steps_to_target": "integer", "nominated": "boolean",
    "track": "string", "level": "string", "team": "string",
}


@dataclass(frozen=True)
class WhyNot:
    """Why one record (or the candidate) did not count: the conditions it failed, else its link."""

    failed: tuple[str, ...]  # sorted, each once
    linked: str | None = None  # the record it links to, when only that record stands in the way
    linked_failed: tuple[str, ...] | None = None  # None: the linked record is not among those considered


@dataclass
class Outcome:
    met: bool
    observed: float  # records counted, distinct values, sum, children met, or 1/0 (candidate)
    counted: frozenset = frozenset()  # record ids, for count and sum
    points: int = 0
    needed: float = 0  # at_least; children to be met (none for none_of); 1 for the candidate
    why_not: dict[str, WhyNot] = field(default_factory=dict)  # record id (or "candidate") -> why


@dataclass
class Assessment:
    verdict: str  # ready | nearly | not_ready
    results: dict[str, Outcome]  # every criterion at any depth, by id
    points: dict[str | None, tuple[float, int]]  # group (None: the total) -> (observed, needed)


@dataclass
class OracleResult:
    target: str
    all_evidence: Assessment
    verified_only: Assessment


@dataclass
class Record:
    id: str
    type: str
    start: date
    end: date | None  # None: an ongoing span
    verified: bool
    values: dict = field(default_factory=dict)  # the type's declared fields the record has
    confidence: str = "self-reported"


# ------------------------------------------------------------------------------- dates

def day(text: str) -> date:
    return date.fromisoformat(text)


def months_before(when: date, months: int) -> date:
    """`months` calendar months before `when`, a month-end day clamped (03-31 -> 02-28)."""
    year, month0 = divmod(when.year * 12 + when.month - 1 - months, 12)
    return date(year, month0 + 1, min(when.day, calendar.monthrange(year, month0 + 1)[1]))


def window_start(as_of: date, within: str) -> date:
    """First day of the window: as_of minus `within` (weeks are 7 days, years 12 months)."""
    amount, unit = within.split()
    amount, unit = int(amount), unit.rstrip("s")
    if unit == "day":
        return as_of - timedelta(days=amount)
    if unit == "week":
        return as_of - timedelta(days=7 * amount)
    return months_before(as_of, amount * (12 if unit == "year" else 1))


def whole_months(start: date, end: date) -> int:
    """A month is complete when the day of the month is reached (03-31 to 04-30 is 0)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


# -------------------------------------------------------------------------- conditions

def pattern(text: str) -> str:
    """`matches`: `*` is any text (possibly empty, newlines included), the rest is literal."""
    return ".*".join(re.escape(part) for part in text.split("*"))


TESTS = {  # operator -> does the record's value pass it
    "eq": lambda value, wanted: value == wanted,
    "ne": lambda value, wanted: value != wanted,
    "lt": lambda value, wanted: value < wanted,
    "lte": lambda value, wanted: value <= wanted,
    "gt": lambda value, wanted: value > wanted,
    "gte": lambda value, wanted: value >= wanted,
    "in": lambda value, wanted: value in wanted,
    "not_in": lambda value, wanted: value not in wanted,
    "contains": lambda value, wanted: wanted in value,  # list: has the item; text: has the substring
    "matches": lambda value, wanted: re.fullmatch(pattern(wanted), value, re.DOTALL) is not None,
    "present": lambda value, wanted: True,
}


def same_text(value):
    """`distinct` ignores case and runs of spaces in text: "Platform-Infra " is platform-infra."""
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def holds(op: str, kind: str, has: bool, value, wanted) -> bool:
    """One operator; a condition on a field the record does not have fails, except `absent`."""
    if op == "absent":
        return not has
    if not has:
        return False
    if kind == "date" and op != "present":  # dates compare as dates
        value, wanted = day(value), day(wanted)
    return TESTS[op](value, wanted)


def where_fails(where: dict, kinds: dict[str, str], values: dict, who: dict | None = None) -> set[str]:
    """`where`: field -> value (eq) or field -> {operator: value, ...}; all must hold. The
    conditions that do not, as "<field> <operator>". A value `{candidate: FIELD}` is the
    candidate's FIELD in `who`; a candidate without it fails the condition."""
    failed = set()
    for name, spec in where.items():
        operators = {"eq": spec} if not isinstance(spec, dict) or "candidate" in spec else spec
        for op, wanted in operators.items():
            if isinstance(wanted, dict):
                if wanted["candidate"] not in (who or {}):
                    failed.add(f"{name} {op}")
                    continue
                wanted = who[wanted["candidate"]]
            if not holds(op, kinds[name], name in values, values.get(name), wanted):
                failed.add(f"{name} {op}")
    return failed


CANDIDATE_VALUES = ("id", "name", "team", "manager", "track", "level")  # docs/rules.md, "The candidate in a condition"


# ---------------------------------------------------------------------------- criteria

def types_of(spec: dict) -> list[str]:
    """`evidence: talk` or `evidence: [talk, training]`: the types a count or sum takes together."""
    return [spec["evidence"]] if isinstance(spec["evidence"], str) else spec["evidence"]


class Judge:
    def __init__(self, evidence: dict, records: list[Record], as_of: date, candidate_facts: dict, who: dict | None = None,
                 disputed: str = "ignore"):
        self.disputed = disputed  # ladder.yaml's policy (docs/rules.md, "Confidence")
        self.types = evidence["types"]
        self.records = records
        self.by_id = {r.id: r for r in records}
        self.as_of = as_of
        self.facts = candidate_facts
        self.who = who or {}
        self.results: dict[str, Outcome] = {}

    def kinds(self, type_id: str) -> dict[str, str]:
        """Field types, a record's confidence among them (an enum every record has)."""
        return {name: spec["type"] for name, spec in self.types[type_id]["fields"].items()} | {"confidence": "enum"}

    def set_aside(self, record: Record, where: dict, against: bool) -> bool:
        """Whether the policy sets this record aside: it is disputed, the conditions do not test
        confidence themselves, and the policy is ignore (or hold, where it would count for)."""
        policy = self.disputed == "ignore" or (self.disputed == "hold" and not against)
        return policy and record.confidence == "disputed" and "confidence" not in where

    def why_not(self, spec: dict, record: Record, needs: tuple[str, ...] = (), against: bool = False) -> WhyNot | None:
        """None when a record of the criterion's type matches; else why not. `needs`: fields
        the criterion needs the record to have (a `distinct` field, a `sum` field)."""
        failed = where_fails(spec.get("where", {}), self.kinds(record.type), record.values | {"confidence": record.confidence}, self.who)
        if self.set_aside(record, spec.get("where", {}), against):
            failed.add("disputed")
        linked = spec.get("linked")
        failed |= {f"{name} present" for name in needs + ((linked["by"],) if linked else ()) if name not in record.values}
        if "within" in spec and record.end is not None and record.end < window_start(self.as_of, spec["within"]):
            failed.add("window")
        if record.start > self.as_of:
            failed.add("as-of")
        if failed:
            return WhyNot(tuple(sorted(failed)))
        if linked:
            other_id = record.values[linked["by"]]
            other = self.by_id.get(other_id)  # None when not in the packet (or not verified)
            if other is None:
                return WhyNot((), other_id, None)
            other_failed = where_fails(linked.get("where", {}), self.kinds(other.type), other.values | {"confidence": other.confidence}, self.who)
            if self.set_aside(other, linked.get("where", {}), against):
                other_failed.add("disputed")
            if other.start > self.as_of:  # no window applies to the linked record
                other_failed.add("as-of")
            if other_failed:
                return WhyNot((), other_id, tuple(sorted(other_failed)))
        return None

    def matching(self, spec: dict, needs: tuple[str, ...] = (), against: bool = False) -> tuple[list[Record], dict[str, WhyNot]]:
        """The records of the criterion's types that match, and why each other one does not."""
        found, why = [], {}
        for record in self.records:
            if record.type not in types_of(spec):
                continue
            reason = self.why_not(spec, record, needs, against)
            if reason is None:
                found.append(record)
            else:
                why[record.id] = reason
        return found, why

    def span_amount(self, spec: dict):
        """`span`: the part of a record's span from the window's first day (or its start) to
        as_of (or its end), as the difference of those two days, in weeks or months."""
        def amount(r: Record) -> float:
            low = max(r.start, window_start(self.as_of, spec["within"])) if "within" in spec else r.start
            high = self.as_of if r.end is None else min(r.end, self.as_of)
            if high <= low:
                return 0.0
            if spec["span"] == "weeks":
                return (high - low).days / 7
            return span_months(low, high)
        return amount

    def judge(self, criterion: dict, against: bool = False) -> bool:
        """`against`: the criterion sits under an odd number of none_of (what it finds holds the
        candidate back)."""
        outcome = self.outcome(criterion, against)
        self.results[criterion["id"]] = outcome
        return outcome.met

    def disputed_records(self, spec) -> list[Record]:
        """`no_disputed`: the disputed records of the types (every type for `true`), on or before
        as_of and inside the window."""
        spec = spec if isinstance(spec, dict) else {}
        types = types_of(spec) if "evidence" in spec else list(self.types)
        first = window_start(self.as_of, spec["within"]) if "within" in spec else None
        return [r for r in self.records if r.type in types and r.confidence == "disputed" and r.start <= self.as_of
                and (first is None or r.end is None or r.end >= first)]

    def outcome(self, c: dict, against: bool = False) -> Outcome:
        if "no_disputed" in c:
            found = self.disputed_records(c["no_disputed"])
            return Outcome(not found, len(found), frozenset(r.id for r in found), needed=0)
        if "count" in c:
            spec = c["count"]
            # With `distinct`, only records that have the field count.
            found, why = self.matching(spec, (spec["distinct"],) if "distinct" in spec else (), against)
            if "distinct" in spec:
                observed = len({same_text(r.values[spec["distinct"]]) for r in found})
            else:
                observed = len(found)
            needed = spec.get("at_least", 1)
            return Outcome(observed >= needed, observed, frozenset(r.id for r in found), needed=needed, why_not=why)
        if "sum" in c:
            spec = c["sum"]
            needs = (() if "span" in spec else (spec["field"],)) + ((spec["best_per"],) if "best_per" in spec else ())
            found, why = self.matching(spec, needs, against)  # only records that have the field (and the key) count
            amount = self.span_amount(spec) if "span" in spec else (lambda r: r.values[spec["field"]])
            if "best_per" in spec:
                found = best_per(found, amount, spec["best_per"])
            total = sum(amount(r) for r in found)
            return Outcome(total >= spec["at_least"], total, frozenset(r.id for r in found), needed=spec["at_least"], why_not=why)
        if "candidate" in c:
            failed = where_fails(c["candidate"], CANDIDATE_FIELD_TYPES, self.facts)
            return Outcome(not failed, 0 if failed else 1, needed=1,
                           why_not={"candidate": WhyNot(tuple(sorted(failed)))} if failed else {})
        kind = next(k for k in COMPOSITES if k in c)
        children = c["k_of"]["of"] if kind == "k_of" else c[kind]
        met_count = sum(self.judge(child, against != (kind == "none_of")) for child in children)  # judge every child
        needed = {"all_of": len(children), "any_of": 1, "none_of": 0, "k_of": c.get("k_of", {}).get("k", 0)}[kind]
        met = met_count == 0 if kind == "none_of" else met_count >= needed
        return Outcome(met, met_count, needed=needed)


def span_months(low: date, high: date) -> float:
    """Months from low to high: step back a month at a time from high while still on or after
    low; the month that would pass low counts by the share of its days that lie after low."""
    n = 0
    while months_before(high, n + 1) >= low:
        n += 1
    inner, outer = months_before(high, n), months_before(high, n + 1)
    return n + (inner - low).days / (inner - outer).days


def best_per(records: list[Record], amount, key: str) -> list[Record]:
    """`best_per`: of the records that have the key field, per key (compared as `distinct`
    compares), the one with the highest amount; of equals, the first in the packet."""
    best = {}
    for r in records:
        if key not in r.values:
            continue
        k = same_text(r.values[key])
        if k not in best or amount(r) > amount(best[k]):
            best[k] = r
    return list(best.values())


def points_of(c: dict, outcome: Outcome) -> int:
    """Top-level only: `points` when met; `points_each` per record / distinct value / unit of a
    sum (never below 0), capped."""
    if "points" in c:
        return c["points"] if outcome.met else 0
    if "points_each" in c:
        return max(0, int(min(c["points_each"] * outcome.observed, c.get("max_points", math.inf))))
    return 0


# ------------------------------------------------------------------------------ levels

def resolve(levels: dict[str, dict], level_id: str) -> list[dict]:
    """The level's competencies with `builds_on` applied (recursively)."""
    raw = levels[level_id]
    competencies = []
    if raw.get("builds_on"):
        competencies = [dict(c, criteria=list(c["criteria"])) for c in resolve(levels, raw["builds_on"])]
    for own in raw["competencies"]:
        inherited = next((c for c in competencies if c["id"] == own["id"]), None)
        if inherited is None:
            competencies.append({"id": own["id"], "group": own.get("group"), "criteria": list(own.get("criteria", []))})
            continue
        if "group" in own:
            inherited["group"] = own["group"]
        for criterion in own.get("criteria", []):  # none: the level only describes it in its own words
            ids = [c["id"] for c in inherited["criteria"]]
            if criterion["id"] in ids:
                inherited["criteria"][ids.index(criterion["id"])] = criterion  # replaced in place
            else:
                inherited["criteria"].append(criterion)
    return competencies


def within_allowance(short: float, needed: float, allowance: int | str) -> bool:
    """Whether `short` points is within the nearly allowance: a number of points, or "N%" of
    what the requirement needs."""
    if isinstance(allowance, str):
        return short <= needed * int(allowance[:-1]) / 100
    return short <= allowance


def nearly_settings(ladder: dict, level: dict) -> dict:
    settings = {"max_unmet": 1, "max_points_short": "10%"}
    settings.update(ladder.get("nearly") or {})
    settings.update(level.get("nearly") or {})
    return settings


def level_position(ladder: dict, level_id: str) -> tuple[str, int]:
    for track_id, track in ladder["tracks"].items():
        ids = [lv["id"] for lv in track["levels"]]
        if level_id in ids:
            return track_id, ids.index(level_id)
    raise KeyError(level_id)


def candidate_facts(ladder: dict, packet: dict, target: str, as_of: date) -> dict:
    person = packet["candidate"]
    facts = {"months_at_level": whole_months(day(person["level_since"]), as_of),
             "track": person["track"], "level": person["level"]}
    for name in ("nominated", "team"):
        if name in person:
            facts[name] = person[name]
    target_track, target_rank = level_position(ladder, target)
    if person["track"] == target_track:
        current = person["level"]
    else:
        current = next((row[target_track] for row in ladder["equivalence"]
                        if row.get(person["track"]) == person["level"] and target_track in row), None)
    if current is not None:
        facts["steps_to_target"] = target_rank - level_position(ladder, current)[1]
    return facts


def read_records(evidence: dict, packet: dict) -> list[Record]:
    records = []
    for raw in packet["evidence"]:
        declared = evidence["types"][raw["type"]]
        if declared["dates"] == "point":
            start = end = day(raw["date"])
        else:
            start, end = day(raw["start"]), (day(raw["end"]) if "end" in raw else None)
        values = {name: raw[name] for name in declared["fields"] if name in raw}
        confidence = raw.get("confidence", "self-reported")
        records.append(Record(raw["id"], raw["type"], start, end, confidence == "verified", values, confidence))
    return records


# ----------------------------------------------------------------------------- verdict

def assess(ladder, evidence, levels, packet, target, records) -> Assessment:
    as_of = day(packet["as_of"])
    who = {name: packet["candidate"][name] for name in CANDIDATE_VALUES if name in packet["candidate"]}
    judge = Judge(evidence, records, as_of, candidate_facts(ladder, packet, target, as_of), who, ladder.get("disputed", "ignore"))
    unmet, blocked, total, group_points = 0, False, 0, {}
    for competency in resolve(levels, target):
        for criterion in competency["criteria"]:
            met = judge.judge(criterion)
            outcome = judge.results[criterion["id"]]
            outcome.points = points_of(criterion, outcome)
            total += outcome.points
            if competency["group"]:
                group_points[competency["group"]] = group_points.get(competency["group"], 0) + outcome.points
            if criterion.get("required", True) and not met:
                unmet += 1
                blocked = blocked or criterion.get("blocker", False)
    rules = levels[target].get("points", {})
    points = {}
    if "at_least" in rules:
        points[None] = (total, rules["at_least"])
    for group, needed in rules.get("groups", {}).items():
        points[group] = (group_points.get(group, 0), needed)
    short = [(needed - got, needed) for got, needed in points.values() if got < needed]
    unmet += len(short)
    nearly = nearly_settings(ladder, levels[target])
    if unmet == 0:
        verdict = "ready"
    elif (not blocked and unmet <= nearly["max_unmet"]
          and all(within_allowance(s, needed, nearly["max_points_short"]) for s, needed in short)):
        verdict = "nearly"
    else:
        verdict = "not_ready"
    return Assessment(verdict, judge.results, points)


def default_target(ladder: dict, packet: dict) -> str:
    levels = [lv["id"] for lv in ladder["tracks"][packet["candidate"]["track"]]["levels"]]
    return levels[levels.index(packet["candidate"]["level"]) + 1]


def read_rules(directory: Path) -> tuple[dict, dict, list[dict]]:
    """A rules directory's files as plain data, as `evaluate` takes them: ladder.yaml,
    evidence.yaml, and levels/*.yaml in name order. The directory is the caller's to find
    (`api.default_rules_dir()`), so that the oracle still shares no code with the engine."""
    levels = [yaml.safe_load(path.read_text()) for path in sorted((directory / "levels").glob("*.yaml"))]
    return yaml.safe_load((directory / "ladder.yaml").read_text()), yaml.safe_load((directory / "evidence.yaml").read_text()), levels


def evaluate(ladder: dict, evidence: dict, levels: list[dict], packet: dict) -> OracleResult:
    by_id = {level["level"]: level for level in levels}
    target = packet.get("target") or default_target(ladder, packet)
    records = read_records(evidence, packet)
    verified = [r for r in records if r.verified]  # as if the others were not in the packet
    return OracleResult(target, assess(ladder, evidence, by_id, packet, target, records),
                        assess(ladder, evidence, by_id, packet, target, verified))
