"""`matches` globs in linear time: the engine's regex compiler cannot take them (see `core`), and a
backtracking regex takes minutes on a pattern of many stars."""
from __future__ import annotations


def glob_matches(pattern: str, text: str) -> bool:
    """Whether `text` is all of `pattern`, where `*` is any text (newlines too, possibly none)
    and everything else is literal.

    Not a regex: `.*a.*a.*b` backtracks through every way of placing the stars, which for a dozen
    of them over 40 characters is minutes. Here the text between the stars is found left to
    right, each piece at its first place after the last: taking the earliest place never loses
    a match (a later place only leaves less text for the pieces after it), so nothing is undone
    and the time is at most the text's length times the pattern's."""
    first, *pieces = pattern.split("*")
    if not pieces:
        return text == pattern
    *middle, last = pieces
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    position = len(first)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True
