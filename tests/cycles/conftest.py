"""Stores to test against: a real SQLite file, and a real PostgreSQL server started for the
session (initdb and pg_ctl, on a Unix socket in a temporary directory, torn down at the end).

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
(`runuser`). Where no server can be started the PostgreSQL cases are skipped, saying why;
in CI (`CI` or `LADDER_REQUIRE_POSTGRES` set, as .ci/run does) they fail instead, so a CI run
never passes without them."""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from engine import api

ROOT = Path(__file__).resolve().parent.parent.parent
PACKETS = ROOT / "fixtures" / "packets"
CYCLES = ROOT / "fixtures" / "cycles"
# A ready, a nearly ready, a not ready and an invalid packet.
COHORT = ["ic-staff-ready.yaml", "ic-staff-nearly-one-design-doc-short.yaml", "ic-senior-not-ready-17-months-month-end.yaml",
          "invalid/unknown-candidate-level.yaml"]
READY, NEARLY, NOT_READY = "E-1588", "E-1042", "E-1702"  # the candidates of the three valid packets


def _required() -> bool:
    return os.environ.get("LADDER_REQUIRE_POSTGRES") == "1" or os.environ.get("CI", "").lower() not in ("", "0", "false")


def _binaries() -> Path | None:
    """$LADDER_POSTGRES_BIN, else the newest PostgreSQL server's bin directory (Debian keeps
    them versioned), else PATH's."""
    if "LADDER_POSTGRES_BIN" in os.environ:
        chosen = Path(os.environ["LADDER_POSTGRES_BIN"])
        return chosen if (chosen / "pg_ctl").is_file() else None
    versioned = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if versioned:
        return Path(versioned[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


class Postgres:
    """A running server; `url(name)` a new, empty database on it."""

    def __init__(self, socket_dir: Path) -> None:
        self.socket_dir = socket_dir
        self._names = itertools.count(1)

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), user="postgres", dbname="postgres", autocommit=True) as connection:
            connection.execute(sql)

    def url(self) -> str:
        name = f"ladder_test_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@/{name}?host={self.socket_dir}"

    def drop(self, url: str) -> None:
        name = url.split("?")[0].rsplit("/", 1)[1]
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres():
    binaries = _binaries()
    if binaries is None:
        message = "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)"
        if _required():
            pytest.fail(message + ", and CI must not skip the PostgreSQL tests")
        pytest.skip(message)
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="ladder-pg-"))  # short: a socket's path is limited to ~100 bytes
    if as_root:
        shutil.chown(base, "postgres")
    data = base / "data"

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120, cwd=base)
    started = run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
    if started.returncode == 0:
        started = run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "start",
                      "-o", f"-k {base} -c listen_addresses='' -F")
    if started.returncode != 0:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        message = f"PostgreSQL did not start: {started.stderr.strip()} {log.strip()}"
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield Postgres(base)
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A new, empty store's --db: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "ladder.db")
        return
    server = request.getfixturevalue("postgres")
    url = server.url()
    yield url
    server.drop(url)


@pytest.fixture
def store(db):
    with api.open_store(db) as opened:
        yield opened


@pytest.fixture
def cohort(tmp_path) -> Path:
    """Four packets: ready, nearly ready, not ready, invalid."""
    directory = tmp_path / "cohort"
    directory.mkdir()
    for i, name in enumerate(COHORT, 1):
        shutil.copy(PACKETS / name, directory / f"{i}-{Path(name).name}")
    return directory


@pytest.fixture
def spring(store, cohort, rules_copy):
    """The store with cycle `spring` opened over the four packets, under a copy of the rules."""
    api.open_cycle(store, "spring", cohort, rules_copy)
    return store


def rules_from(patches: str, directory: Path) -> Path:
    """A copy of rules/ with the patches of fixtures/cycles/`patches` applied."""
    shutil.copytree(ROOT / "rules", directory)
    for patch in yaml.safe_load((CYCLES / patches).read_text()):
        path = directory / patch["file"]
        text = path.read_text()
        assert patch["old"] in text, patch
        path.write_text(text.replace(patch["old"], patch["new"]))
    return directory


@pytest.fixture
def seasons(store, tmp_path, monkeypatch):
    """The store with 2026-spring and 2026-autumn opened (in that order) and decided on from
    their CSV files; run from the repository's root, so packets are named as in the goldens."""
    monkeypatch.chdir(ROOT)
    for season in ("spring", "autumn"):
        api.open_cycle(store, f"2026-{season}", f"fixtures/cycles/{season}", rules_from(f"{season}-rules.yaml", tmp_path / season))
        api.decide_from_csv(store, f"2026-{season}", f"fixtures/cycles/{season}-decisions.csv")
    return store
