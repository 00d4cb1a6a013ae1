"""Benchmark: the meeting page (`ladder serve`) over a cycle of 10,000 candidates.

    python benchmarks/serve.py                 # SQLite, 10,000 candidates
    python benchmarks/serve.py --size 2000 --db postgresql://postgres@/bench?host=/tmp/pg

The cycle is built as benchmarks/store.py builds it (a generated cohort opened as a cycle, its
export grown to --size candidates under new ids and imported, so no time goes to evaluating
them). Then the real application answers real HTTP requests in process (Starlette's
TestClient, so the time is the page's: query, template, escaping, response), each the median
of --repeat requests: the roster's first page, sorted, filtered and deep in the pages; a
candidate's page; and the agenda, which lists everyone. The target: the roster under 200 ms.
For scale, the store's read of every entry (`Store.entries`, what a page of the whole roster
would need) is timed in the same run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import api  # noqa: E402
from engine.cohorts import synthetic  # noqa: E402

TARGET_MS = 200


def _store_benchmark():
    """benchmarks/store.py, for its way of growing a cycle and of timing a read."""
    spec = importlib.util.spec_from_file_location("store_benchmark", ROOT / "benchmarks" / "store.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="candidates in the cycle served")
    parser.add_argument("--open-size", type=int, default=300, help="packets generated, evaluated and opened as a cycle first")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--db", help="a database URL to use instead of a new SQLite file (it must be empty)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ladder-serve-bench-") as directory:
        run(args, Path(directory))


def run(args: argparse.Namespace, work: Path) -> None:
    from starlette.testclient import TestClient

    from engine.meeting.app import create_app
    from engine.meeting.guard import Secrets
    from engine.meeting.pages import Meeting

    book = api.rulebook()
    synthetic.write(synthetic.generate(book, args.open_size, 1, "2026-11-01", 20), work / "cohort.jsonl")
    with api.open_store(args.db or str(work / "ladder.db")) as store:
        api.open_cycle(store, "opened", work / "cohort.jsonl", jobs=args.jobs)
        grown = _store_benchmark().grown(json.loads(api.export_cycles(store)), args.size)
        (work / "bench.json").write_text(json.dumps(grown), encoding="utf-8")
        api.import_cycles(store, work / "bench.json")

        keys = Secrets()
        client = TestClient(create_app(Meeting(store, "bench"), keys))
        assert client.get(f"/?token={keys.token}").status_code == 200
        middle = store.entries("bench")[args.size // 2].label

        def page(path: str) -> Callable[[], object]:
            def get() -> None:
                response = client.get(path)
                assert response.status_code == 200, response.text[:500]
            return get
        figures = {
            "roster, first page": page("/roster"),
            "roster, sorted by name, descending": page("/roster?sort=name&order=desc"),
            "roster, filtered (text and verdict)": page("/roster?q=B-0005&verdict=ready"),
            "roster, page 50": page("/roster?page=50"),
            "a candidate's page": page("/candidates/" + middle),
            "the agenda (everyone)": page("/"),
            "Store.entries (every entry, no page)": lambda: store.entries("bench"),
        }
        print(f"{args.size} candidates; median of {args.repeat} requests each:")
        measured = {}
        for what, action in figures.items():
            measured[what] = _store_benchmark().median_ms(action, args.repeat)
            print(f"  {what}: {measured[what]:.0f} ms")
        roster = max(v for k, v in measured.items() if k.startswith("roster"))
        verdict = "within" if roster < TARGET_MS else "OVER"
        print(f"slowest roster page: {roster:.0f} ms, {verdict} the {TARGET_MS} ms target; "
              f"every entry read / slowest roster page: {measured['Store.entries (every entry, no page)'] / roster:.1f}")


if __name__ == "__main__":
    main()
