"""`ladder --help` (and every command's start) loads only what defining the commands needs:
the engine, the schemas, the templates and the worker pool are imported by the commands that
use them, so help and a quick command start in a fraction of the time. Checked in a fresh
interpreter, where nothing else has imported them first."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each costs from a few to tens of milliseconds to import, and --help needs none of them.
HEAVY = ["durable_rules_engine", "jinja2", "jsonschema_rs", "yaml", "multiprocessing", "orjson",
         "engine.api", "engine.matching", "engine.explaining", "engine.cohorts.cohort", "engine.calibration",
         "engine.tooling", "engine.reading.model", "engine.reading.validate"]


def modules_loaded_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def command(*args: str) -> str:
    return f"from engine.cli import main\ntry:\n    main({list(args)!r}, prog_name='ladder')\nexcept SystemExit:\n    pass"


@pytest.mark.parametrize("code", [
    "import engine.cli",
    "from engine.cli import main\ntry:\n    main(['--help'], prog_name='ladder')\nexcept SystemExit:\n    pass",
    "from engine.cli import main\ntry:\n    main(['evaluate', '--help'], prog_name='ladder')\nexcept SystemExit:\n    pass",
], ids=["import", "--help", "evaluate --help"])
def test_the_command_line_starts_without_loading_the_engine(code):
    loaded = modules_loaded_by(code)
    assert [name for name in HEAVY if name in loaded] == []


def test_a_command_still_loads_what_it_uses():
    """The other side: evaluating a packet does load the engine (the check above is not empty;
    the rules engine itself is loaded by the worker process that evaluates)."""
    loaded = modules_loaded_by("from engine.cli import main\ntry:\n    main(['evaluate', 'fixtures/packets/ic-staff-ready.yaml', "
                               "'--format', 'summary'], prog_name='ladder')\nexcept SystemExit:\n    pass")
    assert {"engine.api", "engine.cohorts.cohort", "yaml"} <= loaded


# What only evaluating needs: the rules engine, the compiler, what explains a verdict, the model
# and the readers of rules and packets.
ENGINE = ["durable_rules_engine", "engine.matching", "engine.explaining", "engine.matching.compile"]


@pytest.mark.parametrize("args", [["schema", "packet"], ["validate", "fixtures/packets/ic-staff-ready.yaml"], ["validate", "rules"]],
                         ids=["schema", "validate packet", "validate rules"])
def test_schema_and_validate_do_not_load_the_rules_engine(args):
    assert [name for name in ENGINE if name in modules_loaded_by(command(*args))] == []


def test_a_cached_verdict_is_given_without_loading_the_engine(tmp_path):
    """A one-packet `ladder evaluate` whose verdict is in the verdict cache reads the packet's
    and the rule files' bytes and the cache, and renders the answer: the same bytes as the run
    that computed it, with none of the engine, the model, the schemas or the YAML reader loaded."""
    env = {"LADDER_CACHE_DIR": str(tmp_path), "LADDER_CACHE_MAX_MB": "64"}
    args = ["evaluate", "fixtures/packets/ic-staff-ready.yaml", "--format", "json", "--as-of", "2025-06-01"]
    cold = subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env},
                          timeout=60)
    warm = subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env},
                          timeout=60)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr) == (0, cold.stdout, "")
    loaded = modules_loaded_by(command(*args), env)
    assert [name for name in [*ENGINE, *HEAVY] if name in loaded] == []
    assert "engine.cohorts.quick" in loaded  # the check is not empty: the evaluation went the cached way


def test_a_cached_verdict_is_not_used_for_another_date(tmp_path):
    """The quick look-up keys as the full path does: another --as-of is a miss, and the engine
    runs (in a worker process: here, the API that hands it the packet)."""
    env = {"LADDER_CACHE_DIR": str(tmp_path), "LADDER_CACHE_MAX_MB": "64"}
    modules_loaded_by(command("evaluate", "fixtures/packets/ic-staff-ready.yaml", "--as-of", "2025-06-01"), env)
    loaded = modules_loaded_by(command("evaluate", "fixtures/packets/ic-staff-ready.yaml", "--as-of", "2025-06-02"), env)
    assert "engine.api" in loaded
