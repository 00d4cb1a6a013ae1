"""Condition algebra: whether a set of conditions on a record's (or the candidate's) fields can
ever hold, worked out from the declared fields alone."""
from __future__ import annotations

import math
from typing import Iterable

from engine.reading.dates import parse_date
from engine.reading.model import CandidateValue, Field, Term, record_field


def terms_never_hold(terms: Iterable[Term], fields: dict[str, Field]) -> str | None:
    by_field: dict[str, list[Term]] = {}
    for term in terms:
        if isinstance(term.value, CandidateValue):  # the candidate's value is known only per packet
            continue
        by_field.setdefault(term.field, []).append(term)
    for name, group in by_field.items():
        reason = _field_never_holds(record_field(fields, name), group)
        if reason:
            return reason
    return None


def _field_never_holds(declared: Field, terms: list[Term]) -> str | None:
    ops = {t.op for t in terms}
    name = declared.name
    if "absent" in ops and ops - {"absent"}:
        return f"{name} must be absent, yet is also compared"
    for term in terms:
        if term.op == "in" and not term.value:
            return f"{name} in [] matches nothing"
    values = discrete_values(declared, terms)
    if values is not None and not values:
        return f"no value of {name} meets every condition on it"
    if declared.type in ("integer", "number", "date"):
        low, high = _interval(declared, terms)
        if low[0] > high[0] or (low[0] == high[0] and (low[1] or high[1])):
            return f"{name} cannot be {_bound_text(low, '>')} and {_bound_text(high, '<')} at once"
    if values is None:
        allowed: set | None = None  # None: any value
        for term in terms:
            if term.op in ("eq", "in"):
                listed = {term.value} if term.op == "eq" else set(term.value)
                allowed = listed if allowed is None else allowed & listed
        excluded = {t.value for t in terms if t.op == "ne"} | {v for t in terms if t.op == "not_in" for v in t.value}
        if allowed is not None and declared.type in ("integer", "number"):
            low, high = _interval(declared, [t for t in terms if t.op not in ("eq", "in")])
            allowed = {v for v in allowed if _inside(v, low, high)}
        if allowed is not None and not allowed - excluded:
            return f"no value of {name} meets every condition on it"
    return None


def _inside(value: float, low, high) -> bool:
    above = value > low[0] or (value == low[0] and not low[1])
    below = value < high[0] or (value == high[0] and not high[1])
    return above and below


def discrete_values(declared: Field, terms: list[Term]) -> set | None:
    """The values a finite-domain field (enum, boolean) can take under `terms`, else None."""
    if declared.type == "enum":
        domain: set = set(declared.values)
    elif declared.type == "boolean":
        domain = {True, False}
    else:
        return None
    for term in terms:
        if term.op == "eq":
            domain &= {term.value}
        elif term.op == "ne":
            domain -= {term.value}
        elif term.op == "in":
            domain &= set(term.value)
        elif term.op == "not_in":
            domain -= set(term.value)
    return domain


def _interval(declared: Field, terms: list[Term]):
    """((low, low_open), (high, high_open)) the terms allow for a numeric or date field."""
    def number(value):
        return parse_date(value).toordinal() if declared.type == "date" else value
    low = (declared.minimum if declared.minimum is not None else -math.inf, False)
    high = (declared.maximum if declared.maximum is not None else math.inf, False)
    for term in terms:
        if term.op not in ("eq", "lt", "lte", "gt", "gte"):
            continue
        value = number(term.value)
        if term.op in ("gt", "gte", "eq"):
            candidate = (value, term.op == "gt")
            if candidate[0] > low[0] or (candidate[0] == low[0] and candidate[1]):
                low = candidate
        if term.op in ("lt", "lte", "eq"):
            candidate = (value, term.op == "lt")
            if candidate[0] < high[0] or (candidate[0] == high[0] and candidate[1]):
                high = candidate
    return low, high


def _bound_text(bound, side: str) -> str:
    value, strict = bound
    return f"{side}{'' if strict else '='} {value:g}" if isinstance(value, (int, float)) else f"{side} {value}"
