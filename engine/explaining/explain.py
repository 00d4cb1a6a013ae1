"""Stage 5, explain: an evaluation as a plain, JSON-ready verdict a person can act on.

Every sentence is built from the rulebook's own words (descriptions, evidence names, field
names) and the engine's matches; nothing here decides anything. The document's shape is
`schemas/verdict.schema.json`."""
from __future__ import annotations

from typing import Any

from engine.matching.compile import Condition
from engine.matching.evaluate import NEARLY, NOT_READY, READY, Assessment, CriterionResult, Evaluation, Miss, candidate_fields
from engine.reading.model import (
    CandidateCriterion,
    CompositeCriterion,
    CountCriterion,
    Criterion,
    Packet,
    Rulebook,
    SumCriterion,
    Term,
    Window,
    months_between,
)

VERDICT_WORDS = {READY: "Ready", NEARLY: "Nearly ready", NOT_READY: "Not ready"}
_OPS = {"eq": "is", "ne": "is not", "lt": "is less than", "lte": "is at most", "gt": "is more than", "gte": "is at least"}
_NEEDS = {"eq": "{v}", "ne": "anything but {v}", "lt": "less than {v}", "lte": "at most {v}", "gt": "more than {v}",
          "gte": "at least {v}", "in": "one of {v}", "not_in": "none of {v}", "matches": "to match {v}"}


def explain(rulebook: Rulebook, evaluation: Evaluation) -> dict[str, Any]:
    packet, rules = evaluation.packet, evaluation.rules
    full = evaluation.all_evidence
    words = _Words(rulebook, packet)
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
        short = f", points at most {rules.nearly.max_points_short} short" if rules.nearly.max_points_short is not None and full.points else ""
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
    if nearly.max_points_short is not None:
        for points in assessment.points:
            if points.needed - points.observed > nearly.max_points_short:
                scope = f"points in {points.group}" if points.group else "points"
                parts.append(f"{scope}: {points.needed - points.observed} short of {points.needed}, "
                             f"nearly allows at most {nearly.max_points_short} short")
    return parts


def _points_json(points) -> dict:
    return {"group": points.group, "observed": points.observed, "needed": points.needed, "met": points.met}


def _confidence(evaluation: Evaluation, words: "_Words") -> dict[str, Any]:
    full, verified = evaluation.all_evidence, evaluation.verified_only
    records = {r.id: r for r in evaluation.packet.records}
    unverified = sorted((r for r in records.values() if r.confidence != "verified"), key=lambda r: r.index)
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
        "depends_on": [
            {"id": r.id, "title": r.title, "confidence": r.confidence, "criteria": depends[r.id]}
            for r in unverified if r.id in depends
        ],
    }
    if differs:
        note = (f"On verified evidence alone the verdict would be {VERDICT_WORDS[verified.verdict].lower()} "
                f"(on all evidence: {VERDICT_WORDS[full.verdict].lower()}).")
        if result["depends_on"]:
            note += " Check these records: " + ", ".join(f"{r['id']} ({r['confidence']})" for r in result["depends_on"]) + "."
        result["note"] = note
    return result


def _changed(full: Assessment, verified: Assessment) -> list[CriterionResult]:
    """Top-level criteria whose outcome or points change when only verified records are kept."""
    after = {r.criterion.id: r for _, results in verified.competencies for r in results}
    return [r for _, results in full.competencies for r in results
            if (r.met, r.points) != (after[r.criterion.id].met, after[r.criterion.id].points)]


def quantity(rulebook: Rulebook, result: CriterionResult) -> str:
    """A count or sum against what it needs, with its unit: '1 of 2 design docs',
    '0 of 3 promotions across team growth records'."""
    needed = _number(result.criterion.at_least)
    return f"{_number(result.observed)} of {needed} {counted_unit(rulebook, result.criterion, needed)}"


def standing(rulebook: Rulebook, packet: Packet) -> str:
    """Where the candidate stands relative to the packet's target, in words."""
    return _Words(rulebook, packet)._standing(candidate_fields(rulebook, packet)["steps_to_target"])


def requirement(rulebook: Rulebook, criterion: Criterion) -> str:
    """The rule itself in words, e.g. 'at least 2 projects where role is lead, in the last 24 months'."""
    return _Words(rulebook, None).requirement(criterion)


class _Words:
    """Sentences about criteria and records, from the rulebook's own vocabulary."""

    def __init__(self, rulebook: Rulebook, packet: Packet | None):
        self.rulebook, self.packet = rulebook, packet
        self.records = {r.id: r for r in packet.records} if packet else {}

    # ---------------------------------------------------------------------------- criteria

    def criterion(self, result: CriterionResult) -> dict[str, Any]:
        criterion = result.criterion
        item: dict[str, Any] = {
            "id": criterion.id,
            "kind": criterion.kind,
            "description": criterion.description or _capital(self.requirement(criterion)),
            "requirement": self.requirement(criterion),
            "required": criterion.required,
            "blocker": criterion.blocker,
            "inherited_from": criterion.inherited_from,
            "inherited_from_name": self.rulebook.levels[criterion.inherited_from].name if criterion.inherited_from else None,
            "met": result.met,
            "observed": _number(result.observed),
            "needed": _number(result.needed),
            "statement": self.statement(result),
            "counted": [self._record_ref(rid) for rid in result.counted],
            "not_counted": [self._miss(criterion, miss) for miss in result.misses],
        }
        if isinstance(criterion, CountCriterion) and criterion.distinct:
            item["distinct_values"] = list(result.distinct_values)
        if criterion.points or criterion.points_each:
            item["points"] = result.points
        if result.children:
            item["children"] = [self.criterion(child) for child in result.children]
            if criterion.kind == "none_of":  # a child met is a finding against the candidate
                for child in item["children"]:
                    found = ", ".join(r["id"] for r in child["counted"])
                    child["statement"] = f"found: {found}" if child["met"] else "none found"
        return item

    def requirement(self, criterion: Criterion) -> str:
        if isinstance(criterion, CountCriterion):
            evidence = self.rulebook.evidence[criterion.match.evidence]
            noun = evidence.name if criterion.at_least == 1 else evidence.plural
            if criterion.distinct:
                head = f"at least {criterion.at_least} different {_words(criterion.distinct)} {noun_for(criterion.at_least, 'value')} among {evidence.plural}"
            else:
                head = f"at least {criterion.at_least} {noun}"
            return head + self._match_clause(criterion.match)
        if isinstance(criterion, SumCriterion):
            evidence = self.rulebook.evidence[criterion.match.evidence]
            return f"{_words(criterion.field)} adding up to at least {_number(criterion.at_least)} over {evidence.plural}" + self._match_clause(criterion.match)
        if isinstance(criterion, CandidateCriterion):
            return "the candidate " + join_words([_candidate_phrase(t) for t in criterion.terms], "and")
        head = {"all_of": "all of", "any_of": "at least one of", "none_of": "none of"}.get(criterion.kind, f"at least {criterion.k} of")
        return f"{head}: " + "; ".join(c.description or self.requirement(c) for c in criterion.children)

    def _match_clause(self, match) -> str:
        parts = []
        if match.terms:
            parts.append(" where " + join_words([term_phrase(t) for t in match.terms], "and"))
        if match.link:
            target = self.rulebook.evidence[match.link.evidence]
            linked = f" whose {_words(match.link.by)} is {indefinite(target.name)}"
            if match.link.terms:
                linked += " where " + join_words([term_phrase(t) for t in match.link.terms], "and")
            parts.append(("," if parts else "") + linked)
        if match.window:
            parts.append(f", in the last {match.window}" if parts else f" in the last {match.window}")
        return "".join(parts)

    def statement(self, result: CriterionResult) -> str:
        """Observed against needed: '1 of 2 projects in the last 12 months', '3 mentees (needs 2)'."""
        criterion = result.criterion
        if isinstance(criterion, CandidateCriterion):
            facts = self._candidate_facts(criterion)
            return "; ".join(facts) if result.met else "; ".join(self._miss(criterion, m)["reasons"][0] for m in result.misses)
        if isinstance(criterion, CompositeCriterion):
            met = int(result.observed)
            if criterion.kind == "none_of":
                return "none found" if result.met else f"{met} found, needs none"
            return f"{met} of {len(criterion.children)} met, needs {int(result.needed)}"
        observed, needed = _number(result.observed), _number(criterion.at_least)
        # An optional criterion with points per record asks for nothing: each record only earns.
        per_record = bool(criterion.points_each) and not criterion.required
        window = f" in the last {criterion.match.window}" if criterion.match.window else ""
        # Which values: two records of one team would read as two teams otherwise.
        values = f" ({', '.join(_listed(v) for v in result.distinct_values)})" if result.distinct_values else ""
        if not result.met and not per_record:
            text = quantity(self.rulebook, result) + values + window
        elif criterion.required:
            text = f"{observed} {counted_unit(self.rulebook, criterion, observed)}{values}{window} (needs {needed})"
        else:
            text = f"{observed} {counted_unit(self.rulebook, criterion, observed)}{values}{window}"
        return text + self._points(result)

    def _points(self, result: CriterionResult) -> str:
        criterion = result.criterion
        if criterion.points_each:
            cap = f", at most {criterion.max_points}" if criterion.max_points is not None else ""
            return f" · {plural(result.points, 'point')} ({criterion.points_each} each{cap})"
        if criterion.points:
            return f" · {plural(result.points, 'point')}" if result.met else f" · 0 of {criterion.points} points"
        return ""

    def missing(self, assessment: Assessment, competency_names: dict[str, str]) -> list[str]:
        lines = []
        for competency_id, results in assessment.competencies:
            for result in results:
                criterion = result.criterion
                if result.met or not criterion.required:
                    continue
                what = criterion.description or _capital(self.requirement(criterion))
                prefix = f"{competency_names[competency_id]}: "
                if criterion.blocker:
                    prefix = "Blocker - " + prefix
                lines.append(f"{prefix}{what} ({self.gap(result)})")
        for points in assessment.points:
            if not points.met:
                scope = f" in {points.group}" if points.group else ""
                lines.append(f"Points{scope}: {points.observed} of {points.needed} ({points.needed - points.observed} more)")
        return lines

    def gap(self, result: CriterionResult) -> str:
        criterion = result.criterion
        if isinstance(criterion, CountCriterion):
            more = int(criterion.at_least - result.observed)
            return f"{more} more; {self.statement(result)}"
        if isinstance(criterion, SumCriterion):
            return f"{_number(criterion.at_least - result.observed)} more; {self.statement(result)}"
        if isinstance(criterion, CompositeCriterion) and criterion.kind == "none_of":
            found = [self.records[rid] for child in result.children if child.met for inner in child.walk() for rid in inner.counted]
            return "found: " + "; ".join(f"{r.id} ({r.title}, {r.confidence})" for r in found)
        return self.statement(result)

    def relied_on(self, result: CriterionResult) -> list[str]:
        """Records a result rests on: those counted, and the records they link to."""
        found = []
        for inner in result.walk():
            link = getattr(inner.criterion, "match", None) and inner.criterion.match.link
            for record_id in inner.counted:
                found.append(record_id)
                if link and self.records[record_id].fields.get(link.by):
                    found.append(self.records[record_id].fields[link.by])
        return list(dict.fromkeys(found))

    # ----------------------------------------------------------------------------- records

    def _record_ref(self, record_id: str) -> dict[str, str]:
        record = self.records[record_id]
        return {"id": record.id, "title": record.title, "confidence": record.confidence}

    def _miss(self, criterion: Criterion, miss: Miss) -> dict[str, Any]:
        if miss.record == "candidate":
            return {"id": "candidate", "title": self.packet.candidate.name,
                    "reasons": [self._candidate_reason(c.term) for c in miss.failed]}
        record = self.records[miss.record]
        reasons = [self.reason(record, condition) for condition in miss.failed]
        if miss.linked:
            linked = self.records.get(miss.linked)
            by = _words(criterion.match.link.by)
            if miss.linked_failed:
                why = "; ".join(self.reason(linked, c) for c in miss.linked_failed)
                reasons.append(f"its {by} {linked.id} ({linked.title}) does not qualify: {why}")
            else:
                reasons.append(f"its {by} {miss.linked} is not verified")
        return {"id": record.id, "title": record.title, "confidence": record.confidence, "reasons": reasons}

    def reason(self, record, condition: Condition) -> str:
        as_of = self.packet.as_of
        if condition.kind == "window":
            window: Window = condition.window
            when = f"ended {record.end}" if record.end and record.end != record.start else f"dated {record.start}"
            return f"{when}, before the {window.adjective} window (from {window.cutoff(as_of)})"
        if condition.kind == "as_of":
            when = f"starts {record.start}" if record.end != record.start else f"dated {record.start}"
            return f"{when}, after the as-of date {as_of}"
        term: Term = condition.term
        return failure(term, record.fields.get(term.field))

    def _candidate_reason(self, term: Term) -> str:
        actual = candidate_fields(self.rulebook, self.packet).get(term.field)
        if term.field == "steps_to_target" and term.op == "eq":
            return f"{self._standing(actual)}; open to candidates at {join_words(self._levels_at(term.value), 'or')}"
        if term.field == "months_at_level" and term.op in _NEEDS:
            return f"{actual} months at the current level, needs {_NEEDS[term.op].format(v=_value(term.value))}"
        return failure(term, actual)

    def _candidate_facts(self, criterion: CandidateCriterion) -> list[str]:
        """What made a candidate criterion hold, in words."""
        values = candidate_fields(self.rulebook, self.packet)
        facts = []
        for field in dict.fromkeys(t.field for t in criterion.terms):
            if field == "steps_to_target":
                facts.append(self._standing(values[field]))
            elif field == "months_at_level":
                facts.append(f"{values[field]} months at the current level")
            else:
                facts.append(f"{_words(field)} is {_value(values[field])}")
        return facts

    def _standing(self, steps: int | None) -> str:
        """Where the candidate stands relative to the target, across tracks if need be."""
        current = self.rulebook.levels[self.packet.candidate.level]
        target = self.packet.target
        if steps is None:
            return f"{current.name} has no equivalent on the {self.rulebook.tracks[target.track].name.lower()} track"
        if current.track != target.track:
            if steps == 0:
                return f"{current.name} stands level with {target.name}"
            equivalent = self.rulebook.equivalent(current, target.track)
            return f"{current.name} stands level with {equivalent.name}, {self._steps(steps)} {target.name}"
        return f"{current.name} is {self._steps(steps)} {target.name}"

    def _levels_at(self, steps: int) -> list[str]:
        """Names of the levels (any track) that stand `steps` below the target; never the target
        or a level above it on its own track (a packet cannot target those)."""
        target = self.packet.target
        return [level.name for level in self.rulebook.levels.values()
                if (eq := self.rulebook.equivalent(level, target.track)) is not None and target.rank - eq.rank == steps
                and (level.track != target.track or steps > 0)] or ["no level"]

    @staticmethod
    def _steps(steps: int) -> str:
        if steps == 0:
            return "the equivalent of"
        if steps == 1:
            return "the level directly below"
        return f"{steps} levels below" if steps > 1 else f"{-steps} level{'s' if steps < -1 else ''} above"


# --------------------------------------------------------------------------------- phrasing

def counted_unit(rulebook: Rulebook, criterion: CountCriterion | SumCriterion, n: float = 1) -> str:
    """What a count or sum counts, agreeing with `n`: 'design docs', 'different teams',
    'promotions across team growth records'."""
    evidence = rulebook.evidence[criterion.match.evidence]
    if isinstance(criterion, SumCriterion):
        return f"{_words(criterion.field)} across {evidence.plural}"
    if criterion.distinct:
        return "different " + noun_for(n, _words(criterion.distinct))
    return noun_for(n, evidence.name, evidence.plural)


def _listed(value: str) -> str:
    """A value in a comma-separated list, quoted when it holds a comma itself."""
    return f'"{value}"' if "," in value else value


def _words(name: str) -> str:
    return name.replace("_", " ")


def plural(n: float, noun: str, nouns: str | None = None) -> str:
    """A number and its noun, agreeing: '1 point', '2 points', '3 required criteria'."""
    return f"{_number(n)} {noun_for(n, noun, nouns)}"


def noun_for(n: float, noun: str, nouns: str | None = None) -> str:
    """The noun that agrees with `n`; the plural is `nouns`, else the noun plus s."""
    return noun if n == 1 else (nouns or (noun if noun.endswith("s") else noun + "s"))


def indefinite(noun: str) -> str:
    """The noun with its article: 'a Staff Engineer', 'an Engineering Manager'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def join_words(parts: list[str], word: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return join_words([_value(v) for v in value], "or")
    if isinstance(value, float):
        return str(_number(value))
    return str(value)


def term_phrase(term: Term) -> str:
    """A condition as a clause: 'role is lead', 'scope is cross-team, org or company'."""
    name, op, value = _words(term.field), term.op, term.value
    if op in _OPS:
        return f"{name} {_OPS[op]} {_value(value)}"
    if op == "in":
        return f"{name} is {_value(value)}"
    if op == "not_in":
        return f"{name} is not {_value(value)}"
    if op == "contains":
        return f"{name} contains {value!r}"
    if op == "matches":
        return f"{name} matches {value!r}"
    return f"{name} is given" if op == "present" else f"{name} is not given"


def _candidate_phrase(term: Term) -> str:
    """A condition on the candidate, in words: 'is at the level directly below the target'."""
    if term.field == "steps_to_target" and term.op == "eq":
        where = {0: "the equivalent of the target level, on another track", 1: "the level directly below the target"}
        return "is at " + where.get(term.value, f"{term.value} levels below the target")
    if term.field == "months_at_level" and term.op in ("gte", "gt"):
        return f"has been at the current level for {'at least' if term.op == 'gte' else 'more than'} {term.value} months"
    return "has " + term_phrase(term)


def failure(term: Term, actual: Any) -> str:
    """Why a value fails a condition: 'status is draft, needs approved'."""
    name, op = _words(term.field), term.op
    if op == "present":
        return f"{name} is missing"
    if op == "absent":
        return f"{name} is {_value(actual)}, needs to be absent"
    if op == "contains":
        needs = f"to contain {term.value!r}"
    elif op in ("in", "not_in"):
        needs = _NEEDS[op].format(v=", ".join(_value(v) for v in term.value) or "nothing")
    else:
        needs = _NEEDS[op].format(v=_value(term.value) if op != "matches" else repr(term.value))
    if actual is None:
        return f"{name} is missing, needs {needs}"
    shown = f"[{', '.join(map(str, actual))}]" if isinstance(actual, list) else _value(actual)
    return f"{name} is {shown}, needs {needs}"
