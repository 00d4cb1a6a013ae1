"""Packet and rulebook text carrying terminal escapes, bidi overrides and zero-width characters,
through every command and format: a reader sees each such character as its code point
(`<U+202E>`), never acting on the terminal or passing one name off as another; JSON keeps the
values verbatim, written as `\\u` escapes. Ladder's own colours (`--color`) still work."""
from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import hidden_in, packet, project, record

from engine.cli import main
from engine.common.errors import Diagnostic
from engine.rendering import sarif

ROOT = Path(__file__).resolve().parent.parent

NAME = "Ann\x1b]0;pwned\x07 Lee\u202eeoJ\u200b\x00"  # OSC 0 (window title), RLO, zero-width space, NUL
NAME_SHOWN = "Ann<U+001B>]0;pwned<U+0007> Lee<U+202E>eoJ<U+200B><U+0000>"
MANAGER = "Pat\x1b]52;c;cHduZWQ=\x07 Moss\u200b\u202e"  # OSC 52 (clipboard write)
MANAGER_SHOWN = "Pat<U+001B>]52;c;cHduZWQ=<U+0007> Moss<U+200B><U+202E>"
TITLE = "Ledger \x1b]8;;https://evil.example/\x1b\\migration\x1b]8;;\x1b\\ \x1b[31m\u202enoitargim\u200b\x00"  # OSC 8 link, CSI colour
TITLE_SHOWN = "Ledger <U+001B>]8;;https://evil.example/<U+001B>\\migration<U+001B>]8;;<U+001B>\\ <U+001B>[31m<U+202E>noitargim<U+200B><U+0000>"


def md(text: str) -> str:
    """How Markdown output writes text that `md_escape` escaped."""
    return re.sub(r"[\\`*_\[\]|]", lambda m: "\\" + m.group(), text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def invoke(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def read(path: Path) -> str:
    return path.read_bytes().decode()  # not read_text: it would turn a stray CR into a line break


@pytest.fixture
def hostile(write_packet) -> Path:
    evidence = [project("P-1", "2026-03-01", team="payments", title=TITLE),
                record("DD-1", "design-doc", "2026-02-01", status="draft", scope="team", project="P-1", title=TITLE)]
    data = packet(evidence=evidence)
    data["candidate"].update(name=NAME, manager=MANAGER)
    return write_packet(data, "hostile.yaml")


# ---------------------------------------------------------------------------- what a person sees

def test_text_shows_each_hidden_character_as_its_code_point(hostile):
    code, out, _ = invoke("evaluate", hostile)
    assert code == 0 and not hidden_in(out)
    lines = out.splitlines()
    assert lines[0] == f"{NAME_SHOWN} (E-1) · Senior Developer -> Staff Engineer · as of 2026-11-01"
    assert f"      counts: P-1 ({TITLE_SHOWN})" in lines
    assert any(line.startswith(f"      did not count: DD-1 ({TITLE_SHOWN}): status is draft") for line in lines)


def test_with_colour_ladders_own_colour_codes_are_the_only_escapes(hostile):
    _, out, _ = invoke("evaluate", hostile, "--color", "always")
    assert "\x1b[1m" in out and "\x1b[31m" in out  # bold name, red NOT READY
    assert not hidden_in(re.sub(r"\x1b\[\d+m", "", out))
    assert out.splitlines()[0] == f"\x1b[1m{NAME_SHOWN} (E-1) · Senior Developer -> Staff Engineer · as of 2026-11-01\x1b[0m"


def test_markdown_shows_the_code_points_as_text(hostile):
    code, out, _ = invoke("evaluate", hostile, "--format", "markdown")
    assert code == 0 and not hidden_in(out)
    assert out.startswith(f"## {md(NAME_SHOWN)} (E-1): Senior Developer → Staff Engineer\n")
    assert md(f"P-1 ({TITLE_SHOWN})") in out


def test_json_keeps_the_values_verbatim_yet_prints_no_hidden_character(hostile):
    code, out, _ = invoke("evaluate", hostile, "--format", "json")
    assert code == 0 and not hidden_in(out)
    assert "Ann\\u001b]0;pwned\\u0007 Lee\\u202eeoJ\\u200b\\u0000" in out
    [result] = json.loads(out)["results"]
    assert (result["candidate"]["name"], result["candidate"]["manager"]) == (NAME, MANAGER)


def test_plan_shows_them_in_text_and_markdown_and_keeps_them_in_json(hostile):
    _, text, _ = invoke("plan", hostile)
    _, markdown, _ = invoke("plan", hostile, "--format", "markdown")
    _, data, _ = invoke("plan", hostile, "--format", "json")
    assert not hidden_in(text + markdown + data)
    assert text.startswith(f"Next steps for {NAME_SHOWN} (E-1)") and f"closest: DD-1 ({TITLE_SHOWN})" in text
    assert markdown.startswith(f"## Next steps for {md(NAME_SHOWN)} (E-1)")
    assert json.loads(data)["candidate"]["name"] == NAME


def test_a_file_name_or_value_quoted_in_a_diagnostic_shows_its_code_points(write_packet):
    data = packet()
    data["candidate"]["nominated"] = "yes\u202e"
    path = write_packet(data, "bad\x1b]0;pwned\x07.yaml")
    code, out, err = invoke("evaluate", path)
    assert code == 1 and not hidden_in(out + err)
    assert f"{path.parent}/bad<U+001B>]0;pwned<U+0007>.yaml:" in err
    code, out, err = invoke("validate", path)
    assert code == 1 and not hidden_in(out + err) and "bad<U+001B>]0;pwned<U+0007>.yaml:" in out


def test_calibration_html_csv_markdown_and_json_show_the_same(hostile, tmp_path):
    (tmp_path / "out").mkdir()
    outs = {fmt: tmp_path / "out" / f"report.{fmt}" for fmt in ("html", "csv", "md", "json")}
    code, _, _ = invoke("calibrate", hostile.parent, *[arg for out in outs.values() for arg in ("--out", out)])
    assert code == 0
    texts = {fmt: read(path) for fmt, path in outs.items()}
    for fmt, text in texts.items():
        assert not hidden_in(text), fmt
    page = texts["html"][texts["html"].index('<article class="page"'):]
    heading = re.search(r"<h3>(.*?)</h3>", page).group(1)
    assert html.unescape(heading) == f"{NAME_SHOWN} (E-1): Senior Developer → Staff Engineer"
    assert "&lt;U+202E&gt;" in heading and "<U+" not in texts["html"]  # text, never a tag the browser would swallow
    assert f"manager {html.escape(MANAGER_SHOWN, quote=False)}" in page
    assert html.escape(f"P-1 ({TITLE_SHOWN})") in page
    [row] = csv.DictReader(io.StringIO(texts["csv"]))
    assert (row["candidate"], row["manager"]) == (NAME_SHOWN, MANAGER_SHOWN)
    assert f"### <a id=\"c0001\"></a>{md(NAME_SHOWN)} (E-1)" in texts["md"] and md(MANAGER_SHOWN) in texts["md"]
    assert json.loads(texts["json"])["candidates"][0]["explanation"]["candidate"]["name"] == NAME


def test_sarif_messages_are_shown_text_and_the_file_uri_stays_verbatim():
    log = sarif.sarif([Diagnostic("rules/levels/x.yaml", 1, 1, "no Desi\u202egn doc\x1b]0;t\x07 can meet these", "lint.never-holds")],
                      {"lint.never-holds": ("error", "a condition that can never hold")}, ("error", "load"))
    [result] = log["runs"][0]["results"]
    assert result["message"]["text"] == "no Desi<U+202E>gn doc<U+001B>]0;t<U+0007> can meet these"


# -------------------------------------------------------------------------------- nothing missed

PAYLOAD = " \x1b]0;t\x07\x1b]8;;https://e.example/\x1b\\x\x1b]8;;\x1b\\\x1b]52;c;cA==\x07\x1b[31m\x00\x9b2J\u202e\u2066\u200b\ufeff\u00ad\r\n\rz"
FREE_TEXT = {"name", "manager", "team", "title", "description", "summary", "hire_level", "standing", "reason"}


def poisoned(data: object, keys: set[str] = FREE_TEXT) -> object:
    """`data` with PAYLOAD added to every free-text value (and attribute value) in it."""
    if isinstance(data, dict):
        return {k: v + PAYLOAD if isinstance(v, str) and k in keys else poisoned(v, keys) for k, v in data.items()}
    if isinstance(data, list):
        return [poisoned(item, keys) for item in data]
    return data


@pytest.fixture
def poisoned_cohort(tmp_path) -> Path:
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for source in sorted((ROOT / "fixtures" / "packets").glob("*.yaml")):
        data = poisoned(yaml.safe_load(source.read_text()))
        data["candidate"]["attributes"] = {"location": "Par\u202eis\x1b]0;t\x07"}
        (cohort / source.name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return cohort


def poisoned_copy(rules: Path, to: Path) -> Path:
    shutil.copytree(rules, to)
    for path in to.rglob("*.yaml"):
        path.write_text(yaml.safe_dump(poisoned(yaml.safe_load(path.read_text())), sort_keys=False, allow_unicode=True))
    return to


@pytest.fixture
def poisoned_rules(tmp_path) -> Path:
    """The default rulebook with PAYLOAD in every name, description and summary (rule test
    cases and their packets too), and a failing rule test."""
    rules = poisoned_copy(ROOT / "rules", tmp_path / "rules")
    tests = yaml.safe_load((rules / "tests" / "developer.yaml").read_text())
    case = tests["cases"][0]  # its failure lists the records that count, titles and all
    case["expect"]["criteria"] = {cid: {"met": "unmet", "unmet": "met"}[status] for cid, status in case["expect"]["criteria"].items()}
    (rules / "tests" / "zz-failing.yaml").write_text(yaml.safe_dump({**tests, "cases": [case]}, sort_keys=False, allow_unicode=True))
    return rules


@pytest.fixture
def stricter(tmp_path) -> Path:
    """The default rulebook with the stricter mentorship rule of fixtures/rulebooks/, for `impact`."""
    rules = tmp_path / "stricter"
    shutil.copytree(ROOT / "rules", rules)
    for patch in yaml.safe_load((ROOT / "fixtures" / "rulebooks" / "stricter-mentorship.yaml").read_text()):
        target = rules / patch["file"]
        target.write_text(target.read_text().replace(patch["old"], patch["new"], 1))
    return rules


def test_no_output_of_any_command_carries_a_hidden_character(poisoned_cohort, poisoned_rules, stricter, tmp_path):
    """Every free-text field of every sample packet, and every name and description of the
    rulebook, carry escapes, bidi and zero-width characters; every output shows them all."""
    shown: dict[str, str] = {}

    def run(what: str, *args: object) -> int:
        code, shown[what], shown[f"{what} (stderr)"] = invoke(*args)
        return code

    first = sorted(poisoned_cohort.glob("*.yaml"))[0]
    for rules in (None, poisoned_rules):
        with_rules = ("--rules", rules) if rules else ()
        tag = "poisoned rules" if rules else "default rules"
        for fmt in ("text", "markdown", "json"):
            run(f"evaluate {fmt}, {tag}", "evaluate", poisoned_cohort, "--format", fmt, *with_rules)
            run(f"plan {fmt}, {tag}", "plan", first, "--format", fmt, *with_rules)
        outs = {fmt: tmp_path / f"report-{bool(rules)}.{fmt}" for fmt in ("html", "csv", "md", "json")}
        run(f"calibrate, {tag}", "calibrate", poisoned_cohort, *with_rules, *[arg for out in outs.values() for arg in ("--out", out)])
        shown.update({f"calibrate {fmt}, {tag}": read(path) for fmt, path in outs.items()})
    defects = poisoned_copy(ROOT / "fixtures" / "rulebooks" / "lint-defects", tmp_path / "defects\x1b]0;t\x07\u202e")
    for fmt in ("text", "json", "sarif"):
        run(f"lint {fmt}", "lint", defects, "--format", fmt)
    assert run("test", "test", poisoned_rules, "--junit-xml", tmp_path / "junit.xml", "--jobs", "1") == 1 and "    counts: " in shown["test"]
    shown["junit"] = read(tmp_path / "junit.xml")
    ET.fromstring(shown["junit"].encode())  # well-formed: XML 1.0 cannot even hold most controls
    for fmt in ("md", "html"):
        run(f"docs {fmt}", "docs", poisoned_rules, "--out", tmp_path / f"site-{fmt}", "--format", fmt)
        shown.update({f"docs {p.relative_to(tmp_path)}": read(p) for p in (tmp_path / f"site-{fmt}").rglob("*") if p.is_file()})
    for fmt in ("text", "markdown", "json"):
        run(f"impact {fmt}", "impact", "--base", ROOT / "rules", "--head", stricter, poisoned_cohort, "--format", fmt)

    for what, text in shown.items():
        assert not hidden_in(text), what
    assert "defects<U+001B>]0;t<U+0007><U+202E>/" in shown["lint text"] and "<U+00AD>  z can meet these conditions" in shown["lint text"]
    assert any("<U+202E>" in r["message"]["text"] for r in json.loads(shown["lint sarif"])["runs"][0]["results"])
    assert "<U+202E>" in shown["impact text"] and "&lt;U+202E&gt;" in shown["docs site-md/index.md"] and "&lt;U+202E&gt;" in shown["docs site-html/index.html"]
    verdicts = json.loads(shown["evaluate json, default rules"])["results"]
    assert all(result["candidate"]["name"].endswith(PAYLOAD) for result in verdicts)  # JSON: verbatim


def test_a_json_packet_with_a_lone_surrogate_is_refused_at_its_place_and_the_report_still_written(tmp_path):
    """JSON may escape half a surrogate pair (`\\ud800`), which is no character: the packet is
    invalid at its place, listed in the report, and the report written (once, a traceback)."""
    data = packet(evidence=[project("P-1", "2026-03-01", team="payments")])
    data["candidate"]["name"] = "Ann \ud800 Lee"
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "p.json").write_text(json.dumps(data))  # ensure_ascii: the surrogate as \ud800
    code, _, err = invoke("calibrate", cohort, "--out", tmp_path / "r.html", "--out", tmp_path / "r.json")
    assert code == 0, err  # a report listing an invalid packet is a success
    assert "Traceback" not in err
    report = json.loads(read(tmp_path / "r.json"))
    [error] = report["invalid"][0]["errors"]
    assert (error["code"], error["line"]) == ("load.character", 1) and "half of a surrogate pair" in error["message"]
