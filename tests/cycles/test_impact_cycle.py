"""`ladder impact --cycle`: a rule change judged over a stored cycle's frozen packets, on both
databases: the same report, byte for byte, as over the files the cycle was opened from."""
from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from engine import api
from engine.cli import main

CASE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "impact" / "fairness"
GOLDEN = CASE_DIR / "expected" / "widens-part-time-gap"
IMPACT = ["impact", "--base", "rules-before", "--head", "rules-after", "--by", "work_pattern", "--by", "gender"]


def ladder(db: str, *args: str):
    return CliRunner().invoke(main, [*args, "--db", db])


def test_impact_over_a_stored_cycle_reports_as_over_its_packets_and_fails_on_fairness(db, monkeypatch, tmp_path):
    monkeypatch.chdir(CASE_DIR)  # packet labels as the golden files have them
    opened = ladder(db, "cycle", "open", "2026-spring", "cohort.jsonl", "--rules", "rules-before")
    assert opened.exit_code == 0, opened.output
    for fmt, suffix in (("markdown", "md"), ("json", "json")):
        result = ladder(db, *IMPACT, "--cycle", "2026-spring", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.stdout == GOLDEN.with_suffix(f".{suffix}").read_text()
    assert ladder(db, *IMPACT, "--cycle", "2026-spring", "--fail-on", "fairness").exit_code == 1
    unknown = ladder(db, *IMPACT, "--cycle", "2025-autumn")
    assert unknown.exit_code == 1 and "no cycle named '2025-autumn'" in unknown.stderr


def test_the_cycle_is_judged_from_what_it_froze_not_from_the_files_now(db, monkeypatch, tmp_path):
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_bytes((CASE_DIR / "cohort.jsonl").read_bytes())
    with api.open_store(db) as store:
        api.open_cycle(store, "spring", cohort, CASE_DIR / "rules-before")
        cohort.write_text("")  # the files may change or go after the cycle is opened
        report = api.impact_of_cycle(store, "spring", str(CASE_DIR / "rules-before"), str(CASE_DIR / "rules-after"),
                                     by=["work_pattern"])
    assert (report.packets, len(report.changes)) == (45, 7)
    assert [a["flag"]["groups"] for a in report.flagged()] == [["part-time", "full-time"]]
    assert json.loads(GOLDEN.with_suffix(".json").read_text())["fairness"]["attributes"][0] == report.fairness["attributes"][0]


def test_a_frozen_packet_that_crashes_the_engine_is_reported_and_every_other_judged(tmp_path, monkeypatch):
    from engine.cohorts import cohort

    real = cohort.evaluate_read
    monkeypatch.chdir(CASE_DIR)
    db = str(tmp_path / "ladder.db")
    assert ladder(db, "cycle", "open", "spring", "cohort.jsonl", "--rules", "rules-before").exit_code == 0
    monkeypatch.setattr(cohort, "evaluate_read", lambda book, label, *args, **options: (
        os.abort() if label == "cohort.jsonl:7" else real(book, label, *args, **options)))
    result = ladder(db, *IMPACT, "--cycle", "spring", "--format", "json", "--jobs", "2")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["packets"] == 45
    assert "cohort.jsonl:7:1: error: the evaluation crashed its worker process (signal SIGABRT)" in result.stderr
