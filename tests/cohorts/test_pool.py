"""Cohort runs on worker processes: order and bytes independent of --jobs, and a packet that
hangs or crashes its worker (durable-rules can do both) stopped, reported, and contained."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.cohorts import cohort, pool
from engine.common.errors import EngineFault
from engine.rendering.report import Invalid
from engine.tooling import ruletest

ROOT = Path(__file__).resolve().parents[2]
COHORT = ROOT / "fixtures" / "cohorts" / "spring-2026"


def durable_rules_hang() -> None:
    """The known durable-rules loop: a `$nex` rule re-matches the re-asserted session state."""
    from durable import engine
    host = engine.Host()
    host.set_rulesets({"hang": {"a": {"all": [{"m": {"kind": "x"}}], "run": lambda c: None},
                                "b": {"all": [{"m": {"$nex": {"zz": 1}}}], "run": lambda c: None}}})
    host.assert_fact("hang", {"sid": "s", "kind": "x"})


def durable_rules_crash() -> None:
    """A durable-rules segfault: it trusts the session offset it is given and reads wild memory
    when it is out of range (its known crashes on `cap` or odd regexes depend on heap layout)."""
    import durable_rules_engine
    handle = durable_rules_engine.create_ruleset("crash", json.dumps({"r": {"all": [{"m": {"k": "x"}}]}}))
    durable_rules_engine.start_action_for_state(handle, 10_000_000)


def test_results_come_back_in_input_order_whatever_the_number_of_workers():
    def slow_square(n: int) -> int:
        time.sleep(0.02 * (n % 3))
        return n * n
    for jobs in (1, 2, 3):
        assert list(pool.run(range(30), slow_square, lambda n, why: None, jobs)) == [n * n for n in range(30)]


def test_a_huge_jobs_starts_no_more_workers_than_tasks_or_cores_allow(monkeypatch):
    started = []

    class Counted(pool._Worker):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self)
    monkeypatch.setattr(pool, "_Worker", Counted)
    assert list(pool.run(range(3), lambda n: n + 1, lambda n, why: None, 1500)) == [1, 2, 3]
    assert len(started) <= 3
    started.clear()
    many = 2 * pool.JOBS_PER_CORE * pool.default_jobs()
    assert list(pool.run(range(many), lambda n: n, lambda n, why: None, 1500)) == list(range(many))
    assert len(started) <= pool.JOBS_PER_CORE * pool.default_jobs()


def test_a_hanging_or_crashing_packet_is_reported_and_every_other_verdict_delivered(book):
    items = list(cohort.items(COHORT))[:12]
    hang, crash = items[3].label, items[7].label

    def faulty(item):
        if item.label == hang:
            durable_rules_hang()
        if item.label == crash:
            durable_rules_crash()
        return cohort.evaluate_item(book, item)

    started = time.monotonic()
    results = list(cohort.evaluate_all(book, items, jobs=2, timeout=3, work=faulty))
    assert time.monotonic() - started < 60
    assert [r.label for r in results] == [item.label for item in items]
    by_label = {r.label: r.result for r in results}
    assert by_label[hang].diagnostics[0].message == "the evaluation took longer than 3 s and was stopped"
    assert by_label[crash].diagnostics[0].message.startswith("the evaluation crashed its worker process (signal ")
    assert by_label[crash].diagnostics[0].code == "engine.fault"
    healthy = [cohort.evaluate_item(book, item).result for item in items if item.label not in (hang, crash)]
    assert [by_label[item.label] for item in items if item.label not in (hang, crash)] == healthy


def test_the_hang_and_the_crash_are_real_durable_rules_faults():
    assert list(pool.run([0], lambda _: durable_rules_hang(), lambda _, why: why, 1, timeout=2)) == \
        ["the evaluation took longer than 2 s and was stopped"]
    (reason,) = pool.run([0], lambda _: durable_rules_crash(), lambda _, why: why, 1, timeout=10)
    assert reason.startswith("the evaluation crashed its worker process (signal SIG")


def test_an_engine_failure_in_a_worker_is_that_task_s_fault_in_words_and_the_rest_go_on(capfd):
    def work(n: int) -> int:
        if n == 2:
            raise EngineFault("durable-rules failed while matching: error 303")
        return n
    results = list(pool.run(range(6), work, lambda n, why: why, jobs=2))
    assert results == [0, 1, "the evaluation failed: EngineFault: durable-rules failed while matching: error 303", 3, 4, 5]
    assert "Traceback" not in capfd.readouterr().err


def test_calibrate_output_is_identical_for_one_and_two_jobs(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    for jobs in ("1", "2"):
        CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--jobs", jobs]
                           + [arg for fmt in ("json", "html", "md", "csv") for arg in ("--out", str(tmp_path / f"j{jobs}.{fmt}"))])
    for fmt in ("json", "html", "md", "csv"):
        assert (tmp_path / f"j1.{fmt}").read_bytes() == (tmp_path / f"j2.{fmt}").read_bytes(), fmt


def test_impact_and_rule_tests_print_the_same_for_one_and_two_jobs(monkeypatch, tmp_path):
    stricter = tmp_path / "stricter"
    shutil.copytree(ROOT / "rules", stricter)
    for patch in yaml.safe_load((ROOT / "fixtures" / "rulebooks" / "stricter-mentorship.yaml").read_text()):
        changed = stricter / patch["file"]
        changed.write_text(changed.read_text().replace(patch["old"], patch["new"], 1))
    monkeypatch.chdir(ROOT)
    commands = {'"direction": "downgrade"': ["impact", "--base", "rules", "--head", str(stricter), "fixtures/packets", "--format", "json"],
                " passed, 0 failed": ["test", "rules"]}
    for expected, command in commands.items():
        outputs = [CliRunner().invoke(main, [*command, "--jobs", jobs]).stdout for jobs in ("1", "2")]
        assert outputs[0] == outputs[1] and expected in outputs[0], command[0]


def test_calibrate_lists_a_faulty_packet_in_the_report_and_exits_3(tmp_path, monkeypatch):
    monkeypatch.setattr(cohort, "evaluate_item", lambda book, item, **options: (os.abort() if item.label.endswith("0005-E-10004.yaml")
                                                                                  else _real_evaluate(book, item, **options)))
    result = CliRunner().invoke(main, ["calibrate", str(COHORT), "--out", str(tmp_path / "r.json"), "--jobs", "2"])
    report = json.loads((tmp_path / "r.json").read_text())
    faults = [row for row in report["invalid"] if row["errors"][0]["code"] == "engine.fault"]
    assert len(faults) == 1 and "SIGABRT" in faults[0]["errors"][0]["message"]
    assert report["totals"]["packets"] == len(list(COHORT.iterdir())) and result.exit_code == 3
    assert f"ladder: {len(report['invalid']) - 1} invalid packets, listed in the report" in result.stderr  # the fault apart
    assert "ladder: the rules engine failed on 1 packet, listed in the report with its error." in result.stderr


FAULTY_CASE = yaml.safe_load(sorted((ROOT / "rules" / "tests").glob("*.yaml"))[0].read_text())["cases"][0]["name"]


def test_impact_and_rule_tests_report_an_engine_fault_with_exit_3_after_every_other_result(tmp_path, monkeypatch, rules_copy):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(cohort, "evaluate_item", lambda book, item, **options: (os.abort() if item.label.endswith("ic-staff-ready.yaml")
                                                                                  else _real_evaluate(book, item, **options)))
    # Reworded, so that every packet is evaluated on both sides (the same rules evaluate none).
    ladder = rules_copy / "ladder.yaml"
    ladder.write_text(ladder.read_text().replace("name: Example Engineering Career Framework", "name: Reworded Framework", 1))
    impact = CliRunner().invoke(main, ["impact", "--base", "rules", "--head", str(rules_copy), "fixtures/packets", "--format", "json"])
    assert impact.exit_code == 3 and json.loads(impact.stdout)["packets"] == len(list((ROOT / "fixtures" / "packets").glob("*.yaml")))
    assert "ic-staff-ready.yaml:1:1: error: the evaluation crashed its worker process (signal SIGABRT)" in impact.stderr
    assert "ladder: the rules engine failed on 1 packet; every other packet is in the report." in impact.stderr
    real_case = ruletest.run_case
    monkeypatch.setattr(ruletest, "run_case", lambda book, case, *cache: os.abort() if case.name == FAULTY_CASE else real_case(book, case, *cache))
    tests = CliRunner().invoke(main, ["test", "rules"])
    assert tests.exit_code == 3 and " passed, 1 failed" in tests.stdout and FAULTY_CASE in tests.stdout
    assert "ladder: the rules engine failed on 1 case, listed above with its error." in tests.stderr



_real_evaluate = cohort.evaluate_item


def test_default_jobs_is_the_number_of_usable_cores():
    assert pool.default_jobs() == len(os.sched_getaffinity(0))


def test_a_faulted_result_is_an_invalid_packet_with_the_reason_at_its_line():
    item = cohort.Item("cohort.jsonl:7", Path("cohort.jsonl"), 7, "{}")
    fault = cohort.fault(item, "the evaluation crashed its worker process (signal SIGSEGV)")
    assert isinstance(fault.result, Invalid) and fault.result.diagnostics[0].format() == \
        "cohort.jsonl:7:1: error: the evaluation crashed its worker process (signal SIGSEGV) [engine.fault]"


def _faulty(real, hang: str, crash: str, fails: str):
    """`real` (api's evaluation of one packet), except that the packet named `hang` hangs
    durable-rules, `crash` crashes it and `fails` meets an engine fault."""
    def work(book, item, *args):
        if item.label == hang:
            durable_rules_hang()
        if item.label == crash:
            durable_rules_crash()
        if item.label == fails:
            raise EngineFault("durable-rules failed while matching: error 303")
        return real(book, item, *args)
    return work


def test_evaluate_reports_a_packet_that_hangs_crashes_or_faults_and_prints_every_other_verdict(monkeypatch):
    monkeypatch.chdir(ROOT)
    packets = [str(path.relative_to(ROOT)) for path in sorted(COHORT.iterdir())[:12]]
    clean = json.loads(CliRunner().invoke(main, ["evaluate", *packets, "--format", "json"]).stdout)["results"]
    labels = [result["packet"] for result in clean]
    hang, crash, fails = labels[3], labels[7], labels[8]
    monkeypatch.setattr(api, "_evaluate", _faulty(api._evaluate, hang, crash, fails))
    runs = {jobs: CliRunner().invoke(main, ["evaluate", *packets, "--format", "json", "--jobs", jobs, "--timeout", "2"])
            for jobs in ("1", "2")}
    assert runs["1"].stdout == runs["2"].stdout
    assert all(run.exit_code == 3 for run in runs.values())
    assert "ladder: the rules engine failed on 3 of 12 packets, each listed with its error." in runs["1"].stderr
    results = {result["packet"]: result for result in json.loads(runs["1"].stdout)["results"]}
    assert list(results) == labels
    reasons = {label: [(e["code"], e["message"]) for e in results.pop(label)["errors"]] for label in (hang, crash, fails)}
    assert reasons[hang] == [("engine.fault", "the evaluation took longer than 2 s and was stopped")]
    assert reasons[crash][0][1].startswith("the evaluation crashed its worker process (signal SIG")
    assert reasons[fails] == [("engine.fault", "the evaluation failed: EngineFault: durable-rules failed while matching: error 303")]
    assert list(results.values()) == [r for r in clean if r["packet"] not in (hang, crash, fails)]


def test_one_packet_s_engine_fault_leaves_every_other_verdict_in_the_library_too(book, monkeypatch):
    labels = [item.label for item in cohort.items(COHORT)][:6]
    paths = [COHORT / Path(label).name for label in labels]
    clean = list(api.evaluate_packets(book, paths))
    monkeypatch.setattr(api, "_evaluate", _faulty(api._evaluate, "", "", labels[2]))
    results = list(api.evaluate_packets(book, paths))
    assert [cohort.is_fault(r) for r in results] == [False, False, True, False, False, False]
    assert results[:2] + results[3:] == clean[:2] + clean[3:]  # each other packet's verdict, or its errors if invalid


@pytest.mark.parametrize("fault, reason", [
    (durable_rules_hang, "the evaluation took longer than 1 s and was stopped"),
    (durable_rules_crash, "the evaluation crashed its worker process (signal SIG"),
], ids=["hang", "crash"])
def test_plan_stops_an_evaluation_that_hangs_or_crashes_and_says_so(monkeypatch, fault, reason):
    monkeypatch.setattr(api, "_plan", lambda *args: fault())
    packet = ROOT / "fixtures" / "packets" / "ic-staff-ready.yaml"
    result = CliRunner().invoke(main, ["plan", str(packet), "--timeout", "1"])
    assert result.exit_code == 3 and result.stdout == ""
    assert f":1:1: error: {reason}" in result.stderr and "ladder: the rules engine failed on the packet." in result.stderr


@pytest.mark.parametrize("task", ["hangs", "is done"])
def test_workers_do_not_outlive_a_parent_that_was_killed(task):
    # A killed `ladder` must not leave its workers behind, running a hung packet or waiting for
    # the next one forever, holding its stdout open.
    script = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from engine.cohorts import pool
def work(n):
    os.write(1, f"{{os.getpid()}}\\n".encode())  # one write: the workers share the pipe
    time.sleep(600 if {task == "hangs"} or n == 3 else 0)
for _ in pool.run(range(4), work, lambda n, why: None, 2):
    pass
"""
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        workers = {int(parent.stdout.readline()) for _ in range(2 if task == "hangs" else 4)}
        time.sleep(0.3)  # the idle worker is back waiting for a task
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = [pid for pid in workers if _alive(pid)]
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)  # not to leave them running when this fails
    assert orphans == []


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
