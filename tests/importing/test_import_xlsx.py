"""`ladder import table` on .xlsx workbooks: a brag document's sheet becomes a packet, with the
workbook's own date, number and boolean cells read as such, bad cells named by row and column
letter, and a damaged or wrong workbook reported, never a traceback."""
from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from test_import_table import IMPORTS, ROOT, at_root, check_golden  # noqa: F401 - at_root is an autouse fixture

from engine import api


def brag_script():
    spec = importlib.util.spec_from_file_location("make_brag_xlsx", ROOT / IMPORTS / "make_brag_xlsx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(book: openpyxl.Workbook) -> dict[str, list[tuple]]:
    """Every sheet's values; a date cell reads back as a datetime at midnight."""
    return {sheet.title: [tuple(c.date() if isinstance(c, datetime) else c for c in row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def test_the_committed_workbook_holds_what_its_script_writes():
    committed = openpyxl.load_workbook(ROOT / IMPORTS / "brag.xlsx")
    assert cells(committed) == cells(brag_script().workbook())


def test_a_brag_document_workbook_imports_into_the_reviewed_packet(book, tmp_path):
    report = api.import_table(book, [IMPORTS / "brag.xlsx"], IMPORTS / "brag.map.yaml", tmp_path)
    assert report.ok, [d.format() for d in report.diagnostics]
    assert [(c.candidate, c.status, c.records) for c in report.changes] == [("E-4410", "new", 5)]
    check_golden(tmp_path, ROOT / IMPORTS / "expected" / "brag")


def bad_workbook(path: Path) -> Path:
    book = brag_script().workbook()
    sheet = book["Evidence"]
    sheet["C3"] = "Design dok"  # Kind
    sheet["D3"] = "sometime in December"  # When
    sheet["M6"] = 85.5  # People: not whole
    book.save(path)
    return path


def test_a_bad_cell_of_a_workbook_is_named_by_row_header_and_letter(book, tmp_path):
    source = bad_workbook(tmp_path / "brag.xlsx")
    report = api.import_table(book, [source], IMPORTS / "brag.map.yaml", tmp_path / "out")
    lines = [d.format().split(": ", 1)[1] for d in report.diagnostics]
    assert [(d.line, d.col) for d in report.diagnostics] == [(3, 3), (3, 4), (6, 13)]
    assert lines[0].startswith("error: column 'Kind' (C): 'Design dok' is not one of project, mentee, design-doc")
    assert "(did you mean 'design-doc'?)" in lines[0]
    assert lines[1].startswith("error: column 'When' (D): 'sometime in December' is not a date in the format %Y-%m-%d")
    assert lines[2].startswith("error: column 'People' (M): '85.5' is not a whole number")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 not really a zip", "is not an .xlsx workbook that can be read"),
    (b"", "is not an .xlsx workbook that can be read"),
])
def test_a_damaged_workbook_is_an_error_at_the_file_not_a_traceback(book, tmp_path, content, message):
    source = tmp_path / "broken.xlsx"
    source.write_bytes(content)
    report = api.import_table(book, [source], IMPORTS / "brag.map.yaml", tmp_path / "out")
    (problem,) = report.diagnostics
    assert message in problem.message and problem.code == "import.xlsx"


def test_a_sheet_the_workbook_lacks_is_named_with_the_closest(book, tmp_path):
    mapping = tmp_path / "brag.map.yaml"
    mapping.write_text((ROOT / IMPORTS / "brag.map.yaml").read_text().replace("sheet: Evidence", "sheet: Evidense"))
    report = api.import_table(book, [IMPORTS / "brag.xlsx"], mapping, tmp_path / "out")
    (problem,) = report.diagnostics
    assert problem.message == "has no sheet 'Evidense' (did you mean 'Evidence'?); its sheets: About, Evidence"


def test_a_sheet_whose_first_row_is_blank_is_reported_empty_not_as_missing_columns(book, tmp_path):
    """A header row of empty or space-only cells is no header: the sheet is said to be empty,
    at the file, rather than each mapped column reported missing from it."""
    source = tmp_path / "brag.xlsx"
    workbook = brag_script().workbook()
    sheet = workbook["Evidence"]
    for cell in sheet[1]:
        cell.value = "  " if cell.column % 2 else None
    workbook.save(source)
    report = api.import_table(book, [source], IMPORTS / "brag.map.yaml", tmp_path / "out")
    assert [(d.line, d.col, d.message, d.code) for d in report.diagnostics] == [
        (1, 1, "is empty: the first row must name the columns", "import.empty")]
