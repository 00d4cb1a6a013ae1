"""Benchmark: how long `ladder evaluate` takes to refuse oversized and hostile packets.

    python benchmarks/refusal.py                    # this checkout
    python benchmarks/refusal.py --checkout ../main # another checkout, to compare

Writes each packet to a temporary directory, runs `python -m engine evaluate PACKET` on it in a
child process (the rulebook cache warmed first), and prints the wall clock, the child's peak
memory and the first error line. Every one of them must be refused (exit 1) with a located
error; the point is how soon. The packets:

- 50,000 review records (5.8 MB of YAML; the limit is 2,000), as YAML, JSON and JSON Lines;
- one record title of 7 million characters on one line (the limit is 100,000);
- 150 flow lists of 1,999 numbers (300,000 values; the limit is 100,000);
- a NUL byte in the candidate's name.

For comparison, a valid packet of 2,000 records (the most there may be) is evaluated too."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
HEAD = """candidate:
  id: E-1
  name: Test Candidate
  track: ic
  level: junior-developer
  level_since: 2024-09-02
as_of: 2026-04-30
"""


def review(number: int) -> dict:
    return {"id": f"R-{number}", "type": "review", "title": f"Review number {number}", "date": "2025-06-10",
            "kind": "code", "scope": "team"}


def records_yaml(count: int) -> str:
    return HEAD + "evidence:\n" + "".join(
        f"  - id: R-{n}\n    type: review\n    title: Review number {n}\n    date: 2025-06-10\n    kind: code\n    scope: team\n"
        for n in range(count))


def packet_data(count: int) -> dict:
    return {"candidate": {"id": "E-1", "name": "Test Candidate", "track": "ic", "level": "junior-developer",
                          "level_since": "2024-09-02"}, "as_of": "2026-04-30", "evidence": [review(n) for n in range(count)]}


def long_line() -> str:
    return HEAD + "evidence:\n  - {id: R-1, type: review, date: 2025-06-10, kind: code, scope: team, title: " + "x" * 7_000_000 + "}\n"


def many_values() -> str:
    return HEAD + "evidence:\n" + "".join(f"  - [{', '.join(['0'] * 1999)}]\n" for _ in range(150))


# name -> (file name, a function making its text); written by a child process of its own, so
# this one stays small (on Linux a child's peak memory counts its parent's at the fork).
CASES: dict[str, tuple[str, Callable[[], str]]] = {
    "50,000 records, YAML": ("records.yaml", lambda: records_yaml(50_000)),
    "50,000 records, JSON": ("records.json", lambda: json.dumps(packet_data(50_000), indent=1)),
    "50,000 records, JSON Lines": ("records.jsonl", lambda: json.dumps(packet_data(50_000)) + "\n"),
    "one 7,000,000-character line": ("long-line.yaml", long_line),
    "300,000 values": ("values.yaml", many_values),
    "a NUL byte": ("nul.yaml", lambda: HEAD.replace("Test Candidate", "Test\0Candidate")),
    "valid: 2,000 records (the most)": ("most.yaml", lambda: records_yaml(2_000)),
}


def run(checkout: Path, path: Path) -> tuple[float, float, int, str]:
    """(seconds, peak MB of the child, exit status, first error line)"""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    with tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "engine", "evaluate", str(path)], stdout=subprocess.DEVNULL,
                                 stderr=stderr, env=env, cwd=path.parent)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        text = stderr.read()
    errors = [line.strip() for line in text.splitlines() if ": error: " in line]
    return seconds, usage.ru_maxrss / 1024, child.returncode, (errors[0] if errors else text.strip()[-200:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose engine to run (default: this one)")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # (the child that writes the packets)
    args = parser.parse_args()
    if args.write:
        for file_name, make in CASES.values():
            (args.write / file_name).write_text(make())
        (args.write / "warm.yaml").write_text(records_yaml(1))
        return
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        subprocess.run([sys.executable, __file__, "--write", str(directory)], check=True)
        run(args.checkout, directory / "warm.yaml")  # the rulebook cache, and the page cache for the interpreter
        print(f"{'packet':<34} {'size MB':>8} {'seconds':>8} {'peak MB':>8}  exit  first error")
        for name, (file_name, _) in CASES.items():
            path = directory / file_name
            seconds, peak, status, error = run(args.checkout, path)
            size = path.stat().st_size / 1e6
            print(f"{name:<34} {size:>8.1f} {seconds:>8.2f} {peak:>8.0f}  {status:>4}  {error[:150]}")


if __name__ == "__main__":
    main()
