"""Rendering verdicts: text and Markdown say the same thing, in a form each reader can trust."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import packet, project

from engine import api
from engine.explaining.plan import plan
from engine.reading.packet import load_packet
from engine.rendering.plans import render_markdown as plan_markdown
from engine.rendering.report import render

PACKETS = Path(__file__).resolve().parents[2] / "fixtures" / "packets"


def rows(markdown: str) -> dict[str, str]:
    """Markdown criterion rows by criterion id."""
    found = {}
    for line in markdown.splitlines():
        if line.startswith("| ") and "**" in line:
            found[line.split("**")[1]] = line
    return found


@pytest.mark.parametrize("name, flags", [("mgmt-director-nearly-people-points-short", ["blocker", "optional"]),
                                         ("ic-principal-not-ready-one-team-no-adopted-strategy", ["blocker, from Staff Engineer"])])
def test_markdown_flags_blockers_optional_and_inherited_criteria_like_text(book, name, flags):
    result = api.evaluate_packet(book, PACKETS / f"{name}.yaml")
    text = {}
    for line in render([result], "text").splitlines():
        if line.startswith("  ") and line.strip()[:1] in "✓✗○" and line.endswith(")") and " points (needs " not in line:
            text[line.split()[1].rstrip(":")] = line[line.rindex(" ("):]
    cells = {k: row.split(" | ")[1] for k, row in rows(render([result], "markdown")).items()}
    assert text == {k: cells[k][cells[k].rindex(" ("):] for k in text}
    assert all(f" ({flag})" in text.values() for flag in flags)


def test_an_optional_criterion_that_earned_nothing_is_not_shown_as_a_failure(book):
    result = api.evaluate_packet(book, PACKETS / "mgmt-director-nearly-people-points-short.yaml")
    markdown = rows(render([result], "markdown"))
    assert markdown["incident-command"].startswith("| ○ |") and markdown["managers-grown"].startswith("| ○ |")
    assert "| ✗ | people | 2 | 4 |" in render([result], "markdown")  # the one unmet requirement
    text = render([result], "text")
    assert "  ○ incident-command: " in text and "  ○ managers-grown: " in text
    assert text.count("✗") == 1  # people points only: 6 of 7 required criteria met


def test_optional_points_per_record_claim_no_requirement(book):
    result = api.evaluate_packet(book, PACKETS / "mgmt-director-nearly-people-points-short.yaml")
    incidents = next(c for comp in result["competencies"] for c in comp["criteria"] if c["id"] == "incident-command")
    assert incidents["statement"] == "0 incidents in the last 36 months · 0 points (1 each, at most 2)"
    assert (incidents["met"], incidents["required"]) == (False, False)  # JSON keeps the facts


def test_markdown_shows_packet_text_as_written_never_as_html(book, write_packet):
    data = packet(evidence=[project("P-1", "2026-03-01", title="Ana <ana@x.com> & co")])
    data["candidate"]["name"] = "Mei <b>Lin</b> <img src=x onerror=alert(1)>"
    path = write_packet(data)
    for markdown in (render([api.evaluate_packet(book, path)], "markdown"),
                     plan_markdown(plan(book, load_packet(path, book)))):
        assert "<b>" not in markdown and "<img" not in markdown and "<ana@" not in markdown
        assert "Mei &lt;b&gt;Lin&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "Ana &lt;ana@x.com&gt; &amp; co" in render([api.evaluate_packet(book, path)], "markdown")


def test_markdown_shows_link_and_emphasis_syntax_in_packet_text_literally(book, write_packet):
    data = packet(evidence=[project("P-1", "2026-03-01", title="![i](http://evil/p.png) *big*")])
    data["candidate"]["name"] = "[Mei](javascript:alert(2)) _Zhou_"
    path = write_packet(data)
    for markdown in (render([api.evaluate_packet(book, path)], "markdown"),
                     plan_markdown(plan(book, load_packet(path, book)))):
        assert "[Mei](" not in markdown and "\\[Mei\\](javascript:alert(2)) \\_Zhou\\_" in markdown
    assert "!\\[i\\](http://evil/p.png) \\*big\\*" in render([api.evaluate_packet(book, path)], "markdown")
