"""Opening a promotion cycle reuses the verdicts a calibration of the same cohort left in the
verdict cache: the cycle stores the same verdicts and explanations as one opened afresh, and
the engine evaluates nothing it already evaluated."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from engine import api
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
COHORT = ROOT / "fixtures" / "cohorts" / "spring-2026"


def frozen(db: Path, name: str) -> list:
    """Everything the cycle stored of each packet's answer (not when it was opened)."""
    with api.open_store(str(db)) as store:
        return [(e.label, e.result, e.attributes, e.opportunities, e.placement) for e in store.evaluated(name)]


def test_a_cycle_opened_after_a_calibration_evaluates_nothing_and_stores_the_same_verdicts(tmp_path, cache_dir, evaluations,
                                                                                          monkeypatch):
    shutil.copytree(COHORT, tmp_path / "cohort")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["calibrate", "cohort", "--out", "report.json", "--jobs", "2"]).exit_code == 0
    calibrated = set(evaluations.packets())  # every valid packet
    evaluations.reset()
    opened = runner.invoke(main, ["cycle", "open", "spring", "cohort", "--db", "reused.db", "--jobs", "2"])
    assert opened.exit_code == 0, opened.stderr
    assert evaluations.count == 0, f"opening the cycle evaluated {evaluations.packets()}"
    afresh = runner.invoke(main, ["cycle", "open", "spring", "cohort", "--db", "afresh.db", "--jobs", "2", "--no-cache"])
    assert afresh.exit_code == 0, afresh.stderr
    assert set(evaluations.packets()) == calibrated  # --no-cache evaluates them all
    assert frozen(tmp_path / "reused.db", "spring") == frozen(tmp_path / "afresh.db", "spring")


def test_a_cycle_judged_as_of_another_date_is_evaluated_afresh(tmp_path, cache_dir, evaluations, monkeypatch):
    """A calibration judges each packet as of its own date: its verdicts stand in for no other."""
    shutil.copytree(COHORT, tmp_path / "cohort")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["calibrate", "cohort", "--out", "report.json", "--jobs", "2"]).exit_code == 0
    dated = ["cycle", "open", "spring", "cohort", "--jobs", "2", "--as-of", "2026-06-30"]
    evaluations.reset()
    assert runner.invoke(main, [*dated, "--db", "afresh.db", "--no-cache"]).exit_code == 0
    afresh = set(evaluations.packets())
    evaluations.reset()
    assert runner.invoke(main, [*dated, "--db", "dated.db"]).exit_code == 0
    assert set(evaluations.packets()) == afresh and len(afresh) > 50
    assert frozen(tmp_path / "dated.db", "spring") == frozen(tmp_path / "afresh.db", "spring")
