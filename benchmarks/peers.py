"""Benchmark: ladder beside its peers, YAML beside JSON Lines, and start-up, in one run.

    python benchmarks/peers.py                   # 500 packets of ~50 records
    python benchmarks/peers.py --size 1000 --records 20
    pip install '.[bench]'                       # for the zen-engine row

1. One level, the same packets, one core. Every valid packet of a generated cohort is judged
   for `developer` (its target set to it), by:
   - ladder's pipeline: the JSON line loaded, validated, evaluated and explained; and without
     the explanation;
   - durable-rules alone: the same facts, prepared beforehand, asserted into the same compiled
     rules, every action a no-op (the ceiling of any pipeline over this engine);
   - zen-engine (GoRules' Rust engine, an optional `bench` dependency): the level written as
     a ZEN decision, benchmarks/developer.decision.json, given the packet as a dict; its
     verdicts and criteria are checked against ladder's and the agreement printed (a disputed
     record counts toward none of its counts, as under the rulebook's `disputed: hold`);
   - plain Python: tests/oracle.py (the plain statement of the semantics that the property
     tests hold the engine to) from the JSON line.
2. A cohort as YAML files against the same packets as JSON Lines: `ladder calibrate --jobs 1`
   on each, in a child process (CPU seconds, which the shared machine disturbs less than wall).
3. `ladder generate`'s writing: JSON Lines, YAML by PyYAML's Python emitter (before) and by
   libyaml's C emitter (now).
4. Start-up: `python -c pass`, `ladder --help`, and a one-packet `ladder evaluate` cold, with
   the rulebook cached, and with its verdict cached, median of 7, wall and CPU.

Rates are packets per CPU second, the best of 7 rounds taking every row in turn; then the
pipeline's stages are timed apart (where a packet's time goes).
The machine is shared and noisy: compare the ratios of one run, not figures across runs."""
from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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

LEVEL = "developer"
DECISION = Path(__file__).resolve().parent / "developer.decision.json"
INSTALL_ZEN = "pip install '.[bench]' (zen-engine)"
REPEATS = 7
# The rows of the one-level table, in the order printed (zen-engine's only when installed).
ROWS = {"ladder": "ladder pipeline (load, validate, evaluate, explain)", "bare": "ladder without explain",
        "ceiling": "durable-rules alone, prepared facts, no-op actions",
        "zen": "zen-engine (GoRules, Rust), the level as one decision, prepared input",
        "python": "plain Python over the same criteria, from a JSON line (tests/oracle.py)"}


def rates(n: int, works: dict, repeats: int = REPEATS) -> dict:
    """Packets per CPU second of each `works[name]()` over n packets: the best of `repeats`
    rounds, the works taken in turn within each round, so a burst of load on the shared machine
    slows every row alike rather than one. CPU time (`time.process_time`): wall clock here swung
    2x between runs, CPU time a few per cent. What the harness holds (the lines, packets, facts
    and evaluations every stage starts from) is frozen out of the garbage collector while timing:
    a worker holds one packet at a time, and with 500 packets held the collector's walks over
    them tripled the load and assess stages (the pipeline's row moved little)."""
    best = dict.fromkeys(works, float("inf"))
    gc.collect()
    gc.freeze()
    try:
        for _ in range(repeats):
            for name, work in works.items():
                started = time.process_time()
                work()
                best[name] = min(best[name], time.process_time() - started)
    finally:
        gc.unfreeze()
    return {name: n / max(spent, 1e-9) for name, spent in best.items()}


@dataclass(frozen=True)
class OneLevel:
    """What `measure` found: packets/s on one core by work (the keys of ROWS, zen-engine's only
    when asked for and installed, and the pipeline's stages: "load", "build", "facts", "run",
    "evaluate", "explain"); ladder's verdict and criteria met for each packet; and, where
    zen-engine ran, how many of its verdicts and criteria agreed with ladder's, of how many."""
    packets: int
    rates: dict[str, float]
    verdicts: list[tuple[str, dict[str, bool]]]
    zen_agreed: tuple[int, int, int] | None = None  # verdicts agreed; criteria agreed, of how many


def measure(book, lines: list[str], zen: bool = True) -> OneLevel:
    """The one measurement of ladder's pipeline beside the durable-rules ceiling and the
    plain-Python loop (bench.py and issue16.py quote it too, so the ratio means one thing
    everywhere): every packet of `lines` (JSON) that is valid for LEVEL, judged for it on one
    core; CPU time, the best of REPEATS interleaved rounds (`rates`)."""
    import oracle  # tests/oracle.py

    packets, kept = [], []
    for number, line in enumerate(lines):
        try:
            packets.append(build_packet(load_json_text(line, "bench", number), book, target=LEVEL))
            kept.append(line)
        except LadderError:
            continue
    if not packets:
        raise SystemExit(f"no packet of the sample is valid for {LEVEL}: nothing to time")
    level = compiled(book, LEVEL)
    evaluations = [evaluate(book, packet) for packet in packets]
    ours = [(e.all_evidence.verdict, {r.criterion.id: r.met for r in e.all_evidence.results()}) for e in evaluations]

    def pipeline(explaining: bool) -> None:
        for number, line in enumerate(kept):
            evaluation = evaluate(book, build_packet(load_json_text(line, "bench", number), book, target=LEVEL))
            if explaining:
                explain(book, evaluation)

    prepared = [facts(book, level, packet) for packet in packets]
    documents = [load_json_text(line, "bench", number) for number, line in enumerate(kept)]
    works = {"ladder": lambda: pipeline(True), "bare": lambda: pipeline(False),
             "ceiling": lambda: [level.engine.drain_only(f) for f in prepared],
             # the stages of the pipeline, each over what the one before it gives
             "load": lambda: [load_json_text(line, "bench", number) for number, line in enumerate(kept)],
             "build": lambda: [build_packet(document, book, target=LEVEL) for document in documents],
             "facts": lambda: [facts(book, level, packet) for packet in packets],
             "run": lambda: [level.engine.run(f) for f in prepared],
             "evaluate": lambda: [evaluate(book, packet) for packet in packets],
             "explain": lambda: [explain(book, evaluation) for evaluation in evaluations]}
    decision, inputs = None, []
    if zen:
        try:
            import zen as zen_engine
        except ImportError:
            pass
        else:
            decision = zen_engine.ZenEngine().create_decision(DECISION.read_text())
            inputs = [{**json.loads(line), "target": LEVEL} for line in kept]
            works["zen"] = lambda: [decision.evaluate(i) for i in inputs]
    ladder_dict, evidence_dict, level_dicts = oracle.read_rules(api.default_rules_dir())
    works["python"] = lambda: [oracle.evaluate(ladder_dict, evidence_dict, level_dicts, {**json.loads(line), "target": LEVEL})
                               for line in kept]
    found = rates(len(packets), works)
    agreed = None
    if decision is not None:
        theirs = [decision.evaluate(i)["result"] for i in inputs]
        agreed = (sum(t["verdict"] == o[0] for t, o in zip(theirs, ours)),
                  sum(t["criteria"][c] == met for t, o in zip(theirs, ours) for c, met in o[1].items()),
                  sum(len(o[1]) for o in ours))
    return OneLevel(len(packets), found, ours, agreed)


def one_level(book, lines: list[str]) -> dict[str, float]:
    """Print the table of one level and where a packet's time goes; packets/s by row ("ladder",
    "ceiling", "zen", "python") and zen-engine's agreement ("zen_verdicts", "zen_criteria":
    shares of 1; absent without it)."""
    found = measure(book, lines)
    n, agreement, figures = found.packets, "", {}
    if found.zen_agreed is not None:
        verdicts, criteria, total = found.zen_agreed
        agreement = f"zen-engine agreed with ladder on {verdicts}/{n} verdicts and {criteria}/{total} criteria."
        figures.update(zen=found.rates["zen"], zen_verdicts=verdicts / n, zen_criteria=criteria / total)
    spread = {v: sum(o[0] == v for o in found.verdicts) for v in ("ready", "nearly", "not_ready")}
    print(f"## One level ({LEVEL}), the same {n} packets, one core (CPU time, best of {REPEATS} interleaved rounds)\n")
    print("| | packets/s | vs ladder |\n|---|---:|---:|")
    base = found.rates["ladder"]
    for key, name in ROWS.items():
        if key in found.rates:
            print(f"| {name} | {found.rates[key]:,.0f} | {found.rates[key] / base:.1f} |")
    if found.zen_agreed is None:
        print(f"| zen-engine: skipped, not installed ({INSTALL_ZEN}) | - | - |")
    print(f"\nladder's verdicts: {spread['ready']} ready, {spread['nearly']} nearly, {spread['not_ready']} not ready. {agreement}")
    figures.update(ladder=base, ceiling=found.rates["ceiling"], python=found.rates["python"])
    print(f"Pipeline / durable-rules ceiling: {base / found.rates['ceiling']:.2f}.")
    print("\n### Where a packet's CPU time goes (ms; stages timed apart, so they need not add up exactly)\n")
    print("| stage | ms a packet | share of the pipeline |\n|---|---:|---:|")
    whole = 1000 / base
    for name, value in stages(found.rates):
        print(f"| {name} | {value:.3f} | {value / whole:.0%} |")
    return figures


def stages(found: dict[str, float]) -> list[tuple[str, float]]:
    """Where one packet's CPU time goes, ms by stage, from the rates `measure` took."""
    ms = {key: 1000 / value for key, value in found.items()}
    return [("load (JSON text to data)", ms["load"]), ("build (validate, the packet's model)", ms["build"]),
            ("facts (the packet as engine facts)", ms["facts"]),
            ("engine session (encode, assert, actions, their matches)", ms["run"]),
            ("  of which the ceiling (the same, actions no-ops)", ms["ceiling"]),
            ("assess (count, judge; twice: all evidence, verified only)", ms["evaluate"] - ms["facts"] - ms["run"]),
            ("explain", ms["explain"]), ("the whole pipeline", ms["ladder"])]


def cpu_of(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def formats(book, packets: list[dict], scratch: Path) -> float:
    """Print the table; the YAML / JSON Lines ratio of CPU."""
    folder, lines = scratch / "cohort", scratch / "cohort.jsonl"
    folder.mkdir()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for number, packet in enumerate(packets):
        (folder / f"p{number:05}.yaml").write_text(yaml.dump(packet, Dumper=dumper, sort_keys=False, allow_unicode=True))
    lines.write_text("".join(json.dumps(packet) + "\n" for packet in packets))
    spent = {}
    for name, path in (("YAML files", folder), ("JSON Lines", lines)):
        # --no-cache: every run reads and evaluates every packet (a cached verdict would skip the reading measured here)
        runs = [cpu_of([sys.executable, "-m", "engine", "calibrate", str(path), "--out", str(scratch / "s.csv"), "--jobs", "1",
                        "--no-progress", "--no-cache"]) for _ in range(3)]
        spent[name] = (min(w for w, _ in runs), min(c for _, c in runs))
    yaml_cpu, jsonl_cpu = spent["YAML files"][1], spent["JSON Lines"][1]
    print(f"\n## The same {len(packets)} packets as YAML files and as JSON Lines (`ladder calibrate --jobs 1`, best of 3)\n")
    print("| cohort | wall s | CPU s | packets/s (CPU) |\n|---|---:|---:|---:|")
    for name, (wall, cpu) in spent.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {len(packets) / cpu:,.0f} |")
    print(f"\nYAML / JSON Lines: {yaml_cpu / jsonl_cpu:.2f}x the CPU.")
    return yaml_cpu / jsonl_cpu


def generating(book, size: int, records: int, seed: int, scratch: Path) -> dict[str, float]:
    """`ladder generate`'s work in this process, split: making the packets, then writing them
    as JSON Lines, as YAML through PyYAML's Python emitter (what it used before), and through
    libyaml's C emitter (`synthetic.DUMPER`, what it uses). Best of 3, CPU seconds; the YAML /
    JSON Lines ratio of the whole command, before and after."""
    def spent(work) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
        return best

    made: dict[str, list[dict]] = {}
    making = spent(lambda: made.update(packets=list(synthetic.generate(book, size, seed, records=records))))
    outputs = (scratch / f"generated-{number}" for number in itertools.count())

    def write(suffix: str) -> None:
        synthetic.write(made["packets"], next(outputs).with_suffix(suffix))
    jsonl = spent(lambda: write(".jsonl"))
    emitter = synthetic.DUMPER
    try:
        synthetic.DUMPER = yaml.SafeDumper
        python = spent(lambda: write(""))
    finally:
        synthetic.DUMPER = emitter
    c = spent(lambda: write(""))
    before, after = (making + python) / (making + jsonl), (making + c) / (making + jsonl)
    print(f"\n## `ladder generate --size {size}`: making the packets, then writing them (in process, CPU s, best of 3)\n")
    print("| step | CPU s | vs JSON Lines |\n|---|---:|---:|")
    print(f"| making the packets | {making:.2f} | |")
    print(f"| writing JSON Lines | {jsonl:.2f} | 1 |")
    print(f"| writing YAML, PyYAML's Python emitter (before) | {python:.2f} | {python / jsonl:.1f} |")
    print(f"| writing YAML, libyaml's C emitter (now) | {c:.2f} | {c / jsonl:.1f} |")
    print(f"\nThe whole command, YAML / JSON Lines: {before:.1f}x before, {after:.1f}x now; the C emitter writes "
          f"{python / c:.1f}x faster (the same bytes: tests/cohorts/test_synthetic.py).")
    return {"generate_before": before, "generate_after": after}


def startup() -> dict[str, tuple[float, float]]:
    """Print the table; (wall, CPU) seconds by command: "pass", "help", "cold", "rulebook", "warm"."""
    packet = ROOT / "fixtures" / "packets" / "ic-staff-ready.yaml"
    caches = tempfile.mkdtemp(prefix="ladder-bench-cache-")
    warm = {**os.environ, "LADDER_CACHE_DIR": caches}
    warm.pop("LADDER_NO_CACHE", None)
    warm.pop("LADDER_CACHE_MAX_MB", None)
    evaluate_one = [sys.executable, "-m", "engine", "evaluate", str(packet)]
    commands = {"pass": ("python -c pass", [sys.executable, "-c", "pass"], warm),
                "help": ("ladder --help", [sys.executable, "-m", "engine", "--help"], warm),
                "cold": ("ladder evaluate, one packet, cold (--no-cache: no cache read or written)", [*evaluate_one, "--no-cache"], warm),
                "rulebook": ("ladder evaluate, one packet, rulebook cached, its verdict not (verdict cache off)", evaluate_one,
                             {**warm, "LADDER_CACHE_MAX_MB": "0"}),
                "warm": ("ladder evaluate, one packet, its verdict cached (warm)", evaluate_one, warm)}
    cpu_of(evaluate_one, warm)  # fills both caches
    print("\n## Start-up, median of 7\n")
    print("| command | wall s | CPU s | CPU vs python -c pass |\n|---|---:|---:|---:|")
    figures = {}
    for key, (name, command, env) in commands.items():
        runs = [cpu_of(command, env) for _ in range(7)]
        figures[key] = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        wall, cpu = figures[key]
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {cpu / max(figures['pass'][1], 1e-3):.1f}x |")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=500, help="packets in the generated cohort")
    parser.add_argument("--records", type=int, default=50, help="evidence records per packet (about)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"# ladder beside its peers: {args.size} generated packets, {args.records} records a packet, "
          f"{len(os.sched_getaffinity(0))} cores\n")
    report(args.size, args.records, args.seed)


def report(size: int, records: int, seed: int) -> dict:
    """Print every table; their figures by name (see each part's function)."""
    book = api.rulebook()
    packets = list(synthetic.generate(book, size, seed, records=records))
    figures = one_level(book, [json.dumps(packet) for packet in packets])
    with tempfile.TemporaryDirectory(prefix="ladder-peers-") as scratch:
        figures["yaml_vs_jsonl"] = formats(book, packets, Path(scratch))
        figures.update(generating(book, size, records, seed, Path(scratch)))
    figures["startup"] = startup()
    return figures


if __name__ == "__main__":
    main()
