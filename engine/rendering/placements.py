"""Placements (`explaining.placement`) as text, Markdown and JSON (`schemas/placement.schema.json`).

A packet that could not be placed is an `Invalid` with its errors, shown in its place among
the others, as `ladder evaluate` shows one. Text and Markdown show hidden characters from the
packet as code points (`visible_in`); JSON keeps every value verbatim (`json_text`)."""
from __future__ import annotations

from typing import Any, Callable

from engine.common.text import json_text, md_escape, visible_in
from engine.explaining.explain import VERDICT_WORDS
from engine.explaining.placement import relation
from engine.rendering.report import Invalid, invalid_line

FORMAT_ID = "ladder.placements/1"

Placed = dict | Invalid


def results_json(results: list[Placed]) -> dict[str, Any]:
    return {"format": FORMAT_ID, "results": [
        {"packet": r.source, "errors": [d.to_json() for d in r.diagnostics]} if isinstance(r, Invalid) else r for r in results]}


def render_json(results: list[Placed]) -> str:
    return json_text(results_json(results), indent=2, sort_keys=True) + "\n"


def _verdict(level: dict) -> str:
    """'ready', 'met by default', 'not ready - 3 of 6 required criteria met; ...'."""
    if level["verdict"] is None:
        return level["note"]
    words = VERDICT_WORDS[level["verdict"]].lower()
    return f"{words} - {level['headline'].split(': ', 1)[1]}" if "headline" in level else words


def _where(level: dict, home: bool) -> str:
    """' (the current level)' on the level the candidate stands at, on any track."""
    return f" ({relation(0, home)})" if level["steps"] == 0 else ""


def _explained(track: dict, level: dict) -> bool:
    """Whether what the level misses is spelt out: for the first level not met above the placement."""
    return track["first_not_met"] is not None and level["level"] == track["first_not_met"]["level"]


def _set_aside(track: dict, level: dict) -> list[str]:
    """What a promotion would still ask of the candidate's standing, where it matters to a
    reader: at a level met (the evidence is there, the standing not yet) and at the next level
    to reach. The JSON has it for every level."""
    return level.get("set_aside", []) if level["met"] or _explained(track, level) else []


# --------------------------------------------------------------------------------------- text

def render_text(results: list[Placed]) -> str:
    blocks = []
    for result in results:
        if isinstance(result, Invalid):
            blocks.append(invalid_line(result, "placed"))
        else:
            blocks.append(_text_placement(visible_in(result)))
    return "\n\n".join(blocks) + "\n"


def _text_placement(document: dict) -> str:
    c = document["candidate"]
    lines = [f"{c['name']} ({c['id']}) · {c['level_name']}, {c['months_at_level']} months at the level · as of {document['as_of']}",
             f"  {document['packet']}"]
    for track in document["tracks"]:
        home = track["track"] == c["track"]
        lines += ["", track["headline"]]
        for level in track["levels"]:
            lines.append(f"  {'✓' if level['met'] else '✗'} {level['name']}{_where(level, home)}: {_verdict(level)}")
            if _explained(track, level):
                lines += [f"      - {line}" for line in level.get("missing", [])]
            if aside := _set_aside(track, level):
                lines.append(f"      set aside (standing, not evidence): {'; '.join(aside)}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- Markdown

def render_markdown(results: list[Placed]) -> str:
    blocks = []
    for result in results:
        if isinstance(result, Invalid):
            blocks.append("\n".join([f"## {md_escape(result.source)}: invalid packet, not placed", ""]
                                    + [f"- `{d.format()}`" for d in result.diagnostics]))
        else:
            blocks.append(_markdown_placement(visible_in(result)))
    return "\n\n".join(blocks) + "\n"


def _markdown_placement(document: dict) -> str:
    c = document["candidate"]
    lines = [md_escape(f"## {c['name']} ({c['id']}): {c['level_name']}"), "",
             f"{c['months_at_level']} months at the level. As of {document['as_of']}; packet `{document['packet']}`."]
    for track in document["tracks"]:
        home = track["track"] == c["track"]
        lines += ["", f"### {md_escape(track['headline'])}", "", "| | Level | Verdict | Set aside (standing, not evidence) |",
                  "|---|---|---|---|"]
        for level in track["levels"]:
            lines.append(f"| {'✓' if level['met'] else '✗'} | {md_escape(level['name'] + _where(level, home))} | "
                         f"{md_escape(_verdict(level))} | {'<br>'.join(md_escape(s) for s in _set_aside(track, level))} |")
        first = next((level for level in track["levels"] if _explained(track, level)), None)
        if first and first.get("missing"):
            lines += ["", f"Missing for {md_escape(first['name'])}:", ""] + [f"- {md_escape(m)}" for m in first["missing"]]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[list[Placed]], str]] = {"text": render_text, "json": render_json, "markdown": render_markdown}
