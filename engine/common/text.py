"""Text from packets and rules, made safe to show: hidden characters made visible, Markdown
escaping, record labels, and JSON that is safe to print.

Packets and rulebooks are written by people ladder does not trust to run anything on a reader's
terminal or to pass one person's name off as another's. So every text output (text, Markdown,
HTML, CSV, SARIF messages, JUnit XML, diagnostics) shows a character that would act instead of
being read, or read as nothing, as its code point, `<U+202E>`:

- control characters: C0 (but tab and line breaks), DEL and C1, so ESC cannot start an escape
  sequence (a window title, a hyperlink, a clipboard write, colours) and NUL or a lone
  carriage return cannot hide or overwrite what came before;
- bidirectional embeddings, overrides, isolates and marks (U+202A..U+202E, U+2066..U+2069,
  U+200E, U+200F, U+061C), which reorder what follows ("Lee<U+202E>eoJ" would read as "LeeJoe");
- invisible characters: every other format character (zero-width space, non-joiner and joiner,
  word joiner, the byte order mark, soft hyphen, tags, ...), the line and paragraph separators,
  and the blank Hangul fillers, so "Ann" and "An<U+200B>n" never read alike. The joiners are
  part of some spellings (Persian, Indic scripts, emoji sequences) and show there too: the
  reader is told exactly what the data holds;
- unpaired surrogates, which no UTF-8 output could even hold.

Line breaks in a value (CR LF, LF, CR) become one space where the value sits on one line of the
output (a name, a title, a table cell), so no value can make a line of its own that reads like
ladder's; where the output keeps a value's lines (the HTML and Markdown documents), they become
LF. Variation selectors stay: they choose a glyph for the character before them (emoji, CJK
names). Look-alike letters from other scripts (Cyrillic 'а' for Latin 'a') are not marked.

JSON is for programs and keeps every value verbatim; `json_text` writes the same characters as
`\\u` escapes, so a JSON output printed to a terminal is as safe as the text output."""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_HIDDEN_RANGES = (
    (0x0000, 0x0008), (0x000B, 0x000C), (0x000E, 0x001F), (0x007F, 0x009F),  # C0 but tab, LF, CR; DEL; C1
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160), (0x3164, 0x3164), (0xFFA0, 0xFFA0),  # Hangul fillers: letters that draw nothing
    (0x17B4, 0x17B5),  # Khmer inherent vowels, invisible
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x2028, 0x202E),  # line and paragraph separators; bidi embeddings, pop, overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated format characters
    (0xD800, 0xDFFF),  # surrogates, unpaired in a str
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte order mark)
    (0xFFF0, 0xFFFB),  # reserved invisible, interlinear annotation
    (0x13430, 0x1343F),  # Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE007F),  # tags
)
"""Every character `visible` marks. The format characters (Unicode category Cf) left out are the
prepended concatenation marks (U+0600..U+0605, U+06DD, U+070F, U+0890, U+0891, U+08E2, U+110BD,
U+110CD), which draw a visible sign. A table, not a scan of unicodedata, which would add an eighth
of a second to every start; tests/common/test_text.py checks the table against unicodedata."""

# One character class a search runs through at C speed, which Python's `re` manages only while
# the class holds a single range beyond U+FFFF: so the class takes every character beyond it,
# and the replacement gives back unchanged those `_HIDDEN_ASTRAL` does not hold (emoji, rare CJK).
_BMP = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _HIDDEN_RANGES if high <= 0xFFFF)
_HIDDEN_ASTRAL = re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _HIDDEN_RANGES if high > 0xFFFF) + "]")
_ONE_LINE = re.compile(f"[{_BMP}\r\n\U00010000-\U0010ffff]")
_KEEPING_LINES = re.compile(f"[{_BMP}\r\U00010000-\U0010ffff]")
_IN_JSON = re.compile(f"[{_BMP}\U00010000-\U0010ffff]")  # JSON escapes CR and LF in strings itself


def code_point(char: str) -> str:
    """How a hidden character shows: '<U+202E>', the notation of `less` and of Unicode itself."""
    return f"<U+{ord(char):04X}>"


def visible(text: str, lines: bool = False, mark: Callable[[str], str] = code_point) -> str:
    """`text` with every hidden character shown by `mark` (`<U+001B>`), and each line break a
    space, or with `lines` an LF. Ordinary text, in any script, comes back unchanged; the result
    holds no hidden character, so `visible` of it changes nothing (never escaped twice).
    `mark` is for an output that must escape the notation itself (HTML: `&lt;U+001B&gt;`)."""
    if text.isascii() and text.isprintable():  # most values: a check at C speed, without the search
        return text
    pattern = _KEEPING_LINES if lines else _ONE_LINE
    if not pattern.search(text):
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    newline = "\n" if lines else " "

    def shown(match: re.Match[str]) -> str:
        char = match.group()
        if char in "\r\n":
            return newline
        if char > "\uffff" and not _HIDDEN_ASTRAL.match(char):
            return char
        return mark(char)
    return pattern.sub(shown, text)


def visible_in(data: T) -> T:
    """A copy of a document (dicts, lists, tuples, dataclasses) with every string in it, keys too,
    through `visible`: for renderers that build their text from a whole document, so that no
    field is missed, and the markup they add after (colours, Markdown) is their own."""
    if isinstance(data, str):
        return visible(data)  # type: ignore[return-value]
    if isinstance(data, dict):
        return {visible_in(key): visible_in(value) for key, value in data.items()}  # type: ignore[return-value]
    if isinstance(data, (list, tuple)):
        return type(data)(visible_in(item) for item in data)  # type: ignore[return-value]
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.replace(data, **{f.name: visible_in(getattr(data, f.name)) for f in dataclasses.fields(data) if f.init})
    return data


def json_text(data: Any, **options: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, **options)` with every hidden character written as
    its `\\u` escape: a program reading it gets every value verbatim, and a person printing it
    sees `\\u202e` where the raw character would act on the terminal. Outside its strings JSON
    text is ASCII, so only string contents change, and only in how they are spelled."""
    return _IN_JSON.sub(_json_escape, json.dumps(data, ensure_ascii=False, **options))


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code > 0xFFFF:
        if not _HIDDEN_ASTRAL.match(char):
            return char
        code -= 0x10000  # JSON spells a character beyond U+FFFF as its UTF-16 surrogate pair
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def record_label(record: dict) -> str:
    """A record as people see it named: 'P-1 (Payments ledger migration)'."""
    return f"{record['id']} ({record['title']})"


def md_escape(text: Any) -> str:
    """Text from packets and rules as Markdown shows it literally, even in a table cell: never as
    HTML (a name like 'Ana <ana@x.com>' would vanish into a tag, or run as one), a link, emphasis
    or a table break, and with its hidden characters shown (`visible`), on one line."""
    text = str(text)
    if not (text.isascii() and text.isprintable()):  # `visible`'s own first test, without the call
        text = visible(text)
    return _MARKDOWN_SPECIAL.sub(_markdown_escape, text)


_MARKDOWN_SPECIAL = re.compile(r"[&<>\\`*_\[\]|]")
_MARKDOWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{char: "\\" + char for char in "\\`*_[]|"}}


def _markdown_escape(match: re.Match[str]) -> str:
    return _MARKDOWN_ESCAPES[match.group()]


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: 'Individual contributor' becomes 'individual
    contributor'; an acronym ('IC', 'VP') or a name already in lower case is kept as it is."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def md_code(text: Any, in_table: bool = False) -> str:
    """Text as a Markdown code span that nothing in it can close: the fence is one backtick
    longer than the longest run in the text (CommonMark), padded where the text starts or ends
    with one, so a value like `` ` <img src=x> `` stays literal. In a table cell a `|` would
    still end the cell (GitHub's tables split before code spans), so there it is escaped."""
    text = " ".join(visible(str(text)).splitlines())
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# Numbers in words, for the explanations and for what the command line says (kept here, low,
# so the command line need not load the explaining layer to count).

def plural(n: float, noun: str, nouns: str | None = None) -> str:
    """A number and its noun, agreeing: '1 point', '2 points', '3 required criteria'."""
    return f"{number(n)} {noun_for(n, noun, nouns)}"


def noun_for(n: float, noun: str, nouns: str | None = None) -> str:
    """The noun that agrees with `n`; the plural is `nouns`, else the noun plus s."""
    return noun if n == 1 else (nouns or (noun if noun.endswith("s") else noun + "s"))


def number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)
