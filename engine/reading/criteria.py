"""Criteria and their conditions, read from a level file (or calibration.yaml) and checked
against the evidence types the rulebook declares: unknown types and fields, operators that do
not apply to a field's type, values of the wrong type, and the engine's limits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.reading import validate
from engine.reading.dates import parse_date
from engine.reading.load import Document
from engine.reading.model import (
    CANDIDATE_FIELDS,
    CANDIDATE_VALUES,
    CONFIDENCE_FIELD,
    CandidateCriterion,
    CandidateValue,
    CompositeCriterion,
    CountCriterion,
    Criterion,
    EvidenceType,
    Field,
    Link,
    NoDisputedCriterion,
    RecordMatch,
    SumCriterion,
    Term,
    Window,
)
from engine.reading.problems import Problems

OPERATORS_BY_TYPE = {
    "string": ("eq", "ne", "in", "not_in", "contains", "matches", "present", "absent"),
    "enum": ("eq", "ne", "in", "not_in", "present", "absent"),
    "integer": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "absent"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "absent"),
    "boolean": ("eq", "ne", "present", "absent"),
    "date": ("eq", "ne", "lt", "lte", "gt", "gte", "present", "absent"),
    "list": ("contains", "present", "absent"),
    "ref": ("eq", "ne", "in", "not_in", "present", "absent"),
}
# Operators that can compare a record's field with the candidate's (`{candidate: id}`), and
# the field types each takes: the candidate's fields are text, so no order (lt...) or set (in).
CANDIDATE_OPERATORS = {"eq": ("string", "enum"), "ne": ("string", "enum"), "contains": ("list", "string")}
MAX_TERMS_PER_PATTERN = 24  # durable-rules allows 32 expressions per rule; compile adds a few
COMPOSITES = ("all_of", "any_of", "none_of", "k_of")


@dataclass
class CriteriaReader:
    """Reads criteria against the declared evidence types, reporting to `problems`."""

    evidence: dict[str, EvidenceType]
    problems: Problems

    def criterion(self, doc: Document, raw: dict, path: tuple) -> Criterion | None:
        common: dict[str, Any] = dict(
            id=raw["id"], description=raw.get("description", ""), required=raw.get("required", True),
            blocker=raw.get("blocker", False), points=raw.get("points", 0), points_each=raw.get("points_each", 0),
            max_points=raw.get("max_points"), pos=self.problems.pos(doc, path),
        )
        if common["blocker"] and not common["required"]:
            self.problems.error(doc, path + ("blocker",), "a blocker must be required: drop `required: false` or `blocker: true`", "rules.optional-blocker", key=True)
        if "count" in raw:
            spec = raw["count"]
            match = self._record_match(doc, spec, path + ("count",))
            distinct = spec.get("distinct")
            for type_id in match.types if match and distinct else ():
                self._field_of(doc, type_id, distinct, path + ("count", "distinct"), ("list",))
            return CountCriterion(match=match, at_least=spec.get("at_least", 1), distinct=distinct, **common) if match else None
        if "sum" in raw:
            spec = raw["sum"]
            match = self._record_match(doc, spec, path + ("sum",))
            if match and "span" in spec and common["points_each"]:
                # a length is a fraction of months or weeks, and points are whole
                self.problems.error(doc, path + ("points_each",), "points_each does not apply to a sum of spans (lengths are fractions): use `points` for meeting the sum", "rules.type-mismatch", key=True)
            for type_id in match.types if match else ():
                if "span" in spec:
                    self._span_sum(doc, type_id, path)
                    continue
                found = self._field_of(doc, type_id, spec["field"], path + ("sum", "field"), ())
                of_type = f" of {type_id}" if match.also else ""
                if found and found.type not in ("integer", "number"):
                    self.problems.error(doc, path + ("sum", "field"), f"field {spec['field']!r}{of_type} is {found.type}: sum needs an integer or number field", "rules.type-mismatch")
                elif found and found.type == "number" and common["points_each"]:
                    # Points are whole numbers: 2.5 units at 3 points each has no honest answer.
                    self.problems.error(doc, path + ("points_each",), f"field {spec['field']!r}{of_type} is a number: points_each on a sum needs an integer field (or use `points` for meeting the sum)", "rules.type-mismatch", key=True)
            for type_id in match.types if match and "best_per" in spec else ():
                self._field_of(doc, type_id, spec["best_per"], path + ("sum", "best_per"), ("list",))
            return SumCriterion(match=match, field=spec.get("field"), span=spec.get("span"), at_least=spec["at_least"],
                                best_per=spec.get("best_per"), **common) if match else None
        if "no_disputed" in raw:
            match = self._disputed_match(doc, raw["no_disputed"], path + ("no_disputed",))
            return NoDisputedCriterion(match=match, **common) if match else None
        if "candidate" in raw:
            terms = self._terms(doc, raw["candidate"], path + ("candidate",), CANDIDATE_FIELDS, "the candidate")
            return CandidateCriterion(terms=terms, **common)
        kind = next(k for k in COMPOSITES if k in raw)
        spec = raw[kind]
        children_raw, k = (spec["of"], spec["k"]) if kind == "k_of" else (spec, 0)
        children_path = path + ((kind, "of") if kind == "k_of" else (kind,))
        if kind == "k_of" and k > len(children_raw):
            self.problems.error(doc, path + (kind, "k"), f"k is {k} but there are only {len(children_raw)} criteria to choose from", "rules.impossible")
        children = [self.criterion(doc, c, children_path + (i,)) for i, c in enumerate(children_raw)]
        for i, child in enumerate(children):
            if child and (child.points or child.points_each):
                self.problems.error(doc, children_path + (i,), "points go on top-level criteria only", "rules.nested-points")
        if any(c is None for c in children):
            return None
        return CompositeCriterion(kind=kind, children=tuple(children), k=k, **common)

    def _span_sum(self, doc: Document, type_id: str, path: tuple) -> None:
        """A sum of span lengths needs records that have spans."""
        evidence = self.evidence[type_id]
        if evidence.dates != "span":
            self.problems.error(doc, path + ("sum", "span"), f"{evidence.id} records have one date, not a span: `span` needs an evidence type with `dates: span` (or add up a field)", "rules.type-mismatch", key=True)

    def _types(self, doc: Document, named: str | list[str], path: tuple) -> list[str] | None:
        """The evidence types a criterion counts: one, or several counted together."""
        listed = [named] if isinstance(named, str) else named
        found = []
        for index, type_id in enumerate(listed):
            at = path if isinstance(named, str) else path + (index,)
            if type_id not in self.evidence:
                self.problems.error(doc, at, f"unknown evidence type {type_id!r}{validate.did_you_mean(type_id, self.evidence)}", "rules.unknown-evidence")
            elif type_id in found:
                self.problems.error(doc, at, f"{type_id!r} is listed twice: name each evidence type once", "rules.duplicate-evidence")
            else:
                found.append(type_id)
        return found if len(found) == len(listed) else None

    def _record_match(self, doc: Document, spec: dict, path: tuple) -> RecordMatch | None:
        """Which records count. With several types (`evidence: [talk, training]`), every
        condition, window and link must make sense for each of them: they are one count."""
        types = self._types(doc, spec["evidence"], path + ("evidence",))
        if types is None:
            return None
        terms: tuple[Term, ...] = ()
        for type_id in types:
            evidence = self.evidence[type_id]
            fields = {**evidence.fields, CONFIDENCE_FIELD.name: CONFIDENCE_FIELD}
            own = self._terms(doc, spec.get("where", {}), path + ("where",), fields, f"a {evidence.name}")
            terms = terms or own
        window = _window(spec)
        link = self._link(doc, spec["linked"], types, path + ("linked",)) if "linked" in spec else None
        return RecordMatch(types[0], terms, window, link, tuple(types[1:]))

    def _link(self, doc: Document, spec: dict, types: list[str], path: tuple) -> Link | None:
        by, targets = spec["by"], set()
        for type_id in types:
            ref = self._field_of(doc, type_id, by, path + ("by",), ())
            if ref and ref.type != "ref":
                self.problems.error(doc, path + ("by",), f"field {by!r} of {type_id} is {ref.type}, not a ref to another record", "rules.type-mismatch")
            elif ref and ref.evidence in self.evidence:  # else evidence.yaml's error says why
                targets.add(ref.evidence)
        if len(targets) > 1:
            self.problems.error(doc, path + ("by",), f"{by!r} links to different types ({', '.join(sorted(targets))}) on the evidence types "
                                "counted together: a link needs one type to look in; split the criterion", "rules.type-mismatch")
        if len(targets) != 1:
            return None
        target = self.evidence[targets.pop()]
        fields = {**target.fields, CONFIDENCE_FIELD.name: CONFIDENCE_FIELD}
        return Link(by, target.id, self._terms(doc, spec.get("where", {}), path + ("where",), fields, f"a {target.name}"))

    def _disputed_match(self, doc: Document, spec: bool | dict, path: tuple) -> RecordMatch | None:
        """`no_disputed: true`, or `{evidence: ..., within: ...}`: the disputed records that
        would break it (every evidence type unless named)."""
        spec = spec if isinstance(spec, dict) else {}
        types = self._types(doc, spec["evidence"], path + ("evidence",)) if "evidence" in spec else list(self.evidence)
        if not types:
            return None
        window = _window(spec)
        return RecordMatch(types[0], (Term(CONFIDENCE_FIELD.name, "eq", "disputed"),), window, None, tuple(types[1:]))

    def _field_of(self, doc: Document, type_id: str, name: str, path: tuple, refuse: tuple[str, ...]) -> Field | None:
        fields = self.evidence[type_id].fields
        found = fields.get(name)
        if found is None:
            self.problems.error(doc, path, f"{type_id} has no field {name!r}{validate.did_you_mean(name, fields)}", "rules.unknown-field")
        elif found.type in refuse:
            self.problems.error(doc, path, f"field {name!r} is a {found.type}: it cannot be used here", "rules.type-mismatch")
            return None
        return found

    def _terms(self, doc: Document, where: dict, path: tuple, fields: dict[str, Field], subject: str) -> tuple[Term, ...]:
        terms = []
        for name, spec in where.items():
            field_path = path + (name,)
            declared = fields.get(name)
            if declared is None:
                self.problems.error(doc, field_path, f"{subject} has no field {name!r}{validate.did_you_mean(name, fields)}", "rules.unknown-field", key=True)
                continue
            shorthand = not isinstance(spec, dict) or "candidate" in spec  # `team: {candidate: team}` is eq
            operations = {"eq": spec} if shorthand else spec
            for op, value in operations.items():
                at = field_path if shorthand else field_path + (op,)
                term = self._term(doc, declared, op, value, at)
                if term:
                    terms.append(term)
        if len(terms) > MAX_TERMS_PER_PATTERN:
            self.problems.error(doc, path, f"{len(terms)} conditions on one record; the engine allows {MAX_TERMS_PER_PATTERN}: split the criterion", "rules.too-many-conditions")
        return tuple(terms)

    def _term(self, doc: Document, declared: Field, op: str, value: Any, path: tuple) -> Term | None:
        allowed = OPERATORS_BY_TYPE[declared.type]
        if op not in allowed:
            self.problems.error(doc, path, f"{op!r} does not apply to {declared.type} field {declared.name!r}; use one of {', '.join(allowed)}", "rules.bad-operator")
            return None
        if op in ("present", "absent"):
            return Term(declared.name, op, None, self.problems.pos(doc, path))
        if isinstance(value, dict):  # the schema admits only {candidate: FIELD}
            return self._candidate_term(doc, declared, op, value["candidate"], path)
        values = value if op in ("in", "not_in") else [value]
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                self.problems.error(doc, path, f"{op} needs a list of values", "rules.type-mismatch")
                return None
        for index, item in enumerate(values):
            problem = _value_problem(declared, op, item)
            if problem:
                self.problems.error(doc, path + ((index,) if op in ("in", "not_in") else ()), problem, "rules.bad-value")
                return None
        stored = tuple(values) if op in ("in", "not_in") else value
        return Term(declared.name, op, stored, self.problems.pos(doc, path))

    def _candidate_term(self, doc: Document, declared: Field, op: str, name: str, path: tuple) -> Term | None:
        """`field op {candidate: name}`: a record's field against the candidate's."""
        at = path + ("candidate",)
        if declared is CONFIDENCE_FIELD:
            self.problems.error(doc, at, f"confidence is one of {', '.join(CONFIDENCE_FIELD.values)}, never the candidate's: write one of those", "rules.bad-value", key=True)
            return None
        if any(declared is own for own in CANDIDATE_FIELDS.values()):
            self.problems.error(doc, at, "a condition on the candidate cannot compare with the candidate: write the value itself", "rules.bad-value", key=True)
            return None
        if name not in CANDIDATE_VALUES:
            self.problems.error(doc, at, f"the candidate has no field {name!r}{validate.did_you_mean(name, CANDIDATE_VALUES)}; "
                                f"use one of {', '.join(CANDIDATE_VALUES)}", "rules.unknown-field")
            return None
        if op not in CANDIDATE_OPERATORS or declared.type not in CANDIDATE_OPERATORS[op]:
            usable = [o for o, types in CANDIDATE_OPERATORS.items() if declared.type in types]
            hint = f"on {declared.type} field {declared.name!r} use {' or '.join(usable)}" if usable else f"{declared.type} field {declared.name!r} cannot be compared with it"
            self.problems.error(doc, path, f"{op!r} cannot take the candidate's {name} (the candidate's fields are text): {hint}", "rules.bad-operator")
            return None
        return Term(declared.name, op, CandidateValue(name), self.problems.pos(doc, path))


def _value_problem(declared: Field, op: str, value: Any) -> str | None:
    kind = declared.type
    if op in ("contains", "matches"):
        return None if isinstance(value, str) and value else f"{op} needs non-empty text"
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{declared.name} is a number: {value!r} is not"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{declared.name} is true or false: {value!r} is not"
    if not isinstance(value, str):
        return f"{declared.name} is {kind}: write {value!r} as text"
    if kind == "enum" and value not in declared.values:
        return f"{value!r} is not an allowed value of {declared.name} ({', '.join(declared.values)}){validate.did_you_mean(value, declared.values)}"
    if kind == "date" and parse_date(value) is None:
        return f"{value!r} is not a date: write YYYY-MM-DD"
    return None


def _window(spec: dict) -> Window | None:
    """A match's `within: N unit(s)` (already checked by the schema), or None."""
    if "within" not in spec:
        return None
    amount, unit = spec["within"].split()
    return Window(int(amount), unit if unit.endswith("s") else unit + "s")
