"""Benchmark: `ladder import table` on large CSV tables, to show it streams (flat memory).

    python benchmarks/import_table.py                      # 10,000 and 100,000 rows
    python benchmarks/import_table.py --rows 10000 50000   # other sizes

For each size, writes a CSV in the shape of fixtures/imports/tracker.map.yaml to a temporary
directory (50 records a candidate, so 100,000 rows make 2,000 packets; rows dealt round-robin
over the candidates, the order that keeps nothing of a candidate together, so the import must
gather them), then imports it into an empty directory in a child process of its own and prints:
rows/s, the child's peak resident memory (ru_maxrss), the memory it had before the import began
(interpreter, libraries, rulebook), and the difference, which is what the import itself took.
The last line compares the largest size with the smallest: flat memory means a ratio of the
import's own memory near 1 while the rows grow tenfold.

Every packet written is counted; the run fails if any row was refused."""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "fixtures" / "imports" / "tracker.map.yaml"
HEADER = ["Employee ID", "Name", "Track", "Level", "In level since", "Manager", "Team", "Nominated", "Office", "Ref",
          "Evidence", "Title", "Date", "Start", "End", "Verified", "Role", "Scope", "Outcome", "Status", "Reviewers",
          "For project", "Months", "Format", "Audience", "Attendees", "Review kind", "From", "Sentiment", "Severity",
          "Postmortem", "Notes"]
PER_CANDIDATE = 50

CHILD = """
import json, resource, sys, time
from pathlib import Path
from engine import api
book = api.rulebook()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = api.import_table(book, [Path(sys.argv[1])], Path(sys.argv[2]), Path(sys.argv[3]))
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": report.rows, "seconds": elapsed, "before_kb": before, "peak_kb": peak, "errors": len(report.diagnostics),
                  "written": sum(c.status == "new" for c in report.changes)}))
"""


def write_table(path: Path, rows: int) -> None:
    candidates = max(1, rows // PER_CANDIDATE)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for number in range(rows):
            who, nth = number % candidates, number // candidates
            person = [f"E-{who + 1}", f"Candidate {who + 1}", "IC", "Senior Developer", "08/01/2024", "Rafael Ortiz",
                      "platform-infra", "Y", "Singapore"]
            cells = dict.fromkeys(HEADER[9:], "")
            kind = nth % 4
            if kind == 0:
                cells.update({"Ref": f"P-{nth}", "Evidence": "Project", "Title": f"Project {nth} of {who + 1}", "Start": "03/06/2024",
                              "End": "30/04/2025", "Verified": "Y", "Role": "Lead", "Scope": "Org", "Outcome": "Shipped"})
            elif kind == 1:
                cells.update({"Ref": f"DD-{nth}", "Evidence": "Design doc", "Title": f"Design {nth}", "Date": "20/05/2024",
                              "Verified": "N", "Scope": "Cross-team", "Status": "Approved", "Reviewers": "Ana Souza; Olu Ade",
                              "For project": f"P-{nth - 1}"})
            elif kind == 2:
                cells.update({"Ref": f"T-{nth}", "Evidence": "Talk", "Title": f"Talk {nth}", "Date": "18/06/2025", "Verified": "Y",
                              "Format": "Workshop", "Audience": "Org", "Attendees": "60", "Notes": "A note about the talk."})
            else:
                cells.update({"Ref": f"R-{nth}", "Evidence": "Review", "Title": f"Review {nth}", "Date": "14/10/2025",
                              "Verified": "Y", "Scope": "Team", "Review kind": "Code"})
            writer.writerow(person + [cells[h] for h in HEADER[9:]])


def measure(rows: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="ladder-bench-import-") as scratch:
        table = Path(scratch) / "tracker.csv"
        write_table(table, rows)
        result = subprocess.run([sys.executable, "-c", CHILD, str(table), str(MAPPING), str(Path(scratch) / "packets")],
                                capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        if result.returncode:
            sys.exit(f"the import of {rows} rows failed:\n{result.stderr}")
        found = json.loads(result.stdout)
        if found["errors"] or found["rows"] != rows:
            sys.exit(f"the import of {rows} rows reported {found['errors']} problem(s)")
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000], help="table sizes to import")
    sizes = sorted(parser.parse_args().rows)
    print(f"{'rows':>9} {'packets':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8} {'before MB':>9} {'import MB':>9}")
    results = []
    for rows in sizes:
        started = time.perf_counter()
        found = measure(rows)
        results.append(found)
        own = (found["peak_kb"] - found["before_kb"]) / 1024
        print(f"{rows:>9,} {found['written']:>8,} {found['seconds']:>8.1f} {rows / found['seconds']:>8,.0f} "
              f"{found['peak_kb'] / 1024:>8.1f} {found['before_kb'] / 1024:>9.1f} {own:>9.1f}"
              f"   (with writing the table: {time.perf_counter() - started:.1f} s)", flush=True)
    if len(results) > 1:
        small, large = results[0], results[-1]
        own = [max(r["peak_kb"] - r["before_kb"], 1) for r in (small, large)]
        print(f"\n{sizes[-1]:,} rows against {sizes[0]:,} ({sizes[-1] / sizes[0]:.0f}x the rows): peak memory "
              f"{large['peak_kb'] / small['peak_kb']:.2f}x, the import's own memory {own[1] / own[0]:.2f}x, rows/s "
              f"{(sizes[-1] / large['seconds']) / (sizes[0] / small['seconds']):.2f}x")


if __name__ == "__main__":
    main()
