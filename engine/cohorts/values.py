"""Field values for synthetic evidence: one meeting a criterion's conditions, one failing
exactly one of them (a near miss), or one written by chance (never a value a finding against
the candidate looks for)."""
from __future__ import annotations

import random
from datetime import date
from typing import Any

from engine.cohorts.names import FIRST
from engine.reading.model import Field, Term

TOPICS = ["ledger", "checkout", "search ranking", "identity graph", "event pipeline", "rate limiter", "feature flags",
          "fraud scoring", "push notifications", "billing engine", "schema registry", "observability", "access control"]

ABSENT = object()


def satisfy(rnd: random.Random, declared: Field, terms: list[Term], keep: bool) -> Any:
    """A value meeting every term (or, with keep=False, failing the first)."""
    if not keep:
        term = terms[0]
        if term.op == "present":
            return ABSENT
        if declared.type == "enum":
            bad = [v for v in declared.values if not holds(term, v)]
            return rnd.choice(bad) if bad else ABSENT
        if declared.type in ("integer", "number") and term.op in ("gte", "gt", "eq"):
            return max(declared.minimum or 0, term.value - 1) if declared.type == "integer" else term.value - 0.5
        if declared.type == "boolean" and term.op == "eq":
            return not term.value
        return ABSENT if not declared.required else any_value(rnd, declared, "team")
    candidates: list[Any]
    if declared.type == "enum":
        candidates = list(declared.values)
    elif declared.type == "boolean":
        candidates = [True, False]
    elif declared.type in ("integer", "number"):
        low = max([t.value for t in terms if t.op in ("gte", "eq")] + [t.value + 1 for t in terms if t.op == "gt"] + [declared.minimum or 0])
        candidates = [low + rnd.randint(0, 3)] + [v for t in terms if t.op == "in" for v in t.value]
    elif declared.type == "list":
        return [t.value for t in terms if t.op == "contains"] + [rnd.choice(FIRST).lower()]
    else:
        candidates = [t.value for t in terms if t.op in ("eq",)] + [v for t in terms if t.op == "in" for v in t.value]
        candidates = candidates or [any_value(rnd, declared, "team")]
    good = [v for v in candidates if all(holds(t, v) for t in terms)]
    if any(t.op == "absent" for t in terms):
        return ABSENT
    return rnd.choice(good) if good else any_value(rnd, declared, "team")


def met_by(term: Term, fields: dict) -> bool:
    """Whether a record with these fields meets the term (a value from the candidate's own
    fields is taken as not met: it does not matter here)."""
    if term.op == "absent":
        return term.field not in fields
    if term.field not in fields:
        return False
    try:
        return bool(holds(term, fields[term.field]))
    except TypeError:
        return False


def holds(term: Term, value: Any) -> bool:
    op, wanted = term.op, term.value
    return {
        "eq": lambda: value == wanted, "ne": lambda: value != wanted, "in": lambda: value in wanted,
        "not_in": lambda: value not in wanted, "gte": lambda: value >= wanted, "gt": lambda: value > wanted,
        "lte": lambda: value <= wanted, "lt": lambda: value < wanted, "present": lambda: True,
    }.get(op, lambda: True)()


def any_value(rnd: random.Random, declared: Field, team: str, avoid: set = frozenset()) -> Any:
    """Any value for a field written by chance; never one of `avoid` (a finding's value)."""
    kind = declared.type
    if kind == "enum":
        return rnd.choice([v for v in declared.values if v not in avoid] or declared.values)
    if kind == "boolean":
        return rnd.random() < 0.5
    if kind in ("integer", "number"):
        return number(declared, rnd.randint(1, 12), rnd)
    if kind == "list":
        return [rnd.choice(FIRST).lower() for _ in range(rnd.randint(1, 3))]
    if kind == "date":
        return date(2026, 1, 1).isoformat()
    return team if declared.name == "team" else rnd.choice(TOPICS)


def number(declared: Field, value: float, rnd: random.Random) -> float | int:
    low = declared.minimum if declared.minimum is not None else 0
    high = declared.maximum if declared.maximum is not None else 10_000
    value = min(max(value, low), high)
    return int(round(value)) if declared.type == "integer" else round(value, 1)


