"""`ladder cycle ...` and `ladder decide`: what a committee's secretary types and sees, on both
databases (the store named by --db, or by LADDER_DB)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import NEARLY, READY

from engine.cli import main


@pytest.fixture
def ladder(db):
    """Run `ladder ARGS` against the test's store (via LADDER_DB)."""
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], env={"LADDER_DB": db}, catch_exceptions=False)
    return invoke


def test_a_cycle_is_opened_decided_shown_and_exported_from_the_command_line(ladder, cohort, tmp_path):
    opened = ladder("cycle", "open", "2026-spring", cohort)
    assert opened.exit_code == 0, opened.output
    assert "1 ready, 1 nearly ready, 1 not ready, 1 invalid" in opened.stdout
    assert "1 invalid packet stored with the errors found" in opened.stderr
    refused = ladder("decide", "2026-spring", NEARLY, "--promote", "--by", "ana")
    assert refused.exit_code == 1
    assert refused.stderr == ("ladder: error: promoting E-1042, judged nearly ready by the rules, is an override: give the reason "
                              "[decide.reason-required]\n")
    decided = ladder("decide", "2026-spring", NEARLY, "--promote", "--reason", "Led the ledger migration", "--by", "ana")
    assert decided.exit_code == 0
    assert decided.stdout == "E-1042: promote (an override: the rules judge them nearly ready), recorded as version 1\n"
    changed = ladder("decide", "2026-spring", NEARLY, "--defer", "--by", "bo")
    assert "version 2; it replaces 'promote' by ana" in changed.stdout
    shown = json.loads(ladder("cycle", "show", "2026-spring", "--format", "json").stdout)
    assert shown["cycle"]["decided"] == 1
    assert [(c["id"], c["verdict"], c["decision"] and c["decision"]["decision"]) for c in shown["candidates"]] == [
        (READY, "ready", None), (NEARLY, "nearly", "defer"), ("E-1702", "not_ready", None), (None, None, None)]
    markdown = ladder("cycle", "show", "2026-spring", "--format", "markdown").stdout
    assert f"| {NEARLY} | Priya Raman | senior-developer → staff-engineer | Sam Okafor | yes | nearly ready | defer by bo |" in markdown
    assert "2026-spring: opened" in ladder("cycle", "list").stdout
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    assert ladder("cycle", "export", "--all", "--out", first).exit_code == 0
    restored = CliRunner().invoke(main, ["cycle", "import", str(first), "--db", str(tmp_path / "restored.db")])
    assert restored.stdout == "imported 1 cycle: 2026-spring\n"
    CliRunner().invoke(main, ["cycle", "export", "2026-spring", "--out", str(again), "--db", str(tmp_path / "restored.db")])
    assert again.read_bytes() == first.read_bytes()


def test_decisions_from_a_csv_are_refused_whole_with_every_bad_row(ladder, cohort, tmp_path):
    ladder("cycle", "open", "spring", cohort)
    csv = tmp_path / "decisions.csv"
    csv.write_text(f"candidate,decision,reason\n{READY},promote,\n{NEARLY},promote,\n")
    result = ladder("decide", "spring", "--from", csv, "--by", "ana")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{csv}:3:3: error: promoting E-1042, judged nearly ready by the rules, is an override: give the reason [decide.reason-required]",
        "ladder: nothing recorded: fix the 1 problem above"]
    csv.write_text(f"candidate,decision,reason\n{READY},promote,\n{NEARLY},not yet,\n")
    assert ladder("decide", "spring", "--from", csv, "--by", "ana").stdout == "recorded 2 decisions in cycle spring\n"


def test_mistakes_on_the_command_line_are_usage_errors_and_unknown_names_say_so(ladder, cohort, tmp_path):
    assert ladder("cycle", "open", "spring", tmp_path / "nowhere").exit_code == 2
    assert ladder("cycle", "list").stdout == "no cycles yet: open one with `ladder cycle open NAME COHORT`\n"
    ladder("cycle", "open", "spring", cohort)
    assert ladder("decide", "spring", READY).exit_code == 2
    assert ladder("decide", "spring", READY, "--promote", "--from", tmp_path / "d.csv").exit_code == 2
    assert ladder("cycle", "export", "--out", tmp_path / "x.json").exit_code == 2
    unknown = ladder("cycle", "show", "sprung")
    assert unknown.exit_code == 1
    assert "no cycle named 'sprung'" in unknown.stderr and "did you mean 'spring'?" in unknown.stderr
    taken = ladder("cycle", "open", "spring", cohort)
    assert (taken.exit_code, taken.stderr.count("\n")) == (1, 1)


def test_reevaluate_lists_the_verdicts_todays_rules_would_change(ladder, cohort, rules_copy):
    ladder("cycle", "open", "spring", cohort, "--rules", rules_copy)
    staff = rules_copy / "levels" / "staff-engineer.yaml"
    staff.write_text(staff.read_text().replace("            where: {role: lead}\n          at_least: 2",
                                               "            where: {role: lead}\n          at_least: 1"))
    result = ladder("cycle", "reevaluate", "spring", "--rules", rules_copy, "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert (document["changed"], [(r["id"], r["then"], r["now"]) for r in document["results"] if r["then"] != r["now"]]) == (
        1, [(NEARLY, "nearly", "ready")])


def test_every_cycle_command_teaches_with_an_example():
    for command in (["cycle"], ["cycle", "open"], ["cycle", "list"], ["cycle", "show"], ["cycle", "reevaluate"],
                    ["cycle", "export"], ["cycle", "import"], ["decide"]):
        text = CliRunner().invoke(main, [*command, "--help"]).stdout
        assert "ladder cycle" in text or "ladder decide" in text, command


def test_commands_that_need_no_store_do_not_load_the_database_libraries():
    """SQLAlchemy and Alembic take longer to import than a one-packet `ladder evaluate` takes
    to run: only the cycle commands load them."""
    root = Path(__file__).resolve().parents[2]
    probe = "import sys, engine.cli, engine.api; print(sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, env={"PYTHONPATH": str(root)}, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout == "[]\n", result.stderr
