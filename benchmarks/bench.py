"""Benchmark: cohort evaluation at 1k, 10k and 100k packets, and two reference points.

    python benchmarks/bench.py                      # 1k, 10k, 100k packets of ~50 records
    python benchmarks/bench.py --sizes 1000 --jobs 2

For each size it generates a cohort (seeded, JSON Lines), runs `ladder calibrate` on it in a
child process (every packet evaluated and fully explained, on --jobs workers; the CSV summary)
and reports packets/s, evidence records/s and the peak memory of the whole process tree; and,
up to --html-up-to packets, the time of the same run writing the HTML report, which renders
every explanation as a candidate page. Then, on one core
and on the same packets (the first --sample of the cohort), in the same run:

1. the raw durable-rules ceiling: the same facts asserted into the same compiled rulesets,
   every action a no-op (no message decoded, nothing added up or explained);
2. a naive pure-Python loop over the same criteria: tests/oracle.py, the deliberately simple
   statement of the semantics the property test checks the engine against;

and the pipeline's own single-core rate, as ratios. Last, the wall clock of a one-packet
`ladder evaluate`, with the rulebook cache warm and cold. The machine is shared and noisy:
compare ratios from one run, not absolute numbers across runs."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import yaml  # noqa: E402

from engine import api  # noqa: E402
from engine.cohorts import synthetic  # noqa: E402
from engine.common.errors import LadderError  # noqa: E402
from engine.explaining.explain import explain  # noqa: E402
from engine.matching.compile import compiled  # noqa: E402
from engine.matching.evaluate import evaluate, facts  # noqa: E402
from engine.reading.load import load_json_text  # noqa: E402
from engine.reading.packet import build_packet  # noqa: E402


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_pipeline(cohort: Path, jobs: int, out: Path) -> tuple[float, int]:
    """Wall seconds and peak tree memory of `ladder calibrate` on the cohort."""
    command = [sys.executable, "-m", "engine", "calibrate", str(cohort), "--out", str(out), "--jobs", str(jobs), "--no-progress"]
    started = time.perf_counter()
    # No verdict cache (a bound of 0): every packet evaluated, however many runs came before
    # (benchmarks/rerun.py times the cache); the rulebook cache as a user has it.
    env = {**os.environ, "LADDER_CACHE_MAX_MB": "0"}
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], tree_rss(child.pid))
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = child.communicate()
    elapsed = time.perf_counter() - started
    sampler.join()
    if child.returncode not in (0, 1):
        raise SystemExit(f"calibrate failed ({child.returncode}): {errors[-2000:]}")
    return elapsed, peak[0]


def single_core(book, lines: list[str], raw_rules: tuple) -> dict[str, float]:
    """Packets/s on one core for the pipeline, the engine ceiling and the naive loop."""
    import oracle  # tests/oracle.py

    packets, dicts = [], []
    for number, line in enumerate(lines):
        try:
            packets.append(build_packet(load_json_text(line, "bench", number), book))
            dicts.append(json.loads(line))
        except LadderError:
            continue
    if not packets:
        raise SystemExit("every packet of the sample is invalid: nothing to time")
    for packet in packets:  # compile every level once, outside the timings
        compiled(book, packet.target.id)

    started = time.perf_counter()
    for number, line in enumerate(lines):
        try:
            explain(book, evaluate(book, build_packet(load_json_text(line, "bench", number), book)))
        except LadderError:
            pass
    pipeline = time.perf_counter() - started

    prepared = [(compiled(book, p.target.id).engine, facts(book, compiled(book, p.target.id), p)) for p in packets]
    started = time.perf_counter()
    for engine, packet_facts in prepared:
        engine.drain_only(packet_facts)
    ceiling = time.perf_counter() - started

    ladder_dict, evidence_dict, level_dicts = raw_rules
    started = time.perf_counter()
    for data in dicts:
        oracle.evaluate(ladder_dict, evidence_dict, level_dicts, data)
    naive = time.perf_counter() - started
    n = len(packets)
    return {"packets": n, "pipeline": n / pipeline, "ceiling": n / ceiling, "naive": n / naive,
            "stages": stages(book, lines, ceiling / n)}


def stages(book, lines: list[str], ceiling: float) -> dict[str, float]:
    """Milliseconds a packet in each stage of the pipeline (what bounds the ratio to the ceiling)."""
    spent = dict.fromkeys(("load and validate", "engine session", "count and judge", "explain"), 0.0)
    n = 0
    for number, line in enumerate(lines):
        started = time.perf_counter()
        try:
            packet = build_packet(load_json_text(line, "bench", number), book)
        except LadderError:
            continue
        loaded = time.perf_counter()
        level = compiled(book, packet.target.id)
        level.engine.run(facts(book, level, packet))
        matched = time.perf_counter()
        evaluation = evaluate(book, packet)  # runs the engine again: its share is subtracted
        evaluated = time.perf_counter()
        explain(book, evaluation)
        explained = time.perf_counter()
        spent["load and validate"] += loaded - started
        spent["engine session"] += matched - loaded
        spent["count and judge"] += (evaluated - matched) - (matched - loaded)
        spent["explain"] += explained - evaluated
        n += 1
    result = {name: 1000 * total / n for name, total in spent.items()}
    result["(the ceiling: the engine session with no-op actions)"] = 1000 * ceiling
    return result


def startup(packet: Path) -> dict[str, float]:
    def median(env: dict) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "engine", "evaluate", str(packet)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    cache = tempfile.mkdtemp(prefix="ladder-bench-cache-")
    warm_env = {**os.environ, "LADDER_CACHE_DIR": cache}
    subprocess.run([sys.executable, "-m", "engine", "evaluate", str(packet)], cwd=ROOT, env=warm_env, stdout=subprocess.DEVNULL)
    return {"warm": median(warm_env), "cold": median({**os.environ, "LADDER_NO_CACHE": "1"})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--records", type=int, default=50, help="evidence records per packet (about)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--sample", type=int, default=1000, help="packets for the single-core comparison")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--html-up-to", type=int, default=10_000, metavar="N",
                        help="also time the HTML report (a page per candidate) for cohorts of at most N packets")
    args = parser.parse_args()

    book = api.rulebook()
    rules = api.default_rules_dir()
    raw_rules = (yaml.safe_load((rules / "ladder.yaml").read_text()), yaml.safe_load((rules / "evidence.yaml").read_text()),
                 [yaml.safe_load(p.read_text()) for p in sorted((rules / "levels").glob("*.yaml"))])
    print(f"# ladder benchmark: {args.records} records a packet, --jobs {args.jobs}, {os.cpu_count()} cores\n")
    print("| packets | generate s | calibrate s | packets/s | records/s | peak memory MB | with HTML report s | 1-core pipeline pkt/s "
          "| ceiling pkt/s | pipeline/ceiling | naive pkt/s | pipeline/naive |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="ladder-bench-") as scratch:
        for size in args.sizes:
            cohort = Path(scratch) / f"cohort-{size}.jsonl"
            started = time.perf_counter()
            records = 0
            with open(cohort, "w") as stream:
                for packet in synthetic.generate(book, size, args.seed, records=args.records):
                    records += len(packet["evidence"])
                    stream.write(json.dumps(packet) + "\n")
            generated = time.perf_counter() - started
            elapsed, peak = run_pipeline(cohort, args.jobs, Path(scratch) / "summary.csv")
            # The same run writing the committee's HTML report: every explanation rendered as a page.
            html = run_pipeline(cohort, args.jobs, Path(scratch) / "report.html")[0] if size <= args.html_up_to else None
            with open(cohort) as stream:
                sample = [line for _, line in zip(range(args.sample), stream)]
            core = single_core(book, sample, raw_rules)
            print(f"| {size} | {generated:.1f} | {elapsed:.1f} | {size / elapsed:.0f} | {records / elapsed:.0f} | {peak / 2**20:.0f} "
                  f"| {'-' if html is None else f'{html:.1f}'} | {core['pipeline']:.0f} | {core['ceiling']:.0f} | {core['pipeline'] / core['ceiling']:.2f} "
                  f"| {core['naive']:.0f} | {core['pipeline'] / core['naive']:.2f} |", flush=True)
    print("\nWhere one core's time goes, ms a packet (last size's sample): "
          + ", ".join(f"{name} {ms:.2f}" for name, ms in core["stages"].items()) + ".")
    times = startup(ROOT / "fixtures" / "packets" / "ic-staff-ready.yaml")
    print(f"\nOne-packet `ladder evaluate`, median of 5: {times['warm']:.2f} s with the rulebook cache warm, "
          f"{times['cold']:.2f} s without it.")


if __name__ == "__main__":
    main()
