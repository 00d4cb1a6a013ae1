"""Schemas for tools other than ladder: each kind's bundle is self-contained, and a real
third-party validator (check-jsonschema) passes and fails every fixture the way ladder's own
schema check does, offline."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from engine.common.errors import LadderError
from engine.reading import bundle, validate
from engine.reading.load import load_file

ROOT = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")

# Every document in the repository, by the kind of schema it follows.
DOCUMENTS = {
    "packet": ["fixtures/packets/*.yaml", "fixtures/packets/invalid/*.yaml", "fixtures/whatif/*.yaml", "fixtures/placement/*.yaml",
               "fixtures/cohorts/spring-2026/*.yaml"],
    "ladder": ["rules/ladder.yaml", "fixtures/rulebooks/lint-defects/ladder.yaml"],
    "evidence": ["rules/evidence.yaml", "fixtures/rulebooks/lint-defects/evidence.yaml"],
    "level": ["rules/levels/*.yaml", "fixtures/rulebooks/lint-defects/levels/*.yaml"],
    "rule-test": ["rules/tests/*.yaml"],
    "calibration": ["rules/calibration.yaml"],
    "mapping": ["fixtures/imports/*.map.yaml"],
}


def files(kind: str) -> list[Path]:
    found = sorted({p for pattern in DOCUMENTS[kind] for p in ROOT.glob(pattern)})
    assert found, f"no {kind} documents found"
    return found


def ladder_refuses(path: Path, kind: str) -> bool:
    """Whether ladder's own load and schema check find anything wrong with the document."""
    try:
        return bool(validate.check(load_file(path, str(path)), kind))
    except LadderError:
        return True


def third_party_refuses(schema: Path, paths: list[Path]) -> set[Path]:
    result = subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", str(schema), "-o", "json", *map(str, paths)],
                            capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout)
    return {Path(e["filename"]) for e in report.get("errors", []) + report.get("parse_errors", [])}


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_check_jsonschema_agrees_with_ladder_on_every_fixture(kind, tmp_path):
    schema = tmp_path / f"{kind}.schema.json"
    schema.write_text(json.dumps(bundle.bundle(kind), indent=2))
    paths = files(kind)
    expected = {p for p in paths if ladder_refuses(p, kind)}
    assert third_party_refuses(schema, paths) == expected
    if kind == "packet":
        assert len(expected) >= 3, "the invalid packets must include schema errors, or this test proves nothing"


@pytest.mark.parametrize("kind", bundle.kinds())
def test_a_bundle_refers_to_nothing_outside_itself(kind):
    document = bundle.bundle(kind)
    jsonschema.Draft202012Validator.check_schema(document)
    text = json.dumps(document)
    assert "ladder.example" not in text
    references = [r for r in _values(document, "$ref")]
    assert references and all(r.startswith("#") for r in references)


def test_every_kind_of_document_has_a_bundle():
    assert set(DOCUMENTS) <= set(bundle.kinds()) == set(bundle.KINDS)
    with pytest.raises(KeyError):
        bundle.bundle("pakcet")


def _values(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            else:
                yield from _values(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _values(v, key)


def test_ladder_schema_writes_a_bundle_an_editor_or_validator_uses_offline(tmp_path):
    from click.testing import CliRunner

    from engine.cli import main
    out = tmp_path / "packet.schema.json"
    result = CliRunner().invoke(main, ["schema", "packet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == bundle.bundle("packet")
    printed = CliRunner().invoke(main, ["schema", "packet"])
    assert printed.stdout == out.read_text()
    assert third_party_refuses(out, [ROOT / "fixtures/packets/ic-staff-ready.yaml"]) == set()


def test_ladder_schema_names_the_kinds_it_knows(tmp_path):
    from click.testing import CliRunner

    from engine.cli import main
    result = CliRunner().invoke(main, ["schema", "pakcet"])
    assert result.exit_code == 2
    assert "'pakcet' is not one of 'packet'" in result.stderr
