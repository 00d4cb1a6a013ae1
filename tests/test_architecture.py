"""The tree is the architecture: layers import only downward, one module touches durable-rules,
nothing below the CLI imports click (import-linter contracts in pyproject.toml)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter over the `engine` package found in `root` (not an installed copy)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_every_layer_imports_only_the_layers_below_it():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, upward", [
    ("reading/model.py", "from engine.cli import main"),
    ("explaining/explain.py", "import click"),
    ("rendering/report.py", "import durable_rules_engine"),
])
def test_an_upward_or_fenced_import_breaks_the_build(tmp_path, module, upward):
    shutil.copytree(ENGINE, tmp_path / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "engine" / module
    target.write_text(target.read_text() + f"\n{upward}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout


def test_every_subpackage_says_what_it_owns_and_what_it_may_import():
    for init in sorted(ENGINE.glob("*/__init__.py")):
        doc = init.read_text()
        assert doc.startswith('"""'), f"{init.relative_to(ROOT)} has no docstring"
        assert "Imports nothing" in doc or "May import" in doc, f"{init.relative_to(ROOT)} does not say what it may import"


def test_no_module_grows_past_a_few_hundred_lines():
    """One job per module: past ~400 lines a module holds several, and is split by them."""
    sizes = {path.relative_to(ROOT): len(path.read_text().splitlines()) for path in ENGINE.rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n > 400} == {}
