"""The rulebook: the default dual ladder's shape, inheritance, and every kind of authoring error."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.common.errors import LadderError
from engine.reading.model import CompositeCriterion, CountCriterion, walk
from engine.reading.rulebook import load_rulebook

BROKEN = Path(__file__).resolve().parents[2] / "fixtures" / "rulebooks" / "broken.yaml"
CASES = yaml.safe_load(BROKEN.read_text())


def test_the_default_rulebook_has_both_tracks_with_all_eleven_levels(book):
    assert {track: [level.name for level in t.levels] for track, t in book.tracks.items()} == {
        "ic": ["Junior Developer", "Developer", "Senior Developer", "Staff Engineer", "Principal Engineer", "Distinguished Engineer"],
        "management": ["Tech Lead", "Engineering Manager", "Senior Engineering Manager", "Director of Engineering", "VP of Engineering"],
    }


def test_equivalent_levels_share_a_compensation_band(book):
    assert len(book.equivalence) >= 4
    for row in book.equivalence:
        assert len({book.levels[level].band for level in row.values()}) == 1, row


def test_every_level_above_the_entry_level_has_rules(book):
    without = [level.id for level in book.levels.values() if level.id not in book.rules]
    assert without == ["junior-developer"]


def test_the_default_evidence_types_cover_the_issue_list(book):
    assert {"project", "mentee", "design-doc", "talk", "community", "incident", "review", "hire",
            "team-growth", "strategy-doc", "feedback"} <= set(book.evidence)


def test_a_level_builds_on_the_one_below_and_replaces_criteria_by_id(book):
    staff = book.rules["staff-engineer"]
    criteria = {c.id: c for c in staff.criteria()}
    assert criteria["code-reviews"].inherited_from == "developer"  # two levels down
    assert criteria["led-project"].inherited_from is None  # replaced by a stricter one
    assert isinstance(criteria["led-project"], CountCriterion) and criteria["led-project"].distinct == "team"
    assert criteria["mentees"].at_least == 2
    senior = {c.id: c for c in book.rules["senior-developer"].criteria()}
    assert senior["mentees"].at_least == 1  # the lower level keeps its own


def test_criterion_ids_are_unique_within_each_level(book):
    for level in book.rules.values():
        ids = [c.id for comp in level.competencies for c in walk(comp.criteria)]
        assert len(ids) == len(set(ids)), level.level.id


def test_senior_individual_contributors_are_recognised_for_influence_without_reports(book):
    staff = {c.id: c for c in book.rules["staff-engineer"].criteria()}
    influence = staff["influence-beyond-team"]
    assert isinstance(influence, CompositeCriterion) and influence.kind == "k_of"
    types = {child.match.evidence for child in influence.children}
    assert {"talk", "community", "strategy-doc"} <= types
    evidence_used = {c.match.evidence for c in book.rules["principal-engineer"].criteria() if hasattr(c, "match")}
    assert "team-growth" not in evidence_used  # no IC criterion asks for direct reports


@pytest.mark.parametrize("case", CASES, ids=[c["name"].replace(" ", "-") for c in CASES])
def test_broken_rulebook_is_refused_with_the_error_at_its_place(case, rules_copy):
    target = rules_copy / case["file"]
    text = target.read_text()
    assert case["old"] in text, f"case {case['name']!r}: {case['old']!r} is not in {case['file']}"
    start = text.index(case["old"])
    patched = text.replace(case["old"], case["new"], 1)
    target.write_text(patched)
    where = rules_copy / case["error_file"] if "error_file" in case else target
    located = where.read_text()
    near = max(0, start - 200) if where == target and case["at"] in located[max(0, start - 200):] else 0
    anchor = located.index(case["at"], near)
    line = located.count("\n", 0, anchor) + 1
    col = anchor - (located.rfind("\n", 0, anchor) + 1) + 1
    expected = f"{where}:{line}:{col}: error: {case['error']}"
    with pytest.raises(LadderError) as caught:
        load_rulebook(rules_copy)
    found = [d.format() for d in caught.value.diagnostics]
    assert expected in found, "\n".join(["expected:", expected, "found:"] + found)
    places = [(d.file, d.line, d.col, d.code) for d in caught.value.diagnostics]
    assert len(places) == len(set(places)), "one problem reported twice:\n" + "\n".join(found)


def test_every_problem_is_reported_at_once(rules_copy):
    level = rules_copy / "levels" / "developer.yaml"
    level.write_text(level.read_text().replace("evidence: review", "evidence: reveiw").replace("from_role: peer", "from_rol: peer"))
    (rules_copy / "levels" / "extra.yaml").write_text("level: developer\ncompetencies: []\nbogus: 1\n")
    with pytest.raises(LadderError) as caught:
        load_rulebook(rules_copy)
    codes = sorted(d.code for d in caught.value.diagnostics)
    assert codes == ["schema.additionalProperties"]  # schema errors stop the build first
    (rules_copy / "levels" / "extra.yaml").unlink()
    with pytest.raises(LadderError) as caught:
        load_rulebook(rules_copy)
    assert sorted(d.code for d in caught.value.diagnostics) == ["rules.unknown-evidence", "rules.unknown-field"]


def test_a_directory_that_is_not_a_rulebook_says_so(tmp_path):
    with pytest.raises(LadderError, match="has no ladder.yaml: is this a rulebook directory"):
        load_rulebook(tmp_path)


def test_a_level_describes_an_inherited_competency_in_its_own_words_and_keeps_its_criteria(book):
    developer, senior = ({c.id: c for c in book.rules[level].competencies} for level in ("developer", "senior-developer"))
    for competency in ("delivery", "technical-depth", "collaboration"):
        assert senior[competency].description != developer[competency].description, competency
        assert senior[competency].name == developer[competency].name
    assert [c.id for c in senior["collaboration"].criteria] == [c.id for c in developer["collaboration"].criteria]
    assert all(c.inherited_from == "developer" for c in senior["collaboration"].criteria)
    assert senior["readiness"].description == developer["readiness"].description  # not reworded: inherited words
