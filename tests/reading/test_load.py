"""Loading: what a person wrote is what the engine reads, and bad input fails with a place."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.common.errors import LadderError
from engine.reading import load


def yaml_data(text: str):
    return load.load_yaml_text(text, "x.yaml").data


def error_of(loader, text: str) -> str:
    with pytest.raises(LadderError) as caught:
        loader(text, "x.json" if loader is load.load_json_text else "x.yaml")
    (diagnostic,) = caught.value.diagnostics
    return diagnostic.format()


@pytest.mark.parametrize("text, value", [
    ("NO", "NO"), ("yes", "yes"), ("on", "on"), ("Off", "Off"),   # YAML 1.1 booleans stay text
    ("true", True), ("False", False),
    ("010", 10), ("0o17", 15), ("0x1F", 31), ("-3", -3),            # no octal surprise
    ("1_000", "1_000"), ("1:20", "1:20"),                          # no digit grouping, no base 60
    ("2026-11-01", "2026-11-01"),                                  # dates stay text, checked later
    ("1.5", 1.5), (".inf", ".inf"), ("~", None), ("", None),
])
def test_scalars_read_as_a_person_means_them(text, value):
    assert yaml_data(f"a: {text}\n") == {"a": value}


def test_duplicate_keys_are_an_error_at_the_second_key():
    assert error_of(load.load_yaml_text, "a: 1\nb: 2\na: 3\n") == \
        "x.yaml:3:1: error: duplicate key 'a' (first at line 1): keep one [load.duplicate-key]"


def test_aliases_are_refused_so_a_billion_laughs_costs_nothing():
    laughs = "a: &a [x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20))
    started = time.perf_counter()
    assert "aliases (*name) are not supported" in error_of(load.load_yaml_text, laughs)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("text, expected", [
    ("a: !!python/object:os.system ls\n", "1:4: error: tag tag:yaml.org,2002:python/object:os.system is not supported"),
    ("a: !custom x\n", "1:4: error: tag !custom is not supported"),
    ("a: 1\n---\nb: 2\n", "holds several YAML documents"),
    ("a:\n\t- 1\n", "(indent YAML with spaces, not tabs)"),
    ("a: [1, 2\n", "x.yaml:2:1: error: not valid YAML"),
    ("? [1, 2]\n: x\n", "1:3: error: keys must be plain text"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", f"nested deeper than {load.MAX_DEPTH} levels"),
])
def test_unsafe_or_broken_yaml_is_refused_with_its_place(text, expected):
    assert expected in error_of(load.load_yaml_text, text)


def test_values_remember_where_they_were_written():
    doc = load.load_yaml_text("top:\n  items:\n    - name: a\n    - name: b\n", "x.yaml")
    assert doc.at(("top", "items", 1, "name")) == (4, 13)
    assert doc.at(("top", "items", 1, "name"), key=True) == (4, 7)
    assert doc.at(("top", "missing", "deeper")) == (2, 3)  # nearest existing parent


def test_json_positions_come_from_a_second_parse_only_when_asked():
    doc = load.load_json_text('{\n\t"a": [1,\n\t\t{"b": "x"}]\n}', "x.json")
    assert doc.marks is None
    assert doc.at(("a", 1, "b")) == (3, 9)  # a tab is one column


@pytest.mark.parametrize("text, expected", [
    ('{"a": 1, "a": 2}', "x.json:1:15: error: duplicate key 'a': keep one"),
    ('{"a": [1, 2,]}', "x.json:1:13: error: not valid JSON"),
    ('{"a": 1,\n "b": NaN}', "x.json:2:7: error: NaN is not valid JSON: write a number [load.syntax]"),
    ('[1, [2, -Infinity]]', "x.json:1:9: error: -Infinity is not valid JSON: write a number [load.syntax]"),
    ('{"a": 1,\n "b": -1e400}', "x.json:2:7: error: this number is too large to represent: write a smaller one [load.number]"),
    ('{"a": 1} {"b": 2}', "x.json:1:10: error: extra data after the JSON value"),
    ("[" * 5000 + "]" * 5000, "nested deeper than"),
])
def test_bad_json_is_refused_with_its_place(text, expected):
    assert expected in error_of(load.load_json_text, text)


def test_files_too_large_empty_or_not_utf8_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * load.MAX_FILE_BYTES)
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"a: caf\xe9\n")
    messages = []
    for path in (big, empty, latin, tmp_path / "missing.yaml", tmp_path):
        with pytest.raises(LadderError) as caught:
            load.load_file(path)
        messages.append(caught.value.diagnostics[0].message)
    assert messages[0].startswith("file is") and "the limit is" in messages[0]
    assert messages[1:] == ["file is empty", "is not UTF-8 text: save the file as UTF-8", "no such file", "is a directory, not a file"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!#'\"\n\t ,?|>%@`0123456789.~")), max_size=80))
def test_any_text_loads_or_fails_with_a_located_error_quickly(text):
    for loader in (load.load_yaml_text, load.load_json_text):
        started = time.perf_counter()
        try:
            loader(text, "fuzz")
        except LadderError as e:
            assert all(d.line >= 1 and d.col >= 1 for d in e.diagnostics)
        assert time.perf_counter() - started < 2
