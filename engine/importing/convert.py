"""Cell values into packet values and back, by the type the rulebook declares for the field.

A cell is text (CSV, or an XLSX text cell) or a value the workbook typed itself (a number, a
date, a boolean). Reading is forgiving where the intent is plain ('Shipped' is `shipped`, 'Y' is
true, 12.0 is 12) and strict where it is not (a date must match the format, an unknown enum
value is refused with the closest allowed one suggested): a guess would put evidence in a packet
that nobody wrote. Writing is the inverse, so a table exported from packets reads back into the
same packets.

The packet form of a value is what a packet file holds: dates are ISO text, lists are lists."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.reading.model import Field
from engine.reading.validate import did_you_mean, loose_spelling

ISO = "%Y-%m-%d"
TRUE_WORDS = ("yes", "y", "true", "1")
FALSE_WORDS = ("no", "n", "false", "0")
SEPARATOR = ";"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")  # packet.schema.json's record_id
_INTEGER = re.compile(r"^[-+]?[0-9]+$")
_NUMBER = re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class Unreadable(ValueError):
    """A cell that cannot be the value its field needs: the message says why and what to write."""

    def __init__(self, message: str, code: str = "import.bad-value"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Spelling:
    """How one column writes its values: translations, a date format, a list separator, and
    the words for true and false (the mapping's `formats`, unless the column says otherwise)."""

    values: tuple[tuple[str, Any], ...] = ()  # (what the table says, the packet's value), in the mapping's order
    date_format: str = ISO
    separator: str = SEPARATOR
    true_words: tuple[str, ...] = TRUE_WORDS
    false_words: tuple[str, ...] = FALSE_WORDS
    holder: str = "column"  # what holds the values, in messages: a table's column, a front-matter key

    def translated(self, text: str) -> tuple[bool, Any]:
        """(True, value) for text the translations name, exactly or but for case and spacing."""
        if not self.values:
            return False, None
        exact, similar = self._lookup
        if text in exact:
            return True, exact[text]
        wanted = loose_spelling(text)
        return (True, similar[wanted]) if wanted in similar else (False, None)

    @functools.cached_property
    def _lookup(self) -> tuple[dict[str, Any], dict[str, Any]]:
        exact: dict[str, Any] = {}
        similar: dict[str, Any] = {}
        for said, value in self.values:
            exact.setdefault(said, value)
            similar.setdefault(loose_spelling(said), value)  # the first translation wins, as in the mapping's order
        return exact, similar


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read(cell: Any, field: Field, spelling: Spelling) -> Any:
    """The packet value of a non-empty cell for `field`; Unreadable if it cannot be one. A cell
    is a value a table holds, or one a document's front matter does: there, a list is written
    as a YAML list (reviewers: [A, B]) and a key may hold keys of its own, which no field reads."""
    if isinstance(cell, (list, dict)):
        return _structured(cell, field)
    if isinstance(cell, str):
        cell = cell.strip()
        found, value = spelling.translated(cell)
        if found:
            cell = value
    reader = _READERS[field.type]
    return reader(cell, field, spelling)


def _structured(cell: list | dict, field: Field) -> list[str] | None:
    if isinstance(cell, list) and field.type == "list":
        if any(isinstance(item, (list, dict)) for item in cell):
            raise Unreadable("holds a list or keys inside the list: write each item as text, e.g. [Ana Souza, Rafael Ortiz]")
        items = [_text(item).strip() for item in cell if not is_empty(item)]
        return [item for item in items if item] or None
    if field.type == "list":
        raise Unreadable("is a set of keys: write a list, e.g. [Ana Souza, Rafael Ortiz]")
    what = "a list" if isinstance(cell, list) else "a set of keys"
    raise Unreadable(f"is {what}, where one {field.type} value is wanted: write one value")


def _text(cell: Any) -> str:
    """A cell as text; a number the workbook typed is written as a person would (12, not 12.0)."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime) and cell.time() == datetime.min.time():
        return cell.date().isoformat()
    if isinstance(cell, (date, datetime)):
        return cell.isoformat()
    return str(cell)


def _string(cell: Any, field: Field, spelling: Spelling) -> str:
    return _text(cell)


def _enum(cell: Any, field: Field, spelling: Spelling) -> str:
    text = _text(cell)
    if text in field.values:
        return text
    same = _loosely(field.values).get(loose_spelling(text), ())
    if len(same) == 1:  # 'Shipped', 'In progress': the allowed value, written as people write it
        return same[0]
    raise Unreadable(f"{text!r} is not one of {', '.join(field.values)}{did_you_mean(text, field.values)}; "
                     f"or translate it under the {spelling.holder}'s `values:` in the mapping")


@functools.lru_cache(maxsize=256)
def _loosely(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """An enum's allowed values by their loose spelling."""
    found: dict[str, tuple[str, ...]] = {}
    for value in values:
        found[loose_spelling(value)] = found.get(loose_spelling(value), ()) + (value,)
    return found


def _integer(cell: Any, field: Field, spelling: Spelling) -> int:
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    text = _text(cell)
    if _INTEGER.match(text):
        return int(text)
    if _NUMBER.match(text) and float(text).is_integer() and math.isfinite(float(text)):
        return int(float(text))
    raise Unreadable(f"{_text(cell)!r} is not a whole number: write digits, e.g. 12")


def _number(cell: Any, field: Field, spelling: Spelling) -> int | float:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if math.isfinite(cell):
            return cell
    text = _text(cell)
    if _INTEGER.match(text):
        return int(text)
    if _NUMBER.match(text) and math.isfinite(float(text)):
        return float(text)
    raise Unreadable(f"{text!r} is not a number: write digits with a point for a fraction, e.g. 92.5")


def _boolean(cell: Any, field: Field, spelling: Spelling) -> bool:
    if isinstance(cell, bool):
        return cell
    text = _text(cell).lower()
    if text in (w.lower() for w in spelling.true_words):
        return True
    if text in (w.lower() for w in spelling.false_words):
        return False
    raise Unreadable(f"{_text(cell)!r} is neither true ({', '.join(spelling.true_words)}) nor false "
                     f"({', '.join(spelling.false_words)}): write one of those, or list it under `formats: {{true_values: [...], false_values: [...]}}` in the mapping")


def _date(cell: Any, field: Field, spelling: Spelling) -> str:
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise Unreadable(f"{cell.isoformat(sep=' ')} has a time of day: ladder reads dates only")
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = _text(cell)
    for pattern in dict.fromkeys((spelling.date_format, ISO)):
        day = _parsed(text, pattern)
        if day is not None:
            return day
    example = date(2026, 11, 29).strftime(spelling.date_format)
    raise Unreadable(f"{text!r} is not a date in the format {spelling.date_format} (e.g. {example})")


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, pattern: str) -> str | None:
    """The ISO date `text` gives in `pattern`, or None. Kept: a table repeats its dates, and
    strptime is the slowest step of a row."""
    try:
        return datetime.strptime(text, pattern).date().isoformat()
    except ValueError:
        return None


def _list(cell: Any, field: Field, spelling: Spelling) -> list[str] | None:
    items = [item.strip() for item in _text(cell).split(spelling.separator) if item.strip()]
    return items or None  # separators alone: no value, as an empty cell


def _id(cell: Any, field: Field, spelling: Spelling) -> str:
    text = _text(cell)
    if not _ID.match(text) or len(text) > 80:
        raise Unreadable(f"{text!r} is not a record id: letters, digits and . _ : - (starting with a letter or digit), "
                         "up to 80 characters, e.g. P-1")
    return text


_READERS = {"string": _string, "enum": _enum, "integer": _integer, "number": _number, "boolean": _boolean,
            "date": _date, "list": _list, "ref": _id}


# ------------------------------------------------------------------------------------ writing

class Unwritable(ValueError):
    """A packet value the table cannot hold so that it reads back the same."""


def write(value: Any, field: Field, spelling: Spelling, typed: bool) -> Any:
    """The cell for a packet value: text for a CSV; with `typed` (an XLSX), numbers and dates as
    the workbook's own types, so a spreadsheet sorts and sums them. None for no value."""
    if value is None:
        return None
    for said, meant in spelling.values:
        if meant == value and type(meant) is type(value):  # noqa: E721 - True is not 1 here
            return said
    if field.type == "boolean" and isinstance(value, bool):
        return (spelling.true_words if value else spelling.false_words)[0]
    if field.type == "date" and isinstance(value, str):
        day = date.fromisoformat(value)
        return day if typed else day.strftime(spelling.date_format)
    if field.type == "list" and isinstance(value, list):
        for item in value:
            if spelling.separator in item or item != item.strip() or not item:
                raise Unwritable(f"list item {item!r} cannot be written in one cell: it is empty, has spaces around it, "
                                 f"or holds the separator {spelling.separator!r} (set another under `formats:`)")
        return f"{spelling.separator} ".join(value) if value else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if typed and _fits_a_workbook(value) else repr(value)
    return value if isinstance(value, str) else _text(value)


def _fits_a_workbook(number: int | float) -> bool:
    """Whether a spreadsheet keeps the number exactly: it holds 15 significant digits, so a
    number needing more goes in as text (which reads back exact) rather than rounded."""
    if isinstance(number, int):
        return abs(number) < 10**15
    return float(f"{number:.15g}") == number
