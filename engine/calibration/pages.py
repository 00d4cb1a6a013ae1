"""The calibration report in four formats: HTML (one self-contained, printable file with SVG
charts), Markdown, CSV (a row per candidate) and JSON (`schemas/calibration-report.schema.json`).

Each renderer writes to an open text stream, so candidate pages flow from the spool to the
file without being held in memory."""
from __future__ import annotations

import csv
from typing import Any, Callable, Iterator, TextIO

from engine.calibration import candidates, cycle_words, figures
from engine.calibration.calibrate import Calibration
from engine.calibration.figures import TOP_BLOCKERS, VERDICTS
from engine.common.text import json_text, md_escape, visible
from engine.rendering.templating import ENVIRONMENT

# The calibration templates' own environment: the shared one plus what only they use.
TEMPLATES = ENVIRONMENT.overlay(cache_size=10)
TEMPLATES.filters = {**ENVIRONMENT.filters, "md": md_escape, "points": lambda gap: _points(gap), "by_criterion": lambda records: _by_criterion(records),
                     "md_table": candidates.markdown_table, "html_rows": candidates.html_rows}
# The report's sections in the order a meeting takes them: the overview, the candidates to
# discuss (disagreements first, confirmations last), what may change a verdict, candidates
# placed off their level, then the checks on the process. The roster and the candidate pages
# follow, for reference.
AGENDA = {
    "summary": "Verdicts by track and level",
    "nominated-not-ready": "Nominated, not ready",
    "nominated-nearly": "Nominated, nearly ready",
    "ready-not-nominated": "Ready, not nominated",
    "nearly-not-nominated": "Nearly ready, not nominated",
    "nominated-ready": "Nominated and ready",
    "unverified": "Verdicts that rest on unverified evidence",
    "placement": "Placement: levelling questions",
    "managers": "Managers: nominations against verdicts",
    "parity": "Parity between tracks",
    "blockers": "Top blockers",
    "fairness": "Fairness",
    "invalid": "Invalid packets",
}
# What a report over a stored cycle (`calibrate --cycle`) adds to the agenda, after the checks
# on the process: the committee's own decisions are one more of them.
CYCLE_AGENDA = {
    "decisions": "Decisions against verdicts",
    "overrides": "Overrides by group",
    "reasons": "Reasons given for overrides",
    "movement": "Cycle over cycle",
}
TEMPLATES.globals = {**ENVIRONMENT.globals, "TOP_BLOCKERS": TOP_BLOCKERS, "AGENDA": AGENDA,
                     "NUMBER": {key: number for number, key in enumerate((*AGENDA, *CYCLE_AGENDA), 1)}, "RANK": figures.RANK,
                     "CYCLE_AGENDA": CYCLE_AGENDA, **cycle_words.WORDS}


def _points(gap: float | None) -> str:
    """A difference of two rates in percentage points: "26 points", never "26%"."""
    if gap is None:
        return "n/a"
    points = round(gap * 100)
    return f"{points} point{'' if points == 1 else 's'}"


def _by_criterion(records: list[dict]) -> list[dict]:
    """An unverified verdict's records as a committee checks them: by the criterion they count
    for or against, in id order."""
    lines: dict[tuple[str, str], list[dict]] = {}
    for record in records:
        for criterion in record["criteria"]:
            lines.setdefault((record["effect"], criterion), []).append(record)
    return [{"effect": "counts against" if effect == "against" else "counts for", "criterion": criterion,
             "records": candidates.by_id(found)} for (effect, criterion), found in lines.items()]


def write_html(calibration: Calibration, stream: TextIO) -> None:
    report = calibration.report()
    template = TEMPLATES.get_template("calibration.html.j2")
    pages = (candidates.marked(page) for page in calibration.pages())
    context = {"report": report, "pages": pages, "charts": _charts(report), "roster": _grouped(calibration.roster(), report),
               "level_order": figures.ladder_order(calibration.book)}
    for chunk in template.generate(**context):
        stream.write(chunk)


def _grouped(roster: Iterator[dict], report: dict) -> Iterator[tuple[str, dict]]:
    """The roster as the page lists it: ("level", its summary row) before each target level's
    candidates, then ("candidate", entry) for each."""
    summary = {row["level"]: row for row in report["summary"]}
    level = None
    for entry in roster:
        if entry["level"] != level:
            level = entry["level"]
            yield "level", summary[level]
        yield "candidate", entry


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
            group.append({"y": 30 + index * 64 + offset * 24, "width": round((width - label - 80) * rate, 1),
                          "name": level["level_name"], "track": level["track"], "rate": level["rate"], "candidates": level["candidates"]})
        parity.append({"levels": group, "flagged": entry["flagged"], "gap": entry["gap"], "y": 30 + index * 64})
    return {"width": width, "label": label, "verdicts": {"height": 40 + len(bars) * row, "bars": bars},
            "parity": {"height": 30 + len(parity) * 64, "rows": parity}}


def write_markdown(calibration: Calibration, stream: TextIO) -> None:
    report = calibration.report()
    template = TEMPLATES.get_template("calibration.md.j2")
    pages = (candidates.marked(page) for page in calibration.pages())
    for chunk in template.generate(report=report, pages=pages, roster=_grouped(calibration.roster(), report)):
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
    decided = _decisions(calibration)
    writer.writerow(CSV_COLUMNS + [f"attribute:{a}" for a in attributes] + [f"opportunity:{o}" for o in opportunities] + ["errors"]
                    + (DECISION_COLUMNS if decided is not None else []))
    for real, row in zip(calibration.rows, calibration.shown_rows()):
        cells = [row.packet, row.id, row.name, row.track, row.level, row.level_name, row.target, row.target_name, row.manager or "",
                 "" if row.nominated is None else str(row.nominated).lower(), row.verdict, row.verified_only,
                 ";".join(row.unmet), ";".join(d.id for d in row.depends_on)]
        cells += [_group(row.attributes, a, *shown[a]) for a in attributes]
        cells += [str(row.opportunities.get(o, False)).lower() for o in opportunities]
        cells += [""] + (decided[real.packet] if decided is not None else [])
        writer.writerow([csv_cell(c) for c in cells])
    for (real, _), (label, diagnostics) in zip(calibration.invalid, calibration.shown_invalid()):
        cells = [label] + [""] * (len(CSV_COLUMNS) - 1 + len(attributes) + len(opportunities)) + [" | ".join(d.format() for d in diagnostics)]
        writer.writerow([csv_cell(c) for c in cells + (decided[real] if decided is not None else [])])


# A report over a stored cycle adds the decision in force to each row, after `errors`.
DECISION_COLUMNS = ["decision", "override", "decision_reason"]


def _decisions(calibration: Calibration) -> dict[str, list[str]] | None:
    """Each packet's decision cells by its real label; None for a report over a cohort (whose
    CSV stays as it was). Under --redact the reasons are scrubbed as the report's are."""
    if calibration.cycle is None:
        return None
    return {d.packet: [d.decision or "", str(d.override).lower() if d.decision else "", calibration._scrubbed(d.reason)]
            for d in calibration.cycle.decided}


def _group(attributes: dict, name: str, shown: set[str], suppressed: bool) -> str:
    if name not in attributes:
        return WITHHELD if suppressed else ""
    return str(attributes[name]) if str(attributes[name]) in shown else WITHHELD


def write_json(calibration: Calibration, stream: TextIO) -> None:
    """The report with `candidates` (a page each) and the `roster` streamed in one entry at a
    time, keys still in sorted order: each goes just before the key that follows it."""
    report = calibration.report()
    head = json_text(report, indent=2, sort_keys=True)
    streamed = {"candidates": ({"page": page.pop("page"), "explanation": page} for page in calibration.pages()),
                "roster": calibration.roster()}
    done = 0
    for key, entries in streamed.items():
        following = min(k for k in report if k > key)
        at = head.index(f'\n  "{following}"') + 1
        stream.write(head[done:at] + f'  "{key}": [')
        for index, entry in enumerate(entries):
            stream.write(("," if index else "") + "\n    " + json_text(entry, sort_keys=True))
        stream.write("\n  ],\n")
        done = at
    stream.write(head[done:] + "\n")


WRITERS: dict[str, Callable[[Calibration, TextIO], None]] = {
    ".html": write_html, ".md": write_markdown, ".csv": write_csv, ".json": write_json,
}
