"""Importing into packets that exist: a changed record is updated, a new one added, and a record
only the packet has (added by hand) is kept and reported, never dropped; keys the mapping does
not read stay as the packet has them. `--dry-run` shows the diff and writes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_import_table import IMPORTS, ROOT, at_root  # noqa: F401 - at_root is an autouse fixture

from engine import api
from engine.cli import main
from engine.reading.load import load_file

TALK_ROW = "E-2044,Tomás Herrera,Mgmt,Tech Lead,01/02/2023,Ana Souza,payments,N,Lisbon,T-9,Talk,New talk,01/12/2025,,,Y,,,,,,,,Talk,Team,10,,,,,,\n"
HAND_ADDED = """  - id: H-1
    type: talk
    title: Added by hand
    date: 2025-05-05
    format: talk
    audience: team
"""


@pytest.fixture
def imported(book, tmp_path) -> Path:
    """The tracker imported once, then edited by hand: a record added, a field the mapping does
    not read set on an imported record."""
    out = tmp_path / "packets"
    api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", out)
    packet = out / "E-2044.yaml"
    text = packet.read_text().replace("    outcome: in-progress\n", "    outcome: in-progress\n    duration_months: 14\n")
    packet.write_text(text + HAND_ADDED)
    return out


@pytest.fixture
def changed_table(tmp_path) -> Path:
    """The tracker a week later: P-7 shipped, and a new talk."""
    table = tmp_path / "tracker.csv"
    table.write_text((ROOT / IMPORTS / "tracker.csv").read_text().replace("Ongoing", "Done") + TALK_ROW)
    return table


def records(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in load_file(path).data["evidence"]}


def test_reimporting_updates_adds_and_keeps_the_hand_added_record(book, imported, changed_table):
    report = api.import_table(book, [changed_table], IMPORTS / "tracker.map.yaml", imported)
    assert report.ok
    change = next(c for c in report.changes if c.candidate == "E-2044")
    assert (change.status, change.added, change.updated, change.kept) == ("updated", ["T-9"], ["P-7"], ["H-1"])
    found = records(imported / "E-2044.yaml")
    assert list(found) == ["P-7", "R-3", "I-4", "H-1", "T-9"]  # the packet's order, new records after it
    assert found["P-7"]["outcome"] == "shipped"
    assert found["P-7"]["duration_months"] == 14  # the mapping does not read it: the packet's value stays
    assert found["H-1"]["title"] == "Added by hand"
    (kept,) = [d for d in report.diagnostics if d.code == "import.kept"]
    assert (kept.file, kept.level) == (str(imported / "E-2044.yaml"), "info")
    assert (imported / "E-2044.yaml").read_text().splitlines()[kept.line - 1] == "  - id: H-1"
    assert kept.message.startswith("record H-1 is in the packet but not in the table: kept")
    assert api.validate_paths([imported]).ok


def test_an_empty_cell_of_a_column_the_mapping_reads_removes_the_value(book, imported, tmp_path):
    table = tmp_path / "tracker.csv"
    table.write_text((ROOT / IMPORTS / "tracker.csv").read_text().replace("KubeCon Europe.", ""))
    api.import_table(book, [table], IMPORTS / "tracker.map.yaml", imported)
    assert "notes" not in records(imported / "E-1588.yaml")["T-2"]


def test_records_are_matched_by_the_keys_the_mapping_names(book, tmp_path):
    mapping = tmp_path / "by-title.map.yaml"
    mapping.write_text((ROOT / IMPORTS / "tracker.map.yaml").read_text() + "match: [type, title]\n")
    out = tmp_path / "packets"
    api.import_table(book, [IMPORTS / "tracker.csv"], mapping, out)
    renumbered = tmp_path / "tracker.csv"
    renumbered.write_text((ROOT / IMPORTS / "tracker.csv").read_text().replace(",R-3,", ",R-30,"))
    report = api.import_table(book, [renumbered], mapping, out)
    change = next(c for c in report.changes if c.candidate == "E-2044")
    assert (change.added, change.updated, change.kept) == ([], ["R-30"], [])
    assert list(records(out / "E-2044.yaml")) == ["P-7", "R-30", "I-4"]


def test_dry_run_prints_the_diff_and_writes_nothing(imported, changed_table):
    before = {p.name: p.read_bytes() for p in imported.iterdir()}
    result = CliRunner().invoke(main, ["import", "table", str(changed_table), "--map", str(IMPORTS / "tracker.map.yaml"),
                                       "--out", str(imported), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in imported.iterdir()} == before
    assert "-    outcome: in-progress\n+    outcome: shipped\n" in result.stdout
    assert "+  - id: T-9\n" in result.stdout
    assert f"{imported}/E-2044.yaml: would be updated, 5 records, added T-9, updated P-7, kept (not in the table) H-1" in result.stdout
    assert "would write 3 packet(s)" in result.stderr


def test_dry_run_into_an_empty_directory_shows_every_new_packet_whole(tmp_path):
    out = tmp_path / "packets"
    result = CliRunner().invoke(main, ["import", "table", str(IMPORTS / "tracker.csv"), "--map", str(IMPORTS / "tracker.map.yaml"),
                                       "--out", str(out), "--dry-run"])
    assert result.exit_code == 0
    assert not out.exists()
    assert f"--- /dev/null\n+++ {out}/E-3100.yaml\n" in result.stdout
    assert "+  id: E-3100\n" in result.stdout


def test_a_packet_that_cannot_be_read_is_left_alone_and_reported(book, imported):
    broken = imported / "E-2044.yaml"
    broken.write_text("candidate: [unclosed\n")
    report = api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", imported)
    assert broken.read_text() == "candidate: [unclosed\n"
    assert {c.candidate: c.status for c in report.changes}["E-2044"] == "not written"
    assert any(d.code == "import.unreadable-packet" and d.file == str(broken) for d in report.diagnostics)
