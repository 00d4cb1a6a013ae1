"""`ladder import table`: a committee's spreadsheet export becomes one valid packet per
candidate, every bad cell is named by row and column in one pass, and a candidate with a bad row
gets no packet while every other candidate gets theirs.

Golden packets live in fixtures/imports/expected/; after reviewing a deliberate change,
regenerate them with `LADDER_UPDATE_GOLDEN=1 python -m pytest tests/importing`."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.common.errors import LadderError

ROOT = Path(__file__).resolve().parents[2]
IMPORTS = Path("fixtures/imports")  # relative: packets name their source as the user gave it
UPDATE = os.environ.get("LADDER_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def check_golden(written: Path, expected: Path) -> None:
    """Every packet in `written` equals its golden in `expected`, and no golden is missing."""
    if UPDATE:
        expected.mkdir(parents=True, exist_ok=True)
        for old in expected.glob("*.yaml"):
            old.unlink()
        for path in written.glob("*.yaml"):
            (expected / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert sorted(p.name for p in written.glob("*.yaml")) == sorted(p.name for p in expected.glob("*.yaml"))
    for path in sorted(written.glob("*.yaml")):
        actual, wanted = path.read_text(encoding="utf-8"), (expected / path.name).read_text(encoding="utf-8")
        if actual != wanted:
            diff = "".join(difflib.unified_diff(wanted.splitlines(True), actual.splitlines(True), str(expected / path.name), "actual"))
            pytest.fail(f"the imported packet changed; review, then regenerate with LADDER_UPDATE_GOLDEN=1:\n{diff}")


def test_a_csv_tracker_imports_into_the_reviewed_packets(book, tmp_path):
    report = api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", tmp_path)
    assert report.ok, [d.format() for d in report.diagnostics]
    assert [(c.candidate, c.status, c.records) for c in report.changes] == [
        ("E-1588", "new", 8), ("E-2044", "new", 3), ("E-3100", "new", 0)]
    check_golden(tmp_path, ROOT / IMPORTS / "expected" / "tracker")


def test_the_golden_packets_pass_validate():
    goldens = sorted((ROOT / IMPORTS / "expected").glob("*/*.yaml"))
    assert goldens
    report = api.validate_paths(goldens)
    assert report.ok and len(report.packets) == len(goldens), [d.format() for d in report.diagnostics]


def test_every_bad_cell_is_located_in_one_pass_and_the_good_candidate_is_still_written(book, tmp_path):
    report = api.import_table(book, [IMPORTS / "tracker-bad.csv"], IMPORTS / "tracker.map.yaml", tmp_path)
    actual = "".join(d.format() + "\n" for d in report.diagnostics)
    golden = ROOT / IMPORTS / "tracker-bad.expected.txt"
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
    assert not report.ok
    assert {c.candidate: c.status for c in report.changes} == {
        "E-1588": "not written", "E-2044": "not written", "E-5000": "not written", "E-6000": "not written", "E-7000": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["E-7000.yaml"]  # and no temporary file left behind


def test_an_unknown_enum_value_is_refused_with_the_closest_allowed_value(book, tmp_path):
    report = api.import_table(book, [IMPORTS / "tracker-bad.csv"], IMPORTS / "tracker.map.yaml", tmp_path)
    (shiped,) = [d for d in report.diagnostics if "'Shiped'" in d.message]
    assert (shiped.line, shiped.col, shiped.code) == (2, 19, "import.bad-value")
    assert shiped.message.startswith("column 'Outcome' (S): ") and "(did you mean 'shipped'?)" in shiped.message


def test_importing_the_same_table_again_changes_nothing(book, tmp_path):
    api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    again = api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", tmp_path)
    assert {c.status for c in again.changes} == {"unchanged"}
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.map.yaml"
    path.write_text(text)
    return path


MINIMAL = "candidate: {id: Employee ID, name: Name, track: Track, level: Level, level_since: In level since}\n"


@pytest.mark.parametrize("text, where, message", [
    (MINIMAL + "record: {id: Ref, type: Evidence, title: Title}\nfields: {rol: Role}\n", (3, 10),
     "no evidence type has a field 'rol' (did you mean 'role'?) [mapping.unknown-field]"),
    (MINIMAL + "record: {id: Ref, type: Evidence, title: Title}\nfields: {outcome: {column: Outcome, values: {Done: shiped}}}\n",
     (3, 52), "'Done' translates to 'shiped', which is not one of shipped, in-progress, cancelled, failed, progressing, "
              "promoted, ended-early (did you mean 'shipped'?) [mapping.unknown-value]"),
    (MINIMAL + "record: {id: Ref, type: Evidence, title: Title}\nformats: {date: '%d/%m'}\n", (3, 17),
     "date format '%d/%m' does not give back the day it writes (2026-11-29 is written '29/11'): use day, month and year, "
     "e.g. '%d/%m/%Y' [mapping.bad-format]"),
    (MINIMAL + "record: {id: Ref, type: Evidence, title: Titel}\n", (2, 42),
     "fixtures/imports/tracker.csv has no column 'Titel' for record.title (did you mean 'Title'?); its columns: "),
    (MINIMAL + "record: {id: Ref, type: Evidence, title: Title, notes: Name}\n", (2, 56),
     "column 'Name' is already read into candidate.name (line 1)"),
    (MINIMAL + "record: {id: Ref, type: Evidence, titel: Title}\n", (2, 35), "unknown key 'titel' (did you mean 'title'?)"),
])
def test_a_mapping_mistake_is_located_in_the_mapping_with_a_suggestion(book, tmp_path, text, where, message):
    mapping = write_mapping(tmp_path, text)
    try:  # a mapping that cannot be used at all is raised; a column one table lacks is that table's error
        report = api.import_table(book, [IMPORTS / "tracker.csv"], mapping, tmp_path / "out").diagnostics
    except LadderError as e:
        report = e.diagnostics
    found = [d for d in report if message in d.format()]
    assert found, [d.format() for d in report]
    assert (found[0].line, found[0].col) == where
    assert not (tmp_path / "out").exists()


def test_the_command_prints_each_packet_and_exits_1_on_bad_rows(tmp_path):
    result = CliRunner().invoke(main, ["import", "table", str(IMPORTS / "tracker-bad.csv"), "--map", str(IMPORTS / "tracker.map.yaml"),
                                       "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}/E-7000.yaml: new, 1 record" in result.stdout
    assert "tracker-bad.csv:2:19: error: column 'Outcome' (S): 'Shiped'" in result.stderr
    assert "10 rows read; wrote 1 packet(s) (1 new, 0 updated), 0 unchanged, 4 not written; 12 errors" in result.stderr


def test_import_help_teaches_with_an_example():
    result = CliRunner().invoke(main, ["import", "table", "--help"])
    assert result.exit_code == 0
    assert "ladder import table fixtures/imports/tracker.csv --map fixtures/imports/tracker.map.yaml --out packets/" in result.output


def test_a_table_that_breaks_mid_way_is_located_and_its_candidates_not_written(book, tmp_path):
    """Bytes that are not UTF-8 on row 4: the rows before are read, but every candidate seen in the
    table gets no packet, which would lack the rows after the break."""
    lines = (ROOT / IMPORTS / "tracker.csv").read_bytes().splitlines(True)
    table = tmp_path / "tracker.csv"
    table.write_bytes(b"".join(lines[:3]) + b"\xff\xfe" + b"".join(lines[3:]))
    report = api.import_table(book, [table], IMPORTS / "tracker.map.yaml", tmp_path / "out")
    (problem,) = report.diagnostics
    assert (problem.line, problem.code) == (4, "import.encoding")
    assert {c.status for c in report.changes} == {"not written"} and not (tmp_path / "out").exists()
