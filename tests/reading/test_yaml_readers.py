"""The YAML readers agree: the quick read (no places recorded, see engine/reading/yaml_text.py)
and the careful one, each over libyaml's parser and over PyYAML's own (used where PyYAML is
built without libyaml), give the same data, the same places and the same refusals, over every
YAML file in the repository and over a space of written and broken documents."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.common.errors import LadderError
from engine.reading import yaml_text
from tests.reading.fuzz_strategies import TOKENS, json_values, token_soup

ROOT = Path(__file__).resolve().parents[2]
YAML_FILES = sorted(p for folder in ("fixtures", "rules", "examples") for p in (ROOT / folder).rglob("*.y*ml"))
LIBYAML = pytest.importorskip("yaml.cyaml").CParser
PURE = yaml_text._PurePythonParser


def outcome(text: str, parser: type, quick: bool) -> tuple:
    """What a reader makes of the text, comparable exactly (repr tells 1 from 1.0 and True)."""
    try:
        document = yaml_text.read(text, "x.yaml", parser, quick)
    except LadderError as e:
        return ("refused", [d.format() for d in e.diagnostics])
    document.at(())  # the places, read now if the quick read left them for later
    return ("read", repr(document.data), document.marks, document.key_marks)


def assert_quick_and_careful_agree(text: str) -> None:
    for parser in (LIBYAML, PURE):
        assert outcome(text, parser, quick=True) == outcome(text, parser, quick=False)


def assert_parsers_agree(text: str) -> None:
    """libyaml's parser and PyYAML's own read a well-formed document alike. (On broken ones
    they differ at the edges of YAML itself, which is theirs to decide: a tab inside a plain
    scalar, how far ahead a syntax error is seen; each reader over each is checked above.)"""
    libyaml, pure = outcome(text, LIBYAML, quick=True), outcome(text, PURE, quick=True)
    assert pure[:2] == libyaml[:2]
    if libyaml[0] == "read":
        # An empty value (`a:` at the end of a line) is placed where libyaml meets it, and by
        # PyYAML's parser at the next token; every other place is the same.
        empty = {path for path, place in pure[2].items() if place != libyaml[2].get(path) and _empty_at(text, libyaml[2][path])}
        assert {k: v for k, v in pure[2].items() if k not in empty} == {k: v for k, v in libyaml[2].items() if k not in empty}
        assert pure[3] == libyaml[3]


def _empty_at(text: str, place: tuple[int, int]) -> bool:
    line, col = place
    rest = (text.splitlines()[line - 1:line] or [""])[0][col - 1:]
    return not rest.strip() or rest.lstrip().startswith(("#", ",", "]", "}"))


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_in_the_repository_reads_the_same_with_every_reader(path):
    text = path.read_text(encoding="utf-8-sig")
    assert_quick_and_careful_agree(text)
    assert_parsers_agree(text)


@st.composite
def written(draw) -> str:
    """A value written as YAML in one of the styles people and tools write it."""
    return yaml.safe_dump(draw(json_values), sort_keys=False, allow_unicode=draw(st.booleans()),
                          default_flow_style=draw(st.sampled_from([False, True, None])),
                          indent=draw(st.integers(2, 4)), width=draw(st.sampled_from([20, 80, 1000])))


@st.composite
def edited(draw) -> str:
    """A written document with a token put in at a random place: a tag, an alias, a duplicate, a break."""
    text = draw(written())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    return text


@settings(max_examples=300, deadline=None)
@given(st.one_of(written(), edited(), token_soup))
def test_the_quick_read_gives_the_careful_reads_data_places_and_refusals(text):
    assert_quick_and_careful_agree(text)


@settings(max_examples=150, deadline=None)
@given(written())
def test_libyaml_and_pyyamls_own_parser_read_a_written_document_alike(text):
    assert_parsers_agree(text)


@pytest.mark.parametrize("parser", [LIBYAML, PURE], ids=["libyaml", "pyyaml"])
def test_an_escape_past_the_last_character_is_a_located_error_with_either_parser(parser):
    with pytest.raises(LadderError) as caught:
        yaml_text.read('a: "x\\Ua0010000"\n', "x.yaml", parser)
    assert caught.value.diagnostics[0].format() == \
        "x.yaml:1:8: error: not valid YAML: while parsing a quoted scalar found invalid Unicode character escape code [load.syntax]"


@pytest.mark.parametrize("digits", ["0x1F" + "9" * 5000, "0o7" + "7" * 6000, "9" * 5000])
def test_an_int_too_long_to_print_is_refused_at_its_place_in_any_base(digits):
    """A hex or octal int that Python reads but could not print (past sys.get_int_max_str_digits)
    is refused where it was written, as a decimal one is, by every reader: not left to fail the
    evaluation later (an engine fault, exit 3)."""
    text = f"candidate:\n  id: {digits}\n"
    for parser in (LIBYAML, PURE):
        for quick in (True, False):
            kind, diagnostics = outcome(text, parser, quick)
            assert kind == "refused" and diagnostics[0].startswith("x.yaml:2:7: error:") and "[load.scalar]" in diagnostics[0]
