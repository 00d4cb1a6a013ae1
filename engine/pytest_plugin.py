"""pytest plugin: `pytest rules/` collects a rulebook's rule tests (`<rulebook>/tests/*.yaml`).

Registered through the `pytest11` entry point, so a rules repository only needs `pytest` in CI.
Each case is one test item, named `<file>::<case name>`; a failure shows the same diff as
`ladder test`."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.common.errors import LadderError
from engine.common.text import visible
from engine.reading.rulebook import LADDER_FILE
from engine.tooling import ruletest

_books: dict[Path, object] = {}


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    folder = file_path.parent
    if file_path.suffix in (".yaml", ".yml") and folder.name == ruletest.TESTS_DIR and (folder.parent / LADDER_FILE).is_file():
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestFile(pytest.File):
    def collect(self):
        try:
            cases = ruletest.load_cases(self.path)
        except LadderError as e:
            raise self.CollectError("\n".join(d.format() for d in e.diagnostics)) from None
        for case in cases:
            yield RuleTestItem.from_parent(self, name=visible(case.name), case=case)


class RuleTestFailure(Exception):
    pass


class RuleTestItem(pytest.Item):
    def __init__(self, *, case: ruletest.Case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        rules_dir = self.path.parent.parent
        if rules_dir not in _books:
            try:
                _books[rules_dir] = api.rulebook(rules_dir)
            except LadderError as e:
                _books[rules_dir] = e
        book = _books[rules_dir]
        if isinstance(book, LadderError):
            raise RuleTestFailure("the rulebook is invalid:\n" + "\n".join(d.format() for d in book.diagnostics))
        outcome = ruletest.run_case(book, self.case)
        if not outcome.passed:
            raise RuleTestFailure("\n".join(visible(problem) for problem in outcome.problems))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, RuleTestFailure):
            return f"{visible(self.case.id)}\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"rule test: {visible(self.case.name)}"
