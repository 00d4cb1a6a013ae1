"""Export and import: a whole store as one JSON document, back to the byte, on SQLite and
PostgreSQL and between them; refused whole when it cannot be taken whole."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import yaml
from conftest import NEARLY, NOT_READY, READY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api
from engine.cycles import DecisionRequest, StoreError, deciding


@pytest.fixture
def full(spring, cohort, tmp_path):
    """Two cycles under one rulebook: the four packets, and a JSON Lines cohort judged as of a
    date whose second line is not UTF-8; decisions changed and overridden, in several scripts."""
    lines = tmp_path / "autumn.jsonl"
    ready = yaml.safe_load((cohort / "1-ic-staff-ready.yaml").read_text())
    lines.write_bytes(json.dumps(ready, default=str).encode() + b'\n{"candidate": "Ren\xe9e"}\n')
    api.open_cycle(spring, "autumn", lines, as_of=date(2026, 10, 1))
    api.decide(spring, "spring", READY, "promote", "", "ana")
    api.decide(spring, "spring", NEARLY, "promote", "Führt die Migration; 设计文档已批准", "Zoë", expected_version=0)
    api.decide(spring, "spring", NEARLY, "defer", "", "bo", expected_version=1)
    api.decide(spring, "spring", NOT_READY, "not_yet", "", "ana")
    api.decide(spring, "autumn", READY, "not_yet", "Asked to wait for the reorg", "ana")
    return spring


def test_export_then_import_into_an_empty_store_then_export_gives_the_same_bytes(full, db, tmp_path, request):
    exported = api.export_cycles(full)
    (tmp_path / "backup.json").write_text(exported, encoding="utf-8")
    target = db.replace("ladder.db", "restored.db") if "://" not in db else request.getfixturevalue("postgres").url()
    with api.open_store(target) as restored:
        assert api.import_cycles(restored, tmp_path / "backup.json") == ["autumn", "spring"]
        assert api.export_cycles(restored) == exported
        assert restored.history("spring", NEARLY) == full.history("spring", NEARLY)
        assert list(restored.evaluated("autumn")) == list(full.evaluated("autumn"))
        assert [p.content for p in restored.packets("autumn")] == [p.content for p in full.packets("autumn")]
    document = json.loads(exported)
    assert "content_base64" in document["cycles"][0]["packets"][1], "bytes that are not UTF-8 kept as they were"


def test_a_store_moves_from_sqlite_to_postgresql_and_back_unchanged(full, db, postgres, tmp_path):
    exported = api.export_cycles(full)
    (tmp_path / "backup.json").write_text(exported, encoding="utf-8")
    other = str(tmp_path / "other.db") if "://" in db else postgres.url()
    with api.open_store(other) as moved:
        api.import_cycles(moved, tmp_path / "backup.json")
        assert api.export_cycles(moved) == exported


def test_an_import_is_refused_whole_when_a_cycle_of_the_name_exists(full, tmp_path):
    (tmp_path / "backup.json").write_text(api.export_cycles(full, ["autumn"]), encoding="utf-8")
    with api.open_store(str(tmp_path / "half.db")) as store:
        api.open_cycle(store, "autumn", tmp_path / "cohort")
        before = api.export_cycles(store)
        with pytest.raises(StoreError, match="already holds cycle") as refused:
            api.import_cycles(store, tmp_path / "backup.json")
        assert refused.value.code == "import.exists"
        assert api.export_cycles(store) == before


def test_an_export_whose_rules_were_edited_is_refused(full, tmp_path):
    document = json.loads(api.export_cycles(full))
    book = next(iter(document["rulebooks"].values()))
    book["files"][0][1] += "# edited\n"
    (tmp_path / "edited.json").write_text(json.dumps(document))
    with api.open_store(str(tmp_path / "new.db")) as store:
        with pytest.raises(StoreError, match="does not match its digest"):
            api.import_cycles(store, tmp_path / "edited.json")
        assert store.cycles() == []


@pytest.mark.parametrize("text, message", [
    ("not json", "not JSON"),
    ('{"format": "ladder.verdicts/1"}', "not a ladder cycles export"),
    ('{"format": "ladder.cycles/1", "rulebooks": {}, "cycles": [{"name": "x"}]}', "a damaged export"),
])
def test_a_file_that_is_no_export_is_refused_in_one_line(tmp_path, text, message):
    (tmp_path / "x.json").write_text(text)
    with api.open_store(str(tmp_path / "new.db")) as store:
        with pytest.raises(StoreError, match=message):
            api.import_cycles(store, tmp_path / "x.json")


decisions = st.lists(st.tuples(st.sampled_from([READY, NEARLY, NOT_READY]), st.sampled_from(["promote", "not_yet", "defer"]),
                               st.text(min_size=1, max_size=30).filter(lambda t: t.strip() and "\x00" not in t),
                               st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and "\x00" not in t),
                               st.integers(0, 10**9)), max_size=8)


@pytest.fixture
def spring_json(cohort, tmp_path):
    """An export of cycle `spring` alone, undecided (from SQLite)."""
    with api.open_store(str(tmp_path / "spring.db")) as store:
        api.open_cycle(store, "spring", cohort)
        (tmp_path / "spring.json").write_text(api.export_cycles(store), encoding="utf-8")
    return tmp_path / "spring.json"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=decisions)
def test_any_history_of_decisions_survives_a_round_trip(spring_json, tmp_path_factory, history):
    """Whatever was decided, by whom, why and when (on SQLite; PostgreSQL is covered above)."""
    directory = tmp_path_factory.mktemp("round")
    with api.open_store(str(directory / "source.db")) as source:
        api.import_cycles(source, spring_json)
        start = datetime(2026, 5, 1, tzinfo=UTC)
        for candidate, decision, reason, by, offset in history:
            deciding.decide(source, "spring", DecisionRequest(candidate, decision, reason, by, at=start + timedelta(microseconds=offset)))
        exported = api.export_cycles(source)
    (directory / "backup.json").write_text(exported, encoding="utf-8")
    with api.open_store(str(directory / "restored.db")) as restored:
        api.import_cycles(restored, directory / "backup.json")
        assert api.export_cycles(restored) == exported


def test_an_export_whose_rulebook_names_a_file_outside_a_rulebook_is_refused(full, tmp_path):
    """A rulebook is rebuilt in a temporary directory from its stored files: an export must not
    be able to write anywhere else, even with a digest that matches."""
    from engine.reading.rulebook import content_digest

    document = json.loads(api.export_cycles(full))
    (digest, book), = document["rulebooks"].items()
    book["files"].append(["../../escaped.yaml", "written: where it should not be\n"])
    forged = content_digest((name, text.encode()) for name, text in book["files"])
    document["rulebooks"] = {forged: book}
    for cycle in document["cycles"]:
        cycle["rulebook"] = forged
    (tmp_path / "forged.json").write_text(json.dumps(document))
    with api.open_store(str(tmp_path / "new.db")) as store:
        with pytest.raises(StoreError, match="which no rulebook has") as refused:
            api.import_cycles(store, tmp_path / "forged.json")
        assert refused.value.code == "store.rule-file"
        assert store.cycles() == []


def test_a_time_written_with_an_offset_is_imported_as_the_same_instant(full, db, tmp_path, request):
    document = json.loads(api.export_cycles(full, ["spring"]))
    event = document["cycles"][0]["packets"][0]["decisions"][0]
    instant = datetime.fromisoformat(event["decided_at"])
    event["decided_at"] = instant.astimezone(timezone(timedelta(hours=2))).isoformat()
    (tmp_path / "offset.json").write_text(json.dumps(document))
    target = str(tmp_path / "offset.db") if "://" not in db else request.getfixturevalue("postgres").url()
    with api.open_store(target) as store:
        api.import_cycles(store, tmp_path / "offset.json")
        assert store.history("spring", READY)[0].at == instant
