"""Lint: static checks of a rulebook beyond validity, with stable codes.

A rulebook that does not load is reported with its load and validation errors (codes
`load.*`, `schema.*`, `rules.*`); one that loads goes through every registered check
(`registry.check`): conditions that can never hold, criteria and levels nobody can reach
(`reach`), duplicates (`overlap`), missing words (`words`), text that looks like a template (`templates`), gaps and parity between the tracks,
the ladder's promise of equal prestige (`tracks`), and unused evidence (`evidence`). A new check
is one decorated function in one of those modules."""
from __future__ import annotations

from pathlib import Path

from engine.common.errors import Diagnostic, LadderError
from engine.reading.rulebook import load_rulebook
from engine.tooling.lint import evidence, overlap, reach, templates, tracks, words  # noqa: F401 - they register their checks
from engine.tooling.lint.registry import CHECKS, LOAD_RULE, RULES

__all__ = ["LOAD_RULE", "RULES", "lint"]


def lint(directory: str | Path) -> list[Diagnostic]:
    try:
        book = load_rulebook(directory)
    except LadderError as e:
        return sorted(e.diagnostics)
    return sorted({finding for check in CHECKS for finding in check.run(book)})
