"""A cycle, a decision and a re-evaluation as a person reads them (text, Markdown) and as
programs do (JSON). Text and Markdown show packet text through `visible`/`md_escape`, like
every other report; JSON keeps values verbatim."""
from __future__ import annotations

import json
from typing import Iterable

from engine.common.text import md_escape, visible
from engine.cycles.model import DECISION_WORDS, VERDICT_WORDS, Cycle, Decision, Entry
from engine.cycles.opening import Reevaluated
from engine.explaining.phrasing import plural

CYCLE_FORMAT = "ladder.cycle/1"
REEVALUATION_FORMAT = "ladder.reevaluation/1"
FORMATS = ("text", "json", "markdown")


def _verdict(verdict: str | None) -> str:
    return VERDICT_WORDS[verdict]


def cycle_json(cycle: Cycle) -> dict:
    return {"name": cycle.name, "opened_at": cycle.opened_at.isoformat(), "as_of": cycle.as_of and cycle.as_of.isoformat(),
            "cohort": cycle.cohort, "rules": {"name": cycle.rulebook_name, "digest": cycle.rulebook_digest,
                                               "source": cycle.rules_source},
            "packets": cycle.packets, "verdicts": cycle.verdicts, "decided": cycle.decided, "overrides": cycle.overrides}


def decision_json(decision: Decision | None) -> dict | None:
    if decision is None:
        return None
    return {"version": decision.version, "decision": decision.decision, "reason": decision.reason, "by": decision.by,
            "at": decision.at.isoformat(), "verdict": decision.verdict, "override": decision.override}


def entry_json(entry: Entry) -> dict:
    return {"position": entry.position, "packet": entry.label, "id": entry.candidate_id, "name": entry.name,
            "track": entry.track, "level": entry.level, "target": entry.target, "manager": entry.manager,
            "nominated": entry.nominated, "verdict": entry.verdict, "errors": [d.to_json() for d in entry.errors],
            "decision": decision_json(entry.decision)}


def _dump(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _summary(cycle: Cycle) -> list[str]:
    judged = f"as of {cycle.as_of}" if cycle.as_of else "each packet as of its own date"
    counts = ", ".join(f"{cycle.verdicts[v]} {VERDICT_WORDS[v]}" for v in ("ready", "nearly", "not_ready"))
    return [f"opened {cycle.opened_at:%Y-%m-%d %H:%M} UTC from {cycle.cohort}, {plural(cycle.packets, 'packet')}",
            f"rules: {cycle.rulebook_name} ({cycle.rulebook_digest[:12]}) from {cycle.rules_source}, {judged}",
            f"verdicts: {counts}, {cycle.verdicts['invalid']} invalid",
            f"decided: {cycle.decided} of {cycle.packets}, {plural(cycle.overrides, 'override')}"]


def decided(decision: Decision | None) -> str:
    """A decision in words: 'promote (override) by ana: reason', or 'undecided'."""
    if decision is None:
        return "undecided"
    words = DECISION_WORDS[decision.decision] + (" (override)" if decision.override else "")
    by = f" by {decision.by}" if decision.by else ""
    return f"{words}{by}" + (f": {decision.reason}" if decision.reason else "")


def show(cycle: Cycle, entries: Iterable[Entry], fmt: str) -> str:
    """`ladder cycle show`: the cycle and every candidate, verdict and decision in force."""
    entries = list(entries)
    if fmt == "json":
        return _dump({"format": CYCLE_FORMAT, "cycle": cycle_json(cycle), "candidates": [entry_json(e) for e in entries]})
    if fmt == "markdown":
        lines = [f"# Cycle {md_escape(cycle.name)}", "", *(f"- {md_escape(line)}" for line in _summary(cycle)), "",
                 "| Candidate | Name | Level → target | Manager | Nominated | Verdict | Decision |", "|---|---|---|---|---|---|---|"]
        for e in entries:
            if e.verdict is None:
                lines.append(f"| {md_escape(e.label)} | | | | | invalid ({plural(len(e.errors), 'error')}) | {md_escape(decided(e.decision))} |")
                continue
            nominated = "yes" if e.nominated else "no" if e.nominated is False else ""
            lines.append(f"| {md_escape(e.candidate_id or '')} | {md_escape(e.name or '')} | {md_escape(e.level or '')} → "
                         f"{md_escape(e.target or '')} | {md_escape(e.manager or '')} | {nominated} | {_verdict(e.verdict)} | "
                         f"{md_escape(decided(e.decision))} |")
        return "\n".join(lines) + "\n"
    lines = [f"cycle {visible(cycle.name)}", *(f"  {visible(line)}" for line in _summary(cycle)), ""]
    for e in entries:
        if e.verdict is None:
            lines.append(f"{visible(e.label)}: INVALID ({plural(len(e.errors), 'error')}); {visible(decided(e.decision))}")
            continue
        lines.append(f"{visible(e.candidate_id or '')} {visible(e.name or '')}, {visible(e.level or '')} -> {visible(e.target or '')}, "
                     f"manager {visible(e.manager or '-')}: {_verdict(e.verdict).upper()}; {visible(decided(e.decision))}")
    return "\n".join(lines) + "\n"


def cycles_list(found: list[Cycle], fmt: str) -> str:
    """`ladder cycle list`: every cycle, oldest first."""
    if fmt == "json":
        return _dump({"format": "ladder.cycles-list/1", "cycles": [cycle_json(c) for c in found]})
    if not found:
        return "no cycles yet: open one with `ladder cycle open NAME COHORT`\n"
    if fmt == "markdown":
        return "\n".join(["| Cycle | Opened | Packets | Ready | Decided | Overrides |", "|---|---|---:|---:|---:|---:|",
                          *(f"| {md_escape(c.name)} | {c.opened_at:%Y-%m-%d} | {c.packets} | {c.verdicts['ready']} | {c.decided} | "
                            f"{c.overrides} |" for c in found)]) + "\n"
    return "".join(f"{visible(c.name)}: opened {c.opened_at:%Y-%m-%d}, {plural(c.packets, 'packet')}, {c.verdicts['ready']} ready, "
                   f"{c.decided} decided, {plural(c.overrides, 'override')}\n" for c in found)


def decision_line(decision: Decision, before: Decision | None) -> str:
    """What `ladder decide` says it recorded, and what it replaced."""
    who = visible(decision.candidate_id or decision.label)
    said = f"{who}: {DECISION_WORDS[decision.decision]}"
    if decision.override:
        said += f" (an override: the rules judge them {_verdict(decision.verdict)})"
    said += f", recorded as version {decision.version}"
    if before is not None:
        said += f"; it replaces {DECISION_WORDS[before.decision]!r} by {visible(before.by or 'someone')} ({before.at:%Y-%m-%d})"
    return said


def reevaluation(cycle: Cycle, rules: str, results: list[Reevaluated], fmt: str) -> str:
    """`ladder cycle reevaluate`: each frozen verdict beside the verdict under `rules`."""
    changed = [r for r in results if r.changed]
    if fmt == "json":
        return _dump({"format": REEVALUATION_FORMAT, "cycle": cycle.name, "rules": rules, "packets": len(results),
                      "changed": len(changed), "results": [
                          {"packet": r.label, "id": r.candidate_id, "then": r.then, "now": r.now,
                           "errors": [d.to_json() for d in r.evaluated.result.diagnostics] if r.now is None else []}
                          for r in results]})
    head = (f"cycle {cycle.name} under {rules}: {len(changed)} of {plural(len(results), 'verdict')} would change "
            f"(frozen under {cycle.rulebook_name}, {cycle.rulebook_digest[:12]})")
    if fmt == "markdown":
        lines = [f"# {md_escape(head)}", ""]
        if changed:
            lines += ["| Candidate | Packet | Then | Now |", "|---|---|---|---|"]
            lines += [f"| {md_escape(r.candidate_id or '')} | {md_escape(r.label)} | {_verdict(r.then)} | {_verdict(r.now)} |"
                      for r in changed]
        return "\n".join(lines) + "\n"
    return "".join([visible(head) + "\n", *(f"  {visible(r.candidate_id or r.label)}: {_verdict(r.then)} -> {_verdict(r.now)}\n"
                                            for r in changed)])
