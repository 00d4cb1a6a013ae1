"""Stage 6, report: verdict documents as text (for a person), Markdown, or JSON.

Renderers take the documents `explain` builds (and the packets that could not be evaluated)
and a `Style` (the CLI passes click's, when colour is on) and return a string; the CLI decides
where it goes. The text and Markdown renderers take each document through `visible_in` first, so
no packet or rulebook text reaches the reader with a hidden character in it, and the colours the
style adds are the only escape sequences in their output; JSON keeps the values verbatim
(`json_text`).

Where errors go: results to stdout, diagnostics to stderr. The text and summary formats, read
as the command runs, name an invalid packet and count its errors, which the CLI prints once, on
stderr; Markdown and JSON are documents read apart from the run, so they carry them whole."""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from engine.common.errors import Diagnostic
from engine.common.text import json_text, md_code, md_escape, plural, record_label, visible, visible_in

FORMAT_ID = "ladder.verdicts/1"
VERDICT_LABEL = {"ready": "READY", "nearly": "NEARLY READY", "not_ready": "NOT READY"}
VERDICT_COLOUR = {"ready": "green", "nearly": "yellow", "not_ready": "red"}
SHOWN_MISSES = 5  # records that did not count, per criterion, in text and Markdown


@dataclass(frozen=True)
class Invalid:
    """A packet that could not be evaluated, with every problem found in it."""

    source: str
    diagnostics: tuple[Diagnostic, ...]


Result = dict | Invalid


class Style(Protocol):
    """How text is coloured: `click.style`'s signature, so the CLI passes it (this layer does not
    import click); `plain` leaves text as it is."""

    def __call__(self, text: str, fg: str | None = None, bold: bool | None = None, dim: bool | None = None) -> str: ...


def plain(text: str, fg: str | None = None, bold: bool | None = None, dim: bool | None = None) -> str:
    return text


def render(results: list[Result], fmt: str, style: Style = plain) -> str:
    return RENDERERS[fmt](results, style)


# --------------------------------------------------------------------------------------- JSON

def results_json(results: list[Result]) -> dict[str, Any]:
    items = []
    for result in results:
        if isinstance(result, Invalid):
            items.append({"packet": result.source, "errors": [d.to_json() for d in result.diagnostics]})
        else:
            items.append(result)
    return {"format": FORMAT_ID, "results": items}


def _json(results: list[Result], style: Style) -> str:
    return json_text(results_json(results), indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------------------- text

def _paint(text: str, colour: str, style: Style) -> str:
    if colour == "bold":
        return style(text, bold=True)
    if colour == "dim":
        return style(text, dim=True)
    return style(text, fg=colour)


def invalid_line(result: Invalid, done: str) -> str:
    """An invalid packet in a text report: its errors are on stderr, once (see the module's
    docstring)."""
    return f"{visible(result.source)}: not {done}, the packet is invalid ({plural(len(result.diagnostics), 'error')}, on stderr)"


def _text(results: list[Result], style: Style) -> str:
    blocks = []
    for result in results:
        if isinstance(result, Invalid):
            blocks.append(_paint(invalid_line(result, "evaluated"), "red", style))
        else:
            blocks.append(_text_verdict(visible_in(result), style))
    text = "\n\n".join(blocks) + "\n"
    if len(results) > 1:
        text += "\n" + tally(results) + "\n"
    return text


def tally(results: list[Result]) -> str:
    """The closing line of a report on many packets: '28 evaluated: 13 ready, 7 nearly, 8 not
    ready; 12 invalid'."""
    verdicts = [r["verdict"] for r in results if not isinstance(r, Invalid)]
    invalid = len(results) - len(verdicts)
    line = (f"{len(verdicts)} evaluated: {verdicts.count('ready')} ready, {verdicts.count('nearly')} nearly, "
            f"{verdicts.count('not_ready')} not ready")
    return line + (f"; {invalid} invalid" if invalid else "")


def plan_hint(doc: dict) -> str | None:
    """For a packet not ready: the command that lists what to do next. Only for a packet in a
    file of its own (`ladder plan` takes one packet, not a line of a JSON Lines file)."""
    if doc["verdict"] == "ready" or not doc["packet"].lower().endswith(_PACKET_FILES):
        return None
    return f"Next steps: ladder plan {doc['packet']}"


_PACKET_FILES = (".yaml", ".yml", ".json")


def _text_verdict(doc: dict, style: Style) -> str:
    c, t = doc["candidate"], doc["target"]
    verdict = doc["verdict"]
    what_if = f" · what if: {doc['cross_track']['to']['track']} track" if "cross_track" in doc else ""
    lines = [
        _paint(f"{c['name']} ({c['id']}) · {c['level_name']} -> {t['name']} · as of {doc['as_of']}{what_if}", "bold", style),
        _paint(VERDICT_LABEL[verdict], VERDICT_COLOUR[verdict], style) + " - " + doc["headline"].split(": ", 1)[1],
        f"  {doc['packet']}",
    ]
    for competency in doc["competencies"]:
        lines.append("")
        lines.append(_paint(competency["name"], "bold", style))
        for criterion in competency["criteria"]:
            lines.extend(_text_criterion(criterion, "  ", style))
    if doc["points"]:
        lines += ["", _paint("Points", "bold", style)]
    for points in doc["points"]:
        scope = f"in {points['group']}" if points["group"] else "in total"
        lines.append(f"  {_mark(points['met'], style)} {scope}: {points_observed(points)}")
    if doc["missing"]:
        lines += ["", _paint("Still missing", "bold", style)] + [f"  - {m}" for m in doc["missing"]]
    confidence = doc["evidence_confidence"]
    if confidence.get("note"):
        lines += ["", _paint("Evidence confidence", "bold", style), f"  {confidence['note']}"]
    if "cross_track" in doc:
        lines += ["", _paint("Moving tracks", "bold", style)] + [f"  {line}" for line in cross_track_lines(doc["cross_track"])]
    if "track_note" in doc:
        lines += ["", _paint("Moving tracks", "bold", style), f"  {doc['track_note']}"]
    if hint := plan_hint(doc):
        lines += ["", hint]
    return "\n".join(lines)


def cross_track_lines(moved: dict) -> list[str]:
    lines = [moved["note"]]
    if moved["carried_over"]:
        lines.append("carries over: " + "; ".join(record_label(r) for r in moved["carried_over"]))
    lines += [f"not valued here: {record_label(r)}: {r['reason']}" for r in moved["not_valued"]]
    if moved["counts_only_here"]:
        lines.append("counts here only: " + "; ".join(record_label(r) for r in moved["counts_only_here"]))
    return lines


def points_observed(points: dict) -> str:
    """A points total as a criterion's count reads: '16 points (needs 12)', '10 of 12 points'."""
    if points["met"]:
        return f"{points['observed']} points (needs {points['needed']})"
    return f"{points['observed']} of {points['needed']} points"


def _mark(met: bool, style: Style) -> str:
    return _paint("✓", "green", style) if met else _paint("✗", "red", style)


def criterion_mark(item: dict, inverted: bool = False) -> str:
    """✓ met, ✗ unmet; ○ for an optional criterion that is unmet, which only earns nothing and
    never holds a verdict back. Inside `none_of` (inverted) a met child is the problem."""
    if item["met"] != inverted:
        return "✓"
    return "○" if not item["required"] and not inverted else "✗"


def criterion_flags(item: dict, inverted: bool = False) -> str:
    """' (blocker, optional, from Senior Developer)': how the criterion weighs in the verdict."""
    if inverted:
        return ""
    flags = [word for word, on in (("blocker", item["blocker"]), ("optional", not item["required"])) if on]
    if item["inherited_from"]:
        flags.append(f"from {item['inherited_from_name']}")
    return f" ({', '.join(flags)})" if flags else ""


_MARK_COLOUR = {"✓": "green", "✗": "red", "○": "dim"}


def _text_criterion(item: dict, indent: str, style: Style, inverted: bool = False) -> list[str]:
    """One criterion and its evidence. Inside `none_of` (inverted) a met child is the problem."""
    flags = criterion_flags(item, inverted)
    suffix = _paint(flags, "dim", style) if flags else ""
    mark = criterion_mark(item, inverted)
    lines = [f"{indent}{_paint(mark, _MARK_COLOUR[mark], style)} {item['id']}: {item['description']}{suffix}"]
    detail = indent + "    "
    lines.append(detail + item["statement"])
    if item["counted"] and not inverted:
        label = "disputed: " if item["kind"] == "no_disputed" else "counts: "  # what no_disputed finds breaks it
        lines.append(detail + label + "; ".join(record_label(r) for r in item["counted"]))
    if not item["met"] and not inverted and item["kind"] != "candidate":
        for miss in closest_misses(item["not_counted"])[:SHOWN_MISSES]:
            lines.append(detail + f"did not count: {record_label(miss)}: {'; '.join(miss['reasons'])}")
        hidden = len(item["not_counted"]) - SHOWN_MISSES
        if hidden > 0:
            lines.append(detail + f"... and {hidden} more that did not count (see --format json)")
    for child in item.get("children", []):
        lines.extend(_text_criterion(child, indent + "    ", style, inverted=item["kind"] == "none_of"))
    return lines



def closest_misses(misses: list[dict]) -> list[dict]:
    """Records that came closest first: fewest failed conditions, then packet order."""
    return sorted(misses, key=lambda m: len(m["reasons"]))


# ----------------------------------------------------------------------------------- Markdown

def _markdown(results: list[Result], style: Style) -> str:
    blocks = []
    for result in results:
        if isinstance(result, Invalid):
            lines = [f"## {md_escape(result.source)}: invalid packet, not evaluated", ""]
            lines += [f"- {md_code(d.format())}" for d in result.diagnostics]
            blocks.append("\n".join(lines))
        else:
            blocks.append(_markdown_verdict(visible_in(result)))
    return "\n\n".join(blocks) + "\n"



def _markdown_verdict(doc: dict) -> str:
    c, t = doc["candidate"], doc["target"]
    lines = [
        md_escape(f"## {c['name']} ({c['id']}): {c['level_name']} → {t['name']}"),
        "",
        f"**{VERDICT_LABEL[doc['verdict']]}**: {md_escape(doc['headline'].split(': ', 1)[1])}. As of {doc['as_of']}; "
        f"packet {md_code(doc['packet'])}.",
    ]
    lines += markdown_criteria(doc, "###")
    if doc["missing"]:
        lines += ["", "### Still missing", ""] + [f"- {md_escape(m)}" for m in doc["missing"]]
    note = doc["evidence_confidence"].get("note")
    if note:
        lines += ["", f"> **Evidence confidence:** {md_escape(note)}"]
    if "cross_track" in doc:
        lines += ["", "### Moving tracks", ""] + [f"- {md_escape(line)}" for line in cross_track_lines(doc["cross_track"])]
    if "track_note" in doc:
        lines += ["", "### Moving tracks", "", md_escape(doc["track_note"])]
    return "\n".join(lines)


def markdown_criteria(doc: dict, heading: str) -> list[str]:
    """A verdict's competencies as Markdown tables under `heading`-level titles, then its points:
    the body of `ladder evaluate --format markdown`."""
    lines = []
    for competency in doc["competencies"]:
        lines += ["", f"{heading} {md_escape(competency['name'])}", "", "| | Criterion | Observed | Counts | Did not count |", "|---|---|---|---|---|"]
        for criterion in competency["criteria"]:
            lines.extend(_markdown_rows(criterion, 0))
    if doc["points"]:
        lines += ["", "| | Points | Observed | Needed |", "|---|---|---|---|"]
        lines += [f"| {'✓' if p['met'] else '✗'} | {md_escape(p['group'] or 'total')} | {p['observed']} | {p['needed']} |" for p in doc["points"]]
    return lines


def _markdown_rows(item: dict, depth: int, inverted: bool = False) -> list[str]:
    mark = criterion_mark(item, inverted)
    name = ("&nbsp;&nbsp;" * depth) + f"**{md_escape(item['id'])}**: {md_escape(item['description'])}{md_escape(criterion_flags(item, inverted))}"
    counted = "" if inverted else "<br>".join(md_escape(record_label(r)) for r in item["counted"])
    missed = ""
    if not item["met"] and not inverted:
        misses = closest_misses(item["not_counted"])
        missed = "<br>".join(f"{md_escape(m['id'])}: {md_escape('; '.join(m['reasons']))}" for m in misses[:SHOWN_MISSES])
        if len(misses) > SHOWN_MISSES:
            missed += f"<br>… and {len(misses) - SHOWN_MISSES} more"
    rows = [f"| {mark} | {name} | {md_escape(item['statement'])} | {counted} | {missed} |"]
    for child in item.get("children", []):
        rows.extend(_markdown_rows(child, depth + 1, inverted=item["kind"] == "none_of"))
    return rows


# ------------------------------------------------------------------------------------ summary

def _summary(results: list[Result], style: Style) -> str:
    """One line a packet, for a directory of many ('grep NOT', a glance down a cycle), then the
    tally. Each line starts with the packet's path, as a compiler's message does."""
    lines = []
    for result in results:
        if isinstance(result, Invalid):
            lines.append(f"{visible(result.source)}: " + _paint("INVALID", "red", style)
                         + f" - {plural(len(result.diagnostics), 'error')}, on stderr")
            continue
        doc = visible_in(result)
        c, t, verdict = doc["candidate"], doc["target"], doc["verdict"]
        lines.append(f"{doc['packet']}: " + _paint(VERDICT_LABEL[verdict], VERDICT_COLOUR[verdict], style)
                     + f" - {c['name']} ({c['id']}), {c['level_name']} -> {t['name']}: {doc['headline'].split(': ', 1)[1]}")
    return "\n".join(lines + [tally(results)]) + "\n"


RENDERERS: dict[str, Callable[[list[Result], Style], str]] = {"text": _text, "json": _json, "markdown": _markdown,
                                                               "summary": _summary}


@contextlib.contextmanager
def atomic_output(path: Path, binary: bool = False) -> Iterator[TextIO]:
    """A stream whose content replaces `path` only once complete: readers see the old file or
    the new one, never half of one. Through a symlink, its target is replaced, not the link.
    `binary`: a byte stream (for a workbook), else UTF-8 text."""
    import tempfile  # (here: the command line imports this module for every command, `--help` too)

    path = Path(os.path.realpath(path))
    temporary = None
    try:
        with interrupts_held():  # a Ctrl-C inside mkstemp, after it made the file, would leave it behind
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with (os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="")) as stream:
            yield stream
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes it private; give it a normal file's mode
        os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        raise


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """SIGINT held back while the block runs and delivered as it ends (as a KeyboardInterrupt
    where the caller can clean up). Only the main thread can take signals; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def current_umask() -> int:
    """The process umask (reading it means setting it: put straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    with atomic_output(path) as stream:
        stream.write(text)
