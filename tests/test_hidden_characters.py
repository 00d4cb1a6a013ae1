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
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import hidden_in, packet, project, record

from engine.cli import main

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
