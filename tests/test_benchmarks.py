"""The benchmark scripts are not run in CI (they time things), but they must keep working: each
one starts and explains itself, and the one-core measurement they share runs."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.reading.load import load_json_text
from engine.reading.packet import build_packet

FOLDER = Path(__file__).resolve().parents[1] / "benchmarks"
BENCHMARKS = sorted(FOLDER.glob("*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_every_benchmark_script_starts_and_explains_itself(script):
    result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")


def test_the_one_core_measurement_bench_and_issue16_quote_times_every_row_over_the_packets_valid_at_its_level(book, monkeypatch):
    # bench.py's, peers.py's and issue16.py's pipeline, ceiling and plain-Python figures all come
    # from peers.measure; --help never runs its timed work, so a few packets do here.
    spec = importlib.util.spec_from_file_location("benchmarks_peers", FOLDER / "peers.py")
    peers = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, peers)  # its dataclass looks its module up there
    spec.loader.exec_module(peers)
    lines = [json.dumps(packet) for packet in synthetic.generate(book, 12, 1, records=5)]

    def valid(number: int, line: str) -> bool:
        try:
            build_packet(load_json_text(line, "test", number), book, target=peers.LEVEL)
        except LadderError:
            return False
        return True

    found = peers.measure(book, lines, zen=False)

    assert found.packets == len(found.verdicts) == sum(valid(n, line) for n, line in enumerate(lines)) > 0
    stages = {"load", "build", "facts", "run", "evaluate", "explain"}
    assert set(found.rates) == set(peers.ROWS) - {"zen"} | stages
    assert all(rate > 0 for rate in found.rates.values())
    assert peers.stages(found.rates)[-1] == ("the whole pipeline", 1000 / found.rates["ladder"])
