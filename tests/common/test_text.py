"""The one sanitiser every text output goes through (`engine.common.text.visible`), and JSON that
keeps values verbatim yet is safe to print (`json_text`)."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from helpers import INVISIBLE_LETTERS, hidden
from hypothesis import example, given
from hypothesis import strategies as st

from engine.common.text import _HIDDEN_RANGES, json_text, md_escape, visible, visible_in

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"


any_text = st.text(st.characters(blacklist_categories=()))  # surrogates too: a JSON packet can hold them
# Text people write: no controls, format or unassigned code points (U+E0000, in the tag block
# that hides text, is unassigned: Cn), no line or paragraph separators.
ordinary = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"),
                                 blacklist_characters=[chr(c) for c in INVISIBLE_LETTERS]))
ATTACKS = [
    "\x1b]0;pwned\x07",  # OSC 0: sets the window title
    "\x1b]8;;https://evil.example/\x1b\\Ann Lee\x1b]8;;\x1b\\",  # OSC 8: a hyperlink under a name
    "\x1b]52;c;cm0gLXJmIH4K\x07",  # OSC 52: writes the clipboard
    "\x1b[31mred\x1b[0m \x9b2J",  # CSI colours, and C1 CSI clearing the screen
    "Ann\x00Lee",  # NUL
    "Lee\u202eeoJ",  # right-to-left override: reads as "LeeJoe"
    "An\u200bn",  # zero-width space: reads as "Ann"
    "Bob\rAlice",  # a carriage return: "Alice" overwrites "Bob"
]


@given(any_text)
@example("".join(ATTACKS))
@example("\ud800\U000e0041\u2028")
def test_no_output_holds_a_control_bidi_or_invisible_character(text):
    for lines in (False, True):
        shown = visible(text, lines=lines)
        assert not [c for c in shown if hidden(c, lines)], (text, shown)
        assert "\x1b" not in shown and "\r" not in shown and not set(shown) & set(BIDI + ZERO_WIDTH)
        assert visible(shown, lines=lines) == shown  # never escaped twice
    assert "\n" not in visible(text)


@given(ordinary)
@example("Zoë Ångström")
@example("李小龙")
@example("محمد")
@example("Мария Иванова-Петрова, O'Brien & Núñez <ana@x.com>")
@example("❤️ 葛󠄀城")  # variation selectors (an emoji's, a Japanese name's glyph) belong to the name
def test_ordinary_text_in_any_script_is_unchanged(text):
    assert visible(text) == text and visible(text, lines=True) == text


@pytest.mark.parametrize(("attack", "shown"), [
    (ATTACKS[0], "<U+001B>]0;pwned<U+0007>"),
    (ATTACKS[1], "<U+001B>]8;;https://evil.example/<U+001B>\\Ann Lee<U+001B>]8;;<U+001B>\\"),
    (ATTACKS[2], "<U+001B>]52;c;cm0gLXJmIH4K<U+0007>"),
    (ATTACKS[3], "<U+001B>[31mred<U+001B>[0m <U+009B>2J"),
    (ATTACKS[4], "Ann<U+0000>Lee"),
    (ATTACKS[5], "Lee<U+202E>eoJ"),
    (ATTACKS[6], "An<U+200B>n"),
    (ATTACKS[7], "Bob Alice"),
    ("\U000e0041\ud800", "<U+E0041><U+D800>"),
], ids=["osc-0-title", "osc-8-hyperlink", "osc-52-clipboard", "csi-colour", "nul", "rlo", "zwsp", "cr", "tag-and-surrogate"])
def test_each_hidden_character_shows_as_its_code_point(attack, shown):
    assert visible(attack) == shown


def test_a_line_break_in_a_one_line_value_is_a_space_and_kept_as_lf_where_lines_are():
    assert visible("Payments\r\nledger\nmigration\r") == "Payments ledger migration "
    assert visible("Payments\r\nledger\nmigration\r", lines=True) == "Payments\nledger\nmigration\n"
    assert visible("a\tb") == "a\tb"


def test_the_table_marks_every_character_of_the_categories_that_hide():
    """The sanitiser's table against this Python's Unicode database: nothing left out."""
    marked = {c for low, high in _HIDDEN_RANGES for c in range(low, high + 1)}
    missing = [f"U+{c:04X}" for c in range(0x110000) if c not in (0x09, 0x0A, 0x0D) and hidden(chr(c), lines=False) and c not in marked]
    assert not missing


def test_a_custom_mark_serves_an_output_that_must_escape_the_notation():
    assert visible("a\u202eb", mark=lambda c: f"&lt;U+{ord(c):04X}&gt;") == "a&lt;U+202E&gt;b"


def test_markdown_shows_the_code_point_as_text_not_as_a_tag():
    assert md_escape("Lee\u202eeoJ\nx") == "Lee&lt;U+202E&gt;eoJ x"


@dataclass(frozen=True)
class Row:
    name: str
    tags: tuple[str, ...]


def test_visible_in_reaches_every_string_of_a_document_keys_too():
    document = {"candidate": {"name": "An\u200bn", "level": 3}, "records": [{"ti\x1btle": "x\u202e"}], "row": Row("a\x00", ("b\r",))}
    assert visible_in(document) == {"candidate": {"name": "An<U+200B>n", "level": 3}, "records": [{"ti<U+001B>tle": "x<U+202E>"}],
                                    "row": Row("a<U+0000>", ("b ",))}


@given(st.recursive(any_text | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(any_text, inner)))
def test_json_keeps_every_value_verbatim_and_prints_no_hidden_character(data):
    text = json_text(data, indent=2, sort_keys=False)
    assert json.loads(text) == data
    assert not [c for c in text if hidden(c, lines=True)]


def test_json_spells_a_hidden_character_as_its_escape_and_leaves_ordinary_text_as_written():
    assert json_text({"name": "Lee\u202eeoJ\x1b]0;t\x07 \U000e0041"}) == '{"name": "Lee\\u202eeoJ\\u001b]0;t\\u0007 \\udb40\\udc41"}'
    assert json_text({"name": "Zoë 李小龙 محمد"}) == '{"name": "Zoë 李小龙 محمد"}'


@pytest.mark.parametrize("text", ["plain", "a `tick`", "``double``", "`edge", "edge`", "<img src=x onerror=alert(1)> [x](http://e)"])
def test_a_code_span_holds_any_text_literally(text):
    """Nothing inside can close the span: its fence outruns every run of backticks in it."""
    from engine.common.text import md_code
    span = md_code(text)
    fence = span[:len(span) - len(span.lstrip("`"))]
    assert span.endswith(fence) and fence not in span[len(fence):-len(fence)].replace(fence + "`", "")
    assert span[len(fence):-len(fence)].strip(" ") == text


def test_an_invalid_packets_errors_cannot_break_out_of_markdown(tmp_path):
    """A quoted value with a backtick once closed the code span around an error: the HTML and
    the link after it went live in the Markdown report."""
    import json

    from click.testing import CliRunner

    from engine.cli import main
    evil = "org` <img src=x onerror=alert(1)> [click](http://evil) `"
    packet = {"candidate": {"id": "E-1", "name": "A", "track": "ic", "level": "developer", "level_since": "2024-01-01"},
              "as_of": "2026-11-01", "evidence": [{"id": "P-1", "type": "project", "title": "T", "start": "2026-01-01",
                                                   "role": "lead", "scope": evil, "outcome": "shipped"}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(packet))
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "markdown"])
    line = next(line for line in result.stdout.splitlines() if "onerror" in line)
    assert line.startswith("- ``") and line.endswith("``")
