"""The README's import flow runs as written: import a table, then a docs repository into the same
packets, validate the packets, evaluate them."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_import_validate_evaluate_flow_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Evidence from a spreadsheet and a docs repository", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.startswith("ladder ")]
    assert [c[1:3] for c in commands] == [["import", "table"], ["import", "docs"], ["validate", "packets/"], ["evaluate", "packets/"]]
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    for command in commands:
        result = CliRunner().invoke(main, command[1:])
        assert result.exit_code == 0, (command, result.output)
    assert sorted(p.name for p in (tmp_path / "packets").iterdir()) == ["E-1588.yaml", "E-2044.yaml", "E-3100.yaml"]
    assert "3 evaluated" in result.stdout
    # The dateless design doc is dated by its first commit in this repository's own history.
    assert "design.trace-sampling" in (tmp_path / "packets" / "E-3100.yaml").read_text()
