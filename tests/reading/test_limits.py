"""Bounds on what one file may hold, checked while it is read: an oversized packet or rule
file is refused at the value that crosses a bound, naming the bound, before the rest is read.
(How fast: benchmarks/refusal.py.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import main
from engine.cohorts import cohort
from engine.common.errors import LadderError
from engine.reading import load, validate

ROOT = Path(__file__).resolve().parents[2]
PACKET = load.load_file(ROOT / "fixtures" / "packets" / "ic-developer-ready.yaml").data


def review(number: int) -> dict:
    return {"id": f"R-{number}", "type": "review", "title": f"Review {number}", "date": "2025-06-10", "kind": "code", "scope": "team"}


def packet_with(records: int) -> dict:
    return dict(PACKET, evidence=[review(n) for n in range(records)])


def refused(loader, text: str, source: str) -> str:
    with pytest.raises(LadderError) as caught:
        loader(text, source)
    (found,) = caught.value.diagnostics
    return found.format()


TOO_MANY = f"more than {load.MAX_ENTRIES} entries in one list or mapping: the limit is {load.MAX_ENTRIES}, remove the rest [load.too-large]"


def test_a_yaml_packet_with_too_many_records_is_refused_at_the_first_one_past_the_limit_before_the_rest_is_read():
    text = yaml.safe_dump(packet_with(load.MAX_ENTRIES + 500), sort_keys=False)
    first_past = text.index(f"- id: R-{load.MAX_ENTRIES}\n")
    line = text[:first_past].count("\n") + 1
    # Broken YAML at the end: were the whole file read first, this would be the error.
    message = refused(load.load_yaml_text, text + "broken: [\n", "big.yaml")
    assert message == f"big.yaml:{line}:3: error: {TOO_MANY}"


def test_a_json_packet_with_too_many_records_is_refused_at_the_first_one_past_the_limit():
    text = json.dumps(packet_with(load.MAX_ENTRIES + 500), indent=1)
    first_past = text.index(f'"id": "R-{load.MAX_ENTRIES}"') - len("{\n   ")
    assert text[first_past] == "{"
    line = text[:first_past].count("\n") + 1
    assert refused(load.load_json_text, text, "big.json") == f"big.json:{line}:3: error: {TOO_MANY}"


def test_a_json_lines_packet_with_too_many_records_is_refused_on_its_line(tmp_path):
    lines = tmp_path / "cohort.jsonl"
    lines.write_text(json.dumps(packet_with(1)) + "\n" + json.dumps(packet_with(load.MAX_ENTRIES + 1)) + "\n")
    _, second = cohort.items(lines)
    with pytest.raises(LadderError) as caught:
        cohort.read(second)
    (found,) = caught.value.diagnostics
    assert (found.line, found.code) == (2, "load.too-large") and found.message == TOO_MANY.rsplit(" [", 1)[0]


def test_a_mapping_with_too_many_keys_is_refused_at_the_first_key_past_the_limit():
    keys = {f"k{n}": n for n in range(load.MAX_ENTRIES + 1)}
    assert refused(load.load_yaml_text, yaml.safe_dump({"attributes": keys}, sort_keys=False), "k.yaml") == \
        f"k.yaml:{load.MAX_ENTRIES + 2}:3: error: {TOO_MANY}"
    assert refused(load.load_json_text, json.dumps({"attributes": keys}, indent=0), "k.json") == \
        f"k.json:{load.MAX_ENTRIES + 3}:1: error: {TOO_MANY}"


@pytest.mark.parametrize("loader, text, place", [
    (load.load_yaml_text, "a: 1\ntitle: {long}\n", "2:8"),
    (load.load_json_text, '{"a": 1,\n "title": "{long}"}', "2:11"),
])
def test_an_overlong_text_is_refused_at_its_start_naming_the_limit(loader, text, place):
    length = load.MAX_CHARS + 1
    message = refused(loader, text.replace("{long}", "x" * length), "t")
    assert message == f"t:{place}: error: text of {length} characters: the limit is {load.MAX_CHARS}; shorten it [load.too-large]"


ROWS = load.MAX_NODES // 1999 + 2  # lists of 1,999 values: fewer entries than the bound, more values in all


@pytest.mark.parametrize("loader, text", [
    (load.load_yaml_text, "rows:\n" + "".join(f"  - [{', '.join(['0'] * 1999)}]\n" for _ in range(ROWS))),
    (load.load_json_text, '{"rows": [\n' + ",\n".join(f"[{','.join(['0'] * 1999)}]" for _ in range(ROWS)) + "]}"),
])
def test_too_many_values_in_one_file_are_refused_at_the_value_past_the_limit(loader, text):
    # Values: the mapping, its key, the list (3), then each row and its 1,999 values (2,000).
    row, index = divmod(load.MAX_NODES + 1 - 4, 2000)  # index 0: the row itself
    message = refused(loader, text, "n")
    line = text.splitlines()[row + 1]
    col = line.index("[") + 2 + (3 if loader is load.load_yaml_text else 2) * (index - 1)
    assert message == f"n:{row + 2}:{col}: error: more than {load.MAX_NODES} values in one file: split it [load.too-large]"


@pytest.mark.parametrize("depth", [40, 5000])
def test_json_nested_too_deep_is_refused_where_it_crosses_the_bound_as_yaml_is(depth):
    text = '{"a": ' + "[" * depth + "]" * depth + "}"
    deep = f"nested deeper than {load.MAX_DEPTH} levels [load.too-deep]"
    assert refused(load.load_json_text, text, "d.json") == f"d.json:1:{6 + load.MAX_DEPTH}: error: {deep}"
    # libyaml looks ahead in a flow collection: past its own bound (1,000), it stops there.
    assert refused(load.load_yaml_text, text, "d.yaml") in (f"d.yaml:1:{6 + load.MAX_DEPTH}: error: {deep}", f"d.yaml:1:1006: error: {deep}")


@pytest.mark.parametrize("inner", ["1", "[]", "{}", '{"k": 1}', "[1]"])
@pytest.mark.parametrize("lists", [29, 30, 31, 32])
def test_json_and_yaml_agree_on_what_is_too_deep(lists, inner):
    text = '{"a": ' + "[" * lists + inner + "]" * lists + "}"
    outcomes = []
    for loader in (load.load_yaml_text, load.load_json_text):
        try:
            loader(text, "d")
            outcomes.append("read")
        except LadderError as e:
            outcomes.append(e.diagnostics[0].format())
    assert outcomes[0] == outcomes[1]


def test_a_packet_at_the_limit_is_read_whole():
    data = packet_with(load.MAX_ENTRIES)
    assert load.load_yaml_text(yaml.safe_dump(data), "a.yaml").data == data
    assert load.load_json_text(json.dumps(data), "a.json").data == data


def _bounds(schema, found: dict[str, list[int]]) -> None:
    if isinstance(schema, dict):
        for name in ("maxItems", "maxProperties", "maxLength"):
            if name in schema:
                found.setdefault(name, []).append(schema[name])
        for value in schema.values():
            _bounds(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _bounds(value, found)


def test_the_loaders_bounds_admit_everything_a_schema_allows():
    """The loader refuses early only what the schemas would refuse later: its bounds are no
    tighter than any schema's, so the schema's own message comes first for anything between."""
    found: dict[str, list[int]] = {}
    for path in sorted(validate.data_dir("schemas").glob("*.schema.json")):
        _bounds(json.loads(path.read_text()), found)
    assert max(found["maxItems"] + found["maxProperties"]) <= load.MAX_ENTRIES
    assert max(found["maxLength"]) <= load.MAX_CHARS


def test_evaluate_refuses_a_packet_of_fifty_thousand_records_naming_the_limit_and_the_place(tmp_path):
    path = tmp_path / "big.yaml"
    records = "".join(f"  - {json.dumps(review(n))}\n" for n in range(50_000))  # JSON is YAML, and dumps fast
    text = yaml.safe_dump(packet_with(0), sort_keys=False).replace("evidence: []\n", "evidence:\n" + records)
    path.write_text(text)
    line = text[:text.index(f'- {{"id": "R-{load.MAX_ENTRIES}"')].count("\n") + 1
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line}:5: error: {TOO_MANY}" in result.stderr


def test_a_json_lines_line_past_the_file_limit_is_refused_there_and_never_held_whole(tmp_path):
    from engine.reading.load import MAX_FILE_BYTES, iter_json_lines
    cohort = tmp_path / "c.jsonl"
    cohort.write_bytes(b'{"x": "' + b"a" * (MAX_FILE_BYTES + 10_000) + b'"}\n{"next": 1}\n')
    lines = list(iter_json_lines(cohort))
    assert [number for number, _ in lines] == [1, 2]
    assert len(lines[0][1]) == MAX_FILE_BYTES + 1, "read one byte past the limit, the rest skipped"
    assert lines[1][1].rstrip() == '{"next": 1}'


def test_a_json_lines_file_may_start_with_a_byte_order_mark_as_a_json_file_may(tmp_path):
    from engine.reading.load import iter_json_lines, load_json_text
    cohort = tmp_path / "c.jsonl"
    cohort.write_bytes(b'\xef\xbb\xbf{"a": 1}\n{"b": 2}\n')
    assert [load_json_text(text, "c.jsonl").data for _, text in iter_json_lines(cohort)] == [{"a": 1}, {"b": 2}]


def test_suggestions_are_not_sought_among_thousands_of_names():
    """Each broken link of a 2,000-record packet compared by letters with every record id was
    quadratic: 17 s for one packet, and a time-out reported as an engine fault."""
    from engine.reading.validate import MAX_SUGGESTION_OPTIONS, did_you_mean
    names = [f"P-{i}" for i in range(5_000)]
    assert did_you_mean("P-1x", names) == ""
    assert did_you_mean("P-1x", names[:MAX_SUGGESTION_OPTIONS]) == " (did you mean 'P-1'?)"
