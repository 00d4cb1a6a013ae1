"""A next-step plan (`explaining.plan`) as text, Markdown and JSON: the text and Markdown from the
plan with its hidden characters shown (`visible_in`), the JSON verbatim (`json_text`)."""
from __future__ import annotations

from engine.common.text import in_sentence, json_text, md_escape, visible_in
from engine.explaining.explain import VERDICT_WORDS
from engine.rendering.report import VERDICT_COLOUR, Style, plain


def render_text(document: dict, style: Style = plain) -> str:
    """The plan for a person; `style` colours the headings and verdicts on a terminal."""
    document = visible_in(document)
    c = document["candidate"]
    lines = [style(f"Next steps for {c['name']} ({c['id']}), {c['level_name']}, as of {document['as_of']}", bold=True)]
    for item in document["plans"]:
        verdict = style(VERDICT_WORDS[item["verdict"]].lower(), fg=VERDICT_COLOUR[item["verdict"]], bold=True)
        lines += ["", f"{style(_heading(item), bold=True)}: {verdict}"]
        if item["not_open"]:
            lines.append(f"  {item['not_open']}")
        lines += [f"  {line}" for line in _nothing_missing(item)]
        for number, step in enumerate(item["steps"], 1):
            lines.append(f"  {number}. {step['text']}")
            lines += [style(f"       closest: {text}", dim=True) for text in step["closest"]]
    for track in document["no_equivalent"]:
        lines += ["", f"The {in_sentence(track)} track has no level equivalent to this one with promotion rules."]
    return "\n".join(lines) + "\n"


def _heading(item: dict) -> str:
    """'Staff Engineer (individual contributor track)': the track by its name in the rulebook."""
    return f"{item['name']} ({in_sentence(item['track_name'])} track)"


def _nothing_missing(item: dict) -> list[str]:
    """'Nothing missing' only when nothing is: no step, and the verdict is ready."""
    if item["steps"]:
        return []
    if item["verdict"] == "ready":
        return ["Nothing missing: the rules are met."]
    return [f"No step found that would change the verdict: {item['headline']}"]


def render_markdown(document: dict) -> str:
    document = visible_in(document)
    c = document["candidate"]
    lines = [md_escape(f"## Next steps for {c['name']} ({c['id']}), {c['level_name']}"), "", f"As of {document['as_of']}."]
    for item in document["plans"]:
        lines += ["", md_escape(f"### {_heading(item)}: {VERDICT_WORDS[item['verdict']].lower()}"), ""]
        if item["not_open"]:
            lines += [f"**{md_escape(item['not_open'])}**", ""]
        lines += [f"{n}. {md_escape(s['text'])}" + "".join(f"<br>closest: {md_escape(t)}" for t in s["closest"])
                  for n, s in enumerate(item["steps"], 1)]
        lines += _nothing_missing(item)
    for track in document["no_equivalent"]:
        lines += ["", md_escape(f"The {in_sentence(track)} track has no level equivalent to this one with promotion rules.")]
    return "\n".join(lines) + "\n"


def render_json(document: dict) -> str:
    return json_text(document, indent=2, sort_keys=True) + "\n"
