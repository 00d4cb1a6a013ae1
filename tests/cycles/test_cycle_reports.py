"""`ladder calibrate --cycle`: the committee's report over a stored cycle, on SQLite and on
PostgreSQL, against the two cohorts of fixtures/cycles/ (spring, then autumn under a rulebook
whose Staff Engineer asks for a third mentee). Each attribution of a move has a candidate
built for it (see fixtures/cycles/README.md).

After a deliberate change to the report, review and regenerate the golden files with
`LADDER_UPDATE_GOLDEN=1 python -m pytest tests/cycles/test_cycle_reports.py`."""
from __future__ import annotations

import csv
import io
import json
import os

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import CYCLES, ROOT, rules_from

from engine import api
from engine.calibration import pages
from engine.cli import main
from engine.reading import validate

EXPECTED = CYCLES / "expected"


def run_cli(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)
UPDATE = os.environ.get("LADDER_UPDATE_GOLDEN") == "1"


def written(report, writer) -> str:
    stream = io.StringIO()
    writer(report, stream)
    return stream.getvalue()


def check_golden(name: str, text: str) -> None:
    golden = EXPECTED / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs: review, then LADDER_UPDATE_GOLDEN=1"


def test_autumn_report_matches_its_golden_markdown_and_json_on_either_store(seasons):
    report = api.calibrate_cycle(seasons, "2026-autumn")
    try:
        check_golden("2026-autumn.md", written(report, pages.write_markdown))
        check_golden("2026-autumn.json", written(report, pages.write_json))
    finally:
        report.close()


def test_cycle_report_json_is_format_4_and_valid_against_the_schema(seasons):
    report = api.calibrate_cycle(seasons, "2026-autumn")
    document = json.loads(written(report, pages.write_json))
    report.close()
    assert document["format"] == "ladder.calibration/4"
    jsonschema.Draft202012Validator(validate.schema("calibration-report"), registry=validate._registry()).validate(document)


@pytest.mark.parametrize("candidate, attribution", [
    ("E-3001", "rules"), ("E-3002", "evidence"), ("E-3003", "both"), ("E-3004", "neither_alone")])
def test_each_move_is_attributed_to_what_moved_it(seasons, candidate, attribution):
    report = api.calibrate_cycle(seasons, "2026-autumn")
    moved = {m["id"]: m for m in report.report()["cycle"]["movement"]["moved"]}
    report.close()
    assert moved[candidate]["attribution"] == attribution


def test_unchanged_candidates_are_not_listed_as_moved_and_new_and_gone_are_counted(seasons):
    report = api.calibrate_cycle(seasons, "2026-autumn")
    movement = report.report()["cycle"]["movement"]
    report.close()
    assert {m["id"] for m in movement["moved"]} == {"E-3001", "E-3002", "E-3003", "E-3004"}
    assert (movement["compared"], movement["unchanged"], movement["new"], movement["gone"]) == (7, 3, 1, 1)


def test_the_first_cycle_has_nothing_to_compare_with(seasons):
    report = api.calibrate_cycle(seasons, "2026-spring")
    section = report.report()["cycle"]
    report.close()
    assert section["movement"] is None
    assert "No earlier cycle in the store" in written(api.calibrate_cycle(seasons, "2026-spring"), pages.write_markdown)


def test_since_cycle_compares_with_the_cycle_named(seasons, tmp_path):
    api.open_cycle(seasons, "2027-spring", "fixtures/cycles/autumn", rules_from("autumn-rules.yaml", tmp_path / "again"))
    latest = api.calibrate_cycle(seasons, "2027-spring")
    chosen = api.calibrate_cycle(seasons, "2027-spring", since="2026-spring")
    assert latest.report()["cycle"]["movement"]["since"] == "2026-autumn"
    assert latest.report()["cycle"]["movement"]["moved"] == []  # the same packets and rules as autumn
    assert chosen.report()["cycle"]["movement"]["since"] == "2026-spring"
    assert len(chosen.report()["cycle"]["movement"]["moved"]) == 4
    latest.close()
    chosen.close()


def test_override_rates_withhold_groups_as_fairness_does(seasons):
    report = api.calibrate_cycle(seasons, "2026-autumn")
    by = {d["key"]: d for d in report.report()["cycle"]["overrides"]["by"]}
    report.close()
    # One management candidate decided: withheld, and with it the individual contributors,
    # whose figures the total minus the shown groups would otherwise give away.
    assert by["track"]["groups"] == [] and by["track"]["suppressed"]
    # Marcus Hill has one decided candidate: withheld, and the next smallest (Rafael Ortiz, 2) too.
    assert [g["group"] for g in by["manager"]["groups"]] == ["Sam Okafor"]
    assert {g["group"]: (g["decided"], g["overrides"]) for g in by["attribute:location"]["groups"]} == {"Berlin": (3, 1), "Lisbon": (3, 2)}


def test_override_reasons_are_listed_with_ids_beside_names(seasons):
    report = api.calibrate_cycle(seasons, "2026-autumn")
    reasons = report.report()["cycle"]["reasons"]
    report.close()
    assert [(r["id"], r["candidate"], r["decision"]) for r in reasons] == [
        ("E-3001", "Alba Ferreira", "promote"), ("E-3004", "Dawit Bekele", "promote"), ("E-3005", "Emeka Obi", "defer")]
    assert reasons[2]["reason"] == "On leave until January: decide next cycle"


def test_redacted_cycle_report_names_no_candidate_and_no_one_who_decided(seasons):
    report = api.calibrate_cycle(seasons, "2026-autumn", redact=True)
    text = written(report, pages.write_markdown) + written(report, pages.write_json) + written(report, pages.write_csv)
    report.close()
    assert "| withheld |" in text  # who decided
    for name in ("Alba Ferreira", "E-3001", "Sam Okafor", "Rafael Ortiz", "| ana |"):
        assert name not in text


def test_cli_writes_every_format_for_a_cycle(seasons, db, tmp_path):
    outs = [tmp_path / f"autumn.{suffix}" for suffix in ("html", "md", "json", "csv")]
    result = run_cli(["calibrate", "--cycle", "2026-autumn", "--db", db, *(f"--out={o}" for o in outs)])
    assert result.exit_code == 0, result.output
    assert 'id="movement"' in outs[0].read_text() and "the evidence" in outs[0].read_text()
    assert outs[1].read_text() == (EXPECTED / "2026-autumn.md").read_text()
    rows = {row["candidate_id"] or row["packet"]: row for row in csv.DictReader(io.StringIO(outs[3].read_text()))}
    assert (rows["E-3005"]["decision"], rows["E-3005"]["override"], rows["E-3005"]["decision_reason"]) == (
        "defer", "true", "On leave until January: decide next cycle")
    assert (rows["E-3006"]["decision"], rows["E-3006"]["override"]) == ("", "")
    assert rows["fixtures/cycles/autumn/e-3010-invalid.yaml"]["decision"] == ""


def test_cli_refuses_a_cohort_with_a_cycle_and_an_unknown_cycle(seasons, db):
    both = run_cli(["calibrate", "fixtures/cycles/autumn", "--cycle", "2026-autumn", "--db", db])
    assert both.exit_code == 2 and "not both" in both.output
    unknown = run_cli(["calibrate", "--cycle", "2026-autum", "--db", db])
    assert unknown.exit_code == 1 and "2026-autumn" in unknown.output


def test_a_report_over_a_cohort_keeps_format_3_and_no_cycle_section(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "spring.json"
    assert run_cli(["calibrate", "fixtures/cycles/spring", f"--out={out}"]).exit_code == 0
    document = json.loads(out.read_text())
    assert document["format"] == "ladder.calibration/3" and "cycle" not in document
    csv_out = tmp_path / "spring.csv"
    assert run_cli(["calibrate", "fixtures/cycles/spring", f"--out={csv_out}"]).exit_code == 0
    assert csv_out.read_text().split("\n", 1)[0].endswith(",errors")


def test_calibrate_and_history_teach_the_cycle_forms_with_an_example():
    assert "ladder calibrate --cycle 2026-autumn" in run_cli(["calibrate", "--help"]).output
    assert "ladder history E-10004" in run_cli(["history", "--help"]).output


def test_an_unknown_since_cycle_is_refused_with_the_closest_name(seasons, db):
    result = run_cli(["calibrate", "--cycle", "2026-autumn", "--since-cycle", "2026-sprin", "--db", db])
    assert result.exit_code == 1 and "'2026-spring'" in result.output
    same = run_cli(["calibrate", "--cycle", "2026-autumn", "--since-cycle", "2026-autumn", "--db", db])
    assert same.exit_code == 1 and "[calibrate.same-cycle]" in same.output


def test_a_packet_unchanged_between_cycles_is_moved_by_the_rules_alone_as_judging_it_confirms(seasons, tmp_path):
    """Autumn's packets opened again under spring's rules: every move is the rules', and the
    verdicts the report gives without judging are those judging gives."""
    spring_rules = rules_from("spring-rules.yaml", tmp_path / "spring-again")
    api.open_cycle(seasons, "2027-spring", "fixtures/cycles/autumn", spring_rules)
    report = api.calibrate_cycle(seasons, "2027-spring")
    moved = report.report()["cycle"]["movement"]["moved"]
    report.close()
    assert {m["id"]: m["attribution"] for m in moved} == {"E-3001": "rules", "E-3003": "rules", "E-3004": "rules"}
    judged = {r.candidate_id: r.now for r in api.reevaluate_cycle(seasons, "2026-autumn", spring_rules)}
    assert all(m["old_evidence_new_rules"] == judged[m["id"]] for m in moved)
