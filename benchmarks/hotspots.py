"""Where one core's time goes, function by function: cProfile over the pipeline after parsing
(validate, engine session, count and judge, explain) for a generated cohort.

    python benchmarks/hotspots.py                 # 600 packets of ~50 records, top 15
    python benchmarks/hotspots.py --size 2000 --top 30

The shares are of self time (the function's own code, not what it calls)."""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import api  # noqa: E402
from engine.cohorts import synthetic  # noqa: E402
from engine.common.errors import LadderError  # noqa: E402
from engine.explaining.explain import explain  # noqa: E402
from engine.matching.evaluate import evaluate  # noqa: E402
from engine.reading.load import Document  # noqa: E402
from engine.reading.packet import build_packet  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=600)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    book = api.rulebook()
    packets = list(synthetic.generate(book, args.size, 1, records=args.records))

    def pipeline() -> None:
        for number, data in enumerate(packets):
            try:
                packet = build_packet(Document(f"packet {number}", data, {}), book)
            except LadderError:
                continue
            explain(book, evaluate(book, packet))

    pipeline()  # compiles every level first, outside the profile
    profile = cProfile.Profile()
    profile.runcall(pipeline)
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"{args.size} packets, {total:.2f} s on one core ({1000 * total / args.size:.2f} ms a packet); self time:")
    for own, where in sorted(((v[2], k) for k, v in stats.stats.items()), reverse=True)[:args.top]:
        print(f"  {100 * own / total:5.1f}%  {where[2]}  {Path(where[0]).name}:{where[1]}")


if __name__ == "__main__":
    main()
