"""`ladder new`: a packet to fill in, valid as written, whose templates become valid records."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenarios

from engine import api
from engine.cli import main
from engine.reading.model import CountCriterion, Rulebook, SumCriterion
from engine.reading.packet import load_packet
from engine.tooling.scaffold import BadOption, NewCandidate, scaffold

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 2)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return api.rulebook()


def alex(**changes) -> NewCandidate:
    given = {"id": "E-1001", "name": "Alex Morgan", "track": "ic", "level": "developer", "as_of": AS_OF,
             "since": date(2025, 3, 1), "manager": "Sam Lee"}
    return NewCandidate(**{**given, **changes})


def written(tmp_path: Path, text: str, name: str = "packet.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def prose(text: str) -> str:
    """Comment lines read as one text, as a person reads them wrapped."""
    return re.sub(r"\s*\n\s*#\s*", " ", text)


def uncommented(text: str, optional: bool = False) -> str:
    """The packet as a person leaves it after uncommenting every template (removing the `# `
    after the indent); with `optional`, the optional fields inside them too."""
    lines, in_record = [], False
    for line in text.splitlines():
        in_record = line.startswith("  # - id:") or (in_record and line.startswith("  #   "))
        if in_record:
            line = "  " + line[4:]
            if optional and line.startswith("    # "):
                line = "    " + line[6:]
        lines.append(line)
    return "\n".join(lines) + "\n"


PLACEHOLDER = re.compile(r"^(\s+(?:- )?)([a-z_]+): (<[^>]*>|\[<text>, <text>\])")


def filled(book: Rulebook, text: str) -> str:
    """Every <placeholder> of the uncommented records replaced by a value the rulebook declares
    for its field: what a person does with a template, worked out here from the rulebook alone."""
    ids = {}
    for record_id, kind in re.findall(r"^  - id: (\S+).*\n    type: (\S+)$", text, re.M):
        ids.setdefault(kind, record_id)
    lines, kind = [], None
    for line in text.splitlines():
        if m := re.match(r"^    type: (\S+)$", line):
            kind = m.group(1)
        m = PLACEHOLDER.match(line)
        if m and kind:
            lead, key = m.group(1), m.group(2)
            if "<id of another" in line:
                continue  # a link to a record of its own kind: one template has no other to name, so it goes
            line = f"{lead}{key}: {json.dumps(_value(book, kind, key, ids))}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _value(book: Rulebook, kind: str, key: str, ids: dict[str, str]):
    if key in ("date", "start", "end"):
        return "2026-06-01"
    if key == "title":
        return "A record"
    if key == "confidence":
        return "verified"
    declared = book.evidence[kind].fields[key]
    if declared.type == "enum":
        return declared.values[0]
    if declared.type in ("integer", "number"):
        low = declared.minimum if declared.minimum is not None else 1
        return int(low) if declared.type == "integer" else low
    return {"boolean": True, "date": "2026-05-01", "list": ["x"], "string": "text", "ref": ids.get(declared.evidence)}[declared.type]


def counted(book: Rulebook, target: str) -> set[str]:
    """Every kind of record a criterion of the level counts or links to, its bases' included."""
    kinds = set()
    for criterion in book.rules[target].criteria():
        if isinstance(criterion, (CountCriterion, SumCriterion)):
            kinds.add(criterion.match.evidence)
            if criterion.match.link:
                kinds.add(criterion.match.link.evidence)
    return kinds


def assert_scaffold_works(book: Rulebook, text: str, tmp_path: Path, target: str) -> None:
    """Valid as written, with no records; every template uncommented and filled in a valid
    record (optional fields left commented, and uncommented too); every kind counted has one."""
    assert load_packet(written(tmp_path, text), book).records == ()
    kinds = re.findall(r"^  #   type: (\S+)$", text, re.M)
    assert counted(book, target) <= set(kinds), text
    for optional in (False, True):
        packet = load_packet(written(tmp_path, filled(book, uncommented(text, optional))), book)
        assert [r.type for r in packet.records] == kinds
        assert packet.target.id == target


# ------------------------------------------------------------------------------ the packet

def test_a_new_packet_is_valid_as_written_for_the_next_level_up(book, tmp_path):
    made = api.new_packet(book, tmp_path / "alex.yaml", alex())
    packet = load_packet(tmp_path / "alex.yaml", book)
    assert (packet.candidate.id, packet.candidate.name, packet.candidate.manager) == ("E-1001", "Alex Morgan", "Sam Lee")
    assert (packet.candidate.level_since, packet.as_of, packet.records) == (date(2025, 3, 1), AS_OF, ())
    assert packet.target.id == made.target.id == "senior-developer"


def test_every_template_uncommented_and_filled_in_is_a_valid_record(book, tmp_path):
    for level, target in (("developer", None), ("senior-developer", "staff-engineer"), ("principal-engineer", None)):
        made = scaffold(book, alex(level=level, target=target))
        assert_scaffold_works(book, made.text, tmp_path, made.target.id)
    made = scaffold(book, alex(track="management", level="senior-engineering-manager"))
    assert_scaffold_works(book, made.text, tmp_path, "director-of-engineering")


def test_a_template_left_with_its_placeholders_is_reported_at_them(book, tmp_path):
    text = uncommented(scaffold(book, alex()).text)
    result = api.validate_paths([written(tmp_path, text)])
    assert not result.ok
    assert any("'<lead|core|contributor>' is not one of" in d.message for d in result.diagnostics)


def test_a_template_says_what_each_field_takes_and_which_criteria_want_it_in_the_rulebooks_words(book):
    text = scaffold(book, alex(level="senior-developer")).text
    design_doc = text.split("# ---- design doc (design-doc)", 1)[1].split("\n\n", 1)[0]
    assert "Wrote at least 2 approved cross-team design docs for projects they led" in prose(design_doc)
    assert "needs at least 2 design docs where status is approved and scope is cross-team, org or company" in prose(design_doc)
    status = next(line for line in design_doc.splitlines() if "  status:" in line)
    assert "<draft|in-review|approved|rejected|superseded>" in status and "required" in status
    assert "wanted: status is approved (design-for-led-project)" in status
    project = next(line for line in design_doc.splitlines() if "  project:" in line)
    assert "optional" in project and "the id of a project record" in project
    assert re.search(r"^  #   # reviewers: ", design_doc, re.M)  # optional and asked by no criterion: commented twice
    assert "shipped-work: Shipped at least 2 projects as a core or lead contributor in the last 12 months; from Developer" in prose(text)
    assert "time-at-level: At least 18 months at the level below (Senior Developer)" in prose(text.split("candidate:", 1)[0])


def test_a_finding_that_counts_against_the_candidate_says_so(book):
    text = scaffold(book, alex(level="senior-developer")).text
    feedback = text.split("# ---- feedback entry (feedback)", 1)[1].split("\n\n", 1)[0]
    assert "counts against you: no-conduct-concerns: No feedback from anyone raising a conduct concern" in prose(feedback)


def test_tracks_and_levels_are_taken_by_id_or_by_their_names(book):
    by_name = scaffold(book, alex(track="Individual Contributor", level="senior developer", target="Staff Engineer"))
    by_id = scaffold(book, alex(track="ic", level="senior-developer", target="staff-engineer"))
    assert by_name.text == by_id.text


@pytest.mark.parametrize("changes, option, closest", [
    ({"track": "individual"}, "--track", "'ic'"),
    ({"track": "mgmt"}, "--track", "'management'"),
    ({"level": "senior-dev"}, "--level", "'senior-developer'"),
    ({"target": "staf"}, "--target", "'staff-engineer'"),
])
def test_an_unknown_track_or_level_names_the_closest_one(book, changes, option, closest):
    with pytest.raises(BadOption) as raised:
        scaffold(book, alex(**changes))
    assert raised.value.option == option and f"(did you mean {closest}?)" in str(raised.value)


@pytest.mark.parametrize("changes, option, words", [
    ({"track": "management"}, "--level", "developer is a level of the individual contributor track, not of the management track"),
    ({"target": "developer"}, "--target", "not above the candidate's current level developer"),
    ({"level": "distinguished-engineer"}, "--target", "top of the individual contributor track: give --target"),
    ({"id": "E 1"}, "--candidate", "does not match"),
    ({"since": date(2027, 1, 1)}, "--since", "after the as-of date"),
])
def test_a_packet_that_could_not_be_valid_is_refused_with_the_option_to_change(book, changes, option, words):
    with pytest.raises(BadOption) as raised:
        scaffold(book, alex(**changes))
    assert raised.value.option == option and words in str(raised.value)


@pytest.mark.parametrize("value", ["1e100", "0o7", "null", "yes", "a: b", "#x", "- x", "Lee\u202eeoJ", "a\nb", "a\x1bb"])
def test_candidate_values_that_yaml_would_misread_are_written_to_read_back_as_given(book, tmp_path, value):
    text = scaffold(book, alex(name=value, team=value, manager=value)).text
    candidate = load_packet(written(tmp_path, text), book).candidate
    assert (candidate.name, candidate.team, candidate.manager) == (value, value, value)
    assert "\u202e" not in text and "\x1b" not in text  # shown by their escapes, never raw


def test_a_json_packet_is_the_same_packet_without_templates(book, tmp_path):
    made = api.new_packet(book, tmp_path / "alex.json", alex(name="Lee\u202eeoJ"))
    assert made.templates == ()
    assert "\\u202e" in (tmp_path / "alex.json").read_text()  # shown as its escape, never raw
    packet = load_packet(tmp_path / "alex.json", book)
    assert (packet.candidate.name, packet.target.id, packet.records) == ("Lee\u202eeoJ", "senior-developer", ())


# ------------------------------------------------------------------- every level, any candidate

def targets(book: Rulebook) -> list[tuple[str, str, str | None]]:
    """(track, level, target) for every level a packet can go for: the next level up (no
    --target), and every level of another track with rules."""
    found = []
    for track in book.tracks.values():
        for level in track.levels:
            following = book.next_level(level)
            if following and following.id in book.rules:
                found.append((track.id, level.id, None))
            found += [(track.id, level.id, other) for other in book.rules if book.levels[other].track != track.id]
    return found


RULEBOOKS = {"default": None, "lint-defects": ROOT / "fixtures/rulebooks/lint-defects"}
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@pytest.mark.parametrize("rules", sorted(RULEBOOKS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_scaffold_of_every_track_and_level_works_for_any_candidate(rules, data, tmp_path):
    book = _book(rules)
    track, level, target = data.draw(st.sampled_from(targets(book)), label="(track, level, target)")
    name = data.draw(NAMES, label="name")
    made = scaffold(book, NewCandidate("E-1", name, track, level, AS_OF, target=target, team=data.draw(NAMES, label="team")))
    assert_scaffold_works(book, made.text, tmp_path, made.target.id)
    assert load_packet(written(tmp_path, made.text), book).candidate.name == name


def _book(rules: str, cache: dict = {}) -> Rulebook:  # noqa: B006 - one load per rulebook for the whole run
    if rules not in cache:
        cache[rules] = api.rulebook(RULEBOOKS[rules])
    return cache[rules]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(scenario=scenarios(), data=st.data())
def test_the_scaffold_works_for_any_rulebook_the_language_allows(scenario, data, tmp_path):
    ladder, evidence, levels, _ = scenario
    rules = tmp_path / "rules"
    (rules / "levels").mkdir(parents=True, exist_ok=True)
    for old in (rules / "levels").iterdir():
        old.unlink()
    for name, content in {"ladder.yaml": ladder, "evidence.yaml": evidence,
                          **{f"levels/{level['level']}.yaml": level for level in levels}}.items():
        (rules / name).write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
    book = api.rulebook(rules)
    track, level, target = data.draw(st.sampled_from(targets(book)), label="(track, level, target)")
    made = scaffold(book, NewCandidate("E-1", "Candidate", track, level, AS_OF, target=target))
    assert_scaffold_works(book, made.text, tmp_path, made.target.id)


# ---------------------------------------------------------------------------- the command

def run(*args: object):
    return CliRunner().invoke(main, ["new", *map(str, args)], catch_exceptions=False)


def test_new_writes_a_packet_that_validate_accepts(tmp_path):
    out = tmp_path / "alex.yaml"
    result = run(out, "--candidate", "E-1001", "--name", "Alex Morgan", "--track", "individual contributor", "--level", "developer",
                 "--since", "2025-03-01", "--as-of", "2026-11-02")
    assert result.exit_code == 0, result.output
    assert "Developer going for Senior Developer, 5 evidence templates" in result.stderr
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0


def test_new_leaves_an_existing_file_alone_without_force(tmp_path):
    out = tmp_path / "alex.yaml"
    out.write_text("mine\n")
    args = (out, "--candidate", "E-1", "--name", "A", "--track", "ic", "--level", "developer", "--as-of", "2026-11-02")
    refused = run(*args)
    assert refused.exit_code == 2 and "exists: pass --force to replace it" in refused.stderr
    assert out.read_text() == "mine\n"
    assert run(*args, "--force").exit_code == 0
    assert out.read_text().startswith("# A promotion packet")


def test_new_with_an_unknown_level_is_a_usage_error_naming_the_closest_and_writes_nothing(tmp_path):
    out = tmp_path / "alex.yaml"
    result = run(out, "--candidate", "E-1", "--name", "A", "--track", "ic", "--level", "senior-dev")
    assert result.exit_code == 2 and "--level" in result.stderr and "did you mean 'senior-developer'?" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_help_says_the_default_target_and_gives_an_example():
    text = CliRunner().invoke(main, ["new", "--help"], terminal_width=100).output
    assert "Default: the next level up on their track." in " ".join(text.split())
    assert "ladder new packets/alex.yaml --candidate E-1001" in text


def test_the_heading_names_the_levels_the_target_builds_on_nearest_first(book):
    text = prose(scaffold(book, alex(level="staff-engineer")).text)
    assert ("record Principal Engineer asks for, with what Staff Engineer, Senior Developer and Developer ask "
            "(it builds on them)") in text
    assert "(it builds on it)" in prose(scaffold(book, alex(level="developer")).text)  # Senior Developer: Developer alone
