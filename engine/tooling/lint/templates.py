"""The check for a condition's literal that looks like a template (`${candidate.team}`,
`{{ candidate.id }}`): ladder fills in no templates, so such a condition compares with that very
text and almost surely never holds; `{candidate: FIELD}` is the way to say the candidate's own."""
from __future__ import annotations

import re
from typing import Iterator

from engine.reading.model import CandidateCriterion, CountCriterion, Rulebook, SumCriterion, Term
from engine.tooling.lint.registry import Finding, check

TEMPLATE = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}", re.DOTALL)


@check("lint.template-literal", "warning", "A condition's text looks like a template (${...}, {{...}}), which ladder never fills in.")
def template_literal(book: Rulebook) -> Iterator[Finding]:
    for level in book.rules.values():
        for criterion in level.criteria():
            for term in _terms(criterion):
                for value in term.value if isinstance(term.value, tuple) else (term.value,):
                    if isinstance(value, str) and (found := TEMPLATE.search(value)):
                        yield term.pos, (f"{term.field} is compared with the text {found.group(0)!r}, which ladder does not fill in: "
                                         f"to compare with the candidate's own value write {{candidate: FIELD}} "
                                         f"(id, name, team, manager, track or level)")


def _terms(criterion) -> tuple[Term, ...]:
    if isinstance(criterion, (CountCriterion, SumCriterion)):
        match = criterion.match
        return match.terms + (match.link.terms if match.link else ())
    if isinstance(criterion, CandidateCriterion):
        return criterion.terms
    return ()
