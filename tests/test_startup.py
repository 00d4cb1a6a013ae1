"""`ladder --help` (and every command's start) loads only what defining the commands needs:
the engine, the schemas, the templates and the worker pool are imported by the commands that
use them, so help and a quick command start in a fraction of the time. Checked in a fresh
interpreter, where nothing else has imported them first."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each costs from a few to tens of milliseconds to import, and --help needs none of them.
HEAVY = ["durable_rules_engine", "jinja2", "jsonschema_rs", "yaml", "multiprocessing", "orjson",
         "engine.api", "engine.matching", "engine.explaining", "engine.cohorts.cohort", "engine.calibration",
         "engine.tooling", "engine.reading.model", "engine.reading.validate"]


def modules_loaded_by(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import engine.cli",
    "from engine.cli import main\ntry:\n    main(['--help'], prog_name='ladder')\nexcept SystemExit:\n    pass",
    "from engine.cli import main\ntry:\n    main(['evaluate', '--help'], prog_name='ladder')\nexcept SystemExit:\n    pass",
], ids=["import", "--help", "evaluate --help"])
def test_the_command_line_starts_without_loading_the_engine(code):
    loaded = modules_loaded_by(code)
    assert [name for name in HEAVY if name in loaded] == []


def test_a_command_still_loads_what_it_uses():
    """The other side: evaluating a packet does load the engine (the check above is not empty)."""
    loaded = modules_loaded_by("from engine.cli import main\ntry:\n    main(['evaluate', 'fixtures/packets/ic-staff-ready.yaml', "
                               "'--format', 'summary'], prog_name='ladder')\nexcept SystemExit:\n    pass")
    assert {"durable_rules_engine", "engine.api", "yaml"} <= loaded
