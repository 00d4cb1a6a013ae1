"""The library calls that take one packet (`api.evaluate_packet`, `place_packet`, `plan_packet`)
read a JSON Lines file of one packet as that packet, and refuse one of several with a message
saying how to read them, rather than "no packets in this file"."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import api
from engine.rendering.report import Invalid

PACKET = Path(__file__).resolve().parents[2] / "fixtures" / "packets" / "ic-developer-ready.yaml"


def _as_json_line(path: Path) -> str:
    import yaml
    return json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)


@pytest.fixture(scope="module")
def book():
    return api.rulebook()


@pytest.mark.parametrize("call", [api.evaluate_packet, api.place_packet, api.plan_packet])
def test_a_json_lines_file_of_one_packet_reads_as_that_packet(book, tmp_path, call):
    lines = tmp_path / "one.jsonl"
    lines.write_text(_as_json_line(PACKET) + "\n", encoding="utf-8")
    result = call(book, lines)
    assert not isinstance(result, Invalid), result
    assert {**result, "packet": None} == {**call(book, PACKET), "packet": None}


@pytest.mark.parametrize("call", [api.evaluate_packet, api.place_packet, api.plan_packet])
def test_a_json_lines_file_of_several_packets_is_refused_saying_how_to_read_them(book, tmp_path, call):
    lines = tmp_path / "two.jsonl"
    line = _as_json_line(PACKET)
    lines.write_text(line + "\n" + line.replace("\"name\": \"", "\"name\": \"B ") + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds several packets; this takes one: .* as a cohort"):
        call(book, lines)


def test_a_missing_packet_file_is_that_packets_error(book, tmp_path):
    result = api.evaluate_packet(book, tmp_path / "gone.yaml")
    assert isinstance(result, Invalid) and result.diagnostics[0].code == "load.missing"
