"""Phrasing: the rulebook's vocabulary turned into words - what a rule asks for (`requirement`),
a condition as a clause, why a value fails it, numbers with their nouns. Nothing here knows a
packet; `reasons` and `outcomes` use these words for one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.common.text import noun_for, number, plural  # noqa: F401 - numbers in words, kept low for the CLI
from engine.matching.evaluate import Best
from engine.reading.model import (
    CANDIDATE_VALUES,
    CandidateCriterion,
    CandidateValue,
    CountCriterion,
    Criterion,
    Field,
    NoDisputedCriterion,
    RecordMatch,
    Rulebook,
    SumCriterion,
    Term,
)

_OPS = {"eq": "is", "ne": "is not", "lt": "is less than", "lte": "is at most", "gt": "is more than", "gte": "is at least"}
NEEDS = {"eq": "{v}", "ne": "anything but {v}", "lt": "less than {v}", "lte": "at most {v}", "gt": "more than {v}",
          "gte": "at least {v}", "in": "one of {v}", "not_in": "none of {v}", "matches": "to match {v}"}


def requirement(rulebook: Rulebook, criterion: Criterion) -> str:
    """The rule itself in plain words, e.g. 'at least 2 projects where role is lead, in the
    last 24 months', 'a design doc where status is approved, for a project where role is lead',
    'no feedback entry where concern is conduct, in the last 12 months'."""
    if isinstance(criterion, (CountCriterion, SumCriterion)):
        return _records(rulebook, criterion, negated=False)
    if isinstance(criterion, CandidateCriterion):
        return "the candidate " + _candidate_clause(criterion.terms)
    if isinstance(criterion, NoDisputedCriterion):
        return "no disputed " + disputed_scope(rulebook, criterion)
    if criterion.kind == "none_of":  # "no ...", not "none of: ..."
        return "; ".join(_absent(rulebook, c) for c in criterion.children)
    head = {"all_of": "all of", "any_of": "at least one of"}.get(criterion.kind, f"at least {criterion.k} of")
    return f"{head}: " + "; ".join(c.description or requirement(rulebook, c) for c in criterion.children)


@dataclass(frozen=True)
class Noun:
    """What a criterion counts, singular and plural: 'talk or training', 'talks or trainings'."""

    name: str
    plural: str


def evidence_noun(rulebook: Rulebook, match: RecordMatch) -> Noun:
    """The evidence types a match counts, by their names: several are joined with 'or'."""
    types = [rulebook.evidence[t] for t in match.types]
    return Noun(join_words([t.name for t in types], "or"), join_words([t.plural for t in types], "or"))


def disputed_scope(rulebook: Rulebook, criterion: NoDisputedCriterion) -> str:
    """What `no_disputed` looks at: 'evidence', or the types it names ('talk or training'),
    with its window."""
    named = tuple(criterion.match.types) != tuple(rulebook.evidence)
    window = f" in the last {criterion.match.window}" if criterion.match.window else ""
    return (evidence_noun(rulebook, criterion.match).name if named else "evidence") + window


def _records(rulebook: Rulebook, criterion: CountCriterion | SumCriterion, negated: bool) -> str:
    """What a count or sum asks for ('a design doc', 'at least 2 projects', 'at least 12 months in
    total across mentees'), or with `negated`, that there is not that much ('no feedback entry')."""
    evidence = evidence_noun(rulebook, criterion.match)
    n = number(criterion.at_least)
    if isinstance(criterion, SumCriterion):
        best = f", counting only the highest per {spaced(criterion.best_per)}" if criterion.best_per else ""
        if criterion.span:
            part = (" (the part of each span in the window, up to the as-of date)" if criterion.match.window
                    else " (each span up to the as-of date)")
            return (f"{evidence.plural} lasting {'less than' if negated else 'at least'} {plural(criterion.at_least, criterion.span[:-1])} "
                    f"in all" + _match_clause(rulebook, criterion.match) + part + best)
        head = f"{'less than' if negated else 'at least'} {n} {spaced(criterion.field)} in total across {evidence.plural}"
        return head + _match_clause(rulebook, criterion.match) + best
    elif criterion.distinct:
        values = "different " + noun_for(n, spaced(criterion.distinct))
        head = f"{'fewer than' if negated else 'at least'} {n} {values} among {evidence.plural}"
    elif negated:
        head = f"no {evidence.name}" if n <= 1 else f"fewer than {n} {evidence.plural}"
    else:
        head = indefinite(evidence.name) if n == 1 else f"at least {n} {noun_for(n, evidence.name, evidence.plural)}"
    return head + _match_clause(rulebook, criterion.match)


def _absent(rulebook: Rulebook, criterion: Criterion) -> str:
    """A finding that must not be there, in words: 'no feedback entry where concern is conduct'."""
    if isinstance(criterion, (CountCriterion, SumCriterion)):
        return _records(rulebook, criterion, negated=True)
    return "not: " + requirement(rulebook, criterion)


def _match_clause(rulebook, match) -> str:
    parts = []
    if match.terms:
        parts.append(" where " + join_words([term_phrase(t) for t in match.terms], "and"))
    if match.link:
        target = rulebook.evidence[match.link.evidence]
        # "for a project", where the field is named after what it links to; else "whose owner is a person"
        named_for_it = match.link.by in (match.link.evidence, target.name) or spaced(match.link.by) == target.name
        linked = f" for {indefinite(target.name)}" if named_for_it else f" whose {spaced(match.link.by)} is {indefinite(target.name)}"
        if match.link.terms:
            linked += " where " + join_words([term_phrase(t) for t in match.link.terms], "and")
        parts.append(("," if parts else "") + linked)
    if match.window:
        parts.append(f", in the last {match.window}" if parts else f" in the last {match.window}")
    return "".join(parts)


def counted_unit(rulebook: Rulebook, criterion: CountCriterion | SumCriterion, n: float = 1) -> str:
    """What a count or sum counts, agreeing with `n`: 'design docs', 'different teams',
    'promotions across team growth records'."""
    evidence = evidence_noun(rulebook, criterion.match)
    if isinstance(criterion, SumCriterion):
        best = f", the highest per {spaced(criterion.best_per)}" if criterion.best_per else ""
        if criterion.span:
            return f"{noun_for(n, criterion.span[:-1])} of {evidence.plural}{best}"
        return f"{spaced(criterion.field)} across {evidence.plural}{best}"
    if criterion.distinct:
        return "different " + noun_for(n, spaced(criterion.distinct))
    return noun_for(n, evidence.name, evidence.plural)


def best_phrase(criterion: SumCriterion, best: Best) -> str:
    """One key of a best-per sum: 'craft: milestone 4, 12 points' (the points with points_each)."""
    points = f", {plural(best.points, 'point')}" if criterion.points_each else ""
    if criterion.span:
        return f"{best.key or '(empty)'}: {plural(best.value, criterion.span[:-1])}"
    return f"{best.key or '(empty)'}: {spaced(criterion.field)} {value_text(number(best.value))}{points}"


def listed(value: str) -> str:
    """A value in a comma-separated list, quoted when it holds a comma itself."""
    return f'"{value}"' if "," in value else value


UNIT_SUFFIXES = ("_pct", "_percent")  # a unit in a field's name, not part of what it is


def spaced(name: str) -> str:
    """A field's name in words, as a sentence says it: 'direct reports', and 'retention' for
    `retention_pct`. A unit suffix is dropped (the number beside it carries the unit); field
    descriptions are not used, being sentences ('Managers among the direct reports.'), not names."""
    for suffix in UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name.replace("_", " ")


def field_bounds(declared: Field) -> str:
    """The values a number field may take, as the rules declare them: 'from 1 to 10', 'at
    least 0', or '' (for the docs' field tables and the new packet's templates alike)."""
    low, high = declared.minimum, declared.maximum
    if low is not None and high is not None:
        return f"from {low:g} to {high:g}"
    if low is not None:
        return f"at least {low:g}"
    return f"at most {high:g}" if high is not None else ""


def indefinite(noun: str) -> str:
    """The noun with its article: 'a Staff Engineer', 'an Engineering Manager', and for a word
    said letter by letter, by the first letter's name: 'an RFC', 'an SLO', 'a PR'."""
    first = noun.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return f"{'an' if first[0] in 'AEFHILMNORSX' else 'a'} {noun}"
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: 'Individual contributor' -> 'individual contributor';
    a first word with capitals after its first letter keeps them ('IC', 'DevOps')."""
    first = name.split(" ", 1)[0]
    return name[:1].lower() + name[1:] if first[1:] == first[1:].lower() else name


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def join_words(parts: list[str], word: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return join_words([value_text(v) for v in value], "or")
    if isinstance(value, float):
        return str(number(value))
    return str(value)


def term_phrase(term: Term) -> str:
    """A condition as a clause: 'role is lead', 'scope is cross-team, org or company'."""
    name, op, value = spaced(term.field), term.op, term.value
    if isinstance(value, CandidateValue):
        return f"{name} {_CANDIDATE_OPS[op]} {candidate_value(value)}"
    if op in _OPS:
        return f"{name} {_OPS[op]} {value_text(value)}"
    if op == "in":
        return f"{name} is {value_text(value)}"
    if op == "not_in":
        return f"{name} is not {value_text(value)}"
    if op == "contains":
        return f"{name} contains {value!r}"
    if op == "matches":
        return f"{name} matches {value!r}"
    return f"{name} is given" if op == "present" else f"{name} is not given"


_STEPS = {0: "the equivalent of the target level on another track", 1: "the level directly below the target (on either track)"}


def _candidate_clause(terms: tuple[Term, ...]) -> str:
    """Conditions on the candidate, in words: 'has been at the level directly below the target (on
    either track) for at least 18 months'."""
    steps = next((t for t in terms if t.field == "steps_to_target" and t.op == "eq"), None)
    months = next((t for t in terms if t.field == "months_at_level" and t.op in ("gte", "gt")), None)
    if steps is not None and months is not None:  # one clause: where they are, and for how long
        rest = [_candidate_phrase(t) for t in terms if t is not steps and t is not months]
        at_least = "at least" if months.op == "gte" else "more than"
        return join_words([f"has been at {_where(steps.value)} for {at_least} {months.value} months", *rest], "and")
    return join_words([_candidate_phrase(t) for t in terms], "and")


def _where(steps: int) -> str:
    return _STEPS.get(steps, f"{steps} levels below the target")


def _candidate_phrase(term: Term) -> str:
    """A condition on the candidate, in words: 'is at the level directly below the target'."""
    if term.field == "steps_to_target" and term.op == "eq":
        return "is at " + _where(term.value)
    if term.field == "months_at_level" and term.op in ("gte", "gt"):
        return f"has been at the current level for {'at least' if term.op == 'gte' else 'more than'} {term.value} months"
    return "has " + term_phrase(term)


_CANDIDATE_OPS = {"eq": "is", "ne": "is not", "contains": "include"}


def candidate_value(value: CandidateValue) -> str:
    """'the candidate' for who they are (id, name), else 'the candidate's team'."""
    return "the candidate" if value.field in ("id", "name") else CANDIDATE_VALUES[value.field]


def _candidate_failure(term: Term, actual: Any, theirs: Any) -> str:
    """'authors do not include the candidate (E-1)', 'team is payments, the candidate's team',
    'team is platform, needs the candidate's team (payments)', 'the candidate has no team'."""
    name, who = spaced(term.field), candidate_value(term.value)
    if theirs is None:
        return f"{name} is compared with {who}, and the candidate has no {spaced(term.value.field)}"
    if actual is None:
        return f"{name} is missing, needs {'to include ' if term.op == 'contains' else ''}{who} ({value_text(theirs)})"
    if term.op == "contains":
        return f"{name} do{'' if isinstance(actual, list) else 'es'} not include {who} ({value_text(theirs)})"
    if term.op == "ne":
        return f"{name} is {value_text(actual)}, {who}" + ("" if who.endswith("'s " + term.value.field) else f" ({value_text(theirs)})")
    return f"{name} is {value_text(actual)}, needs {who} ({value_text(theirs)})"


def failure(term: Term, actual: Any, candidate: dict | None = None) -> str:
    """Why a value fails a condition: 'status is draft, needs approved'. `candidate`: the
    candidate's fields, for a condition that compares with them."""
    if isinstance(term.value, CandidateValue):
        return _candidate_failure(term, actual, (candidate or {}).get(term.value.field))
    return failing(failure_words(term), actual)


def failure_words(term: Term) -> tuple[str, str, str]:
    """What `failure` says of a condition whatever the value (its field's name, its operator,
    what it needs), apart so that it can be worked out once per condition (`memo`). Not for a
    condition that compares with the candidate."""
    name, op = spaced(term.field), term.op
    if op in ("present", "absent"):
        needs = ""
    elif op == "contains":
        needs = f"to contain {term.value!r}"
    elif op in ("in", "not_in"):
        needs = NEEDS[op].format(v=", ".join(value_text(v) for v in term.value) or "nothing")
    else:
        needs = NEEDS[op].format(v=value_text(term.value) if op != "matches" else repr(term.value))
    return name, op, needs


def failing(words: tuple[str, str, str], actual: Any) -> str:
    """`failure` from the condition's `failure_words` and the value that fails it."""
    name, op, needs = words
    if op == "present":
        return f"{name} is missing"
    if op == "absent":
        return f"{name} is {value_text(actual)}, needs to be absent"
    if actual is None:
        return f"{name} is missing, needs {needs}"
    shown = f"[{', '.join(map(str, actual))}]" if isinstance(actual, list) else value_text(actual)
    return f"{name} is {shown}, needs {needs}"
