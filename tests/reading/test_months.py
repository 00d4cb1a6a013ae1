"""One month arithmetic: a window's first day and whole months at level agree, whatever the
dates (month ends, leap days, the ends of the calendar)."""
from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from engine.reading.dates import months_before, months_between
from engine.reading.model import Window

dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(start=dates, end=dates, months=st.integers(0, 1200))
def test_n_months_have_passed_exactly_when_the_start_lies_on_or_before_an_n_month_windows_first_day(start, end, months):
    if start <= end and months_before(end, months) > date.min:
        assert (months_between(start, end) >= months) == (start <= Window(months, "months").cutoff(end))


@given(start=dates, end=dates)
def test_whole_months_are_the_most_that_fit_between_two_dates(start, end):
    n = months_between(start, end)
    if start <= end:
        assert start <= months_before(end, n) and (months_before(end, n + 1) == date.min or start > months_before(end, n + 1))


def test_the_month_end_example_reads_the_same_both_ways():
    as_of = date(2026, 2, 28)
    assert Window(18, "months").cutoff(as_of) == date(2024, 8, 28)
    assert months_between(date(2024, 8, 28), as_of) == 18
    assert months_between(date(2024, 8, 31), as_of) == 17  # inside the 18-month window: not yet 18 months
    assert months_between(date(2024, 3, 31), date(2024, 4, 30)) == 0
    assert months_between(date(2024, 2, 29), date(2025, 2, 28)) == 11
