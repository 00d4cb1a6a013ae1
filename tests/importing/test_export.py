"""`ladder export table`: packets out as a table in a mapping's shape. What the mapping has no
column for is reported, an invalid packet is left out and reported while the others are
written, text that looks like a formula stays text, and a bad output is a usage error."""
from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner
from test_import_table import IMPORTS, ROOT, at_root  # noqa: F401 - at_root is an autouse fixture

from engine import api
from engine.cli import main

TRACKER = ROOT / IMPORTS / "expected" / "tracker"


def test_a_key_the_mapping_has_no_column_for_is_reported_once_as_a_warning(book, tmp_path):
    report = api.export_table(book, [TRACKER], IMPORTS / "brag.map.yaml", tmp_path / "out.csv")
    warned = {d.message.split(" ", 1)[0]: d for d in report.diagnostics}
    assert set(warned) >= {"location", "nominated", "reviewers"} and all(d.level == "warning" for d in warned.values())
    assert warned["nominated"].message == ("nominated is not exported: the mapping has no column for candidate.nominated "
                                           "(this is the first packet with one)")
    assert report.ok and report.packets == 3


def test_an_invalid_packet_is_left_out_and_reported_and_the_others_exported(book, tmp_path):
    packets = tmp_path / "packets"
    packets.mkdir()
    for path in TRACKER.glob("*.yaml"):
        (packets / path.name).write_text(path.read_text())
    (packets / "E-9.yaml").write_text((TRACKER / "E-3100.yaml").read_text().replace("E-3100", "E-9").replace("level: developer", "level: develop"))
    result = CliRunner().invoke(main, ["export", "table", str(packets), "--map", str(IMPORTS / "tracker.map.yaml"),
                                       "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert f"{packets}/E-9.yaml:8:10: error: unknown level 'develop' (did you mean 'developer'?) [packet.unknown-level]" in result.stderr
    assert "wrote 3 packets as 12 rows" in result.stderr
    assert "E-9" not in (tmp_path / "out.csv").read_text()


def test_text_that_looks_like_a_formula_stays_text_in_a_workbook(book, tmp_path):
    packet = json.loads(json.dumps({"candidate": {"id": "E-1", "name": "=HYPERLINK(\"http://x\")", "track": "ic",
                                                  "level": "developer", "level_since": "2025-01-01"},
                                    "as_of": "2026-01-01", "evidence": []}))
    (tmp_path / "E-1.json").write_text(json.dumps(packet))
    out = tmp_path / "out.xlsx"
    assert api.export_table(book, [tmp_path / "E-1.json"], IMPORTS / "tracker.map.yaml", out).ok
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet["B2"].value == "=HYPERLINK(\"http://x\")" and sheet["B2"].data_type == "s"


def test_an_output_that_is_not_a_table_or_is_an_input_is_a_usage_error(tmp_path):
    for out in (tmp_path / "out.txt", TRACKER / "E-1588.yaml"):
        result = CliRunner().invoke(main, ["export", "table", str(TRACKER), "--map", str(IMPORTS / "tracker.map.yaml"), "--out", str(out)])
        assert result.exit_code == 2, result.output
    assert not (tmp_path / "out.txt").exists()


def test_export_help_teaches_with_an_example():
    result = CliRunner().invoke(main, ["export", "table", "--help"])
    assert result.exit_code == 0
    assert "ladder export table packets/ --map fixtures/imports/tracker.map.yaml --out tracker.xlsx" in result.output
