"""Growth and mobility: next-step plans against the verdicts, and the published framework."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import api, docs
from engine.cli import main
from engine.model import walk
from engine.packet import load_packet
from engine.plan import plan

ROOT = Path(__file__).resolve().parent.parent
PACKETS = sorted((ROOT / "fixtures" / "packets").glob("*.yaml"))


def unmet(document: dict) -> set[str]:
    found = {c["id"] for comp in document["competencies"] for c in comp["criteria"] if c["required"] and not c["met"]}
    return found | {f"points:{p['group']}" if p["group"] else "points" for p in document["points"] if not p["met"]}


@pytest.mark.parametrize("path", PACKETS, ids=[p.stem for p in PACKETS])
def test_a_plan_asks_for_exactly_what_the_verdicts_miss_smallest_gap_first(book, path):
    document = plan(book, load_packet(path, book))
    own, *others = document["plans"]
    assert {s["criterion"] for s in own["steps"]} == unmet(api.evaluate_packet(book, path))
    for other in others:
        verdict = api.evaluate_packet(book, path, track=other["track"])
        assert other["level"] == verdict["target"]["level"] and other["verdict"] == verdict["verdict"]
        assert {s["criterion"] for s in other["steps"]} == unmet(verdict)
    for item in document["plans"]:
        gaps = [s["gap"] for s in item["steps"]]
        assert gaps == sorted(gaps)


def test_plans_cover_both_tracks_for_the_same_candidate(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-nearly-one-design-doc-short.yaml", book))
    assert [(p["track"], p["level"]) for p in document["plans"]] == [("ic", "staff-engineer"), ("management", "engineering-manager")]
    first = document["plans"][0]["steps"][0]
    assert first["text"] == ("Wrote at least 2 approved cross-team design docs for projects they led, in the last 24 months: "
                             "you have 1 of 2")
    assert first["closest"][0].startswith("DD-2 (Consumer lag autoscaling design): scope is team")


def test_a_plan_for_time_at_level_says_how_many_months_remain(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-senior-not-ready-17-months-month-end.yaml", book))
    assert document["plans"][0]["steps"][0]["text"] == \
        "At least 18 months at the level below (Developer): 1 more month at the current level (you have 17 of 18)"


def test_a_plan_counts_points_and_months_in_words_that_agree(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/mgmt-director-nearly-people-points-short.yaml", book))
    texts = [s["text"] for p in document["plans"] for s in p["steps"]]
    assert any(t.startswith("Earn 1 more point in technical ") for t in texts)
    assert any(t.startswith("Earn 2 more points in people ") for t in texts)
    assert not any("(s)" in t for t in texts)


def test_the_plan_command_renders_text_markdown_and_json():
    path = str(ROOT / "fixtures/packets/mgmt-vp-nearly-org-of-five-teams.yaml")
    text = CliRunner().invoke(main, ["plan", path]).output
    assert text.splitlines()[0].startswith("Next steps for ") and "  1. " in text
    markdown = CliRunner().invoke(main, ["plan", path, "--format", "markdown"]).output
    assert markdown.startswith("## Next steps for ")
    document = json.loads(CliRunner().invoke(main, ["plan", path, "--format", "json"]).output)
    assert document["plans"][0]["steps"][0]["criterion"] == "org-size"
    assert document["no_equivalent"] == ["Individual contributor"]  # VP has no IC equivalent


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_published_framework_states_every_criterion_of_every_level(book, tmp_path, fmt):
    written = docs.write(book, tmp_path, fmt)
    assert [p.name for p in written] == [f"index.{fmt}", f"ic.{fmt}", f"management.{fmt}", f"evidence.{fmt}"]
    text = "".join(p.read_text() for p in written)
    for rules in book.rules.values():
        for criterion in rules.criteria():
            assert criterion.description in text, (rules.level.id, criterion.id)
    for level in book.levels.values():
        assert f"{level.name} ({level.band})" in text
    for evidence in book.evidence.values():
        assert all(name in text for name in evidence.fields)


def test_the_equivalence_table_puts_equivalent_levels_and_bands_side_by_side(book, tmp_path):
    index = docs.write(book, tmp_path, "md")[0].read_text()
    assert "| E4 | Staff Engineer | Engineering Manager |" in index
    assert "- Staff Engineer (Individual contributor, E4) = Engineering Manager (Management, E4)" in index


def test_the_docs_command_writes_a_directory(tmp_path):
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "site"), "--format", "html"])
    assert result.exit_code == 0 and (tmp_path / "site" / "index.html").is_file()
    assert "<script" not in (tmp_path / "site" / "ic.html").read_text()


def test_every_criterion_has_a_description_for_the_published_framework(book):
    for rules in book.rules.values():
        for competency in rules.competencies:
            for criterion in walk(competency.criteria):
                assert criterion.description, (rules.level.id, criterion.id)
