"""Benchmark: cohort evaluation at 1k, 10k and 100k packets, and two reference points.

    python benchmarks/bench.py                      # 1k, 10k, 100k packets of ~50 records
    python benchmarks/bench.py --sizes 1000 --jobs 2

For each size it generates a cohort (seeded, JSON Lines), runs `ladder calibrate` on it in a
child process (every packet evaluated and fully explained, on --jobs workers; the CSV summary)
and reports packets/s, evidence records/s and the peak memory of the whole process tree; and,
up to --html-up-to packets, the time of the same run writing the HTML report, which renders
every explanation as a candidate page. Then, on one core, on those of the first --sample
packets of the cohort that are valid at one level, the pipeline's rate beside:

1. the raw durable-rules ceiling: the same facts asserted into the same compiled rules,
   every action a no-op (no message decoded, nothing added up or explained);
2. a naive pure-Python loop over the same criteria: tests/oracle.py, the deliberately simple
   statement of the semantics the property test checks the engine against;

as ratios: peers.py's measurement (`peers.measure`: CPU time, the best of 7 interleaved
rounds), so they mean what they mean there and in issue16.py. Last, the wall clock of a
one-packet `ladder evaluate`, with the rulebook cache warm and cold. The machine is shared
and noisy: compare ratios from one run, not absolute numbers across runs."""
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402

from engine import api  # noqa: E402
from engine.cohorts import synthetic  # noqa: E402


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
    parser.add_argument("--sample", type=int, default=1000, help="packets of the cohort for the single-core comparison (those valid at peers.py's level)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--html-up-to", type=int, default=10_000, metavar="N",
                        help="also time the HTML report (a page per candidate) for cohorts of at most N packets")
    args = parser.parse_args()

    book = api.rulebook()
    print(f"# ladder benchmark: {args.records} records a packet, --jobs {args.jobs}, {os.cpu_count()} cores; the 1-core "
          f"columns at one level ({peers.LEVEL}), CPU time, best of {peers.REPEATS} interleaved rounds (peers.py)\n")
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
            core = peers.measure(book, sample, zen=False).rates
            pipeline, ceiling, naive = core["ladder"], core["ceiling"], core["python"]
            print(f"| {size} | {generated:.1f} | {elapsed:.1f} | {size / elapsed:.0f} | {records / elapsed:.0f} | {peak / 2**20:.0f} "
                  f"| {'-' if html is None else f'{html:.1f}'} | {pipeline:.0f} | {ceiling:.0f} | {pipeline / ceiling:.2f} "
                  f"| {naive:.0f} | {pipeline / naive:.2f} |", flush=True)
    print("\nWhere one core's time goes, ms a packet (last size's sample): "
          + ", ".join(f"{name.strip()} {ms:.3f}" for name, ms in peers.stages(core)) + ".")
    times = startup(ROOT / "fixtures" / "packets" / "ic-staff-ready.yaml")
    print(f"\nOne-packet `ladder evaluate`, median of 5: {times['warm']:.2f} s with the rulebook cache warm, "
          f"{times['cold']:.2f} s without it.")


if __name__ == "__main__":
    main()
