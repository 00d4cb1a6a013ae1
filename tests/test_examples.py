"""The shipped examples of use run: the CI workflow for a rules repository and the pre-commit
hooks, each command executed against a rules repository built from the default rulebook."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "rules-repo" / ".github" / "workflows" / "rules.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


@pytest.fixture(scope="module")
def rules_repo(tmp_path_factory) -> Path:
    """A git repository laid out like the example: rules/ (with tests) and packets/."""
    repo = tmp_path_factory.mktemp("rules-repo")
    shutil.copytree(ROOT / "rules", repo / "rules")
    shutil.copytree(ROOT / "fixtures" / "packets", repo / "packets", ignore=shutil.ignore_patterns("invalid", "expected"))
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["-c", "user.name=ci", "-c", "user.email=ci@example.org", "commit", "-qm", "rules"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return repo


def ladder_commands(lines: list[str]) -> list[list[str]]:
    """`ladder ...` commands, with GitHub expressions replaced by what a local run has."""
    commands = []
    for line in lines:
        line = line.replace("origin/${{ github.base_ref }}", "main")
        if line.startswith("ladder "):
            commands.append(shlex.split(line))
    return commands


def run_ladder(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args[1:]], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def workflow_commands() -> list[list[str]]:
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["rules"]["steps"]
    return ladder_commands([step["run"] for step in steps if "run" in step])


def test_the_workflow_runs_every_ladder_subcommand_a_rules_repository_needs():
    assert [c[1] for c in workflow_commands()] == ["validate", "lint", "test", "impact"]


@pytest.mark.parametrize("command", workflow_commands(), ids=lambda c: c[1])
def test_each_workflow_command_passes_on_the_default_rulebook(command, rules_repo):
    result = run_ladder(command, rules_repo)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def hook_commands() -> list[list[str]]:
    return ladder_commands([hook["entry"] for hook in yaml.safe_load(HOOKS.read_text())])


@pytest.mark.parametrize("command", hook_commands(), ids=lambda c: c[1])
def test_each_pre_commit_hook_passes_on_the_default_rulebook(command, rules_repo):
    result = run_ladder(command, rules_repo)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_the_example_pre_commit_config_uses_the_published_hooks():
    published = {hook["id"] for hook in yaml.safe_load(HOOKS.read_text())}
    config = yaml.safe_load((ROOT / "examples" / "rules-repo" / ".pre-commit-config.yaml").read_text())
    used = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert used == published
