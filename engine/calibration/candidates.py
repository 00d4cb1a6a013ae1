"""Candidate pages of the calibration report: each candidate's explanation as one table (a row
per competency, then its criteria, then the points), in HTML and in Markdown.

The rows are written here rather than in a template: a report holds a page for every candidate,
and a template's recursive loop over criteria took twice the time of this code. HTML text is
escaped with markupsafe, as the template's autoescaping would; both formats still go out
through the template, so through `visible`."""
from __future__ import annotations

import itertools
import re

from markupsafe import Markup, escape

from engine.common.text import md_escape, record_label
from engine.rendering.report import SHOWN_MISSES, closest_misses, criterion_flags, criterion_mark, points_observed

MARK_CLASS = {"✓": "met", "✗": "unmet", "○": "optional"}
INVERTED_WORDS = {True: " found", False: " none found"}
_DIGITS = re.compile(r"(\d+)")


def id_key(record: dict) -> tuple:
    """Record ids in the order people count them: PR-2 before PR-10. The digits are every other
    part of the split (`isdigit` would also take a superscript ², which `int` refuses)."""
    return tuple(int(part) if odd else part.casefold() for odd, part in zip(itertools.cycle((False, True)), _DIGITS.split(record["id"])))


def by_id(records: list[dict]) -> list[dict]:
    return sorted(records, key=id_key) if len(records) > 1 else records


def marked(page: dict) -> dict:
    """A candidate's page made ready for its one table: each criterion given the mark and flags
    the text and Markdown reports show (`criterion_mark`, `criterion_flags`), its records in id
    order (those that came closest to counting chosen first, SHOWN_MISSES of them), and whether
    any criterion has records that did not count (without any, the column is left out). Under
    `none_of` the mark is the parent's view, a child found being the problem, so its words say
    so: "✓ none found", "✗ found"."""
    misses = False

    def mark(criteria: list[dict], inverted: bool) -> None:
        nonlocal misses
        for item in criteria:
            symbol = criterion_mark(item, inverted)
            closest = closest_misses(item["not_counted"]) if not item["met"] and not inverted else []
            item.update(mark=symbol + (INVERTED_WORDS[item["met"]] if inverted else ""), mark_class=MARK_CLASS[symbol],
                        flags=criterion_flags(item, inverted), inverted=inverted, counted=by_id(item["counted"]),
                        shown_misses=by_id(closest[:SHOWN_MISSES]), more_misses=max(0, len(closest) - SHOWN_MISSES))
            misses = misses or bool(closest)
            mark(item.get("children", []), item.get("kind") == "none_of")
    for competency in page["competencies"]:
        mark(competency["criteria"], False)
    page["shows_misses"] = misses
    return page


def _walk(criteria: list[dict], depth: int = 0):
    """(criterion, depth) for every criterion of a page, parents before their children."""
    for item in criteria:
        yield item, depth
        yield from _walk(item.get("children", []), depth + 1)


def html_rows(page: dict) -> Markup:
    """The rows of a `marked` page's table body, as HTML."""
    misses = page["shows_misses"]
    span = 5 if misses else 4
    rows: list[str] = []

    def add(criteria: list[dict]) -> None:
        for item, depth in _walk(criteria):
            flags = f'<span class="muted">{escape(item["flags"])}</span>' if item["flags"] else ""
            counted = "" if item["inverted"] else "<br>".join(escape(record_label(r)) for r in item["counted"])
            row = (f'<tr><td class="{item["mark_class"]}">{escape(item["mark"])}</td><td>{"&nbsp;" * 4 * depth}<b>{escape(item["id"])}</b>: '
                   f'{escape(item["description"])}{flags}</td><td>{escape(item["statement"])}</td><td>{counted}</td>')
            if misses:
                shown = [f"{escape(m['id'])}: {escape('; '.join(m['reasons']))}" for m in item["shown_misses"]]
                shown += [f'<span class="muted">… and {item["more_misses"]} more</span>'] if item["more_misses"] else []
                row += f"<td>{'<br>'.join(shown)}</td>"
            rows.append(row + "</tr>")
    for competency in page["competencies"]:
        rows.append(f'<tr class="competency"><th colspan="{span}">{escape(competency["name"])}</th></tr>')
        add(competency["criteria"])
    if page["points"]:
        rows.append(f'<tr class="competency"><th colspan="{span}">Points</th></tr>')
        rows += [f'<tr><td class="{"met" if p["met"] else "unmet"}">{"✓" if p["met"] else "✗"}</td>'
                 f'<td>{escape(p["group"]) + " points" if p["group"] else "Total points"}</td><td>{escape(points_observed(p))}</td>'
                 f'<td></td>{"<td></td>" if misses else ""}</tr>' for p in page["points"]]
    return Markup("\n".join(rows))


def markdown_table(page: dict) -> str:
    """A `marked` page as one Markdown table."""
    misses = page["shows_misses"]
    end = " |" if misses else ""
    lines = ["| | Criterion | Observed | Counts |" + (" Did not count |" if misses else ""), "|---|---|---|---|" + ("---|" if misses else "")]

    def add(criteria: list[dict]) -> None:
        for item, depth in _walk(criteria):
            counted = "" if item["inverted"] else "<br>".join(md_escape(record_label(r)) for r in item["counted"])
            line = (f"| {item['mark']} | {'&nbsp;&nbsp;' * depth}**{md_escape(item['id'])}**: {md_escape(item['description'])}"
                    f"{md_escape(item['flags'])} | {md_escape(item['statement'])} | {counted} |")
            if misses:
                shown = [f"{md_escape(m['id'])}: {md_escape('; '.join(m['reasons']))}" for m in item["shown_misses"]]
                shown += [f"… and {item['more_misses']} more"] if item["more_misses"] else []
                line += f" {'<br>'.join(shown)} |"
            lines.append(line)
    for competency in page["competencies"]:
        lines.append(f"| | **{md_escape(competency['name'])}** | | |{end}")
        add(competency["criteria"])
    if page["points"]:
        lines.append(f"| | **Points** | | |{end}")
        lines += [f"| {'✓' if p['met'] else '✗'} | {md_escape(p['group']) + ' points' if p['group'] else 'Total points'} | "
                  f"{points_observed(p)} | |{end}" for p in page["points"]]
    return "\n".join(lines)
