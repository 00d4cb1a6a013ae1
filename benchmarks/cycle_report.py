"""Benchmark: the committee's report over a stored cycle (`calibrate --cycle`) against the report
over the same cohort evaluated afresh (`calibrate COHORT`).

    python benchmarks/cycle_report.py                  # 300 candidates, 2 workers
    python benchmarks/cycle_report.py --size 1000 --jobs 4

A generated cohort is opened as cycle `before` under the built-in rules, then twice under a
stricter rulebook (fixtures/rulebooks/stricter-mentorship.yaml): `same`, with the same packets,
and `later`, with the cohort generated again half a year later (every packet differs). The
cycle reports judge, for the moves since `before`, each side under the other side's rules:
`same` has nothing to judge (a packet unchanged between cycles differs only by the rules);
`later` judges every packet twice. Each figure is the median of --repeat runs, in one run, and
reported as a ratio to the cohort report's.
"""
from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import api  # noqa: E402
from engine.calibration import calibrate, pages  # noqa: E402
from engine.cohorts import cohort, synthetic  # noqa: E402


def median_s(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stricter(directory: Path) -> Path:
    shutil.copytree(ROOT / "rules", directory)
    for patch in yaml.safe_load((ROOT / "fixtures" / "rulebooks" / "stricter-mentorship.yaml").read_text()):
        path = directory / patch["file"]
        path.write_text(path.read_text().replace(patch["old"], patch["new"]))
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=300, help="candidates in each cycle")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ladder-bench-") as directory:
        work = Path(directory)
        book = api.rulebook()
        now, later = work / "now.jsonl", work / "later.jsonl"
        synthetic.write(synthetic.generate(book, args.size, 1, "2026-11-01", 20), now)
        synthetic.write(synthetic.generate(book, args.size, 1, "2027-05-01", 20), later)
        rules = stricter(work / "stricter")
        with api.open_store(str(work / "ladder.db")) as store:
            api.open_cycle(store, "before", now, jobs=args.jobs)
            api.open_cycle(store, "same", now, rules, jobs=args.jobs)
            api.open_cycle(store, "later", later, rules, jobs=args.jobs)

            def cohort_report() -> None:
                report = calibrate.Calibration(api.rulebook(rules), str(now))
                for item in cohort.evaluate_all(report.book, cohort.items(str(now)), args.jobs):
                    report.add(item)
                pages.write_markdown(report, io.StringIO())
                report.close()

            def cycle_report(name: str) -> Callable[[], None]:
                def run() -> None:
                    report = api.calibrate_cycle(store, name, since="before", jobs=args.jobs)
                    pages.write_markdown(report, io.StringIO())
                    report.close()
                return run
            base = median_s(cohort_report, args.repeat)
            print(f"{args.size} candidates, {args.jobs} workers, median of {args.repeat}")
            print(f"  {'calibrate COHORT (evaluated afresh)':66}{base:6.2f} s  1.00")
            for name, what in (("same", "packets unchanged, rules changed"), ("later", "every packet changed, rules changed")):
                took = median_s(cycle_report(name), args.repeat)
                print(f"  {f'calibrate --cycle {name} ({what})':66}{took:6.2f} s  {took / base:.2f}")


if __name__ == "__main__":
    main()
