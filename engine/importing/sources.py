"""Record sources: tables read a row at a time, each row with its place, so a table of any
length imports in the same memory and every bad cell can be named by row and column.

A table is a CSV file (the csv module; UTF-8, a byte-order mark allowed) or the first worksheet
of an XLSX workbook (or the one the mapping names; openpyxl in read-only mode, which streams
the sheet's XML rather than building it). Its first row is the header. Rows are numbered as a
spreadsheet shows them: the header is row 1."""
from __future__ import annotations

import contextlib
import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from engine.common.errors import LadderError
from engine.importing.convert import is_empty

SUFFIXES = (".csv", ".xlsx")
# A cell may hold a record's notes (10,000 characters) and more: the csv module's default
# limit (128 KiB) is raised to what the loader allows a whole file, and no further.
csv.field_size_limit(min(sys.maxsize, 8 * 1024 * 1024))


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: tuple[Any, ...]


@dataclass
class Table:
    source: str  # the path as the user gave it, for messages and comments
    header: list[str]
    rows: Iterator[Row]  # raises LadderError at a row that cannot be read; the rows before it stand


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def is_blank(cells: Iterable[Any]) -> bool:
    """No cell of the row holds anything (each is `convert.is_empty`): a blank row."""
    return all(map(is_empty, cells))


@contextlib.contextmanager
def open_table(path: Path, source: str, sheet: str | None = None) -> Iterator[Table]:
    """The table in `path`; LadderError (located at the file) if it cannot be opened."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LadderError.one(source, 1, 1, "is not a table ladder reads: give a .csv or .xlsx file", "import.unknown-format")
    if suffix == ".csv":
        try:
            stream = open(path, "rb")
        except OSError as e:
            raise _unopenable(e, source) from None
        with stream:
            yield _csv_table(_lines(stream), source)
    else:
        with _xlsx_table(path, source, sheet) as table:
            yield table


def _unopenable(error: OSError, source: str) -> LadderError:
    if isinstance(error, FileNotFoundError):
        return LadderError.one(source, 1, 1, "no such file", "import.missing")
    if isinstance(error, IsADirectoryError):
        return LadderError.one(source, 1, 1, "is a directory, not a table", "import.missing")
    return LadderError.one(source, 1, 1, f"cannot read: {error.strerror or error}", "import.unreadable")


def _lines(stream: BinaryIO) -> Iterator[str]:
    """The file's lines, each decoded on its own, so bytes that are not UTF-8 are reported on
    their row (a text stream decodes ahead, and would fail before the first row); the line
    endings are kept, as the csv module needs them (newline='')."""
    first = True
    for raw in stream:
        if first and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark, as spreadsheets write UTF-8 CSV
        first = False
        yield raw.decode("utf-8")


def _csv_table(stream: Iterator[str], source: str) -> Table:
    reader = csv.reader(stream)
    number = 1

    def next_row() -> list[str] | None:
        try:
            return next(reader, None)
        except UnicodeDecodeError:
            raise LadderError.one(source, number, 1, "is not UTF-8 text: save the table as UTF-8 CSV", "import.encoding") from None
        except csv.Error as e:
            raise LadderError.one(source, number, 1, f"cannot be read as CSV: {e}", "import.csv") from None

    header = next_row()
    if header is None:
        raise LadderError.one(source, 1, 1, "is empty: the first row must name the columns", "import.empty")

    def rows() -> Iterator[Row]:
        nonlocal number
        while True:
            number += 1
            cells = next_row()
            if cells is None:
                return
            if not is_blank(cells):
                yield Row(number, tuple(cells))
    return Table(source, [h.strip() for h in header], rows())


@contextlib.contextmanager
def _xlsx_table(path: Path, source: str, sheet: str | None) -> Iterator[Table]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as e:
        raise _unopenable(e, source) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise LadderError.one(source, 1, 1, f"is not an .xlsx workbook that can be read ({type(e).__name__}): "
                              "save it again as Excel Workbook (.xlsx)", "import.xlsx") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            from engine.reading.validate import did_you_mean
            raise LadderError.one(source, 1, 1, f"has no sheet {sheet!r}{did_you_mean(sheet, book.sheetnames)}; "
                                  f"its sheets: {', '.join(book.sheetnames)}", "import.no-sheet")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        values = worksheet.iter_rows(values_only=True)
        header = next(values, None)
        if header is None or is_blank(header):
            raise LadderError.one(source, 1, 1, "is empty: the first row must name the columns", "import.empty")

        def rows() -> Iterator[Row]:
            number = 1
            while True:
                number += 1
                try:
                    cells = next(values, None)
                except Exception as e:  # noqa: BLE001 - a damaged sheet's XML fails in openpyxl in many ways
                    raise LadderError.one(source, number, 1, f"cannot be read ({type(e).__name__}): the workbook is "
                                          "damaged; save it again as Excel Workbook (.xlsx)", "import.xlsx") from None
                if cells is None:
                    return
                if not is_blank(cells):
                    yield Row(number, cells)
        yield Table(source, ["" if h is None else str(h).strip() for h in header], rows())
    finally:
        book.close()  # read-only mode keeps the file open until told
