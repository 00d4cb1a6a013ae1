"""`ladder import docs`: a docs repository's Markdown front matter becomes a record per document
for each author, merged into the authors' packets; every bad front-matter field is located at its
line and column; a document without a date takes that of its first commit in git (a real
repository, built here with fixed commit dates).

Each test works on a copy of the fixtures under tmp_path (so a git repository can be made
there, and nothing above it is taken for one), named as in the repository: fixtures/imports/...
Regenerate the goldens after a reviewed change with `LADDER_UPDATE_GOLDEN=1 python -m pytest tests/importing`."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_import_table import ROOT, UPDATE, check_golden

from engine import api
from engine.cli import main
from engine.common.errors import LadderError
from engine.reading.load import load_file

IMPORTS = Path("fixtures/imports")
MAP = IMPORTS / "docs.map.yaml"
FIRST_COMMIT = "2025-03-04T10:00:00+00:00"


def git(repo: Path, *args: str, when: str = FIRST_COMMIT) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "-c", "user.name=Docs Bot", "-c", "user.email=docs@example.com", "-c", "init.defaultBranch=main",
                    *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """tmp_path as the working directory, with the docs mapping and the tracker's packets (the
    authors' packets, which a document adds to) in packets/; git looks no higher than it."""
    (tmp_path / IMPORTS).mkdir(parents=True)
    shutil.copy(ROOT / MAP, tmp_path / MAP)
    shutil.copytree(ROOT / IMPORTS / "expected" / "tracker", tmp_path / "packets")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    return tmp_path


@pytest.fixture
def repo(here) -> Path:
    """The sample docs repository, committed once on FIRST_COMMIT."""
    shutil.copytree(ROOT / IMPORTS / "docs", here / IMPORTS / "docs")
    git(here, "init", "-q")
    git(here, "add", str(IMPORTS / "docs"))
    git(here, "commit", "-q", "-m", "Engineering docs")
    return here


def test_a_docs_repository_imports_into_the_reviewed_packets(book, repo):
    report = api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    assert report.ok, [d.format() for d in report.diagnostics]
    assert (report.rows, report.skipped) == (5, 1)  # the README has no front matter
    assert [(c.candidate, c.status, c.added) for c in report.changes] == [
        ("E-1588", "updated", ["design.envoy-egress-gateway", "rfcs.0007-structured-logging"]),
        ("E-2044", "updated", ["design.checkout-idempotency-keys"]),
        ("E-3100", "updated", ["design.trace-sampling", "rfcs.0007-structured-logging", "strategy.observability-2026"])]
    # The tracker's records came from another import, not by hand: kept with their comments, unreported.
    assert all(c.kept == [] for c in report.changes) and not report.diagnostics
    check_golden(repo / "packets", ROOT / IMPORTS / "expected" / "docs")


def test_an_rfc_with_two_authors_is_a_record_in_each_authors_packet(book, repo):
    api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    for candidate in ("E-1588", "E-3100"):
        (rfc,) = [r for r in load_file(f"packets/{candidate}.yaml").data["evidence"] if r["id"] == "rfcs.0007-structured-logging"]
        assert (rfc["type"], rfc["status"], rfc["reviewers"]) == ("design-doc", "approved", ["Rafael Ortiz", "Olumide Adebayo", "Ana Souza"])


def test_a_document_without_a_date_is_dated_by_the_first_commit_of_its_file(book, repo):
    sampling = IMPORTS / "docs" / "design" / "trace-sampling.md"
    # A later edit and a rename do not move the date: it is the commit that added the file.
    sampling.write_text(sampling.read_text() + "\nUpdated after review.\n")
    git(repo, "commit", "-q", "-am", "Edit", when="2025-07-01T09:00:00+00:00")
    git(repo, "mv", str(sampling), str(sampling.with_name("tail-sampling.md")), when="2025-08-01T09:00:00+00:00")
    git(repo, "commit", "-q", "-m", "Rename", when="2025-08-01T09:00:00+00:00")
    report = api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    assert report.ok, [d.format() for d in report.diagnostics]
    text = Path("packets/E-3100.yaml").read_text()
    assert "  # fixtures/imports/docs/design/tail-sampling.md (dated by its first commit in git)\n" in text
    (record,) = [r for r in load_file("packets/E-3100.yaml").data["evidence"] if r["id"] == "design.tail-sampling"]
    assert record["date"] == "2025-03-04"


def test_every_bad_front_matter_field_is_located_and_the_good_authors_packet_is_still_written(book, here):
    """The bad docs are not in git: the one without a date cannot be dated, and says so."""
    shutil.copytree(ROOT / IMPORTS / "docs-bad", here / IMPORTS / "docs-bad")
    before = {p.name: p.read_bytes() for p in Path("packets").iterdir()}
    report = api.import_docs(book, IMPORTS / "docs-bad", MAP, "packets")
    actual = "".join(d.format() + "\n" for d in report.diagnostics)
    golden = ROOT / IMPORTS / "docs-bad.expected.txt"
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
    assert {c.candidate: c.status for c in report.changes} == {
        "E-1588": "not written", "E-2044": "not written", "E-3100": "updated", "E-9001": "not written"}
    after = {p.name: p.read_bytes() for p in Path("packets").iterdir()}
    assert sorted(after) == ["E-1588.yaml", "E-2044.yaml", "E-3100.yaml"]  # no temporary file, no half packet
    assert {n: b for n, b in after.items() if n != "E-3100.yaml"} == {n: b for n, b in before.items() if n != "E-3100.yaml"}


def test_an_unknown_status_is_refused_with_the_closest_allowed_value(book, here):
    shutil.copytree(ROOT / IMPORTS / "docs-bad", here / IMPORTS / "docs-bad")
    report = api.import_docs(book, IMPORTS / "docs-bad", MAP, "packets")
    (status,) = [d for d in report.diagnostics if "'aproved'" in d.message]
    assert (status.file, status.line, status.col) == ("fixtures/imports/docs-bad/design/cache-invalidation.md", 4, 9)
    assert status.message.startswith("status: ") and "(did you mean 'approved'?)" in status.message


def test_importing_again_changes_nothing_and_a_new_document_leaves_the_other_ids_alone(book, repo):
    api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    before = {p.name: p.read_bytes() for p in Path("packets").iterdir()}
    assert {c.status for c in api.import_docs(book, IMPORTS / "docs", MAP, "packets").changes} == {"unchanged"}
    # A document that sorts first shifts every document's position, and no record's id.
    (IMPORTS / "docs" / "design" / "api-versioning.md").write_text(
        "---\ntitle: API versioning\nauthors: [Priya Raman]\nstatus: draft\ndate: 2025-12-01\nscope: team\n---\n")
    report = api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    assert [(c.candidate, c.status, c.added, c.updated) for c in report.changes] == [
        ("E-1588", "unchanged", [], []), ("E-2044", "unchanged", [], []), ("E-3100", "updated", ["design.api-versioning"], [])]
    assert {p.name: p.read_bytes() for p in Path("packets").iterdir() if p.name != "E-3100.yaml"} == {
        n: b for n, b in before.items() if n != "E-3100.yaml"}


def test_a_table_and_documents_imported_in_turn_leave_each_other_alone(book, repo):
    """Each import names itself in the heading and keeps the other's records with their comments:
    run again, in any order, neither changes a byte."""
    shutil.copy(ROOT / IMPORTS / "tracker.csv", IMPORTS / "tracker.csv")
    shutil.copy(ROOT / IMPORTS / "tracker.map.yaml", IMPORTS / "tracker.map.yaml")
    api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", "packets")
    before = {p.name: p.read_bytes() for p in Path("packets").iterdir()}
    assert before["E-1588.yaml"].decode().startswith(
        "# Imported by `ladder import docs` from fixtures/imports/docs with fixtures/imports/docs.map.yaml.\n"
        "# Imported by `ladder import table` from fixtures/imports/tracker.csv with fixtures/imports/tracker.map.yaml.\n")
    for _ in range(2):
        assert {c.status for c in api.import_docs(book, IMPORTS / "docs", MAP, "packets").changes} == {"unchanged"}
        table = api.import_table(book, [IMPORTS / "tracker.csv"], IMPORTS / "tracker.map.yaml", "packets")
        assert {c.status for c in table.changes} == {"unchanged"} and not table.diagnostics
    assert {p.name: p.read_bytes() for p in Path("packets").iterdir()} == before


def test_a_changed_document_updates_its_record_and_a_hand_added_record_is_kept_and_reported(book, repo):
    api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    packet = Path("packets/E-2044.yaml")
    packet.write_text(packet.read_text() + "  # from Ana's notes of our 1:1\n  - id: H-1\n    type: talk\n    title: Added by hand\n    date: 2025-05-05\n"
                      "    format: talk\n    audience: team\n")
    doc = IMPORTS / "docs" / "design" / "checkout-idempotency-keys.md"
    doc.write_text(doc.read_text().replace("status: draft", "status: approved"))
    report = api.import_docs(book, IMPORTS / "docs", MAP, "packets")
    change = next(c for c in report.changes if c.candidate == "E-2044")
    assert (change.status, change.updated, change.kept) == ("updated", ["design.checkout-idempotency-keys"], ["H-1"])
    (kept,) = [d for d in report.diagnostics if d.code == "import.kept"]
    assert kept.level == "info" and kept.message.startswith("record H-1 is in the packet but not in the documents: kept")
    records = {r["id"]: r for r in load_file(packet).data["evidence"]}
    assert records["design.checkout-idempotency-keys"]["status"] == "approved" and records["H-1"]["title"] == "Added by hand"
    assert api.validate_paths([packet]).ok


def test_dry_run_prints_the_diff_and_writes_nothing(repo):
    before = {p.name: p.read_bytes() for p in Path("packets").iterdir()}
    result = CliRunner().invoke(main, ["import", "docs", str(IMPORTS / "docs"), "--map", str(MAP), "--out", "packets", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in Path("packets").iterdir()} == before
    assert "+  # fixtures/imports/docs/strategy/observability-2026.md\n+  - id: strategy.observability-2026\n" in result.stdout
    assert "packets/E-3100.yaml: would be updated, 3 records, added design.trace-sampling" in result.stdout
    assert "5 documents read (1 file without front matter skipped); would write 3 packet(s) (0 new, 3 updated)" in result.stderr


def test_the_command_exits_1_and_prints_located_errors_for_bad_documents(here):
    shutil.copytree(ROOT / IMPORTS / "docs-bad", here / IMPORTS / "docs-bad")
    result = CliRunner().invoke(main, ["import", "docs", str(IMPORTS / "docs-bad"), "--map", str(MAP), "--out", "packets"])
    assert result.exit_code == 1
    assert "fixtures/imports/docs-bad/rfcs/0009-feature-flags.md:1:1: error: no 'date' in the front matter" in result.stderr
    assert "packets/E-3100.yaml: updated, 1 record, added strategy.platform-2027" in result.stdout


def test_import_docs_help_teaches_with_an_example():
    result = CliRunner().invoke(main, ["import", "docs", "--help"])
    assert result.exit_code == 0
    assert "ladder import docs fixtures/imports/docs --map fixtures/imports/docs.map.yaml --out packets/" in result.output


@pytest.mark.parametrize("command, mapping, message", [
    ("docs", "fixtures/imports/tracker.map.yaml", "is a mapping for table, not docs: documents need a mapping with `source: docs`"),
    ("table", "fixtures/imports/docs.map.yaml", "is a mapping for docs, not table: use it with `ladder import docs`"),
])
def test_a_mapping_of_the_other_kind_is_refused(book, command, mapping, message, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = api.import_docs if command == "docs" else api.import_table
    source = IMPORTS / "docs" if command == "docs" else [IMPORTS / "tracker.csv"]
    with pytest.raises(LadderError) as raised:
        run(book, source, mapping, tmp_path)
    assert message in raised.value.diagnostics[0].format()


def test_a_docs_mapping_names_front_matter_keys_not_columns(book, here):
    Path("bad.map.yaml").write_text("source: docs\ncandidate: {id: authors}\nrecord: {type: {column: Type}, title: title}\n")
    with pytest.raises(LadderError) as raised:
        api.import_docs(book, IMPORTS, "bad.map.yaml", "packets")
    (problem,) = raised.value.diagnostics
    assert (problem.line, problem.col, problem.code) == (3, 17, "mapping.wrong-kind")
    assert "write key: here, not column:" in problem.message


def test_a_front_matter_type_key_can_give_the_record_type_instead_of_the_folder(book, here):
    mapping = Path(MAP).read_text().replace("type: {folder: true, values: {design: design-doc, rfcs: design-doc, "
                                            "strategy: strategy-doc, standards: strategy-doc}}",
                                            "type: {key: type, values: {RFC: design-doc, Design: design-doc}}")
    Path("type.map.yaml").write_text(mapping)
    docs = here / "notes"
    docs.mkdir()
    front = "---\ntitle: {}\ntype: {}\nauthors: [Priya Raman]\nstatus: draft\ndate: 2025-12-01\nscope: team\n---\n"
    (docs / "a.md").write_text(front.format("Flags", "rfc"))
    (docs / "b.md").write_text(front.format("Queues", "desing-doc"))
    report = api.import_docs(book, docs, "type.map.yaml", "packets")
    (problem,) = report.diagnostics
    assert (problem.file, problem.line, problem.col) == ("notes/b.md", 3, 7)
    assert "'desing-doc' is not one of" in problem.message and "(did you mean 'design-doc'?)" in problem.message
    assert [(c.candidate, c.status) for c in report.changes] == [("E-3100", "not written")]
    (docs / "b.md").unlink()
    report = api.import_docs(book, docs, "type.map.yaml", "packets")
    assert report.ok, [d.format() for d in report.diagnostics]
    (record,) = load_file("packets/E-3100.yaml").data["evidence"]
    assert (record["id"], record["type"]) == ("a", "design-doc")  # 'rfc' is 'RFC' but for case
