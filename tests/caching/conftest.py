"""The verdict cache turned on, in a directory of the test's own, and evaluations counted as the
engine raises them (the audit event `ladder.evaluate`), in this process and its forked workers;
and the workers started (the audit event `os.fork`)."""
from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from engine.matching.evaluate import EVALUATE_EVENT

_LOG: dict[str, str | None] = {"path": None}  # where the hook appends; read by forked workers as forked


_FORK = "\u0000fork"  # the line of a process forked (a worker started), apart from packets'


def _hook(event: str, args: tuple) -> None:
    if event in (EVALUATE_EVENT, "os.fork") and _LOG["path"]:
        line = f"{args[0]}\t{args[1]}\n" if event == EVALUATE_EVENT else f"{_FORK}\t\n"
        handle = os.open(_LOG["path"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(handle, line.encode())  # one write, O_APPEND: lines from workers never interleave
        finally:
            os.close(handle)


sys.addaudithook(_hook)  # audit hooks cannot be removed: this one does nothing unless a test's counter is on


class Evaluations:
    """The evaluations the engine ran since `reset`, by packet."""

    def __init__(self, path: Path):
        self.path = path
        self.reset()

    def reset(self) -> None:
        self.path.write_text("")

    def _lines(self) -> list[list[str]]:
        """(packet, target) of each evaluation logged."""
        return [line.split("\t") for line in self.path.read_text().splitlines() if not line.startswith(_FORK)]

    def packets(self) -> Counter:
        return Counter(packet for packet, _ in self._lines())

    def targets(self) -> set[str]:
        """The levels packets were evaluated for."""
        return {target for _, target in self._lines()}

    @property
    def forks(self) -> int:
        """Processes forked (workers started) since `reset`."""
        return sum(line.startswith(_FORK) for line in self.path.read_text().splitlines())

    @property
    def count(self) -> int:
        return sum(self.packets().values())


@pytest.fixture
def evaluations(tmp_path):
    counter = Evaluations(tmp_path / "evaluations.log")
    _LOG["path"] = str(counter.path)
    yield counter
    _LOG["path"] = None


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """The verdict cache on (64 MB), in a directory of this test's own."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("LADDER_CACHE_DIR", str(directory))
    monkeypatch.setenv("LADDER_CACHE_MAX_MB", "64")
    return directory
