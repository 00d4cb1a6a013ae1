"""`ladder impact` evaluates only what a rule change can reach, and reports exactly what evaluating
every packet under both rulebooks reports."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api
from engine.caching import dependencies
from engine.caching.verdicts import VerdictCache
from engine.cohorts import cohort
from engine.reading.rulebook import load_rulebook
from engine.tooling import impact as impacts

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
COHORTS = [ROOT / "fixtures" / "cohorts" / "spring-2026", ROOT / "fixtures" / "packets"]
LEVEL_FILES = sorted((RULES / "levels").glob("*.yaml"))
THRESHOLD = re.compile(r"(at_least|max_unmet): (\d+)")


def rendered(report: impacts.Impact) -> tuple[str, str]:
    return impacts.render_json(report), impacts.render_text(report)


def judged(head: Path, cache: VerdictCache | None = None, selective: bool = True) -> impacts.Impact:
    return impacts.impact("rules", "head", api.rulebook(RULES), load_rulebook(head), COHORTS, jobs=2, cache=cache, selective=selective)


def edited(tmp_path: Path, level: str, old: str, new: str) -> Path:
    head = tmp_path / "head"
    shutil.copytree(RULES, head)
    path = head / "levels" / f"{level}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return head


def test_the_same_rules_on_both_sides_evaluate_nothing(tmp_path, evaluations):
    head = tmp_path / "head"
    shutil.copytree(RULES, head)
    report = judged(head)
    assert evaluations.count == 0
    assert report.packets == sum(1 for spec in COHORTS for _ in cohort.items(spec)) and not report.changes
    assert rendered(report) == rendered(judged(head, selective=False))


def test_a_change_to_one_level_evaluates_under_the_new_rules_only_packets_it_can_reach(tmp_path, evaluations):
    cache = VerdictCache(tmp_path / "cache", 2**26)
    head = edited(tmp_path, "staff-engineer", "at_least: 2", "at_least: 3")
    assert dependencies.changed_levels(api.rulebook(RULES), load_rulebook(head)) == {"staff-engineer", "principal-engineer"}  # it builds on staff
    impacts.impact("rules", "rules", api.rulebook(RULES), api.rulebook(RULES), COHORTS, jobs=2, cache=cache, selective=False)
    evaluations.reset()  # every verdict under the old rules is in the cache now
    report = judged(head, cache)
    reached = {"staff-engineer", "principal-engineer"}  # principal builds on staff; the equivalent levels are not reached
    targets = evaluations.targets()
    assert targets and targets <= reached
    assert evaluations.count < 40  # of 88 packets
    assert rendered(report) == rendered(judged(head, selective=False))
    assert report.changes  # the change is seen: a staff engineer must lead cross-team projects for 3 teams, not 2


def test_the_closure_of_a_level_is_the_level_and_what_it_builds_on(book):
    assert dependencies.closure(book, "staff-engineer") == {"staff-engineer", "senior-developer", "developer"}
    assert dependencies.closure(book, "junior-developer") == {"junior-developer"}


def test_a_change_beyond_levels_rules_may_change_every_verdict(tmp_path, book):
    head = tmp_path / "head"
    shutil.copytree(RULES, head)
    evidence = head / "evidence.yaml"
    evidence.write_text(evidence.read_text() + "\n")  # bytes differ, the model does not
    assert dependencies.changed_levels(book, load_rulebook(head)) == set()
    ladder = head / "ladder.yaml"
    ladder.write_text(ladder.read_text().replace("name: Example Engineering Career Framework", "name: Another", 1))
    assert dependencies.changed_levels(book, load_rulebook(head)) is dependencies.EVERYTHING


@st.composite
def level_edits(draw):
    """One threshold of one level file changed: an `at_least` or a `max_unmet`."""
    path = draw(st.sampled_from(LEVEL_FILES))
    found = list(THRESHOLD.finditer(path.read_text()))
    match = draw(st.sampled_from(found))
    value = draw(st.integers(1, 6).filter(lambda v: v != int(match.group(2))))
    return path.stem, match.start(), match.group(0), f"{match.group(1)}: {value}"


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=level_edits())
def test_selective_impact_equals_a_full_re_evaluation_for_any_single_level_edit(edit, tmp_path_factory):
    level, at, old, new = edit
    tmp_path = tmp_path_factory.mktemp("edit")
    head = tmp_path / "head"
    shutil.copytree(RULES, head)
    path = head / "levels" / f"{level}.yaml"
    text = path.read_text()
    path.write_text(text[:at] + new + text[at + len(old):])
    cache = VerdictCache(tmp_path_factory.getbasetemp() / "impact-cache", 2**27)  # base verdicts shared by the examples
    assert dependencies.changed_levels(api.rulebook(RULES), load_rulebook(head)) <= {level} | _built_on(level)
    # The reference evaluates every packet on both sides (verdicts from the same cache, which
    # gives the same bytes as evaluating: test_verdict_cache): only the choice of packets differs.
    assert rendered(judged(head, cache)) == rendered(judged(head, cache, selective=False))


def _built_on(level: str) -> set[str]:
    """Levels that build on `level` (their inherited criteria change with it)."""
    book = api.rulebook(RULES)
    return {other for other in book.rules if level in dependencies.closure(book, other)}
