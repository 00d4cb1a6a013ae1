"""`ladder impact --by`: readiness by group before and after a rule change, as text and as
Markdown for a pull request (JSON carries the figures as they are). The figures are plain data
worked out by `engine.calibration.change` and handed in by the API; this module only lays them
out, so tooling never imports the calibration layer. Group names come from packets: text gets
them with hidden characters shown (the caller's `visible_in`), Markdown escaped."""
from __future__ import annotations

from typing import Any

from engine.common.text import md_escape, plural


def percent(rate: float | None) -> str:
    return "–" if rate is None else _number(rate * 100) + "%"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _change(group: dict[str, Any]) -> str:
    moved = round((group["ready_after"] - group["ready_before"]) * 100, 1)
    return "0" if moved == 0 else ("+" if moved > 0 else "−") + _number(abs(moved))


def _carried(attribute: dict[str, Any], candidates: int) -> str:
    """Who the attribute's groups cover, and what is withheld, in words."""
    parts = [f"{attribute['carried_by']} of {plural(candidates, 'candidate')} carry it"]
    if attribute["withheld"]:
        parts.append("groups too small to show withheld")
    return "; ".join(parts)


def missing(fairness: dict[str, Any]) -> list[str]:
    """The attributes asked for that no candidate carries (a misspelt --by, most likely)."""
    return [a["attribute"] for a in fairness["attributes"] if not a["carried_by"]]


def _unknown(attribute: str, fairness: dict[str, Any]) -> str:
    known = ", ".join(fairness["known_attributes"]) or "none"
    return f"no candidate carries the attribute {attribute} (the packets carry: {known})"


def text(fairness: dict[str, Any]) -> list[str]:
    lines = ["", f"Readiness by group, before -> after, over the {plural(fairness['candidates'], 'candidate')} with a verdict "
                 f"under both rulebooks (groups of fewer than {fairness['min_group']} withheld; a gap widened beyond "
                 f"{_number(fairness['max_gap'] * 100)} points is flagged):",
             f"  everyone: {percent(fairness['cohort']['ready_before'])} -> {percent(fairness['cohort']['ready_after'])}"]
    for attribute in fairness["attributes"]:
        if not attribute["carried_by"]:
            lines.append(f"  {attribute['label']}: {_unknown(attribute['attribute'], fairness)}")
            continue
        lines.append(f"  {attribute['label']} ({_carried(attribute, fairness['candidates'])}):")
        width = max((len(g["group"]) for g in attribute["groups"]), default=0)
        for group in attribute["groups"]:
            lines.append(f"    {group['group']:<{width}}  {group['candidates']:>4}  "
                         f"{percent(group['ready_before']):>6} -> {percent(group['ready_after']):>6}  ({_change(group)} points)")
        flag = attribute["flag"]
        lines.append(f"    FLAGGED: the change {flag['message']}" if flag else "    no gap between groups widened beyond the threshold")
    return lines


def markdown_flags(fairness: dict[str, Any]) -> list[str]:
    """The flags at the top of a pull-request comment, where a reviewer reads first."""
    return [line for a in fairness["attributes"] if a["flag"]
            for line in (f"> ⚠️ **{md_escape(a['label'])}**: the change {md_escape(a['flag']['message'])}.", "")]


def markdown(fairness: dict[str, Any]) -> list[str]:
    flagged = [a for a in fairness["attributes"] if a["flag"]]
    lines = ["", "#### Readiness by group" + (f": ⚠️ {plural(len(flagged), 'gap')} widened" if flagged else ""), "",
             f"Before → after, over the {plural(fairness['candidates'], 'candidate')} with a verdict under both rulebooks "
             f"(everyone: {percent(fairness['cohort']['ready_before'])} → {percent(fairness['cohort']['ready_after'])}). "
             f"A change that widens the gap between two groups beyond {_number(fairness['max_gap'] * 100)} points "
             f"(`parity.max_gap` in `calibration.yaml`) is flagged. {fairness['rule']}"]
    for attribute in fairness["attributes"]:
        name = md_escape(attribute["label"])
        if not attribute["carried_by"]:
            lines += ["", f"**{name}**: {md_escape(_unknown(attribute['attribute'], fairness))}."]
            continue
        flag = attribute["flag"]
        verdict = f"⚠️ the change {md_escape(flag['message'])}." if flag else "no gap widened beyond the threshold."
        lines += ["", f"**{name}** ({_carried(attribute, fairness['candidates'])}): {verdict}", "",
                  "| Group | Candidates | Ready before | Ready after | Change (points) |", "|---|---|---|---|---|"]
        lines += [f"| {md_escape(g['group'])} | {g['candidates']} | {percent(g['ready_before'])} | {percent(g['ready_after'])} | "
                  f"{_change(g)} |" for g in attribute["groups"]]
    return lines
