"""Benchmark: everything issue 16's "Done when" asks for, printed in one run.

    python benchmarks/issue16.py                          # re-runs over 10,000 packets
    python benchmarks/issue16.py --size 2000 --jobs 2 --peer-size 500
    pip install '.[bench]'                                # for the zen-engine row

The measurements are rerun.py's and peers.py's own (imported, not copied): cold and warm
calibrate and the impact of a one-level change (rerun.py, over --size packets); one level's
pipeline beside the durable-rules ceiling, zen-engine (with its agreement) and plain Python,
YAML files against JSON Lines, `ladder generate`'s writing and start-up (peers.py, over
--peer-size packets). A summary at the end sets each figure beside the issue's target.

The machine is shared and noisy: compare the ratios of one run, not figures across runs."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402
import rerun  # noqa: E402


def main() -> None:
    parser = rerun.options(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--peer-size", type=int, default=500, help="packets for the one-level, YAML and start-up parts (default 500)")
    args = parser.parse_args()
    print(f"# ladder, issue 16: {args.size:,} packets for the re-runs, {args.peer_size} for the rest, about {args.records} "
          f"records a packet, {len(os.sched_getaffinity(0))} cores\n")
    runs = rerun.report(args)
    found = peers.report(args.peer_size, args.records, args.seed)
    start = found["startup"]
    zen = (f"{found['zen'] / found['ladder']:.1f}x ladder's packets/s; agreed on {found['zen_verdicts']:.0%} of verdicts, "
           f"{found['zen_criteria']:.0%} of criteria" if "zen" in found else f"not installed ({peers.INSTALL_ZEN})")
    rows = [
        (f"warm calibrate vs cold ({args.size:,} packets)", ">= 10x faster", f"{runs['cold'] / runs['warm']:.1f}x faster"),
        ("`ladder cycle open` right after a calibration vs --no-cache", "costs little",
         f"{runs['cycle_afresh'] / runs['cycle_reused']:.1f}x faster"),
        ("impact of a one-level change vs evaluating everything twice", f"about what the {runs['reached']:,} packets it reaches cost",
         f"{runs['full'] / runs['selective_warm']:.1f}x faster (with the calibration's cache), "
         f"{runs['full'] / runs['selective_cold']:.1f}x (without)"),
        ("pipeline / durable-rules ceiling (one core)", ">= 0.4", f"{found['ladder'] / found['ceiling']:.2f}"),
        ("YAML files / JSON Lines (calibrate CPU)", "<= 1.5x", f"{found['yaml_vs_jsonl']:.2f}x"),
        ("`ladder generate` YAML / JSON Lines (CPU)", "C emitter", f"{found['generate_before']:.1f}x before, {found['generate_after']:.1f}x now"),
        ("`ladder --help` (wall on this machine; CPU vs python -c pass)", "< 0.1 s quiet",
         f"{start['help'][0]:.3f} s; {start['help'][1] / start['pass'][1]:.1f}x"),
        ("one-packet evaluate, verdict cached (wall; CPU vs python -c pass)", "< 0.15 s quiet",
         f"{start['warm'][0]:.3f} s; {start['warm'][1] / start['pass'][1]:.1f}x"),
        ("one-packet evaluate, cold (wall; CPU vs python -c pass)", "",
         f"{start['cold'][0]:.3f} s; {start['cold'][1] / start['pass'][1]:.1f}x"),
        ("zen-engine (one level as a ZEN decision)", "a row, with agreement", zen),
    ]
    print("\n## Summary against the issue\n")
    print("| figure | target | this run |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
