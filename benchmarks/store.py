"""Benchmark: the promotion-cycle store, on SQLite (and PostgreSQL with --db URL).

    python benchmarks/store.py                                   # SQLite, 10,000 candidates
    python benchmarks/store.py --size 2000 --db postgresql://postgres@/bench?host=/tmp/pg

Two parts, in one run:

1. What opening a cycle costs beyond evaluating it: a generated cohort (--open-size packets)
   evaluated as `calibrate` does (cohort.evaluate_all) and then opened as a cycle (frozen,
   evaluated the same way, stored); the ratio of the two is the store's overhead.
2. What the meeting page will read and write, on a cycle of --size candidates (built by
   importing the opened cycle's packets, repeated under new ids, so no time goes to
   evaluating them again): the roster (`Store.entries`), the cycle's counts, one candidate's
   explanation, one decision (`decide`, which resolves the candidate and checks the version),
   and exporting the whole store. Each is the median of --repeat runs.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import api  # noqa: E402
from engine.cohorts import cohort, synthetic  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def grown(document: dict, size: int) -> dict:
    """The export's one cycle, its packets repeated (under new labels and candidate ids) to `size`."""
    (cycle,) = document["cycles"]
    packets = cycle["packets"]
    grown_packets = []
    for n in range(size):
        packet = json.loads(json.dumps(packets[n % len(packets)]))
        packet["label"] = f"bench/{n:06d}.yaml"
        if packet["verdict"]["candidate_id"]:
            packet["verdict"]["candidate_id"] = f"B-{n:06d}"
        packet["decisions"] = []
        grown_packets.append(packet)
    cycle.update(name="bench", packets=grown_packets)
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="candidates in the cycle the reads are measured on")
    parser.add_argument("--open-size", type=int, default=300, help="packets generated, evaluated and opened as a cycle")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="a database URL to use instead of a new SQLite file (it must be empty)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ladder-store-bench-") as directory:
        run(args, Path(directory))


def run(args: argparse.Namespace, work: Path) -> None:
    book = api.rulebook()
    synthetic.write(synthetic.generate(book, args.open_size, 1, "2026-11-01", 20), work / "cohort.jsonl")

    start = time.perf_counter()
    for _ in cohort.evaluate_all(book, cohort.items(work / "cohort.jsonl"), args.jobs):
        pass
    evaluate_s = time.perf_counter() - start
    with api.open_store(args.db or str(work / "ladder.db")) as store:
        start = time.perf_counter()
        api.open_cycle(store, "opened", work / "cohort.jsonl", jobs=args.jobs)
        open_s = time.perf_counter() - start
        print(f"{args.open_size} packets: evaluated in {evaluate_s:.2f} s, opened as a cycle in {open_s:.2f} s: "
              f"ratio {open_s / evaluate_s:.2f}")

        (work / "bench.json").write_text(json.dumps(grown(json.loads(api.export_cycles(store)), args.size)), encoding="utf-8")
        start = time.perf_counter()
        api.import_cycles(store, work / "bench.json")
        print(f"{args.size} candidates imported in {time.perf_counter() - start:.1f} s")
        middle = f"B-{args.size // 2:06d}"
        versions = iter(range(10**6))
        figures = {
            "roster (entries)": median_ms(lambda: store.entries("bench"), args.repeat),
            "cycle counts": median_ms(lambda: store.cycle("bench"), args.repeat),
            "one explanation": median_ms(lambda: store.explanation("bench", middle), args.repeat),
            "one decision": median_ms(lambda: api.decide(store, "bench", middle, "defer", "benchmark", "bench",
                                                         expected_version=next(versions)), args.repeat),
        }
        for what, ms in figures.items():
            print(f"{what}: {ms:.0f} ms (median of {args.repeat})")
        start = time.perf_counter()
        text = api.export_cycles(store)
        print(f"export of the store: {time.perf_counter() - start:.1f} s, {len(text) / 1e6:.0f} MB")
        print(f"roster / one decision: {figures['roster (entries)'] / figures['one decision']:.1f}")


if __name__ == "__main__":
    main()
