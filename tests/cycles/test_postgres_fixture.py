"""The PostgreSQL tests are skipped, saying why, only outside CI: in CI a missing server fails
the run, so a green CI always means the store was tested on PostgreSQL."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent.parent


def run_without_postgres(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "LADDER_REQUIRE_POSTGRES")}
    environment |= {"PYTHONPATH": str(ROOT), "LADDER_POSTGRES_BIN": str(tmp_path / "no-postgres"), **env}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                           "tests/cycles/test_migrations.py", "-k", "newer_ladder"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def test_in_ci_a_missing_postgresql_fails_the_run(tmp_path):
    result = run_without_postgres(tmp_path, LADDER_REQUIRE_POSTGRES="1")  # as .ci/run sets it
    assert result.returncode == 1, result.stdout
    assert re.search(r"\b1 passed, \d+ deselected, 1 error\b", result.stdout)
    assert "CI must not skip the PostgreSQL tests" in result.stdout


def test_outside_ci_a_missing_postgresql_is_skipped_saying_why(tmp_path):
    result = run_without_postgres(tmp_path)
    assert result.returncode == 0, result.stdout
    assert re.search(r"\b1 passed, 1 skipped\b", result.stdout)
    assert "PostgreSQL is not installed (Debian: apt-get install postgresql" in result.stdout
