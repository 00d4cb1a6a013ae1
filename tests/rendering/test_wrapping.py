"""Wrapping a text report to a terminal: only whitespace changes, and every line fits where its
words allow, whatever the text (colour codes, wide characters, deep indentation)."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from engine.rendering.wrapping import NARROWEST, columns, wrap

WORD = st.text(st.sampled_from("abcxyz✓✗-:()漢字") , min_size=1, max_size=14).map(
    lambda w: w if not w.startswith("a") else f"\x1b[31m{w}\x1b[0m")  # some words coloured, as click.style writes them
LINE = st.tuples(st.integers(0, 12), st.lists(WORD, min_size=1, max_size=30)).map(lambda t: " " * t[0] + " ".join(t[1]))


@given(st.lists(LINE, min_size=1, max_size=8).map("\n".join), st.integers(NARROWEST, 120))
def test_wrapping_changes_only_whitespace_and_fits_every_line_a_word_allows(text, width):
    wrapped = wrap(text, width)
    assert wrapped.split() == text.split()
    for line in wrapped.split("\n"):
        assert columns(line) <= width or len(line.split()) == 1, (line, width)


def test_a_continuation_goes_two_columns_past_the_line_s_indentation_and_colour_takes_no_column():
    line = "  \x1b[32m✓\x1b[0m shipped-work: Shipped at least 2 projects as a core or lead contributor"
    assert [re.sub(r"\x1b\[[0-9;]*m", "", part) for part in wrap(line, 40).split("\n")] == [
        "  ✓ shipped-work: Shipped at least 2",
        "    projects as a core or lead",
        "    contributor"]


def test_too_narrow_a_terminal_is_left_to_wrap_lines_itself():
    assert wrap("a b c " * 10, NARROWEST - 1) == "a b c " * 10
