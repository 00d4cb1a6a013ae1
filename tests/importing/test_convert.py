"""Cells into packet values by the rulebook's field types: forgiving where the intent is plain,
strict (with a suggestion) where it is not, and written back so they read the same."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.importing.convert import Spelling, Unreadable, read, write
from engine.reading.model import Field

OUTCOME = Field("outcome", "enum", values=("shipped", "in-progress", "cancelled", "failed"))
UK = Spelling(date_format="%d/%m/%Y", values=())


@pytest.mark.parametrize("cell, field, spelling, value", [
    ("Shipped", OUTCOME, Spelling(), "shipped"),
    ("In progress", OUTCOME, Spelling(), "in-progress"),
    ("Done", OUTCOME, Spelling(values=(("done", "shipped"),)), "shipped"),  # a translation, any case
    ("Y", Field("formal", "boolean"), Spelling(), True),
    ("yes", Field("formal", "boolean"), Spelling(), True),
    ("N", Field("formal", "boolean"), Spelling(), False),
    ("Ja", Field("formal", "boolean"), Spelling(true_words=("ja",), false_words=("nein",)), True),
    (True, Field("formal", "boolean"), Spelling(), True),
    ("31/01/2026", Field("d", "date"), UK, "2026-01-31"),
    ("2026-01-31", Field("d", "date"), UK, "2026-01-31"),  # ISO is always understood
    (datetime(2026, 1, 31), Field("d", "date"), UK, "2026-01-31"),  # a workbook's own date cell
    (date(2026, 1, 31), Field("d", "date"), UK, "2026-01-31"),
    (" 12 ", Field("n", "integer"), Spelling(), 12),
    (12.0, Field("n", "integer"), Spelling(), 12),
    ("12.0", Field("n", "integer"), Spelling(), 12),
    ("92.5", Field("n", "number"), Spelling(), 92.5),
    ("92", Field("n", "number"), Spelling(), 92),
    ("Ana Souza; Olu Ade ;", Field("r", "list"), Spelling(), ["Ana Souza", "Olu Ade"]),
    (42, Field("s", "string"), Spelling(), "42"),
])
def test_a_cell_reads_as_the_value_its_field_type_means(cell, field, spelling, value):
    assert read(cell, field, spelling) == value


@pytest.mark.parametrize("cell, field, spelling, message", [
    ("Shiped", OUTCOME, Spelling(), "'Shiped' is not one of shipped, in-progress, cancelled, failed (did you mean 'shipped'?)"),
    ("maybe", Field("f", "boolean"), Spelling(), "'maybe' is neither true (yes, y, true, 1) nor false (no, n, false, 0)"),
    ("31/02/2026", Field("d", "date"), UK, "'31/02/2026' is not a date in the format %d/%m/%Y (e.g. 29/11/2026)"),
    (datetime(2026, 1, 31, 9, 30), Field("d", "date"), UK, "has a time of day"),
    ("twelve", Field("n", "integer"), Spelling(), "'twelve' is not a whole number"),
    ("12.5", Field("n", "integer"), Spelling(), "'12.5' is not a whole number"),
    ("nan", Field("n", "number"), Spelling(), "'nan' is not a number"),
    ("inf", Field("n", "number"), Spelling(), "'inf' is not a number"),
    ("P 1", Field("project", "ref"), Spelling(), "'P 1' is not a record id"),
])
def test_a_cell_that_cannot_be_its_field_says_why(cell, field, spelling, message):
    with pytest.raises(Unreadable) as raised:
        read(cell, field, spelling)
    assert message in raised.value.message


@pytest.mark.parametrize("value, field, spelling", [
    ("shipped", OUTCOME, Spelling(values=(("Done", "shipped"),))),
    (True, Field("f", "boolean"), Spelling(true_words=("Y", "yes"))),
    (False, Field("f", "boolean"), Spelling()),
    ("2026-01-31", Field("d", "date"), UK),
    (["Ana Souza", "Olu Ade"], Field("r", "list"), Spelling()),
    (92.5, Field("n", "number"), Spelling()),
    (3.0, Field("n", "number"), Spelling()),
    (7, Field("n", "integer"), Spelling()),
])
@pytest.mark.parametrize("typed", [False, True], ids=["csv", "xlsx"])
def test_a_value_written_to_a_cell_reads_back_the_same(value, field, spelling, typed):
    cell = write(value, field, spelling, typed)
    back = read(cell, field, spelling)
    assert back == value and type(back) is type(value)
