"""The verdict cache never changes an output byte, evaluates an unchanged packet no more, an edited
one alone, and survives damage, concurrent runs and its size bound."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.caching.store import FILE, Store
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
COHORT = "fixtures/cohorts/spring-2026"
CHANGED = "changed-rules"  # the built-in rules with one criterion of staff-engineer asking more
OUT = "out"  # where a command's output files go: its arguments name them OUT.suffix

COMMANDS = {
    **{f"evaluate-{fmt}": ["evaluate", "fixtures/packets", "--format", fmt] for fmt in ("text", "summary", "json", "markdown")},
    "evaluate-as-of": ["evaluate", "fixtures/packets", "--as-of", "2026-06-30", "--format", "json"],
    "evaluate-target": ["evaluate", "fixtures/packets/ic-staff-ready.yaml", "--target", "principal-engineer"],
    "evaluate-track": ["evaluate", "fixtures/whatif", "--track", "management", "--format", "json"],
    **{f"place-{fmt}": ["place", "fixtures/packets", "--format", fmt] for fmt in ("text", "json", "markdown")},
    **{f"plan-{fmt}": ["plan", "fixtures/packets/ic-staff-nearly-one-design-doc-short.yaml", "--format", fmt]
       for fmt in ("text", "json", "markdown")},
    "calibrate": ["calibrate", COHORT, "--out", f"{OUT}.html", "--out", f"{OUT}.md", "--out", f"{OUT}.csv", "--out", f"{OUT}.json"],
    **{f"impact-{fmt}": ["impact", "--base", "rules", "--head", CHANGED, COHORT, "--format", fmt] for fmt in ("text", "json", "markdown")},
    "test": ["test", "rules", "--coverage", "--junit-xml", f"{OUT}.xml"],
}


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """The repository's fixtures and rules, and a changed copy, seen from a directory of the test's own."""
    for name in ("fixtures", "rules"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "rules", tmp_path / CHANGED)
    level = tmp_path / CHANGED / "levels" / "staff-engineer.yaml"
    level.write_text(level.read_text().replace("at_least: 2", "at_least: 3", 1))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(arguments: list[str], where: Path, *options: str) -> tuple:
    """Everything a user gets from the command: exit status, stdout, stderr, every file written."""
    jobs = [] if arguments[0] == "plan" else ["--jobs", "2"]
    result = CliRunner().invoke(main, [*arguments, *jobs, *options])
    files = {p.name: p.read_bytes() for p in sorted(where.glob(f"{OUT}.*"))}
    for path in where.glob(f"{OUT}.*"):
        path.unlink()
    return result.exit_code, result.stdout, result.stderr, files


@pytest.mark.parametrize("name", COMMANDS)
def test_a_warm_run_gives_the_same_bytes_as_a_cold_one_and_evaluates_nothing(name, workspace, cache_dir, evaluations):
    arguments = COMMANDS[name]
    afresh = run(arguments, workspace, "--no-cache")
    assert not (cache_dir / FILE).exists(), "--no-cache wrote a cache"
    assert afresh[0] in (0, 1) and (afresh[1] or afresh[3]), afresh[2]
    cold = run(arguments, workspace)
    assert (cache_dir / FILE).exists()
    evaluations.reset()
    warm = run(arguments, workspace)
    assert cold == afresh
    assert warm == afresh
    assert evaluations.count == 0, f"a warm run evaluated {evaluations.packets()}"


def test_editing_one_packet_evaluates_that_packet_alone(tmp_path, cache_dir, evaluations, monkeypatch):
    cohort = tmp_path / "cohort"
    shutil.copytree(ROOT / COHORT, cohort)
    monkeypatch.chdir(tmp_path)
    command = ["calibrate", "cohort", "--out", f"{OUT}.json", "--out", f"{OUT}.csv"]
    run(command, tmp_path)
    edited = sorted(cohort.glob("*.yaml"))[7]
    edited.write_text(edited.read_text().replace("name: ", "name: Renamed ", 1))
    evaluations.reset()
    warm = run(command, tmp_path)
    assert set(evaluations.packets()) == {f"cohort/{edited.name}"}
    assert warm == run(command, tmp_path, "--no-cache")
    assert "Renamed" in warm[3][f"{OUT}.csv"].decode()


def _entries(database: Path) -> list[tuple[bytes, bytes]]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT key, value FROM entries ORDER BY rowid").fetchall()


def test_an_entry_damaged_on_disk_is_ignored_and_recomputed(workspace, cache_dir, evaluations):
    command = COMMANDS["evaluate-json"]
    afresh = run(command, workspace, "--no-cache")
    run(command, workspace)
    database = cache_dir / FILE
    entries = _entries(database)
    key, value = entries[3]
    data = bytearray(database.read_bytes())  # every connection is closed: the write-ahead log is in the file
    at = data.find(value)
    assert at > 0 and data.find(value, at + 1) == -1
    data[at + len(value) // 2] ^= 0xFF  # one byte of one entry's value, as a failing disk would
    database.write_bytes(bytes(data))
    evaluations.reset()
    assert run(command, workspace) == afresh
    assert evaluations.count == 1
    assert dict(_entries(database))[key] != bytes(data[at:at + len(value)]), "the damaged entry was not replaced"
    evaluations.reset()
    assert run(command, workspace) == afresh and evaluations.count == 0


def test_a_cache_file_that_is_not_a_database_is_replaced(workspace, cache_dir, evaluations):
    command = COMMANDS["evaluate-summary"]
    afresh = run(command, workspace, "--no-cache")
    cache_dir.mkdir()
    (cache_dir / FILE).write_bytes(b"\x00garbage" * 1000)
    assert run(command, workspace) == afresh
    evaluations.reset()
    assert run(command, workspace) == afresh and evaluations.count == 0


def test_the_cache_keeps_within_its_bound_evicting_the_least_recently_used(workspace, cache_dir, monkeypatch):
    command = COMMANDS["evaluate-json"]
    run(command, workspace)
    sizes = [len(value) for _, value in _entries(cache_dir / FILE)]
    bound = sum(sizes) // 2
    monkeypatch.setenv("LADDER_CACHE_MAX_MB", str(bound / 2**20))
    first = run(["evaluate", "fixtures/packets/ic-staff-ready.yaml"], workspace)  # used last: kept
    run(command[:-2] + ["--format", "summary"], workspace)  # other keys: the bound is passed, and kept at the end
    kept = _entries(cache_dir / FILE)
    assert sum(len(v) for _, v in kept) <= bound
    assert run(["evaluate", "fixtures/packets/ic-staff-ready.yaml"], workspace) == first


def test_concurrent_runs_share_the_cache_safely(workspace, cache_dir):
    command = [sys.executable, "-m", "engine", "evaluate", "fixtures/packets", "--format", "json", "--jobs", "2"]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LADDER_CACHE_DIR": str(cache_dir), "LADDER_CACHE_MAX_MB": "64"}
    afresh = subprocess.run([*command, "--no-cache"], capture_output=True, env=env, cwd=workspace, timeout=300)
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=workspace) for _ in range(3)]
    outputs = [process.communicate(timeout=300) for process in runs]
    assert all(out == (afresh.stdout, afresh.stderr) for out in outputs)
    with sqlite3.connect(cache_dir / FILE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    verdicts = [r for r in json.loads(afresh.stdout)["results"] if "verdict" in r]
    assert stored == len(verdicts) > 20  # every verdict, once: no entry lost or doubled


def test_eviction_drops_the_least_recently_used_entries_first(tmp_path):
    store = Store(tmp_path / FILE, 3000)

    def kept() -> set[bytes]:
        with sqlite3.connect(tmp_path / FILE) as connection:
            return {key for (key,) in connection.execute("SELECT key FROM entries")}
    for number in range(5):
        store.put(b"k%d" % number, bytes(1000))
    store.close()  # 5000 bytes: down to 90% of the bound, the oldest first
    assert kept() == {b"k3", b"k4"}
    store.put(b"k5", bytes(1000))
    assert store.get(b"k3") == bytes(1000)  # read: used now, after k4 and k5
    store.close()
    store.put(b"k6", bytes(1000))
    store.close()
    assert kept() == {b"k3", b"k6"}


def test_answers_under_other_options_or_rules_never_stand_in_for_each_other(workspace, cache_dir, evaluations):
    packet = "fixtures/packets/ic-staff-nearly-one-design-doc-short.yaml"
    variants = [["evaluate", packet], ["evaluate", packet, "--as-of", "2027-06-30"], ["evaluate", packet, "--target", "principal-engineer"],
                ["evaluate", packet, "--track", "management"], ["evaluate", packet, "--rules", CHANGED],
                ["place", packet], ["place", packet, "--as-of", "2027-06-30"], ["plan", packet], ["plan", packet, "--as-of", "2027-06-30"]]
    for arguments in variants:  # one cache for all: each run after the others' answers are in it
        assert run(arguments, workspace) == run(arguments, workspace, "--no-cache"), arguments
    evaluations.reset()
    for arguments in variants:
        run(arguments, workspace)
    assert evaluations.count == 0


def test_the_store_refuses_an_entry_whose_bytes_do_not_match_its_checksum(tmp_path):
    store = Store(tmp_path / FILE, 2**20)
    value = b"a verdict, as stored " * 50
    store.put(b"key", value)
    store.put(b"other", b"another verdict " * 50)
    store.close()
    data = bytearray((tmp_path / FILE).read_bytes())
    at = data.find(value)
    data[at + 100] ^= 0x01  # one bit: SQLite itself does not notice
    (tmp_path / FILE).write_bytes(bytes(data))
    assert store.get(b"key") is None
    assert store.get(b"other") == b"another verdict " * 50
    store.close()
    with sqlite3.connect(tmp_path / FILE) as connection:
        assert connection.execute("SELECT key FROM entries").fetchall() == [(b"other",)]  # the damaged entry is gone


def test_a_warm_run_over_invalid_packets_starts_no_worker(tmp_path, cache_dir, evaluations, monkeypatch):
    """An invalid packet's errors are kept like a verdict, so a warm calibration of a cohort that
    holds some (as most real ones do) reads everything from the cache, in the one process."""
    cohort = tmp_path / "cohort"
    shutil.copytree(ROOT / COHORT, cohort)
    for bad in ("end-before-start.yaml", "unknown-evidence-type-typo.yaml"):
        shutil.copy(ROOT / "fixtures" / "packets" / "invalid" / bad, cohort / f"zz-{bad}")
    monkeypatch.chdir(tmp_path)
    command = ["calibrate", "cohort", "--out", f"{OUT}.csv", "--out", f"{OUT}.json"]
    cold = run(command, tmp_path)
    assert "4 invalid packets" in cold[2], cold[2]  # the cohort's own two, and these
    evaluations.reset()
    warm = run(command, tmp_path)
    assert evaluations.forks == 0 and evaluations.count == 0
    assert warm == cold == run(command, tmp_path, "--no-cache")


def test_a_failed_evaluation_is_never_kept(tmp_path):
    """A fault (an engine failure, a hang, a crashed worker) may not happen again: it is not an
    answer to keep, whereas a verdict and an invalid packet's errors are."""
    from engine.cohorts.cohort import Evaluated, Item, evaluated, fault
    from engine.common.errors import Diagnostic
    from engine.rendering.report import Invalid

    item = Item("p.yaml", tmp_path / "p.yaml")
    assert not evaluated(fault(item, "the worker running it died"))
    assert evaluated(Evaluated("p.yaml", Invalid("p.yaml", (Diagnostic("p.yaml", 3, 1, "no such level", "packet.unknown-level"),))))
    assert evaluated(Evaluated("p.yaml", {"verdict": "ready"}))


def test_an_upgrade_of_python_or_of_a_library_an_answer_quotes_makes_every_entry_a_miss():
    """An invalid packet's kept errors can quote a library (a JSON or YAML parser's message, which
    differs between Python versions): the code's part of every key holds Python's version and
    the installed versions of those libraries."""
    from importlib.metadata import version

    from engine.caching.verdicts import libraries

    held = libraries().splitlines()
    assert held[0] == sys.version
    for distribution in ("PyYAML", "jsonschema", "durable_rules", "orjson"):
        assert any(name.lower().startswith(f"{distribution.lower()}-{version(distribution)}.") for name in held), distribution
