"""Rule tests: packets kept beside the rules with the outcome the rules must give them.

`rules/tests/*.yaml` (schema: `schemas/rule-test.schema.json`) hold cases; `ladder test`, the
pytest plugin and CI run them. Coverage asks, for every criterion of every level, whether some
case saw it met and some case saw it unmet."""
from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from engine.caching.verdicts import VerdictCache
from engine.common.errors import Diagnostic, LadderError, raise_if_errors
from engine.common.text import record_label, visible
from engine.explaining.explain import explain
from engine.matching.evaluate import evaluate
from engine.reading import validate
from engine.reading.dates import parse_date
from engine.reading.load import Document, load_file
from engine.reading.model import Rulebook
from engine.reading.packet import build_packet, load_packet
from engine.reading.rulebook import display_path

TESTS_DIR = "tests"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    line: int
    packet: Path | Document
    target: str | None
    as_of: date | None
    expect: dict

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


@dataclass
class Outcome:
    case: Case
    problems: list[str] = field(default_factory=list)  # empty: the case passed
    level: str | None = None
    statuses: dict[str, bool] = field(default_factory=dict)  # criterion id -> met, any depth
    document: dict | None = None
    errors: tuple[Diagnostic, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems


def case_files(rules_dir: str | Path) -> list[Path]:
    folder = Path(rules_dir) / TESTS_DIR
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_cases(path: Path) -> list[Case]:
    """The cases of one test file; LadderError (file:line:col) if the file is malformed."""
    doc = load_file(path, display_path(path))
    raise_if_errors(validate.check(doc, "rule-test"))
    defaults = doc.data.get("defaults", {})
    cases, problems = [], []
    for index, raw in enumerate(doc.data["cases"]):
        at = ("cases", index)
        if isinstance(raw["packet"], str):
            packet: Path | Document = path.parent / raw["packet"]
            if not packet.is_file():
                problems.append(doc.diag(at + ("packet",), f"no packet file {raw['packet']!r} (paths are relative to this file)", "test.missing-packet"))
        else:
            packet = _inline(doc, at + ("packet",), _merge(defaults, raw["packet"]))
        cases.append(Case(doc.source, raw["name"], doc.at(at)[0], packet, raw.get("target"),
                          parse_date(raw["as_of"]) if "as_of" in raw else None, raw["expect"]))
    names = [c.name for c in cases]
    for index, name in enumerate(names):
        if names.index(name) != index:
            problems.append(doc.diag(("cases", index, "name"), f"case name {name!r} is used twice in this file", "test.duplicate-name"))
    raise_if_errors(problems)
    return cases


def _merge(defaults: dict, packet: dict) -> dict:
    merged = copy.deepcopy(defaults)
    for key, value in packet.items():
        if key == "candidate" and isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _inline(doc: Document, at: tuple, data: dict) -> Document:
    """The inline packet as its own document, keeping the places it was written in the file."""
    doc.at(at)  # make sure positions are computed
    size = len(at)
    marks = {path[size:]: place for path, place in (doc.marks or {}).items() if path[:size] == at}
    keys = {path[size:]: place for path, place in doc.key_marks.items() if path[:size] == at}
    return Document(doc.source, data, marks, keys)


TESTED = "test"  # the verdict cache's kind for a case's judgement


def run_case(book: Rulebook, case: Case, cache: VerdictCache | None = None) -> Outcome:
    """The case judged (through `cache` when given: an unchanged case's judgement is kept) and
    held to what it expects."""
    outcome = Outcome(case)
    key = _key(cache, book, case)
    judged = cache.get(key) if key else None
    if judged is None:
        try:
            if isinstance(case.packet, Path):
                packet = load_packet(case.packet, book, case.as_of, case.target)
            else:
                packet = build_packet(case.packet, book, case.as_of, case.target)
        except LadderError as e:
            outcome.errors = tuple(e.diagnostics)
            outcome.problems = ["the packet is invalid:"] + [f"  {d.format()}" for d in e.diagnostics]
            return outcome
        evaluation = evaluate(book, packet)
        judged = (packet.target.id, {r.criterion.id: r.met for r in evaluation.all_evidence.results()},
                  explain(book, evaluation), evaluation.all_evidence.verdict, evaluation.verified_only.verdict)
        if key and _key(cache, book, case) == key:  # not edited while it was judged
            cache.put(key, judged)
    outcome.level, outcome.statuses, outcome.document, verdict, verified_only = judged
    expect = case.expect
    if "level" in expect and expect["level"] != outcome.level:
        outcome.problems.append(f"level: expected {expect['level']}, got {outcome.level}")
    items = _items(outcome.document)
    for key, actual in (("verdict", verdict), ("verified_only_verdict", verified_only)):
        if key in expect and expect[key] != actual:
            outcome.problems.append(f"{key.replace('_', ' ')}: expected {expect[key]}, got {actual}")
            if key == "verdict":
                outcome.problems += _deciding(outcome.document, expect[key], actual)
    for criterion_id, wanted in expect.get("criteria", {}).items():
        if criterion_id not in outcome.statuses:
            outcome.problems.append(f"{criterion_id}: no such criterion at {outcome.level}{validate.did_you_mean(criterion_id, outcome.statuses)}")
            continue
        got = "met" if outcome.statuses[criterion_id] else "unmet"
        if got != wanted:
            outcome.problems.append(f"{criterion_id}: expected {wanted}, got {got} - {items[criterion_id]['statement']}")
            outcome.problems += _records(items[criterion_id])
    return outcome


def _key(cache: VerdictCache | None, book: Rulebook, case: Case) -> bytes | None:
    """The case's key in the verdict cache: its packet file's bytes, or the inline packet's data
    (by value), with its target and as-of; None without a cache or a readable file."""
    if cache is None:
        return None
    if isinstance(case.packet, Path):
        try:
            content, label = case.packet.read_bytes(), display_path(case.packet)
        except OSError:
            return None
    else:
        content, label = repr(case.packet.data).encode("utf-8", "surrogatepass"), case.packet.source
    return cache.key(TESTED, book, label, content, case.target, case.as_of)


_RANK = {"not_ready": 0, "nearly": 1, "ready": 2}


def _deciding(document: dict, expected: str, actual: str) -> list[str]:
    """The criteria that decided a verdict other than the one expected: what is unmet when the
    verdict came out lower, and what counted toward the required criteria when it came out
    higher, each with its records."""
    lines = [f"    {document['headline']}"]
    lower = _RANK[actual] < _RANK[expected]
    for competency in document["competencies"]:
        for item in competency["criteria"]:
            if item["required"] and item["met"] != lower:
                mark = "✓" if item["met"] else "✗"
                lines.append(f"    {mark} {item['id']} ({competency['name']}): {item['statement']}")
                lines += ["    " + line for line in _records(item)]
    for points in document["points"]:
        if points["met"] != lower:
            scope = f" in {points['group']}" if points["group"] else ""
            lines.append(f"    {'✓' if points['met'] else '✗'} points{scope}: {points['observed']:g} of {points['needed']:g}")
    return lines


def _records(item: dict) -> list[str]:
    """The records a criterion counted, and the closest that did not count, with why."""
    lines = [f"    counts: {record_label(r)}" for r in item["counted"]]
    return lines + [f"    did not count: {record_label(m)}: {'; '.join(m['reasons'])}" for m in item["not_counted"][:5]]


def _items(document: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}

    def visit(items: list[dict]) -> None:
        for item in items:
            found[item["id"]] = item
            visit(item.get("children", []))
    for competency in document["competencies"]:
        visit(competency["criteria"])
    return found


# ------------------------------------------------------------------------------------ coverage

@dataclass(frozen=True)
class Coverage:
    seen: dict[tuple[str, str], frozenset[bool]]  # (level, criterion id) -> outcomes seen

    @property
    def percent(self) -> float:
        if not self.seen:
            return 100.0
        return 100.0 * sum(len(outcomes) for outcomes in self.seen.values()) / (2 * len(self.seen))

    def uncovered(self) -> list[tuple[str, str, str]]:
        """(level, criterion id, 'met' or 'unmet') never seen, in rulebook order."""
        return [(level, cid, word) for (level, cid), outcomes in self.seen.items()
                for word, flag in (("met", True), ("unmet", False)) if flag not in outcomes]


def coverage(book: Rulebook, outcomes: Iterable[Outcome]) -> Coverage:
    seen: dict[tuple[str, str], set[bool]] = {
        (level_id, criterion.id): set() for level_id, rules in book.rules.items() for criterion in rules.criteria()
    }
    for outcome in outcomes:
        for criterion_id, met in outcome.statuses.items():
            seen[(outcome.level, criterion_id)].add(met)
    return Coverage({key: frozenset(value) for key, value in seen.items()})


# ----------------------------------------------------------------------------------- JUnit XML

def junit_xml(outcomes: list[Outcome], broken: Iterable[Diagnostic] = ()) -> str:
    """JUnit XML, the report format CI systems read: one testcase per rule test case, and one
    with an <error> per broken test file (its cases never ran, which CI must not take for a pass).
    Text from the test files shows its hidden characters (`visible`): XML 1.0 cannot hold most
    controls at all, and a CI page shows the rest to people."""
    by_file: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_file.setdefault(outcome.case.file, []).append(outcome)
    problems: dict[str, list[Diagnostic]] = {}
    for diagnostic in sorted(broken):
        problems.setdefault(diagnostic.file, []).append(diagnostic)
    failures = sum(not o.passed for o in outcomes)
    suites = ET.Element("testsuites", name="ladder rule tests", tests=str(len(outcomes) + len(problems)),
                        failures=str(failures), errors=str(len(problems)))
    for source in sorted(set(by_file) | set(problems)):
        items, errors, file = by_file.get(source, []), problems.get(source, []), visible(source)
        suite = ET.SubElement(suites, "testsuite", name=file, tests=str(len(items) + bool(errors)),
                              failures=str(sum(not o.passed for o in items)), errors=str(int(bool(errors))), skipped="0")
        classname = Path(file).with_suffix("").as_posix().replace("/", ".")
        for outcome in items:
            case = ET.SubElement(suite, "testcase", classname=classname,
                                 name=visible(outcome.case.name), file=file, line=str(outcome.case.line))
            if not outcome.passed:
                failure = ET.SubElement(case, "failure", message=visible(outcome.problems[0]), type="RuleTestFailure")
                failure.text = "\n".join(visible(problem) for problem in outcome.problems)
        if errors:
            case = ET.SubElement(suite, "testcase", classname=classname, name="(test file)", file=file, line=str(errors[0].line))
            error = ET.SubElement(case, "error", message=errors[0].format(), type="BrokenTestFile")
            error.text = "\n".join(d.format() for d in errors)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def describe(outcome: Outcome) -> str:
    """One line per case, then the diff of a failure: each line with its hidden characters shown,
    so no case name or record title can pass for another line (a PASS)."""
    status = "PASS" if outcome.passed else "FAIL"
    lines = [f"{status} {visible(outcome.case.id)}" + (f" ({outcome.level})" if outcome.level else "")]
    lines += [f"    {visible(problem)}" for problem in outcome.problems]
    return "\n".join(lines)

