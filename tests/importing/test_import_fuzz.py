"""Whatever a table holds, `import table` ends in a report (packets, located errors), never a
traceback: Hypothesis fills the tracker's columns with arbitrary text and bytes."""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "fixtures" / "imports" / "tracker.map.yaml"
BOOK = api.rulebook()
HEADER = next(csv.reader(io.StringIO((ROOT / "fixtures" / "imports" / "tracker.csv").read_text())))
GOOD = next(csv.reader(io.StringIO((ROOT / "fixtures" / "imports" / "tracker.csv").read_text().splitlines()[1])))
CELL = st.one_of(st.text(max_size=12), st.sampled_from(["", "Y", "1e400", "-0", "31/02/2026", "P-1", "E-1", "Shipped", "nan",
                                                        "0o10", "=1+1", "a;b;;", "\u202e", "9" * 30]))


@st.composite
def tables(draw) -> bytes:
    rows = [list(HEADER)]
    for _ in range(draw(st.integers(0, 4))):
        row = list(GOOD)
        for index in draw(st.lists(st.integers(0, len(HEADER) - 1), max_size=6)):
            row[index] = draw(CELL)
        rows.append(row[: draw(st.integers(1, len(HEADER)))] if draw(st.booleans()) else row)
    stream = io.StringIO()
    csv.writer(stream).writerows(rows)
    data = stream.getvalue().encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_any_table_ends_in_a_report_never_a_traceback(data):
    with tempfile.TemporaryDirectory() as scratch:
        table = Path(scratch) / "t.csv"
        table.write_bytes(data)
        report = api.import_table(BOOK, [table], MAPPING, Path(scratch) / "out")
        for diagnostic in report.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.col >= 1 and diagnostic.format()
        written = {c.candidate for c in report.changes if c.status == "new"}
        if written:
            assert api.validate_paths([Path(scratch) / "out"]).ok  # what is written is valid
