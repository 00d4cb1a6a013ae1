"""The calibration report in four formats: HTML (one self-contained, printable file with SVG
charts), Markdown, CSV (a row per candidate) and JSON (`schemas/calibration-report.schema.json`).

Each renderer writes to an open text stream, so candidate pages flow from the spool to the
file without being held in memory."""
from __future__ import annotations

import csv
from typing import Any, Callable, TextIO

from engine.calibration.calibrate import Calibration
from engine.calibration.figures import TOP_BLOCKERS, VERDICTS
from engine.common.text import json_text, md_escape, visible
from engine.rendering.report import criterion_flags, criterion_mark, markdown_criteria
from engine.rendering.templating import ENVIRONMENT

# The calibration templates' own environment: the shared one plus what only they use.
TEMPLATES = ENVIRONMENT.overlay(cache_size=10)
TEMPLATES.filters = {**ENVIRONMENT.filters, "md": md_escape, "md_criteria": lambda page: "\n".join(markdown_criteria(page, "####"))}
TEMPLATES.globals = {**ENVIRONMENT.globals, "TOP_BLOCKERS": TOP_BLOCKERS}


def write_html(calibration: Calibration, stream: TextIO) -> None:
    report = calibration.report()
    template = TEMPLATES.get_template("calibration.html.j2")
    pages = (_marked(page) for page in calibration.pages())
    for chunk in template.generate(report=report, pages=pages, charts=_charts(report)):
        stream.write(chunk)


def _marked(page: dict) -> dict:
    """Each criterion given the mark and flags the text and Markdown reports show (`criterion_mark`,
    `criterion_flags`). Under `none_of` the mark is the parent's view, a child found being the
    problem, so its words say so: "✓ none found", "✗ found"."""
    def mark(criteria: list[dict], inverted: bool) -> None:
        for item in criteria:
            symbol = criterion_mark(item, inverted)
            item.update(mark=symbol + (INVERTED_WORDS[item["met"]] if inverted else ""), mark_class=MARK_CLASS[symbol],
                        flags=criterion_flags(item, inverted), inverted=inverted)
            mark(item.get("children", []), item.get("kind") == "none_of")
    for competency in page["competencies"]:
        mark(competency["criteria"], False)
    return page


MARK_CLASS = {"✓": "met", "✗": "unmet", "○": "optional"}
INVERTED_WORDS = {True: " found", False: " none found"}


def _charts(report: dict) -> dict:
    """Geometry for the SVG charts; the template only draws what this computes."""
    width, label, row = 560, 190, 26
    bars = []
    for index, entry in enumerate(report["summary"]):
        x, segments = label, []
        for verdict in VERDICTS:
            w = (width - label - 40) * entry[verdict] / entry["candidates"] if entry["candidates"] else 0
            segments.append({"verdict": verdict, "x": round(x, 1), "width": round(w, 1), "count": entry[verdict]})
            x += w
        bars.append({"y": 30 + index * row, "name": f"{entry['level_name']}", "track": entry["track"],
                     "candidates": entry["candidates"], "segments": segments})
    parity = []
    for index, entry in enumerate(report["parity"]):
        group = []
        for offset, level in enumerate(entry["levels"]):
            rate = level["rate"] or 0
            group.append({"y": 30 + index * 64 + offset * 24, "width": round((width - label - 60) * rate, 1),
                          "name": level["level_name"], "track": level["track"], "rate": level["rate"], "candidates": level["candidates"]})
        parity.append({"levels": group, "flagged": entry["flagged"], "gap": entry["gap"], "y": 30 + index * 64})
    return {"width": width, "label": label, "verdicts": {"height": 40 + len(bars) * row, "bars": bars},
            "parity": {"height": 30 + len(parity) * 64, "rows": parity}}


def write_markdown(calibration: Calibration, stream: TextIO) -> None:
    report = calibration.report()
    template = TEMPLATES.get_template("calibration.md.j2")
    for chunk in template.generate(report=report, pages=calibration.pages()):
        stream.write(chunk)


CSV_COLUMNS = ["packet", "candidate_id", "candidate", "track", "current_level", "current_level_name", "target_level",
               "target_level_name", "manager", "nominated", "verdict", "verified_only_verdict", "unmet", "depends_on_unverified"]
WITHHELD = "withheld"
FORMULA_START = ("=", "+", "-", "@", "\t")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text, on one line, with its hidden characters shown
    (`visible`); one starting like a formula, even after spaces (a carriage return is one by
    then), gets a leading apostrophe (OWASP's advice against CSV injection)."""
    if not isinstance(value, str):
        return value
    value = visible(value)
    return "'" + value if value.lstrip(" ").startswith(FORMULA_START) else value


def write_csv(calibration: Calibration, stream: TextIO) -> None:
    """A row per candidate, then one per invalid packet. Group attributes only for the groups the
    fairness section shows, and none at all under --redact: with them, a pseudonym could be
    matched to a person. Where an attribute has groups withheld, everyone not in a shown group
    reads `withheld`, those without the attribute too: the report counts them among the withheld,
    and a blank would tell the withheld group apart."""
    fairness = calibration.report()["fairness"]["attributes"]
    shown = {} if calibration.redactor else {a["attribute"]: ({g["group"] for g in a["groups"]}, a["suppressed"]) for a in fairness}
    attributes = sorted(shown)
    opportunities = [c.id for c in calibration.book.calibration.opportunities]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [f"attribute:{a}" for a in attributes] + [f"opportunity:{o}" for o in opportunities] + ["errors"])
    for row in calibration.shown_rows():
        cells = [row.packet, row.id, row.name, row.track, row.level, row.level_name, row.target, row.target_name, row.manager or "",
                 "" if row.nominated is None else str(row.nominated).lower(), row.verdict, row.verified_only,
                 ";".join(row.unmet), ";".join(row.depends_on)]
        cells += [_group(row.attributes, a, *shown[a]) for a in attributes]
        cells += [str(row.opportunities.get(o, False)).lower() for o in opportunities]
        writer.writerow([csv_cell(c) for c in cells + [""]])
    for label, diagnostics in calibration.shown_invalid():
        cells = [label] + [""] * (len(CSV_COLUMNS) - 1 + len(attributes) + len(opportunities)) + [" | ".join(d.format() for d in diagnostics)]
        writer.writerow([csv_cell(c) for c in cells])


def _group(attributes: dict, name: str, shown: set[str], suppressed: bool) -> str:
    if name not in attributes:
        return WITHHELD if suppressed else ""
    return str(attributes[name]) if str(attributes[name]) in shown else WITHHELD


def write_json(calibration: Calibration, stream: TextIO) -> None:
    """The report with `candidates` streamed in one page at a time, keys still in sorted order
    ("candidates" sorts just before "cohort")."""
    report = calibration.report()
    head = json_text(report, indent=2, sort_keys=True)
    stream.write(head[:head.index('  "cohort"')] + '  "candidates": [')
    for index, page in enumerate(calibration.pages()):
        entry = {"page": page.pop("page"), "explanation": page}
        stream.write(("," if index else "") + "\n    " + json_text(entry, sort_keys=True))
    stream.write("\n  ],\n" + head[head.index('  "cohort"'):] + "\n")


WRITERS: dict[str, Callable[[Calibration, TextIO], None]] = {
    ".html": write_html, ".md": write_markdown, ".csv": write_csv, ".json": write_json,
}
