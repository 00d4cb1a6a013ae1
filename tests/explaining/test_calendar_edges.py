"""Dates at the ends of the calendar (0001-01-01 and 9999-12-31): a window that would reach
back before the first day starts on it, nothing steps past the last, and `evaluate` and
`plan` answer for any date a packet or --as-of may hold."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from engine import api
from engine.cli import main
from engine.explaining.plan import plan
from engine.reading.load import load_file
from engine.reading.model import Window
from engine.reading.packet import load_packet

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "packets"
UNITS = ["days", "weeks", "months", "years"]


@given(as_of=st.dates(), amount=st.integers(1, 9999), unit=st.sampled_from(UNITS))
def test_a_window_starts_inside_the_calendar_and_no_later_than_its_as_of_date(as_of, amount, unit):
    assert date.min <= Window(amount, unit).cutoff(as_of) <= as_of


@pytest.mark.parametrize("window, as_of", [
    (Window(12, "months"), date(1, 6, 1)), (Window(1, "years"), date(1, 12, 31)), (Window(9999, "years"), date.max),
    (Window(1, "days"), date.min), (Window(9999, "weeks"), date(100, 1, 1)),
])
def test_a_window_reaching_back_before_the_first_day_starts_on_it(window, as_of):
    assert window.cutoff(as_of) == date.min


def test_a_window_inside_the_calendar_is_unchanged():
    assert Window(12, "months").cutoff(date(2, 6, 1)) == date(1, 6, 1)
    assert Window(1, "days").cutoff(date(1, 1, 2)) == date.min
    assert Window(1, "months").cutoff(date(1, 3, 31)) == date(1, 2, 28)


def packet_text(as_of: str, since: str, record_date: str) -> str:
    """The ready junior developer's packet, moved to other dates: every record on one date."""
    text = (FIXTURES / "ic-developer-ready.yaml").read_text()
    text = re.sub(r"^as_of: .*$", f"as_of: {as_of}", text, flags=re.M)
    text = re.sub(r"level_since: .*$", f"level_since: {since}", text, flags=re.M)
    return re.sub(r"(\b(?:start|end|date)): \d{4}-\d\d-\d\d", rf"\1: {record_date}", text)


@pytest.fixture
def year_one(tmp_path) -> Path:
    """As of 0001-06-01, 12-month windows reaching back to year 0 (which there is not)."""
    path = tmp_path / "year-one.yaml"
    path.write_text(packet_text("0001-06-01", "0001-01-02", "0001-03-01"))
    return path


def test_evaluate_counts_records_in_a_window_reaching_back_before_year_one(book, year_one):
    document = api.evaluate_packet(book, year_one)
    met = {c["id"]: c["met"] for competency in document["competencies"] for c in competency["criteria"]}
    assert document["verdict"] == "not_ready"
    assert met == {"shipped-work": True, "code-reviews": True, "peer-feedback": True, "time-at-level": False}


def test_plan_for_a_window_reaching_back_before_year_one_asks_only_for_time(book, year_one):
    (own,) = plan(book, load_packet(year_one, book))["plans"]
    assert [step["criterion"] for step in own["steps"]] == ["time-at-level"]


@pytest.mark.parametrize("within", ["9999 days", "9999 weeks", "9999 months", "9999 years"])
def test_the_longest_windows_the_rules_allow_evaluate_at_both_ends_of_the_calendar(rules_copy, tmp_path, within):
    level = rules_copy / "levels" / "developer.yaml"
    level.write_text(level.read_text().replace("within: 12 months", f"within: {within}"))
    book = api.rulebook(rules_copy)
    for as_of, since, record in (("0001-06-01", "0001-01-02", "0001-01-01"), ("9999-12-31", "9998-01-01", "9999-12-31")):
        path = tmp_path / f"{as_of}.yaml"
        path.write_text(packet_text(as_of, since, record))
        document = api.evaluate_packet(book, path)
        counted = {c["id"]: c["observed"] for competency in document["competencies"] for c in competency["criteria"]}
        assert counted["shipped-work"] == 2 and counted["code-reviews"] == 3, (as_of, counted)
        assert plan(book, load_packet(path, book))["plans"]


@pytest.mark.parametrize("command", ["evaluate", "plan"])
@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-06-01", "9999-12-31"])
def test_as_of_at_the_ends_of_the_calendar_gives_an_answer(tmp_path, command, as_of):
    path = tmp_path / "p.yaml"
    path.write_text(packet_text("2026-04-30", "0001-01-01", "0001-01-01"))
    result = CliRunner().invoke(main, [command, str(path), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    assert f"as of {as_of}" in result.stdout


@pytest.mark.parametrize("as_of", ["0000-12-31", "10000-01-01", "9999-12-32"])
def test_as_of_outside_the_calendar_is_a_usage_error(tmp_path, as_of):
    path = tmp_path / "p.yaml"
    path.write_text(packet_text("2026-04-30", "2024-01-01", "2025-01-01"))
    result = CliRunner().invoke(main, ["evaluate", str(path), "--as-of", as_of])
    assert result.exit_code == 2 and "is not a date" in result.stderr


def test_plan_says_a_finding_outlasts_the_calendar_rather_than_calling_it_ongoing(book, tmp_path):
    """A conduct concern dated 9999-07-22 stays in its 12-month window past 9999-12-31."""
    data = load_file(FIXTURES / "ic-staff-not-ready-disputed-conduct-concern.yaml").data
    text = yaml.safe_dump(data, sort_keys=False)
    text = re.sub(r"'?\b(20\d\d)-(\d\d-\d\d)'?", lambda m: f"'{int(m.group(1)) + 7973}-{m.group(2)}'", text)
    path = tmp_path / "late.yaml"
    path.write_text(text.replace("'9999-09-30'", "'9999-12-31'"))
    own, *_ = plan(book, load_packet(path, book))["plans"]
    (step,) = [s for s in own["steps"] if s["criterion"] == "no-conduct-concerns"]
    assert step["text"].endswith("(otherwise it stays in the 12-month window past 9999-12-31, the last day of the calendar)")
