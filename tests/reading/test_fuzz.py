"""Fuzzing the readers: every input ends in a result or in located diagnostics, in bounded time.

Hypothesis (strategies in fuzz_strategies.py) feeds bytes and text to the loader, broken
packets to the packet builder (and a packet that still builds on to evaluation, its
explanation and a plan: a verdict), and broken rulebooks to the rulebook builder, from data and from
files; a few cases go through the command line too. No exception but LadderError may escape,
every diagnostic is placed (line and column from 1) and printable, and no case may take longer
than DEADLINE. CI runs about 2,400 cases in all, in about half a minute; each property has a
nightly twin (`.ci/nightly`) running fuzz_strategies.NIGHTLY times as many."""
from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fuzz_strategies import RULES, STRINGS, hostile_bytes, packets, rulebook_data, rulebooks, token_soup, twins
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api
from engine.cohorts import cohort
from engine.common.errors import Diagnostic, LadderError, NoPackets
from engine.explaining.explain import explain
from engine.explaining.plan import plan
from engine.matching.evaluate import evaluate
from engine.reading import load
from engine.reading.model import Rulebook
from engine.reading.packet import build_packet
from engine.reading.rulebook import EVIDENCE_FILE, LADDER_FILE, LEVELS_DIR, load_rulebook, rulebook_from_data

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = timedelta(seconds=5)  # a case takes milliseconds: this catches a hang or a blow-up, not noise
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# `test_x, test_x_nightly = fuzz(n, ...)(x)`: CI's test of n cases and the nightly one's
fuzz = functools.partial(twins, deadline=DEADLINE, suppressed=SUPPRESSED)


def placed(error: LadderError) -> None:
    """What every refusal must be: diagnostics, each at a place, each printable as UTF-8."""
    assert error.diagnostics, "a LadderError without diagnostics"
    for diagnostic in error.diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.line >= 1 and diagnostic.col >= 1 and diagnostic.code and diagnostic.message, diagnostic
        diagnostic.format().encode("utf-8")


@functools.cache
def book() -> Rulebook:
    rulebook = api.rulebook()
    explain(rulebook, evaluate(rulebook, build_packet(load.load_file(ROOT / "fixtures/packets/ic-developer-ready.yaml"), rulebook)))
    return rulebook  # compiled and warm: the first case is not charged for it


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module", autouse=True)
def no_rulebook_cache():
    """Hundreds of broken-but-valid rulebooks are not worth caching on disk."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LADDER_NO_CACHE", "1")
        yield


# -------------------------------------------------------------------------------- the loader

def read_file(path: Path) -> list[load.Document]:
    """What a command reads from `path`: a file's document, or each JSON Lines line's (none from
    a JSON Lines file holding no packets: the command line refuses it, a usage error)."""
    if cohort.is_jsonl(path):
        try:
            items = list(cohort.items(path))
        except NoPackets as e:
            assert e.problems and str(e)
            return []
        return [cohort.read(item) for item in items]
    return [load.load_file(path)]


def _loader_reads_bytes(scratch: Path, content: bytes, suffix: str) -> None:
    path = scratch / f"input{suffix}"
    path.write_bytes(content)
    try:
        documents = read_file(path)
    except LadderError as e:
        placed(e)
    else:
        for document in documents:
            json.dumps(document.data)  # plain data
            document.at(())  # and places, for the JSON read lazily


test_loader_answers_any_bytes, test_loader_answers_any_bytes_nightly = fuzz(
    900, content=hostile_bytes(), suffix=st.sampled_from([".yaml", ".json", ".jsonl"]))(_loader_reads_bytes)


def _loader_reads_text(text: str) -> None:
    for loader in (load.load_yaml_text, load.load_json_text):
        try:
            loader(text, "fuzz")
        except LadderError as e:
            placed(e)


any_text = st.one_of(token_soup, st.text(st.characters(codec=None, categories=None), max_size=200))  # surrogates too
test_loader_answers_any_text, test_loader_answers_any_text_nightly = fuzz(400, text=any_text)(_loader_reads_text)


# ------------------------------------------------------------------------ the packet builder

def _packet_gets_a_verdict_or_diagnostics(data: Any, as_of, target: str | None, read: bool) -> None:
    """`read`: through the JSON loader, with places; else as data (as tests and generators do)."""
    rulebook = book()
    try:
        document = load.load_json_text(json.dumps(data, ensure_ascii=False), "fuzz.json") if read else load.Document("fuzz", data, {})
        packet = build_packet(document, rulebook, as_of, target)
    except LadderError as e:
        placed(e)
        return
    verdict = explain(rulebook, evaluate(rulebook, packet))
    assert verdict["verdict"] in ("ready", "nearly", "not_ready")
    json.dumps(verdict, ensure_ascii=False).encode("utf-8")
    assert plan(rulebook, packet)["plans"]  # next steps too: date arithmetic on whatever as_of came


targets = st.none() | st.sampled_from(["developer", "staff-engineer", "engineering-manager", "vp-of-engineering", "junior-developer"]) \
    | st.sampled_from(STRINGS)
test_packet_builder_answers_broken_packets, test_packet_builder_answers_broken_packets_nightly = fuzz(
    600, data=packets(), as_of=st.none() | st.dates(), target=targets, read=st.booleans())(_packet_gets_a_verdict_or_diagnostics)


@pytest.mark.parametrize("candidate, record", [({"track": None}, {"type": None}), ("E-1", "E-1")])
def test_a_packet_with_one_error_twice_at_one_place_is_refused_not_crashed(candidate, record):
    """Found by fuzzing: a packet given as data (no places, so every error is at 1:1) whose
    candidate and first record break a rule the same way: both errors keep their paths, and the
    builder skips the broken candidate instead of reading it."""
    data = load.load_file(ROOT / "fixtures/packets/ic-developer-ready.yaml").data
    data["candidate"] = {**data["candidate"], **candidate} if isinstance(candidate, dict) else candidate
    data["evidence"][0] = {**data["evidence"][0], **record} if isinstance(record, dict) else record
    with pytest.raises(LadderError) as caught:
        build_packet(load.Document("packet", data, {}), book())
    placed(caught.value)


# ---------------------------------------------------------------------- the rulebook builder

def _rulebook_from_data(parts: tuple) -> None:
    ladder, evidence, levels = parts
    try:
        built = rulebook_from_data(ladder, evidence, levels, source="fuzz")
    except LadderError as e:
        placed(e)
    else:
        assert isinstance(built, Rulebook)


test_rulebook_builder_answers_broken_rulebooks, test_rulebook_builder_answers_broken_rulebooks_nightly = fuzz(
    250, parts=rulebooks())(_rulebook_from_data)


def write_rulebook(directory: Path, ladder: Any, evidence: Any, levels: list) -> None:
    """Each part as a rule file: JSON, which is YAML too (raw text, so no escape YAML reads otherwise)."""
    shutil.rmtree(directory, ignore_errors=True)
    (directory / LEVELS_DIR).mkdir(parents=True)
    (directory / LADDER_FILE).write_text(json.dumps(ladder, ensure_ascii=False))
    (directory / EVIDENCE_FILE).write_text(json.dumps(evidence, ensure_ascii=False))
    for index, level in enumerate(levels):
        (directory / LEVELS_DIR / f"{index:02}.yaml").write_text(json.dumps(level, ensure_ascii=False))


def _rulebook_from_files(scratch: Path, parts: tuple) -> None:
    write_rulebook(scratch / "rules", *parts)
    try:
        built = load_rulebook(scratch / "rules")
    except LadderError as e:
        placed(e)
    else:
        assert isinstance(built, Rulebook)


test_rulebook_files_answer_when_broken, test_rulebook_files_answer_when_broken_nightly = fuzz(
    120, parts=rulebooks())(_rulebook_from_files)


RULE_FILES = [path.relative_to(RULES) for path in sorted(RULES.rglob("*.yaml")) if path.parts[len(RULES.parts)] != "tests"]


def _rulebook_from_bytes(scratch: Path, name: Path, content: bytes) -> None:
    directory = scratch / "rules-bytes"
    if not directory.is_dir():
        shutil.copytree(RULES, directory)
    original = (RULES / name).read_bytes()
    (directory / name).write_bytes(content)
    try:
        load_rulebook(directory)
    except LadderError as e:
        placed(e)
    finally:
        (directory / name).write_bytes(original)


test_rulebook_files_answer_any_bytes, test_rulebook_files_answer_any_bytes_nightly = fuzz(
    120, name=st.sampled_from(RULE_FILES), content=hostile_bytes())(_rulebook_from_bytes)


# ------------------------------------------------------------------------- the command line

def _cli_exit(scratch: Path, command: str, content: bytes, suffix: str) -> None:
    """Through `python -m engine`: exit 1 exactly when the library finds the packet invalid (0
    when it is valid), and never a traceback."""
    path = scratch / f"cli{suffix}"
    path.write_bytes(content)
    try:
        cohort.load(book(), cohort.Item(str(path), path))
        expected = 0
    except LadderError:
        expected = 1
    result = subprocess.run([sys.executable, "-m", "engine", command, str(path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expected, result.stdout + result.stderr


test_the_command_line_answers_hostile_packets, test_the_command_line_answers_hostile_packets_nightly = fuzz(
    8, command=st.sampled_from(["evaluate", "validate"]), content=hostile_bytes(), suffix=st.sampled_from([".yaml", ".json"]))(_cli_exit)


def test_the_fuzz_strategies_reach_their_targets():
    """The broken packets stay close enough to valid that some still build (so evaluation is
    reached) and some are refused by the builder's own checks, not only by the schema."""
    rulebook = book()
    ladder, evidence, levels = rulebook_data()
    assert isinstance(rulebook_from_data(ladder, evidence, list(levels)), Rulebook)
    outcomes: dict[str, int] = {"built": 0, "refused": 0, "by the builder": 0}

    # Derandomized: a statistic over random draws would fail now and then; a fixed sequence of
    # draws is measured once and stays measured.
    @settings(max_examples=200, deadline=None, suppress_health_check=SUPPRESSED, database=None, derandomize=True)
    @given(data=packets())
    def count(data):
        try:
            build_packet(load.Document("fuzz", data, {}), rulebook)
            outcomes["built"] += 1
        except LadderError as e:
            outcomes["refused"] += 1
            outcomes["by the builder"] += any(d.code.startswith("packet.") for d in e.diagnostics)
    count()
    assert outcomes["built"] >= 5 and outcomes["refused"] >= 100 and outcomes["by the builder"] >= 5, outcomes
