"""The `ladder` command: what a person at a terminal (or a CI job) sees and gets back."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner
from helpers import packet, project, record

from engine.cli import main
from engine.reading import validate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run():
    def invoke(*args, env=None):
        return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    return invoke


@pytest.fixture
def good(write_packet):
    evidence = [project("P-1", "2026-03-01", team="payments"),
                record("DD-1", "design-doc", "2026-02-01", status="draft", scope="team", project="P-1")]
    return write_packet(packet(evidence=evidence), "good.yaml")


@pytest.fixture
def bad(write_packet):
    data = packet(evidence=[record("X-1", "desing-doc", "2026-01-01")])
    data["candidate"]["nominated"] = "yes"
    return write_packet(data, "bad.yaml")


def test_evaluate_prints_the_verdict_and_why(run, good):
    result = run("evaluate", good)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Test Candidate (E-1) · Senior Developer -> Staff Engineer · as of 2026-11-01"
    assert lines[1].startswith("NOT READY - ")
    assert "      did not count: DD-1 (design-doc DD-1): status is draft, needs approved; scope is team, needs one of cross-team, org, company" in lines
    assert "Still missing" in lines


def test_json_output_follows_the_verdict_schema(run, good, bad):
    result = run("evaluate", good, bad, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(validate.schema("verdict"), registry=validate._registry()).validate(document)
    verdict, invalid = document["results"]
    assert verdict["verdict"] == "not_ready" and "errors" in invalid and "verdict" not in invalid


def test_markdown_output_is_a_page_with_a_table_per_competency(run, good):
    result = run("evaluate", good, "--format", "markdown")
    assert result.output.startswith("## Test Candidate (E-1): Senior Developer → Staff Engineer\n")
    assert result.output.count("| | Criterion | Observed | Counts | Did not count |") == 7  # Staff has 7 competencies


def test_an_invalid_packet_gets_its_errors_with_places_and_exit_1_never_a_traceback(run, bad, good):
    result = run("evaluate", good, bad)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"{bad}:9:14: error: expected true or false, got \"yes\" (write true or false: yes/no/on/off are text here) [schema.type]",
        f"{bad}:13:9: error: unknown evidence type 'desing-doc' (did you mean 'design-doc'?); this rulebook has project, "
        "mentee, design-doc, talk, community, incident, review, hire, team-growth, strategy-doc, feedback [packet.unknown-evidence]",
    ]
    assert "Traceback" not in result.output and "1 of 2 packets invalid" in result.stderr
    assert "Test Candidate (E-1)" in result.stdout  # the valid packet still gets its verdict


def test_every_problem_in_a_packet_is_reported(run, write_packet):
    data = packet(evidence=[record("X-1", "desing-doc", "2026-01-01"), record("X-1", "talk", "2026-02-30", format="talk", audience="team")])
    result = run("evaluate", write_packet(data))
    messages = [line.split(": error: ")[1] for line in result.stderr.splitlines() if ": error: " in line]
    assert messages == [
        "unknown evidence type 'desing-doc' (did you mean 'design-doc'?); this rulebook has project, mentee, design-doc, "
        "talk, community, incident, review, hire, team-growth, strategy-doc, feedback [packet.unknown-evidence]",
        "record id 'X-1' is already used by evidence item 1: ids must be unique [packet.duplicate-id]",
    ]


def test_a_broken_rulebook_stops_before_any_packet(run, good, rules_copy):
    (rules_copy / "levels" / "developer.yaml").write_text("level: developer\ncompetencies: [{id: x}]\n")
    result = run("evaluate", good, "--rules", rules_copy)
    assert result.exit_code == 1 and result.stdout == ""
    assert ("developer.yaml:2:21: error: competency 'x' has no criteria, and only a competency inherited through builds_on "
            "can go without them [rules.missing-criteria]") in result.stderr


def test_out_replaces_the_file_whole_and_leaves_nothing_behind(run, good, tmp_path):
    out = tmp_path / "verdict.json"
    out.write_text("old")
    result = run("evaluate", good, "--format", "json", "--out", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["results"][0]["verdict"] == "not_ready"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["good.yaml", "verdict.json"])


def test_as_of_moves_the_windows(run, good):
    later = run("evaluate", good, "--as-of", "2029-01-01", "--format", "json")
    item = json.loads(later.stdout)["results"][0]
    assert item["as_of"] == "2029-01-01"
    assert "before the 24-month window" in json.dumps(item)


def test_a_bad_option_value_is_a_usage_error(run, good):
    result = run("evaluate", good, "--as-of", "2026-13-01")
    assert result.exit_code == 2 and "'2026-13-01' is not a date: write YYYY-MM-DD" in result.stderr


def test_colour_only_when_asked_or_on_a_terminal(run, good):
    assert "\x1b[" not in run("evaluate", good).output  # not a terminal
    assert "\x1b[31m" in run("evaluate", good, "--color", "always").output
    assert "\x1b[" not in run("evaluate", good, "--color", "auto", env={"NO_COLOR": "1"}).output


def on_a_terminal(*args, env: dict | None = None) -> str:
    """What a person sees running `ladder ARGS` with stdout and stderr on one terminal (a pty)."""
    import pty
    screen, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")} | {"PYTHONPATH": str(ROOT)} | (env or {})
    process = subprocess.Popen([sys.executable, "-m", "engine", *map(str, args)], stdin=subprocess.DEVNULL,
                               stdout=terminal, stderr=terminal, cwd=ROOT, env=environment)
    os.close(terminal)
    seen = []
    while True:
        try:
            chunk = os.read(screen, 65536)
        except OSError:  # the terminal closed: the command has finished
            break
        if not chunk:
            break
        seen.append(chunk)
    os.close(screen)
    process.wait(timeout=60)
    return b"".join(seen).decode()


def test_calibrate_shows_a_progress_bar_on_a_terminal_but_not_in_ci(tmp_path):
    cohort = "fixtures/cohorts/spring-2026"
    assert "Evaluating" in on_a_terminal("calibrate", cohort, "--out", tmp_path / "r.csv")
    assert "Evaluating" not in on_a_terminal("calibrate", cohort, "--out", tmp_path / "r.csv", env={"CI": "true"})


def test_an_invalid_packet_s_errors_are_printed_once_on_stderr_and_the_report_names_the_packet(run, bad, good, tmp_path):
    error = f"{bad}:13:9: error: unknown evidence type 'desing-doc'"
    assert on_a_terminal("evaluate", bad).count(error) == 1
    for fmt in ("text", "summary"):
        piped = run("evaluate", good, bad, "--format", fmt)
        assert piped.stdout.count(error) == 0 and piped.stderr.count(error) == 1, fmt  # a CI log with 2>&1: once
        assert f"{bad}: " in piped.stdout and "2 errors, on stderr" in piped.stdout
    written = run("evaluate", bad, "--out", tmp_path / "v.txt")
    assert written.stderr.count(error) == 1 and "the packet is invalid (2 errors, on stderr)" in (tmp_path / "v.txt").read_text()


def test_a_report_on_many_packets_closes_with_a_count_of_each_verdict(run, good, bad, write_packet):
    result = run("evaluate", good, bad, ROOT / "fixtures/packets/ic-staff-ready.yaml")
    assert result.stdout.splitlines()[-1] == "2 evaluated: 1 ready, 0 nearly, 1 not ready; 1 invalid"
    assert "ladder: 1 of 3 packets invalid, not evaluated" in result.stderr
    assert "evaluated:" not in run("evaluate", good).output  # one packet: its verdict says it all


def test_summary_format_gives_one_line_a_packet_then_the_count(run, good, bad):
    result = run("evaluate", good, bad, "--format", "summary")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{good}: NOT READY - Test Candidate (E-1), Senior Developer -> Staff Engineer: "
        + result.stdout.splitlines()[0].split("Staff Engineer: ", 1)[1],
        f"{bad}: INVALID - 2 errors, on stderr",
        "1 evaluated: 0 ready, 0 nearly, 1 not ready; 1 invalid",
    ]
    assert "required criteria met" in result.stdout.splitlines()[0]


def test_a_packet_not_ready_points_to_its_plan_and_a_ready_one_does_not(run, good):
    assert result_lines(run("evaluate", good))[-1] == f"Next steps: ladder plan {good}"
    assert "ladder plan" not in run("evaluate", ROOT / "fixtures/packets/ic-staff-ready.yaml").output


def result_lines(result) -> list[str]:
    return result.stdout.splitlines()


def test_an_empty_no_color_leaves_colour_on_as_no_color_org_says(good):
    assert "\x1b[" in on_a_terminal("evaluate", good, env={"NO_COLOR": ""})
    assert "\x1b[" not in on_a_terminal("evaluate", good, env={"NO_COLOR": "1"})


def test_validate_lists_every_error_as_file_line_col(run, bad, good):
    result = run("validate", ROOT / "rules", good, bad)
    assert result.exit_code == 1
    assert [line.split(": error: ")[0] for line in result.stdout.splitlines()] == [f"{bad}:9:14", f"{bad}:13:9"]
    assert "1 rulebook, 2 packets: 2 errors" in result.stderr


def test_validate_gives_its_errors_as_json_or_sarif_like_lint(run, bad, good, tmp_path):
    document = json.loads(run("validate", good, bad, "--format", "json").stdout)
    assert document["format"] == "ladder.validate/1" and document["packets"] == [str(good), str(bad)]
    assert [(f["file"], f["line"], f["col"], f["code"]) for f in document["findings"]] == [
        (str(bad), 9, 14, "schema.type"), (str(bad), 13, 9, "packet.unknown-evidence")]
    written = run("validate", good, bad, "--format", "sarif", "--out", tmp_path / "v.sarif")
    assert written.exit_code == 1 and written.stdout == ""
    log = json.loads((tmp_path / "v.sarif").read_text())
    results = log["runs"][0]["results"]
    assert log["version"] == "2.1.0" and [r["ruleId"] for r in results] == ["schema.type", "packet.unknown-evidence"]
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 13, "startColumn": 9}
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} == {"schema.type", "packet.unknown-evidence"}


def test_track_with_no_equivalent_level_is_an_answer_not_an_invalid_packet(run):
    result = run("evaluate", ROOT / "fixtures/packets/ic-developer-ready.yaml", "--track", "management")
    assert result.exit_code == 0 and ":1:1:" not in result.output
    assert ("Developer has no management equivalent: the management track starts at Tech Lead, band E3. "
            "This is the verdict for Developer.") in result.stdout
    document = json.loads(run("evaluate", ROOT / "fixtures/packets/ic-developer-ready.yaml", "--track", "management",
                              "--format", "json").stdout)
    jsonschema.Draft202012Validator(validate.schema("verdict"), registry=validate._registry()).validate(document)
    assert document["results"][0]["verdict"] == "ready" and "track_note" in document["results"][0]


def test_track_naming_the_packet_s_own_track_says_so(run):
    result = run("evaluate", ROOT / "fixtures/packets/ic-staff-ready.yaml", "--track", "ic")
    assert result.exit_code == 0
    assert "Staff Engineer is on the individual contributor track already: this is its verdict there." in result.stdout


def test_validate_says_which_rulebook_when_it_cannot_guess(run, good, rules_copy):
    result = run("validate", ROOT / "rules", rules_copy, good)
    assert result.exit_code == 2 and "several rulebooks given" in result.stderr


def test_help_teaches_the_commands(run):
    top = run("--help").output
    assert "ladder evaluate fixtures/packets/" in top and "validate" in top
    evaluate_help = run("evaluate", "--help").output
    for word in ("--format", "markdown", "--as-of", "--target", "--rules", "Exit status is 1"):
        assert word in evaluate_help


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_s_help_shows_an_example_and_explains_every_option(run, name):
    result = run(name, "--help")
    assert result.exit_code == 0
    description = result.output.split("\nOptions:")[0].split("\n", 1)[1]
    examples = [line.strip() for line in description.splitlines() if line.startswith(f"    ladder {name} ")]
    assert examples, f"ladder {name} --help shows no example (a `\\b` block of '  ladder {name} ...' lines)"
    unexplained = [param.opts[0] for param in main.commands[name].params
                   if isinstance(param, click.Option) and not param.hidden and not param.help]
    assert not unexplained, f"ladder {name}: options without help text: {unexplained}"


def test_the_same_inputs_give_byte_identical_output(run, good):
    for fmt in ("text", "json", "markdown"):
        assert run("evaluate", good, "--format", fmt).output == run("evaluate", good, "--format", fmt).output


def test_python_dash_m_engine_is_the_same_command(good):
    result = subprocess.run([sys.executable, "-m", "engine", "evaluate", str(good), "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and json.loads(result.stdout)["results"][0]["candidate"]["id"] == "E-1"


def test_a_directory_of_packets_is_evaluated_in_name_order(run, write_packet):
    for name in ("b.yaml", "a.json"):
        path = write_packet(packet(), name)
    (path.parent / "a.json").write_text(json.dumps(packet()))
    result = run("evaluate", path.parent, "--format", "json")
    assert [r["packet"].rsplit("/", 1)[1] for r in json.loads(result.stdout)["results"]] == ["a.json", "b.yaml"]


NO_PACKETS = "no packet files here (*.yaml, *.yml, *.json, *.jsonl; subdirectories are not searched)"


@pytest.mark.parametrize("command", [["evaluate"], ["validate"], ["calibrate"], ["impact", "--base", "rules", "--head", "rules"]])
def test_a_directory_holding_no_packets_is_a_usage_error_not_an_empty_success(run, tmp_path, command, monkeypatch):
    monkeypatch.chdir(ROOT)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.yaml").write_text(json.dumps(packet()))  # below it: not searched
    result = run(*command, tmp_path)
    assert result.exit_code == 2 and f" {command[0]} [OPTIONS]" in result.stderr  # the usage line
    assert f"Error: {tmp_path}: {NO_PACKETS}\n" in result.stderr and ":1:1:" not in result.output


@pytest.mark.parametrize("cohort, problem", [
    ("/dev/zero", "is not a regular file: give a packet file, a directory of them, or a .jsonl file"),
    ("nowhere/", "no such cohort: give a directory of packets, a glob or a .jsonl file"),
    ("nowhere/*.yaml", "the pattern matches no packet files"),
], ids=["device", "missing", "glob-matching-nothing"])
def test_a_cohort_naming_no_packets_is_a_usage_error(run, tmp_path, cohort, problem, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("calibrate", cohort)
    assert result.exit_code == 2 and f"Error: {cohort}: {problem}\n" in result.stderr


def test_a_dangling_symlink_in_a_directory_is_that_packets_error_not_dropped(run, good, tmp_path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = run("evaluate", tmp_path)
    assert result.exit_code == 1 and "1 of 2 packets invalid" in result.stderr
    assert f"{tmp_path / 'gone.yaml'}:1:1: error: is a symbolic link to {tmp_path / 'nowhere.yaml'}, which does not exist" in result.stderr


@pytest.fixture
def lines(tmp_path):
    """A JSON Lines cohort, as `ladder generate` writes: a valid packet, a blank line, an invalid one."""
    path = tmp_path / "cohort.jsonl"
    invalid = packet(evidence=[record("X-1", "desing-doc", "2026-01-01")])
    path.write_text(json.dumps(packet()) + "\n\n" + json.dumps(invalid) + "\n")
    return path


def test_evaluate_and_validate_read_json_lines_each_line_a_packet(run, lines):
    evaluated = run("evaluate", lines, "--format", "json")
    assert evaluated.exit_code == 1
    assert [r["packet"] for r in json.loads(evaluated.stdout)["results"]] == [f"{lines}:1", f"{lines}:3"]
    assert f"{lines}:3:" in evaluated.stderr and "unknown evidence type 'desing-doc'" in evaluated.stderr
    validated = run("validate", lines)
    assert validated.exit_code == 1 and validated.stdout.startswith(f"{lines}:3:")
    assert "0 rulebooks, 2 packets: 1 error" in validated.stderr


def test_a_json_lines_file_in_a_directory_or_with_an_upper_case_suffix_is_read_line_by_line(run, lines, good, tmp_path):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "MORE.JSONL").write_text(lines.read_text())
    (cohort / "one.yaml").write_text(good.read_text())
    evaluated = run("evaluate", cohort, "--format", "json")
    assert [r["packet"] for r in json.loads(evaluated.stdout)["results"]] == \
        [f"{cohort / 'MORE.JSONL'}:1", f"{cohort / 'MORE.JSONL'}:3", str(cohort / "one.yaml")]


def test_plan_reads_a_json_lines_file_of_one_packet_and_refuses_several(run, lines, tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text(lines.read_text().splitlines()[0] + "\n")
    result = run("plan", one)
    assert result.exit_code == 0 and result.stdout.startswith("Next steps for Test Candidate (E-1)")
    several = run("plan", lines)
    assert several.exit_code == 2 and f"{lines} holds several packets; this takes one" in several.stderr


def test_a_truncated_json_line_is_placed_on_its_own_line_not_the_next(run, tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text(json.dumps(packet()) + "\n" + '{"candidate": \n' + json.dumps(packet()) + "\n")
    result = run("evaluate", path)
    assert f"{path}:2:15: error: not valid JSON: Expecting value [load.syntax]" in result.stderr


WRITERS = {
    "evaluate": ["evaluate", "fixtures/packets/ic-staff-ready.yaml", "--out"],
    "plan": ["plan", "fixtures/packets/ic-staff-ready.yaml", "--out"],
    "lint": ["lint", "--out"],
    "impact": ["impact", "--base", "rules", "--head", "rules", "fixtures/packets/ic-staff-ready.yaml", "--out"],
    "calibrate": ["calibrate", "fixtures/cohorts/spring-2026", "--out"],
    "test": ["test", "--junit-xml"],
    "generate": ["generate", "--size", "2", "--out"],
}


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a command starts its work (loading rules, linting, resolving rulebooks)."""
    def started(*args, **kwargs):
        raise AssertionError("the command started its work before checking where it writes")
    for target in ("engine.api.rulebook", "engine.tooling.lint.lint", "engine.tooling.impact.resolve"):
        monkeypatch.setattr(target, started)
    monkeypatch.chdir(ROOT)


# Directories no file can be created in, whatever the permissions say (the tests run as root).
UNWRITABLE = [Path("/sys"), Path("/proc")]
unwritable = pytest.mark.skipif(not all(d.is_dir() for d in UNWRITABLE), reason="needs Linux's /sys and /proc")


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("kind", ["missing", "file", *map(str, UNWRITABLE)])
def test_an_output_where_no_file_can_be_written_is_a_usage_error_before_any_work(run, no_work, tmp_path, command, kind):
    if kind.startswith("/"):
        if not Path(kind).is_dir():
            pytest.skip(f"needs Linux's {kind}")
        parent, problem = Path(kind), f"cannot write in directory {kind} (creating a file there failed: "
    else:
        parent = tmp_path / kind
        if kind == "file":
            parent.write_text("")
        problem = f"directory {parent} does not exist" if kind == "missing" else f"{parent} is not a directory"
    result = run(*WRITERS[command], parent / ("x.jsonl" if command == "generate" else "x.json"))
    option = WRITERS[command][-1]
    assert result.exit_code == 2 and f"{option}: {problem}" in result.stderr, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("out, problem", [
    pytest.param("/sys/site", "cannot write in directory /sys (creating a file there failed: ", marks=unwritable),
    pytest.param("/proc/site", "cannot write in directory /proc (creating a file there failed: ", marks=unwritable),
    ("{tmp}/file/site", "{tmp}/file is not a directory"),
    ("{tmp}/missing/site", "directory {tmp}/missing does not exist"),  # like every other --out: its parent must exist
])
def test_docs_where_no_file_can_be_written_is_a_usage_error_before_any_work(run, no_work, tmp_path, out, problem):
    (tmp_path / "file").write_text("")
    out = Path(out.format(tmp=tmp_path))
    result = run("docs", "--out", out)
    assert result.exit_code == 2 and f"--out: {problem.format(tmp=tmp_path)}" in result.stderr, result.output
    assert not out.exists() and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["evaluate", "plan"])
def test_out_never_replaces_an_input(run, good, command):
    before = good.read_bytes()
    result = run(command, good, "--out", good)
    assert result.exit_code == 2 and f"--out: {good} is also an input: write the output elsewhere" in result.stderr
    assert good.read_bytes() == before


def test_out_into_a_directory_of_packets_would_be_read_next_time_so_it_is_refused(run, good, tmp_path):
    result = run("evaluate", tmp_path, "--format", "json", "--out", tmp_path / "verdicts.json")
    assert result.exit_code == 2 and "whose files are all read: the next run would read it too" in result.stderr
    assert run("evaluate", tmp_path, "--out", tmp_path / "verdicts.txt").exit_code == 0  # not a packet suffix: fine


@pytest.mark.parametrize("args, option, folder", [
    (["evaluate", "{good}", "--out"], "--out", "levels"),
    (["lint", "{rules}", "--out"], "--out", "levels"),
    (["test", "{rules}", "--junit-xml"], "--junit-xml", "tests"),
])
def test_no_output_lands_where_the_rulebook_reads_every_file(run, good, tmp_path, args, option, folder):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / folder / "out.yaml"
    filled = [a.format(good=good, rules=rules) for a in args]
    result = run(*filled, target, *([] if "{rules}" in " ".join(args) else ["--rules", rules]))
    assert result.exit_code == 2 and f"{option}: {target} is in {rules / folder}, whose files are all read" in result.stderr
    assert not target.exists()


def test_generate_reproduces_the_fixture_cohort_byte_for_byte(run, tmp_path):
    out = tmp_path / "new" / "spring-2026"  # missing parents are created
    assert run("generate", "--size", "60", "--seed", "2026", "--out", out).exit_code == 0
    fixture = ROOT / "fixtures" / "cohorts" / "spring-2026"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in fixture.iterdir())
    assert all((out / p.name).read_bytes() == p.read_bytes() for p in fixture.iterdir())


def test_generate_refuses_a_non_empty_directory_so_no_stale_packet_joins_the_cohort(run, tmp_path):
    out = tmp_path / "cohort"
    assert run("generate", "--size", "3", "--out", out).exit_code == 0
    result = run("generate", "--size", "2", "--out", out)
    assert result.exit_code == 2 and f"--out: {out} is not empty: generate into a new directory" in result.stderr
    assert len(list(out.iterdir())) == 3
    (tmp_path / "empty").mkdir()
    assert run("generate", "--size", "2", "--out", tmp_path / "empty").exit_code == 0
    assert len(list((tmp_path / "empty").iterdir())) == 2


def test_generate_writes_a_directory_or_a_jsonl_file_and_nothing_else(run, good, tmp_path):
    result = run("generate", "--size", "2", "--out", tmp_path / "g.json")
    assert result.exit_code == 2 and "give a directory (one YAML file per packet) or a .jsonl file" in result.stderr
    assert not (tmp_path / "g.json").exists()
    existing = run("generate", "--size", "2", "--out", good)
    assert existing.exit_code == 2 and "Traceback" not in existing.output and good.read_text().startswith("candidate:")
    dotted = tmp_path / "cycle.2026.q4"  # a directory's name may have a dot
    assert run("generate", "--size", "2", "--out", dotted).exit_code == 0 and len(list(dotted.iterdir())) == 2
    lines = tmp_path / "g.jsonl"
    written = run("generate", "--size", "2", "--out", lines)
    assert written.exit_code == 0 and written.stderr == f"wrote 2 packets to {lines}\n"
    assert run("generate", "--size", "1", "--out", tmp_path / "one.jsonl").stderr == f"wrote 1 packet to {tmp_path / 'one.jsonl'}\n"
    assert [json.loads(line)["candidate"]["id"] for line in lines.read_text().splitlines()] == ["E-10000", "E-10001"]


def test_out_through_a_symlink_writes_its_target_and_keeps_the_link(run, good, tmp_path):
    target, link = tmp_path / "verdict.txt", tmp_path / "latest.txt"
    target.write_text("old")
    link.symlink_to(target)
    assert run("evaluate", good, "--out", link).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("Test Candidate (E-1)")


def test_out_to_a_pipe_or_device_is_refused_rather_than_replaced(run, good, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run("evaluate", good, "--out", fifo)
    assert result.exit_code == 2 and "is not a regular file (a device or a pipe)" in result.stderr
    assert not fifo.is_file() and fifo.exists()


def test_calibrate_refuses_the_same_output_file_twice(run, good, tmp_path):
    result = run("calibrate", good, "--out", tmp_path / "r.md", "--out", tmp_path / "." / "r.md")
    assert result.exit_code == 2 and "are the same file: give each format its own" in result.stderr
    assert not (tmp_path / "r.md").exists()


def test_an_unknown_target_level_is_a_usage_error_before_any_packet_is_read(run, good):
    result = run("evaluate", good, "--target", "staff-enginer")
    assert result.exit_code == 2 and "--target: unknown level 'staff-enginer' (did you mean 'staff-engineer'?)" in result.stderr
    listed = run("evaluate", good, "--target", "cto")
    assert listed.exit_code == 2 and "levels: junior-developer, developer," in listed.stderr


def test_a_json_lines_output_in_a_cohort_directory_is_refused_like_any_packet_file(run, good, tmp_path):
    (tmp_path / "one.yaml").write_text(good.read_text())
    result = run("evaluate", tmp_path, "--format", "json", "--out", tmp_path / "results.jsonl")
    assert result.exit_code == 2 and "whose files are all read" in result.stderr


def test_an_empty_json_lines_file_among_packets_is_listed_invalid_and_the_others_still_run(run, good, tmp_path):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "empty.jsonl").write_text("\n")
    (cohort / "one.yaml").write_text(good.read_text())
    result = run("evaluate", cohort, "--format", "json")
    results = json.loads(result.stdout)["results"]
    assert result.exit_code == 1 and [r.get("verdict") for r in results] == [None, "not_ready"]
    assert f"{cohort / 'empty.jsonl'}:1:1: error: no packets in this file" in result.stderr


def test_many_json_lines_files_are_read_one_open_file_at_a_time(tmp_path):
    line = json.dumps(packet()) + "\n"
    for n in range(120):
        (tmp_path / f"{n:03d}.jsonl").write_text(line)
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)); "
            "from engine.cli import main; sys.argv = ['ladder', 'evaluate', '--format', 'json', sys.argv[1]]; main()")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert len(json.loads(done.stdout)["results"]) == 120


def test_a_loop_of_symlinks_as_out_is_a_usage_error(run, good, tmp_path):
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    result = run("evaluate", good, "--out", tmp_path / "a.json")
    assert result.exit_code == 2 and "is a loop of symbolic links" in result.stderr and "Traceback" not in result.output


def test_a_glob_that_normalises_to_a_plain_path_is_read_without_a_traceback(run, good, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "one.yaml").write_text(good.read_text())
    result = run("calibrate", f"{tmp_path}/*/../one.yaml", "--out", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert (len(report["candidates"]), report["invalid"]) == (1, [])


@pytest.fixture(scope="module")
def slow_cohort(tmp_path_factory) -> Path:
    """A cohort that takes a few seconds to evaluate."""
    from engine import api
    from engine.cohorts import synthetic
    path = tmp_path_factory.mktemp("slow") / "cohort.jsonl"
    synthetic.write(synthetic.generate(api.rulebook(), 300, 1, "2026-11-01", 200), path)
    return path


@pytest.mark.parametrize("command, output", [
    (["evaluate", "--format", "json"], "verdicts.json"),
    (["calibrate"], "report.html"),
    (["generate", "--size", "20000", "--records", "200"], "generated.jsonl"),
])
def test_ctrl_c_exits_130_with_a_short_message_and_no_output_file(slow_cohort, tmp_path, command, output):
    cache, out = tmp_path / "cache", tmp_path / "out"
    out.mkdir()
    args = [*command, *([] if command[0] == "generate" else [slow_cohort, "--jobs", "2"]), "--out", out / output]
    child = subprocess.Popen([sys.executable, "-m", "engine", *map(str, args)], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "LADDER_CACHE_DIR": str(cache)})
    try:
        # The rulebook is cached once loaded: from then on the command is at its work.
        deadline = time.monotonic() + 120
        while not list(cache.glob("rulebook-*.pickle")):
            assert child.poll() is None and time.monotonic() < deadline, child.communicate()
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        child.kill()
    assert (child.returncode, stderr, stdout) == (130, "\nladder: interrupted\n", "")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("command", [
    ["evaluate", "fixtures/packets/ic-developer-ready.yaml", "--rules"], ["plan", "fixtures/packets/ic-developer-ready.yaml", "--rules"],
    ["validate", "fixtures/packets/ic-developer-ready.yaml", "--rules"], ["place", "fixtures/packets/ic-developer-ready.yaml", "--rules"],
    ["calibrate", "fixtures/cohorts/spring-2026", "--rules"], ["lint"], ["test"], ["docs"],
])
def test_a_rulebook_directory_that_does_not_exist_is_a_usage_error_in_every_command(run, tmp_path, command):
    """The same mistake gets the same answer everywhere: a mistyped --rules (or RULES_DIR) is a
    mistake in the command line, exit 2, whichever command it was given to."""
    result = run(*command, tmp_path / "no-such-rules")
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.stderr and "Traceback" not in result.output
