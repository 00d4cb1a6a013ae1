"""Decisions from a CSV file: all recorded in one transaction, or none, with every bad row
reported at its line and column."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NEARLY, NOT_READY, READY

from engine import api
from engine.common.errors import LadderError


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding=encoding)
    return path


def errors(spring, path, by=None) -> list[str]:
    with pytest.raises(LadderError) as refused:
        api.decide_from_csv(spring, "spring", path, by)
    assert spring.cycle("spring").decided == 0, "nothing recorded"
    return [f"{Path(d.file).name}:{d.line}:{d.col}: {d.message} [{d.code}]" for d in refused.value.diagnostics]


def test_a_good_file_is_recorded_whole(spring, tmp_path):
    path = write(tmp_path, f"candidate,decision,reason,by\n{READY},promote,,ana\n{NEARLY},Not Yet,,bo\n"
                           f'{NOT_READY},defer,"Waits for the\nQ3 review",\n', encoding="utf-8-sig")
    decided = api.decide_from_csv(spring, "spring", path, by="secretary")
    assert [(d.candidate_id, d.decision, d.by, d.reason) for d in decided] == [
        (READY, "promote", "ana", ""), (NEARLY, "not_yet", "bo", ""), (NOT_READY, "defer", "secretary", "Waits for the\nQ3 review")]
    assert spring.cycle("spring").decided == 3


def test_every_bad_row_is_reported_at_its_line_and_column_and_none_is_recorded(spring, tmp_path):
    path = write(tmp_path, "candidate,decision,reason,by\n"
                           f"{READY},promote,,ana\n"          # good, but not recorded: others are bad
                           f"{NEARLY},promote,,ana\n"         # an override without a reason
                           'E-1043,defer,"spans\ntwo lines",ana\n'  # unknown candidate, starting on line 4
                           f"{NOT_READY},maybe,,\n"           # no such decision, and no one decided
                           f"{READY},defer,x,bo\n"            # decided twice
                           f"{NOT_READY},defer,,ana,extra\n")  # a field too many
    assert errors(spring, path) == [
        "decisions.csv:3:3: promoting E-1042, judged nearly ready by the rules, is an override: give the reason [decide.reason-required]",
        "decisions.csv:4:1: no candidate 'E-1043' in cycle 'spring': did you mean 'E-1042'? [decide.unknown-candidate]",
        "decisions.csv:6:2: 'maybe' is not a decision: use promote, not-yet or defer [decide.bad-decision]",
        "decisions.csv:6:4: say who decided (--by, or a `by` column) [decide.no-by]",
        "decisions.csv:7:1: 'E-1588' is decided twice here (first as decision 1): keep one [decide.twice]",
        "decisions.csv:8:5: 5 fields, but the header names 4 [decide.csv-row]",
    ]


@pytest.mark.parametrize("text, by, expected", [
    ("candidate,verdict\nE-1588,promote\n", "ana",
     ["decisions.csv:1:2: unknown column 'verdict': the columns are candidate, decision, reason, by [decide.csv-column]",
      "decisions.csv:1:1: no 'decision' column: the header must name candidate and decision [decide.csv-column]"]),
    ("candidate,decision\nE-1588,promote\n", None,
     ["decisions.csv:1:1: no 'by' column: add one, or say who decided with --by [decide.no-by]"]),
])
def test_a_header_that_names_the_wrong_columns_is_reported_before_any_row(spring, tmp_path, text, by, expected):
    assert sorted(errors(spring, write(tmp_path, text), by)) == sorted(expected)


def test_a_file_that_is_not_utf8_is_reported_at_its_place(spring, tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_bytes(b"candidate,decision,reason,by\nE-1588,promote,R\xe9sum\xe9,ana\n")
    assert errors(spring, path) == ["decisions.csv:2:17: is not UTF-8 text: save the file as UTF-8 [load.encoding]"]
