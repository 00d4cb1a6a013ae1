"""The why-not (each criterion's `not_counted`: the records that did not count, and why) is built
only for outputs that show it. A calibration's CSV, impact and the summary never do: they are
the same bytes whether it was built or not. An answer kept in the verdict cache without it is
never shown by an output that shows it."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import criteria

from engine import api
from engine.caching.verdicts import VerdictCache
from engine.calibration import calibrate as calibration
from engine.calibration import pages
from engine.cli import main
from engine.cohorts import cohort
from engine.rendering.report import RENDERERS, Invalid
from engine.tooling import impact

ROOT = Path(__file__).resolve().parents[2]
COHORT = str(ROOT / "fixtures" / "cohorts" / "spring-2026")
PACKETS = str(ROOT / "fixtures" / "packets")


def _has_why_not(results) -> set[bool]:
    """Whether each verdict's criteria carry `not_counted` (one answer for all, or the mix)."""
    return {"not_counted" in item for r in results if not isinstance(r, Invalid) for item in criteria(r)}


def _csv(book, why_not: bool, cache: VerdictCache | None = None) -> tuple[str, list]:
    report = calibration.Calibration(book, COHORT, keep_pages=False)
    evaluated = list(cohort.evaluate_all(book, cohort.items(COHORT), 2, cache=cache, why_not=why_not))
    for item in evaluated:
        report.add(item)
    out = io.StringIO()
    pages.write_csv(report, out)
    report.close()
    return out.getvalue(), [item.result for item in evaluated]


def test_a_calibration_csv_is_the_same_bytes_without_the_why_not(book):
    whole, full = _csv(book, why_not=True)
    brief, left_out = _csv(book, why_not=False)
    assert _has_why_not(full) == {True} and _has_why_not(left_out) == {False}
    assert brief == whole


def test_calibrate_with_only_a_csv_writes_what_it_writes_beside_the_pages(tmp_path):
    runner = CliRunner()
    alone = runner.invoke(main, ["calibrate", COHORT, "--out", str(tmp_path / "alone.csv"), "--no-cache"])
    beside = runner.invoke(main, ["calibrate", COHORT, "--out", str(tmp_path / "beside.csv"), "--out", str(tmp_path / "beside.html"),
                                  "--no-cache"])
    assert alone.exit_code == beside.exit_code == 0, alone.stderr + beside.stderr
    assert (tmp_path / "alone.csv").read_bytes() == (tmp_path / "beside.csv").read_bytes()


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Path:
    """The built-in rules with one criterion of staff-engineer asking more."""
    head = tmp_path_factory.mktemp("changed") / "rules"
    for path in (ROOT / "rules").rglob("*.yaml"):
        target = head / path.relative_to(ROOT / "rules")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    level = head / "levels" / "staff-engineer.yaml"
    level.write_text(level.read_text().replace("at_least: 2", "at_least: 3", 1))
    return head


def test_an_impact_report_is_the_same_in_every_format_without_the_why_not(book, changed):
    head = api.rulebook(changed)
    reports = [impact.compare("rules", str(changed), book, head, cohort.items(COHORT), reading=impact.Reading(why_not=why_not))
               for why_not in (True, False)]
    assert reports[0].changes, "the change flips nothing: the test would prove nothing"
    for render in impact.RENDERERS.values():
        assert render(reports[1]) == render(reports[0])


def test_a_summary_is_the_same_bytes_without_the_why_not(book):
    full, left_out = (list(api.evaluate_packets(book, [PACKETS], cache=False, why_not=why_not)) for why_not in (True, False))
    assert _has_why_not(full) == {True} and _has_why_not(left_out) == {False}
    assert RENDERERS["summary"](left_out, lambda text, **_: text) == RENDERERS["summary"](full, lambda text, **_: text)


@pytest.mark.parametrize("first", ["csv", "impact"])
def test_an_answer_cached_without_the_why_not_is_never_shown_where_it_is_shown(book, changed, tmp_path, first):
    """A calibration with candidate pages after runs that showed no why-not (a CSV alone, which
    keeps its answers whole all the same; impact, which keeps them without it) shows every page
    as a run without a cache does."""
    cache = VerdictCache(tmp_path / "cache", 2**26)
    for _ in range(2):  # the second run finds the first one's answers: they were kept
        if first == "csv":
            assert _has_why_not(_csv(book, why_not=False, cache=cache)[1]) == {True}
        else:
            impact.compare("rules", str(changed), api.rulebook(changed), book, cohort.items(COHORT), cache=cache)
    assert cache.hits > 0
    cached = list(cohort.evaluate_all(book, cohort.items(COHORT), 2, cache=cache))
    afresh = list(cohort.evaluate_all(book, cohort.items(COHORT), 2))
    assert _has_why_not(item.result for item in cached) == {True}
    assert [item.result for item in cached] == [item.result for item in afresh]
