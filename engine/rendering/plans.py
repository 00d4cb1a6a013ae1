"""A next-step plan (`explaining.plan`) as text, Markdown and JSON: the text and Markdown from the
plan with its hidden characters shown (`visible_in`), the JSON verbatim (`json_text`)."""
from __future__ import annotations

from engine.common.text import json_text, md_escape, visible_in
from engine.explaining.explain import VERDICT_WORDS


def render_text(document: dict) -> str:
    document = visible_in(document)
    c = document["candidate"]
    lines = [f"Next steps for {c['name']} ({c['id']}), {c['level_name']}, as of {document['as_of']}"]
    for item in document["plans"]:
        lines += ["", f"{item['name']} ({item['track']} track): {VERDICT_WORDS[item['verdict']].lower()}"]
        if item["not_open"]:
            lines.append(f"  {item['not_open']}")
        if not item["steps"]:
            lines.append("  Nothing missing: the rules are met.")
        for number, step in enumerate(item["steps"], 1):
            lines.append(f"  {number}. {step['text']}")
            lines += [f"       closest: {text}" for text in step["closest"]]
    for track in document["no_equivalent"]:
        lines += ["", f"The {track} track has no level equivalent to this one with promotion rules."]
    return "\n".join(lines) + "\n"


def render_markdown(document: dict) -> str:
    document = visible_in(document)
    c = document["candidate"]
    lines = [md_escape(f"## Next steps for {c['name']} ({c['id']}), {c['level_name']}"), "", f"As of {document['as_of']}."]
    for item in document["plans"]:
        lines += ["", md_escape(f"### {item['name']} ({item['track']} track): {VERDICT_WORDS[item['verdict']].lower()}"), ""]
        if item["not_open"]:
            lines += [f"**{md_escape(item['not_open'])}**", ""]
        lines += [f"{n}. {md_escape(s['text'])}" + "".join(f"<br>closest: {md_escape(t)}" for t in s["closest"])
                  for n, s in enumerate(item["steps"], 1)]
        if not item["steps"]:
            lines.append("Nothing missing: the rules are met.")
    return "\n".join(lines) + "\n"


def render_json(document: dict) -> str:
    return json_text(document, indent=2, sort_keys=True) + "\n"
