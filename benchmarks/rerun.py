"""Benchmark: re-runs that cost only what changed (the verdict cache, and selective impact).

    python benchmarks/rerun.py                      # a 10k cohort of ~50 records a packet
    python benchmarks/rerun.py --size 2000 --jobs 2

In one run, on one generated cohort (seeded, JSON Lines) and a verdict cache of its own:

1. `ladder calibrate` cold (the cache empty: every packet evaluated, and its verdict kept), then
   warm (nothing changed: every verdict from the cache), then with one packet edited; the CSV
   summaries must be byte-identical where nothing changed; then `ladder cycle open` of the
   cohort into a SQLite store, with --no-cache and right after the calibration (its verdicts
   reused);
2. `ladder impact` of a change to one level's rules (a staff engineer must lead cross-team
   projects for 3 teams, not 2): evaluating every packet under both rulebooks (what impact did before: the
   reference), selectively without the cache (every packet under the old rules, under the new
   only those the change can reach), and selectively with the cache the calibration left (only
   the packets the change can reach); and with the same rules on both sides. Every impact
   report must be the same as the reference's.

Calibrate runs as the command, in a child process; impact through the library
(`engine.tooling.impact.impact`), since the full re-evaluation is no command's option. The
machine is shared and noisy: compare ratios from one run, not absolute numbers across runs."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import api  # noqa: E402
from engine.caching import dependencies  # noqa: E402
from engine.caching.verdicts import VerdictCache, max_bytes  # noqa: E402
from engine.cohorts import cohort as cohorts  # noqa: E402
from engine.cohorts import synthetic  # noqa: E402
from engine.common.errors import LadderError  # noqa: E402
from engine.reading.rulebook import load_rulebook  # noqa: E402
from engine.tooling import impact as impacts  # noqa: E402

CHANGED_LEVEL = "staff-engineer"


def calibrate(cohort: Path, out: Path, jobs: int, cache: Path) -> float:
    """Wall seconds of `ladder calibrate` writing the CSV summary, with the verdict cache in `cache`."""
    return ladder(["calibrate", str(cohort), "--out", str(out), "--jobs", str(jobs), "--no-progress"], cache)


def ladder(arguments: list[str], cache: Path) -> float:
    """Wall seconds of one ladder command in a child process, with the verdict cache in `cache`."""
    env = {**os.environ, "LADDER_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("LADDER_NO_CACHE", None)
    env.pop("LADDER_CACHE_MAX_MB", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "engine", *arguments], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"ladder {arguments[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def packets(book, cohort: Path):
    """The cohort's valid packets, each with the target it is judged for (its own, else the next level)."""
    for item in cohorts.items(cohort):
        try:
            yield cohorts.load(book, item)
        except LadderError:
            continue


def options(parser: argparse.ArgumentParser, size: int = 10_000) -> argparse.ArgumentParser:
    """This benchmark's options (benchmarks/issue16.py takes them too)."""
    parser.add_argument("--size", type=int, default=size, help=f"packets in the cohort (default {size:,})")
    parser.add_argument("--records", type=int, default=50, help="evidence records per packet (about)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seed", type=int, default=1)
    return parser


def main() -> None:
    report(options(argparse.ArgumentParser(description=__doc__.split("\n\n")[0])).parse_args())


def report(args: argparse.Namespace) -> dict[str, float]:
    """Print the two tables; their figures (seconds) by name."""
    book = api.rulebook()
    with tempfile.TemporaryDirectory(prefix="ladder-rerun-") as scratch_name:
        scratch = Path(scratch_name)
        cohort, cache = scratch / "cohort.jsonl", scratch / "cache"
        with open(cohort, "w") as stream:
            for packet in synthetic.generate(book, args.size, args.seed, records=args.records):
                stream.write(json.dumps(packet) + "\n")
        print(f"## Re-runs: {args.size:,} packets of about {args.records} records, --jobs {args.jobs}, "
              f"{os.cpu_count()} cores; verdict cache bound {max_bytes() / 2**20:.0f} MB\n")

        cold = calibrate(cohort, scratch / "cold.csv", args.jobs, cache)
        size = sum(p.stat().st_size for p in cache.iterdir()) / 2**20
        warm = calibrate(cohort, scratch / "warm.csv", args.jobs, cache)
        same = (scratch / "cold.csv").read_bytes() == (scratch / "warm.csv").read_bytes()
        lines = cohort.read_text().splitlines(keepends=True)
        middle = len(lines) // 2
        lines[middle] = lines[middle].replace('"name": "', '"name": "Edited ', 1)
        cohort.write_text("".join(lines))
        edited = calibrate(cohort, scratch / "edited.csv", args.jobs, cache)
        lines[middle] = lines[middle].replace('"name": "Edited ', '"name": "', 1)
        cohort.write_text("".join(lines))
        print("| calibrate (CSV) | s | vs cold |")
        print("|---|---:|---:|")
        print(f"| cold: cache empty, every packet evaluated | {cold:.1f} | 1 |")
        print(f"| warm: nothing changed | {warm:.1f} | {cold / warm:.1f}x faster |")
        print(f"| one packet edited | {edited:.1f} | {cold / edited:.1f}x faster |")
        print(f"\nWarm output byte-identical to cold: {'yes' if same else 'NO'}; cache on disk after the cold run: {size:.0f} MB.\n")

        store = scratch / "cycles.db"
        opening = ["cycle", "open", "--db", str(store), "--jobs", str(args.jobs)]
        afresh = ladder([*opening, "--no-cache", "afresh", str(cohort)], cache)
        reused = ladder([*opening, "reused", str(cohort)], cache)
        print("| `ladder cycle open` of the same cohort (a SQLite store) | s | vs --no-cache |")
        print("|---|---:|---:|")
        print(f"| --no-cache: every packet evaluated | {afresh:.1f} | 1 |")
        print(f"| right after the calibration: its verdicts from the cache | {reused:.1f} | {afresh / reused:.1f}x faster |\n")

        head_dir = scratch / "head"
        shutil.copytree(api.default_rules_dir(), head_dir)
        level_file = head_dir / "levels" / f"{CHANGED_LEVEL}.yaml"
        level_file.write_text(level_file.read_text().replace("at_least: 2", "at_least: 3", 1))
        head = load_rulebook(head_dir)
        changed = dependencies.changed_levels(book, head)
        reach = sorted(level for level in book.levels if dependencies.affected(book, head, changed, level))

        def impact(head_book, **options):
            return impacts.impact("rules", "head", book, head_book, [cohort], jobs=args.jobs, **options)

        full, reference = timed(impact, head, selective=False)
        selective_cold, cold_report = timed(impact, head)
        verdicts = VerdictCache(cache, max_bytes())
        selective_warm, warm_report = timed(impact, head, cache=verdicts)
        identical, identical_report = timed(impact, book, cache=verdicts)
        agree = impacts.render_json(reference) == impacts.render_json(cold_report) == impacts.render_json(warm_report)
        reached = sum(1 for packet in packets(book, cohort) if packet.target.id in reach)
        print(f"| impact of a change to {CHANGED_LEVEL} | s | vs full |")
        print("|---|---:|---:|")
        print(f"| full: every packet under both rulebooks, no cache | {full:.1f} | 1 |")
        print(f"| selective, no cache: new rules only where the change reaches | {selective_cold:.1f} | {full / selective_cold:.1f}x faster |")
        print(f"| selective, with the calibration's cache | {selective_warm:.1f} | {full / selective_warm:.1f}x faster |")
        print(f"| the same rules on both sides, with the cache (nothing evaluated) | {identical:.1f} | {full / identical:.1f}x faster |")
        print(f"\nChanged levels: {', '.join(sorted(changed or ['everything']))}; the change reaches targets {', '.join(reach)}: "
              f"{reached} of {args.size} packets are judged for one ({len(reference.changes)} change). Reports identical to the full "
              f"one: {'yes' if agree else 'NO'}; with the same rules: {len(identical_report.changes)} changes.\n")
        return {"cold": cold, "warm": warm, "edited": edited, "cycle_afresh": afresh, "cycle_reused": reused, "full": full, "selective_cold": selective_cold,
                "selective_warm": selective_warm, "identical": identical, "reached": reached}


if __name__ == "__main__":
    main()
