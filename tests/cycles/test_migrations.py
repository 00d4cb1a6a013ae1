"""The store's schema: built by its migrations exactly as the code reads it, upgraded in place
without losing a decision, and refused when a newer ladder wrote it."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import NEARLY, READY

from engine import api
from engine.cycles import StoreError, database
from engine.cycles.database import Collision
from engine.cycles.tables import decision_events, metadata


def engine_at(db: str, revision: str) -> sa.Engine:
    engine = database.connect(database.locate(db))
    database.migrate(engine, db, to=revision)
    return engine


def test_the_migrations_build_exactly_the_schema_the_code_uses(db):
    engine = engine_at(db, "head")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    engine.dispose()


def test_a_store_written_by_the_previous_revision_upgrades_without_losing_a_decision(db, cohort):
    """Revision 0001 kept no `decided_by`: its cycles, verdicts and decisions read back whole after
    the upgrade, the old decisions saying who decided was not recorded."""
    with api.open_store(str(cohort.parent / "source.db")) as source:  # a cycle's rows, to write as 0001 would have
        api.open_cycle(source, "spring", cohort)
        document = api.export_cycles(source)
        expected = [(e.candidate_id, e.verdict) for e in source.entries("spring")]
        explanation = source.explanation("spring", NEARLY)
    old = engine_at(db, "0001")
    with database.writing(old) as connection:
        exported = json.loads(document)
        digest, book = next(iter(exported["rulebooks"].items()))
        connection.execute(sa.text("INSERT INTO rulebooks (digest, name, files) VALUES (:d, :n, :f)"),
                           {"d": digest, "n": book["name"], "f": json.dumps(book["files"])})
        cycle = exported["cycles"][0]
        connection.execute(sa.text("INSERT INTO cycles (name, opened_at, as_of, cohort, rules_source, rulebook) "
                                   "VALUES ('spring', :at, NULL, :cohort, 'rules', :d)"),
                           {"at": datetime(2026, 5, 1, 9, 30, tzinfo=UTC), "cohort": cycle["cohort"], "d": digest})
        for position, packet in enumerate(cycle["packets"], 1):
            verdict = packet["verdict"]
            connection.execute(sa.text("INSERT INTO packets (cycle, position, label, kind, line, content) "
                                       "VALUES ('spring', :p, :label, :kind, NULL, :content)"),
                               {"p": position, "label": packet["label"], "kind": packet["kind"],
                                "content": packet["content"].encode()})
            connection.execute(sa.text(
                "INSERT INTO verdicts (cycle, position, verdict, candidate_id, candidate_name, track, level, target, manager, "
                "nominated, explanation, errors, attributes, opportunities, placement) VALUES ('spring', :p, :verdict, :id, "
                ":name, :track, :level, :target, :manager, :nominated, :explanation, :errors, :attributes, :opportunities, "
                ":placement)"),
                {"p": position, "verdict": verdict["verdict"], "id": verdict["candidate_id"], "name": verdict["candidate_name"],
                 "track": verdict["track"], "level": verdict["level"], "target": verdict["target"], "manager": verdict["manager"],
                 "nominated": verdict["nominated"], **{k: json.dumps(verdict[k]) for k in
                                                      ("explanation", "errors", "attributes", "opportunities", "placement")}})
        connection.execute(sa.text("INSERT INTO decision_events (cycle, position, version, decision, reason, decided_at, "
                                   "verdict, override) VALUES ('spring', 2, 1, 'promote', 'Led the migration', :at, "
                                   "'nearly', :yes)"), {"at": datetime(2026, 5, 2, 10, 0, tzinfo=UTC), "yes": True})
    assert database.revision(old) == "0001"
    old.dispose()
    with api.open_store(db) as upgraded:
        assert database.revision(upgraded.engine) == database.head()
        assert [(e.candidate_id, e.verdict) for e in upgraded.entries("spring")] == expected
        assert upgraded.explanation("spring", NEARLY) == explanation
        (decision,) = upgraded.history("spring", NEARLY)
        assert (decision.decision, decision.reason, decision.by, decision.override) == ("promote", "Led the migration", "", True)
        assert decision.at == datetime(2026, 5, 2, 10, 0, tzinfo=UTC)
        changed = api.decide(upgraded, "spring", NEARLY, "defer", "Second look", "ana", expected_version=1)
        assert (changed.version, changed.by) == (2, "ana")
        assert upgraded.cycle("spring").opened_at == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def test_a_store_from_a_newer_ladder_is_refused_not_damaged(db):
    engine = engine_at(db, "head")
    with database.writing(engine) as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="written by a newer ladder") as refused:
        api.open_store(db)
    assert refused.value.code == "store.newer"


def test_the_database_itself_refuses_a_second_decision_of_one_version(spring):
    """The last line against a lost update: whatever the code checked first."""
    row = {"cycle": "spring", "position": 1, "version": 1, "decision": "promote", "reason": "", "decided_by": "ana",
           "decided_at": datetime.now(UTC), "verdict": "ready", "override": False}
    with spring.write() as connection:
        connection.execute(decision_events.insert(), row)
    with pytest.raises(Collision):
        with spring.write() as connection:
            connection.execute(decision_events.insert(), {**row, "decided_by": "bo"})
    assert [d.by for d in spring.history("spring", READY)] == ["ana"]


def test_a_file_that_is_not_a_store_is_refused_in_one_line(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("these are not the minutes you are looking for\n" * 100)
    with pytest.raises(StoreError, match="notes.db: file is not a database") as refused:
        api.open_store(str(notes))
    assert refused.value.code == "store.unavailable"
    assert notes.read_text().startswith("these are not"), "left as it was"


def test_a_new_sqlite_store_is_private_to_its_owner(tmp_path):
    api.open_store(str(tmp_path / "new.db")).close()
    assert (tmp_path / "new.db").stat().st_mode & 0o077 == 0


def test_the_default_store_is_in_the_users_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("LADDER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert database.locate(None).database == str(tmp_path / "data" / "ladder" / "ladder.db")
    monkeypatch.setenv("LADDER_DB", str(tmp_path / "team.db"))
    assert database.locate(None).database == str(tmp_path / "team.db")
    assert database.locate("postgresql://ana@db.internal/ladder").drivername == "postgresql+psycopg"
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        database.locate("mysql://ana@db/ladder")
