"""The durable-rules fence (`engine.matching.core`) against every known fault of durable-rules 2.0.28.

Tests that could hang or crash the interpreter if the fence failed run in a child process with
a time limit, so a regression shows up as a failed test, not a dead test run."""
from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.matching import core
from engine.matching.glob import glob_matches

ROOT = Path(__file__).resolve().parents[2]


def run_child(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def record(key: str, **fields) -> core.Fact:
    return core.Fact(key, "rec", fields)


def rule(name: str, *tests: core.Test, kind: str = "rec") -> core.Rule:
    return core.Rule(name, (core.Pattern("m", kind, tests),))


def keys(matches, name):
    return sorted(m[-1] for m in matches[name])


def test_more_than_1024_sessions_in_one_process():
    engine = core.Engine([rule("lead", core.Test("role", "eq", "lead"))])
    for i in range(2500):
        matches = engine.run([record(f"r{i}", role="lead"), record(f"x{i}", role="none")])
        assert keys(matches, "lead") == [f"r{i}"]


def test_a_fact_no_rule_matches_does_not_lose_the_other_matches():
    engine = core.Engine([rule("lead", core.Test("role", "eq", "lead"))])
    facts = [record("a", role="lead"), core.Fact("odd", "other-kind", {"x": 1}), record("b", role="lead"), record("c", role="x")]
    assert keys(engine.run(facts), "lead") == ["a", "b"]


def test_records_with_identical_content_each_count():
    engine = core.Engine([rule("lead", core.Test("role", "eq", "lead"))])
    assert keys(engine.run([record("a", role="lead"), record("b", role="lead")]), "lead") == ["a", "b"]


@pytest.mark.parametrize("field", ["sid", "id", "k", "fk", "g", "$s"])
def test_user_fields_named_like_engine_internals_neither_loop_nor_leak(field):
    result = run_child(f"""
        from engine.matching import core
        engine = core.Engine([core.Rule("r", (core.Pattern("m", "rec", (core.Test({field!r}, "eq", 1),)),)),
                              core.Rule("p", (core.Pattern("m", "rec", (core.Test({field!r}, "present"),)),))])
        for i in range(3):
            m = engine.run([core.Fact("a", "rec", {{{field!r}: 1}}), core.Fact("b", "rec", {{{field!r}: 2}}), core.Fact("c", "rec", {{}})])
            assert sorted(x[-1] for x in m["r"]) == ["a"], m
            assert sorted(x[-1] for x in m["p"]) == ["a", "b"], m
        print("ok")
    """, timeout=20)
    assert result.stdout.strip() == "ok", result.stderr


def test_absent_terminates_and_matches_only_records_without_the_field():
    result = run_child("""
        from engine.matching import core
        engine = core.Engine([core.Rule("r", (core.Pattern("m", "rec", (core.Test("end", "absent"),)),))])
        m = engine.run([core.Fact("a", "rec", {"end": 3}), core.Fact("b", "rec", {})])
        print(sorted(x[-1] for x in m["r"]))
    """, timeout=20)
    assert result.stdout.strip() == "['b']", result.stderr


@pytest.mark.parametrize("threshold, values, expected", [
    (1e-07, {"a": 1e-08, "b": 1e-06, "c": 0.5}, ["b", "c"]),  # the engine refuses `1e-07` as written by json or repr
    (1e16, {"a": 1e15, "b": 1e17, "c": 10**30}, ["b", "c"]),  # and orjson refuses integers beyond 64 bits
    (-(10**20), {"a": -(10**21), "b": 0, "c": -1.5e-300}, ["b", "c"]),  # and clamps them itself
    (2**63, {"a": 2**62, "b": 2**64, "c": 10**19}, ["b", "c"]),
])
def test_numbers_of_any_size_reach_the_engine_as_numbers(threshold, values, expected):
    engine = core.Engine([rule("big", core.Test("v", "gte", threshold))])
    assert keys(engine.run([record(k, v=v) for k, v in values.items()]), "big") == expected


def _window_rule(*extra: core.Test) -> core.Rule:
    return core.Rule("w", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (core.Test("end", "gte", core.Ref("c", "cutoff")), *extra))))


def test_a_group_test_does_not_switch_off_cross_fact_comparisons():
    # durable-rules stopped evaluating the window after an `in` ($or) group: P-old was counted.
    engine = core.Engine([_window_rule(core.Test("role", "in", ("lead", "core")), core.Test("scope", "not_in", ("a", "b")))])
    facts = [core.Fact("ctx", "ctx", {"cutoff": 100}),
             record("new", role="lead", scope="c", end=150), record("old", role="core", scope="c", end=50),
             record("wrong-scope", role="lead", scope="a", end=150)]
    assert keys(engine.run(facts), "w") == ["new"]


def test_a_false_last_cross_fact_comparison_does_not_crash_the_interpreter():
    code = """
        from engine.matching import core
        engine = core.Engine([core.Rule("w", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (core.Test("end", "gte", core.Ref("c", "cutoff")),))))])
        for i in range(200):
            m = engine.run([core.Fact("ctx", "ctx", {"cutoff": 100})] + [core.Fact(f"r{j}", "rec", {"end": j * 7}) for j in range(30)])
        print(len(m["w"]))
    """
    result = run_child(code)
    assert result.returncode == 0 and result.stdout.strip() == "15", result.stderr


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_cross_fact_comparisons_make_no_invalid_reads_under_valgrind():
    code = textwrap.dedent("""
        from engine.matching import core
        engine = core.Engine([core.Rule("w", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (
            core.Test("end", "gte", core.Ref("c", "cutoff")), core.Test("start", "lte", core.Ref("c", "asof")),
            core.Test("role", "in", ("lead", "core")))))),
            core.Rule("j", (core.Pattern("m", "rec", (core.Test("role", "eq", "lead"),)),
                            core.Pattern("l", "doc", (core.Test("project", "eq", core.Ref("m", "id")),))))])
        facts = [core.Fact("ctx", "ctx", {"cutoff": 100, "asof": 200})]
        facts += [core.Fact(f"r{j}", "rec", {"id": f"r{j}", "end": j * 20, "start": j * 20, "role": ["lead", "core", "x"][j % 3]}) for j in range(15)]
        facts += [core.Fact(f"d{j}", "doc", {"project": f"r{j}"}) for j in range(0, 15, 2)]
        print(len(engine.run(facts)["w"]))
        idle = core.Engine([core.Rule(f"i{n}", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (
            core.Test("n", "eq", n), core.Test("end", "gte", core.Ref("c", "cutoff")))))) for n in range(40)])
        idle.run([core.Fact("ctx", "ctx", {"cutoff": 5}), core.Fact("a", "rec", {"n": 99, "end": 9})])
    """)
    result = subprocess.run(["valgrind", "--error-exitcode=99", sys.executable, "-c", code], capture_output=True,
                            text=True, timeout=600, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert "ERROR SUMMARY: 0 errors" in result.stderr, result.stderr[-3000:]
    assert result.stdout.strip() == "4"


def test_a_session_in_which_no_rule_fires_is_deleted_safely():
    result = run_child("""
        from engine.matching import core
        for size in (1, 35, 40, 48, 96):
            engine = core.Engine([core.Rule(f"i{n}", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (
                core.Test("n", "eq", n), core.Test("end", "gte", core.Ref("c", "cutoff")))))) for n in range(size)])
            for i in range(3):
                assert sum(map(len, engine.run([core.Fact("ctx", "ctx", {"cutoff": 5}), core.Fact("a", "rec", {"n": 999, "end": 9})]).values())) == 0
        print("ok")
    """)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_more_than_64_rules_matching_one_fact_do_not_overflow_the_engine():
    rules = [rule(f"r{i}", core.Test("n", "gte", i)) for i in range(150)]
    matches = core.Engine(rules).run([record("a", n=1000)])
    assert all(keys(matches, f"r{i}") == ["a"] for i in range(150))


def test_hundreds_of_joining_rules_compile_and_run():
    rules = [core.Rule(f"w{i}", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (
        core.Test("n", "eq", i), core.Test("end", "gte", core.Ref("c", "cutoff")))))) for i in range(600)]
    matches = core.Engine(rules).run([core.Fact("ctx", "ctx", {"cutoff": 5}), record("a", n=7, end=9), record("b", n=7, end=1)])
    assert keys(matches, "w7") == ["a"] and sum(len(v) for v in matches.values()) == 1


def test_facts_with_as_many_fields_as_rules_may_test_keep_their_matches():
    # With 250 tested fields (255 properties with ours) durable-rules lost the facts after the
    # first or crashed: so rules may test at most 249 fields of one kind of fact.
    result = run_child("""
        from engine.matching import core
        def run(width):
            names = [f"x{n}" for n in range(width)]
            rules = [core.Rule(f"r{n}", (core.Pattern("m", "rec", tuple(core.Test(x, "eq", 1) for x in names[n:n + 25])),))
                     for n in range(0, width, 25)]
            try:
                engine = core.Engine(rules)
            except ValueError as e:
                return str(e)
            matches = engine.run([core.Fact(key, "rec", dict.fromkeys(names, 1)) for key in "abc"])
            return sorted({len(found) for found in matches.values()})
        print(run(core.MAX_FACT_FIELDS))
        print(run(core.MAX_FACT_FIELDS + 1))
    """)
    assert result.stdout.splitlines() == ["[3]", "these rules test 250 fields of one kind of fact; at most 249"], \
        result.stdout + result.stderr[-2000:]


def test_two_kinds_of_fact_each_tested_on_the_most_fields_keep_their_matches_in_one_ruleset():
    # The limit is a fact's: a fact carries only the fields tested on its own kind, so one
    # ruleset may test MAX_FACT_FIELDS fields of each of two kinds (498 in all).
    result = run_child("""
        from engine.matching import core
        names = {kind: [f"{kind}{n}" for n in range(core.MAX_FACT_FIELDS)] for kind in ("rec", "ctx")}
        rules = [core.Rule(f"{kind}{n}", (core.Pattern("m", kind, tuple(core.Test(x, "eq", 1) for x in found[n:n + 25])),))
                 for kind, found in names.items() for n in range(0, len(found), 25)]
        engine = core.Engine(rules)
        assert len(engine._chunks) == 1
        facts = [core.Fact(kind + key, kind, dict.fromkeys(found, 1)) for kind, found in names.items() for key in "abc"]
        matches = engine.run(facts)
        print(len(matches), sorted({len(found) for found in matches.values()}))
    """)
    assert result.stdout.splitlines() == ["20 [3]"], result.stdout + result.stderr[-2000:]


def test_a_rule_over_the_expression_limit_is_refused():
    with pytest.raises(ValueError, match="expressions"):
        core.Engine([rule("big", *[core.Test(f"f{i}", "eq", i) for i in range(40)])])


def test_running_out_of_sessions_poisons_the_process():
    result = run_child("""
        import durable_rules_engine
        from engine.matching import core
        from engine.common.errors import EngineFault
        engine = core.Engine([core.Rule("r", (core.Pattern("m", "rec", (core.Test("x", "eq", 1),)),))])
        real = durable_rules_engine.delete_state
        durable_rules_engine.delete_state = lambda handle, sid: None   # leak every session
        try:
            for i in range(1100):
                engine.run([core.Fact("a", "rec", {"x": 1})])
            print("no fault")
        except EngineFault as e:
            print("fault:", e)
        durable_rules_engine.delete_state = real
        try:
            core.Engine([core.Rule("r", (core.Pattern("m", "rec", (core.Test("x", "eq", 1),)),))])
            print("usable")
        except EngineFault:
            print("poisoned")
    """)
    assert result.stdout.split("\n")[:2] == ["fault: durable-rules ran out of session slots", "poisoned"], result.stdout + result.stderr


@pytest.mark.parametrize("text, pattern, expected", [
    ("RFC-12: ledger", "RFC-*", True),
    ("rfc-12", "RFC-*", False),
    ("a.b", "a.b", True),
    ("axb", "a.b", False),
    ("(draft) plan", "(draft)*", True),
    ("café crème", "caf* crème", True),
    ("x+y=z", "x+y=*", True),
    ("a|b", "a|b", True),
    ("a", "a|b", False),
    ("", "*", True),
])
def test_glob_patterns_are_literal_except_for_star(text, pattern, expected):
    engine = core.Engine([rule("g", core.Test("t", "glob", pattern))])
    assert (keys(engine.run([record("a", t=text)]), "g") == ["a"]) is expected


def _glob_by_regex(pattern: str, text: str) -> bool:
    """What a glob means, said the obvious way (a backtracking regex: fine on short text)."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), text, re.DOTALL) is not None


# Few letters, so that pieces overlap, repeat and nearly match; newlines and regex metacharacters too.
_GLOB_TEXT = st.text(alphabet="ab\n.", max_size=12)


@settings(max_examples=1000, deadline=None)
@given(pattern=st.text(alphabet="ab\n.*", max_size=10), text=_GLOB_TEXT)
def test_glob_matching_means_what_the_regex_meant(pattern, text):
    assert glob_matches(pattern, text) is _glob_by_regex(pattern, text)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_GLOB_TEXT, min_size=1, max_size=5), fillers=st.lists(_GLOB_TEXT, min_size=6, max_size=6))
def test_a_text_built_from_a_glob_matches_it(pieces, fillers):
    # Random patterns rarely match random text: build texts that do, then break them.
    text = fillers[0] + "".join(piece + filler for piece, filler in zip(pieces, fillers[1:]))
    pattern = "*" + "*".join(pieces) + "*"
    assert glob_matches(pattern, text) and _glob_by_regex(pattern, text)
    assert glob_matches(pattern + "b", text + "a") is _glob_by_regex(pattern + "b", text + "a")


def test_a_glob_with_many_stars_answers_at_once():
    # As a regex, `*a*a...*a*b` over a text of a's with no b tries every way of placing the 20
    # stars (about 10**15): this child never ended. The timeout is generous, not a benchmark.
    result = run_child("""
        from engine.matching import core
        stars = "*a" * 20 + "*b"
        engine = core.Engine([core.Rule("g", (core.Pattern("m", "rec", (core.Test("t", "glob", stars),)),))])
        for _ in range(20):
            matches = engine.run([core.Fact("no", "rec", {"t": "a" * 60}), core.Fact("yes", "rec", {"t": "a" * 60 + "b"})])
        print(matches["g"])
    """, timeout=60)
    assert result.stdout.strip() == "[('yes',)]", result.stderr


@pytest.mark.parametrize("text, part, expected", [
    ("uses * as a wildcard", "*", True), ("a.b", ".", True), ("ab", ".", False), ("naïve", "ï", True),
])
def test_contains_text_is_a_literal_substring(text, part, expected):
    engine = core.Engine([rule("c", core.Test("t", "contains_text", part))])
    assert (keys(engine.run([record("a", t=text)]), "c") == ["a"]) is expected


@pytest.mark.parametrize("part", ["cccac", "aaaé", "本本本é", "ybybbc", '50% "q" \\ ]', "tab\there"])
def test_text_tests_hold_for_text_the_engines_regex_compiler_cannot_take(part):
    # durable-rules refused `.*cccac.*` as a regex (error 503, out of states) and cannot write " % \ ]
    engine = core.Engine([rule("c", core.Test("t", "contains_text", part)), rule("g", core.Test("t", "glob", f"*{part}"))])
    matches = engine.run([record("yes", t=f"x {part}"), record("no", t=part[:-1]), record("other", t=7), record("none")])
    assert (keys(matches, "c"), keys(matches, "g")) == (["yes"], ["yes"])


def test_the_engines_regex_compiler_runs_out_of_states_on_plain_text():
    # Why text tests never reach the engine as regexes: it cannot compile this one.
    result = run_child("""
        import json, durable_rules_engine as e
        for n, text in enumerate(["abcde", "cccac"]):
            try:
                e.create_ruleset(f"x{n}", json.dumps({"r": {"all": [{"m": {"$mt": {"t": f".*{text}.*"}}}]}}))
                print(text, "ok")
            except Exception as error:
                print(text, error)
    """)
    assert result.stdout.splitlines() == ["abcde ok", "cccac Could not create ruleset, error code: 503"], result.stdout + result.stderr


def _fnv1a32(text: str) -> int:
    """The hash durable-rules indexes a session's facts by (`fnv1Hash32`, src/rules/state.c)."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ (byte if byte < 0x80 else byte | 0xFFFFFF00)) * 16777619) & 0xFFFFFFFF
    return h


# Two records that durable-rules, left to make up the facts' ids from their content (session
# included), indexes under one 32-bit key in session s500000 (found by a birthday search over
# ... with the engine's hash reproduced): it kept one and dropped the other.
ALIKE_IN_S500000 = ("R-83955", "R-124992")


def test_the_engine_drops_a_fact_whose_index_key_is_taken():
    # Why core gives every fact an id of its own: as facts reach the engine without one, and
    # with ids such as our own keys (R-43987 and R-382880 hash alike).
    result = run_child(f"""
        import json, durable_rules_engine as e
        handle = e.create_ruleset("alike", json.dumps({{"r": {{"all": [{{"m": {{"k": "rec"}}}}]}}}}))
        def run(sid, facts):
            code, state = e.assert_facts(handle, json.dumps([dict(f, k="rec", g=1, sid=sid) for f in facts]))
            seen, result = [], e.start_action_for_state(handle, state)
            while result:
                frames = json.loads(result[1])["r"]
                seen += [f["m"]["fk"] for f in (frames if isinstance(frames, list) else [frames])]
                following = e.complete_and_start_action(handle, state)
                result = (None, following) if following else None
            e.delete_state(handle, sid)
            return code, sorted(seen)
        print(run("s500000", [{{"f_score": 1, "fk": key}} for key in {ALIKE_IN_S500000!r}]))
        print(run("s500001", [{{"f_score": 1, "fk": key}} for key in {ALIKE_IN_S500000!r}]))
        print(run("s1", [{{"fk": "a", "id": "R-43987"}}, {{"fk": "b", "id": "R-382880"}}]))
    """)
    assert result.stdout.splitlines() == ["(2, ['R-83955'])", "(0, ['R-124992', 'R-83955'])", "(2, ['a'])"], result.stdout + result.stderr
    assert _fnv1a32("R-43987") == _fnv1a32("R-382880")


def test_records_the_engine_would_index_alike_each_count(monkeypatch):
    engine = core.Engine([rule("scored", core.Test("score", "gte", 0))])
    alike = [record(key, score=1) for key in ALIKE_IN_S500000]
    # After a fact no rule matches, the engine did not even report the dropped one: a match
    # was lost silently.
    for facts in (alike, [*alike, record("unscored", score=-1)], [record("R-43987", score=1), record("R-382880", score=1)]):
        monkeypatch.setattr(core, "_sessions", itertools.count(500_000))
        assert keys(engine.run(facts), "scored") == sorted(f.key for f in facts if f.fields["score"] >= 0)


def test_no_fact_takes_the_index_key_of_its_session_s_own_state(monkeypatch):
    # The engine stores a session's state as a fact with id `sid-<sid>`, in the same table: in
    # session s900393640 that id hashes like "46".
    assert _fnv1a32("sid-s900393640") == _fnv1a32("46")
    monkeypatch.setattr(core, "_sessions", itertools.count(900_393_640))
    engine = core.Engine([rule("scored", core.Test("score", "gte", 0))])
    facts = [record(f"R-{n}", score=n) for n in range(60)]
    assert keys(engine.run(facts), "scored") == sorted(f.key for f in facts)


@pytest.mark.parametrize("sid", ["s1", "s2", "s900393640", "s4294967296"])
def test_the_ids_of_a_session_s_facts_never_share_an_index_key(sid):
    ids = core._FACT_IDS.for_session(5000, sid)[:5000]
    assert len({_fnv1a32(i) for i in ids} | {_fnv1a32(f"sid-{sid}")}) == 5001
    assert ids == core._FACT_IDS.for_session(5000, sid)[:5000]  # the same every time: outputs stay byte-identical


def test_a_closed_engine_refuses_to_run():
    engine = core.Engine([rule("r", core.Test("x", "eq", 1))])
    engine.close()
    engine.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="closed"):
        engine.run([record("a", x=1)])
