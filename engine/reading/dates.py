"""Dates as ladder reads and counts them: ISO calendar dates, and the one month arithmetic that
window cut-offs, months at level and span lengths share."""
from __future__ import annotations

import calendar
import functools
import re
from datetime import date

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_date(text: str) -> date | None:
    """A real calendar date written YYYY-MM-DD, else None (2026-02-30 is None)."""
    if not isinstance(text, str):
        return None
    return parse_date_text(text)


@functools.lru_cache(maxsize=8192)
def parse_date_text(text: str) -> date | None:
    """`parse_date` of what is known to be text (a packet's schema-checked dates), without the
    check. Cached: a cohort's records share a few hundred dates, and a date is immutable."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def months_before(when: date, months: int) -> date:
    """`months` calendar months before `when`: the same day of the month, or that month's last
    day when it is shorter (1 month before 2026-03-31 is 2026-02-28); never before 0001-01-01.
    The one month arithmetic of ladder: window cut-offs and months at level both use it."""
    year, month = divmod(when.year * 12 + when.month - 1 - months, 12)
    if year < date.min.year:
        return date.min
    return date(year, month + 1, min(when.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from start to end (negative if end is earlier), in the arithmetic of
    windows: n months have passed once start is on or before `months_before(end, n)`, the
    first day of an n-month window ending on `end`. So 2024-08-31 to 2026-02-28 is 17 months:
    18 months before 2026-02-28 is 2024-08-28, and 2024-08-31 lies inside that window."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if start > months_before(end, months) else months


def span_length(start: date, end: date | None, first: date | None, as_of: date, unit: str) -> float:
    """How much of the span from `start` to `end` (None: ongoing) lies from `first` (the window's
    first day; None: no window) to `as_of`, in `unit` (months or weeks), measured as the
    difference of its two ends: the part runs from the later of start and first to the earlier
    of end and as_of, so a span ongoing through a whole 12-month window is 12 months, and a span
    that starts and ends on one day is 0.

    Weeks are 7 days. Months are the whole months from the one end to the other, in the
    arithmetic of windows (`months_between`), plus the month begun before them pro-rated by its
    days: 2026-01-10 to 2026-03-25 is 2 months back to 2026-01-25, and 15 of the 31 days from
    2025-12-25 to 2026-01-25, so 2.48 months."""
    low = max(start, first) if first else start
    high = min(end, as_of) if end else as_of
    if high <= low:
        return 0.0
    if unit == "weeks":
        return (high - low).days / 7
    whole = months_between(low, high)
    inner, outer = months_before(high, whole), months_before(high, whole + 1)
    return whole + (inner - low).days / (inner - outer).days if inner > outer else float(whole)
