"""`ladder history` as a person reads it (text, Markdown) and as programs do (JSON): cycle by
cycle, the verdict, the decision with every change to it, and the criteria that changed."""
from __future__ import annotations

import json

from engine.common.text import md_escape, visible
from engine.cycles.history import Change, Step
from engine.cycles.model import VERDICT_WORDS, Decision
from engine.cycles.views import cycle_json, decided, decision_json
from engine.explaining.phrasing import plural

HISTORY_FORMAT = "ladder.history/1"
MET = {True: "met", False: "not met"}


def render(candidate: str, steps: list[Step], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(_json(candidate, steps), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    lines = _markdown(candidate, steps) if fmt == "markdown" else _text(candidate, steps)
    return "\n".join(lines) + "\n"


def _json(candidate: str, steps: list[Step]) -> dict:
    return {"format": HISTORY_FORMAT, "candidate": candidate, "name": _name(steps), "cycles": [{
        "cycle": cycle_json(s.cycle), "packet": s.entry.label, "level": s.entry.level, "target": s.entry.target,
        "level_name": s.level_name, "target_name": s.target_name,
        "verdict": s.entry.verdict, "errors": [d.to_json() for d in s.entry.errors],
        "decisions": [decision_json(d) for d in s.decisions], "target_changed": s.target_changed,
        "criteria_changed": [{"criterion": c.criterion, "description": c.description, "competency": c.competency,
                              "before": MET[c.before], "now": MET[c.now]} for c in s.changes]} for s in steps]}


def _name(steps: list[Step]) -> str | None:
    return next((s.entry.name for s in reversed(steps) if s.entry.name), None)


def _decision(decision: Decision) -> str:
    return f"v{decision.version} {decision.at:%Y-%m-%d %H:%M} UTC, {decided(decision)}"


def _change(change: Change) -> str:
    return f"{change.criterion} ({change.competency}): {change.description}: {MET[change.before]} -> {MET[change.now]}"


def _judged(step: Step) -> str:
    entry = step.entry
    if entry.verdict is None:
        return f"packet {entry.label} invalid ({plural(len(entry.errors), 'error')})"
    return f"{step.level_name} -> {step.target_name}: {VERDICT_WORDS[entry.verdict]}"


def _since(steps: list[Step], index: int) -> str:
    previous = next((s for s in reversed(steps[:index]) if s.entry.verdict is not None), None)
    return previous.cycle.name if previous else ""


def _text(candidate: str, steps: list[Step]) -> list[str]:
    lines = [visible(f"{candidate} {_name(steps) or ''}".rstrip() + f": {plural(len(steps), 'cycle')}")]
    for index, step in enumerate(steps):
        lines += ["", visible(f"{step.cycle.name} (opened {step.cycle.opened_at:%Y-%m-%d}): {_judged(step)}")]
        if index and step.entry.verdict is not None:
            since = _since(steps, index)
            if step.target_changed:
                lines.append(visible(f"  judged for another level than in {since}: criteria compared by id"))
            if step.changes:
                lines.append(visible(f"  criteria changed since {since}:"))
                lines += [visible(f"    {_change(c)}") for c in step.changes]
            elif since:
                lines.append(visible(f"  no criterion changed since {since}"))
        if not step.decisions:
            lines.append("  undecided")
        for position, decision in enumerate(step.decisions, 1):
            label = "decision" if position == len(step.decisions) else "replaced"
            lines.append(visible(f"  {label}: {_decision(decision)}"))
    return lines


def _markdown(candidate: str, steps: list[Step]) -> list[str]:
    lines = [f"# {md_escape(candidate)} {md_escape(_name(steps) or '')}".rstrip(), "",
             "| Cycle | Opened | Level → target | Verdict | Decision in force |", "|---|---|---|---|---|"]
    for step in steps:
        entry, decided = step.entry, step.decisions[-1] if step.decisions else None
        judged = (f"{md_escape(step.level_name or '')} → {md_escape(step.target_name or '')} | {VERDICT_WORDS[entry.verdict]}"
                  if entry.verdict else f"{md_escape(entry.label)} | invalid")
        lines.append(f"| {md_escape(step.cycle.name)} | {step.cycle.opened_at:%Y-%m-%d} | {judged} | "
                     f"{md_escape(_decision(decided)) if decided else 'undecided'} |")
    for index, step in enumerate(steps):
        lines += ["", f"## {md_escape(step.cycle.name)}", ""]
        if index and step.entry.verdict is not None:
            since = md_escape(_since(steps, index))
            if step.target_changed:
                lines += [f"Judged for another level than in {since}: criteria compared by id.", ""]
            if step.changes:
                lines += [f"Criteria changed since {since}:", "", "| Criterion | Competency | Description | Then | Now |",
                          "|---|---|---|---|---|"]
                lines += [f"| {md_escape(c.criterion)} | {md_escape(c.competency)} | {md_escape(c.description)} | {MET[c.before]} | "
                          f"{MET[c.now]} |" for c in step.changes]
                lines.append("")
            elif since:
                lines += [f"No criterion changed since {since}.", ""]
        if step.decisions:
            lines += ["Decisions, oldest first (the last is in force):", ""]
            lines += [f"- {md_escape(_decision(d))}" for d in step.decisions]
        else:
            lines.append("Undecided.")
    return lines
