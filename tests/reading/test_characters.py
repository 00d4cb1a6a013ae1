"""Characters no packet or rule file may hold (NUL, ESC and the other controls YAML forbids),
and bytes that are not UTF-8: a located error naming the character, in YAML, JSON and JSON
Lines alike and in every command, never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.cohorts import cohort
from engine.common.errors import LadderError
from engine.reading import load, yaml_text
from engine.reading.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
PACKET = ROOT / "fixtures" / "packets" / "ic-developer-ready.yaml"

FORBIDDEN = [  # (character, how the message names it)
    ("\x00", "U+0000 (NUL) is a control character"),
    ("\x1b", "U+001B (ESC) is a control character"),
    ("\x07", "U+0007 (BEL) is a control character"),
    ("\x7f", "U+007F (DEL) is a control character"),
    ("\x9b", "U+009B is a control character"),  # the one-character CSI of C1
    ("\ufffe", "U+FFFE is a noncharacter"),
]


def diagnostic(loader, text: str, source: str) -> str:
    with pytest.raises(LadderError) as caught:
        loader(text, source)
    (found,) = caught.value.diagnostics
    return found.format()


@pytest.mark.parametrize("character, named", FORBIDDEN, ids=[hex(ord(c)) for c, _ in FORBIDDEN])
def test_a_control_character_in_yaml_is_named_by_code_point_at_its_place(character, named):
    message = diagnostic(load.load_yaml_text, f"candidate:\n  name: x{character}y\n", "p.yaml")
    assert message.startswith(f"p.yaml:2:10: error: {named}, which a packet or rule file may not hold: delete it")
    assert message.endswith("inside double quotes) [load.character]")


@pytest.mark.parametrize("character, named", FORBIDDEN, ids=[hex(ord(c)) for c, _ in FORBIDDEN])
def test_json_is_held_to_the_same_characters_as_yaml(character, named):
    assert diagnostic(load.load_json_text, '{"candidate":\n  {"name": "x' + character + 'y"}}', "p.json") \
        .startswith(f"p.json:2:14: error: {named}")


def test_the_escape_the_message_suggests_puts_the_character_in_a_value():
    assert load.load_yaml_text('name: "x\\u001by"\n', "p.yaml").data == {"name": "x\x1by"}
    assert load.load_json_text('{"name": "x\\u001by"}', "p.json").data == {"name": "x\x1by"}


def test_half_a_surrogate_pair_is_refused_where_it_is_written():
    assert diagnostic(load.load_json_text, '{"a": 1,\n "b": ["x\\ud800"]}', "p.json") == \
        "p.json:2:8: error: holds half of a surrogate pair (\\ud800-\\udfff), which is no character on its own: " \
        "write the whole pair, or remove it [load.character]"
    assert load.load_json_text('["\\ud83d\\ude00"]', "p.json").data == ["\U0001F600"]  # a whole pair is a character
    assert diagnostic(load.load_yaml_text, 'a: "\\ud800"\n', "p.yaml").startswith("p.yaml:1:")


def test_pure_python_yaml_parser_refuses_the_same(monkeypatch):
    """Where PyYAML is built without libyaml its own parser reads the events: same answers."""
    monkeypatch.setattr(yaml_text, "_Parser", yaml_text._PurePythonParser)
    assert diagnostic(load.load_yaml_text, "a: x\x00\n", "p.yaml").startswith("p.yaml:1:5: error: U+0000 (NUL)")
    assert diagnostic(load.load_yaml_text, 'a:\n  - "\\ud800"\n', "p.yaml").startswith("p.yaml:2:5: error: holds half of a surrogate pair")


def test_a_control_character_in_a_json_lines_packet_is_placed_on_its_line(tmp_path):
    lines = tmp_path / "cohort.jsonl"
    lines.write_text('{"a": 1}\n\n{"a": "x\x1b[2J"}\n')
    *_, third = cohort.items(lines)
    with pytest.raises(LadderError) as caught:
        cohort.read(third)
    assert caught.value.diagnostics[0].format().startswith(f"{lines}:3:9: error: U+001B (ESC) is a control character")


def test_a_json_lines_byte_that_is_not_utf8_is_refused_at_its_place_not_replaced(tmp_path):
    lines = tmp_path / "cohort.jsonl"
    lines.write_bytes(b'{"a": 1}\n{"title": "caf\xe9"}\n')
    _, second = cohort.items(lines)
    with pytest.raises(LadderError) as caught:
        cohort.read(second)
    assert caught.value.diagnostics[0].format() == f"{lines}:2:15: error: is not UTF-8 text: save the file as UTF-8 [load.encoding]"


def test_a_control_character_in_a_rule_file_is_a_located_rulebook_error(rules_copy):
    level = rules_copy / "levels" / "developer.yaml"
    text = level.read_text()
    at = text.index("description:")
    level.write_text(text[:at] + "description: a\x00b" + text[at + len("description: "):])
    line = text[:at].count("\n") + 1
    with pytest.raises(LadderError) as caught:
        load_rulebook(rules_copy)
    (found,) = caught.value.diagnostics
    assert (found.line, found.col, found.code) == (line, at - text.rfind("\n", 0, at) + len("description: a"), "load.character")
    assert found.file.endswith("levels/developer.yaml") and found.message.startswith("U+0000 (NUL)")


@pytest.fixture
def nul_packet(tmp_path) -> Path:
    path = tmp_path / "n.yaml"
    path.write_bytes(PACKET.read_bytes().replace(b"  team: checkout\n", b"  team: check\x00out\n", 1))
    return path


@pytest.mark.parametrize("command", ["evaluate", "validate", "plan"])
def test_every_command_reports_a_nul_byte_as_a_located_error_with_exit_1(nul_packet, command):
    result = subprocess.run([sys.executable, "-m", "engine", command, str(nul_packet)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{nul_packet}:9:14: error: U+0000 (NUL) is a control character" in result.stdout + result.stderr  # validate: stdout


def test_calibrate_lists_a_nul_byte_as_a_load_error_not_a_failed_evaluation(nul_packet, tmp_path):
    (tmp_path / "cohort").mkdir()
    nul_packet.rename(tmp_path / "cohort" / "n.yaml")
    (tmp_path / "cohort" / "good.yaml").write_bytes(PACKET.read_bytes())
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["calibrate", str(tmp_path / "cohort"), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0  # listed in the report, which is written
    (invalid,) = json.loads(out.read_text())["invalid"]
    (error,) = invalid["errors"]
    assert (error["code"], error["line"], error["col"]) == ("load.character", 9, 14)
    assert error["message"].startswith("U+0000 (NUL) is a control character")
