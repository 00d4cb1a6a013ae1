"""The rulebook cache: a hit for an unchanged rulebook, never a stale one."""
from __future__ import annotations

import pytest

from engine.reading import cache
from engine.reading.rulebook import load_rulebook


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LADDER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_unchanged_rulebook_comes_from_the_cache(rules_copy, cache_dir, monkeypatch):
    first = load_rulebook(rules_copy)
    assert len(list(cache_dir.glob("rulebook-*.pickle"))) == 1
    monkeypatch.setattr("engine.reading.rulebook._build", lambda *a: pytest.fail("rebuilt an unchanged rulebook"))
    again = load_rulebook(rules_copy)
    assert again == first and again.compiled_cache == {}


def test_a_changed_rule_file_is_never_served_stale(rules_copy, cache_dir):
    load_rulebook(rules_copy)
    level = rules_copy / "levels" / "developer.yaml"
    level.write_text(level.read_text().replace("at_least: 3", "at_least: 4"))
    changed = load_rulebook(rules_copy)
    assert {c.id: c for c in changed.rules["developer"].criteria()}["code-reviews"].at_least == 4
    assert len(list(cache_dir.glob("rulebook-*.pickle"))) == 2


def test_a_damaged_entry_is_a_miss(rules_copy, cache_dir):
    book = load_rulebook(rules_copy)
    (entry,) = cache_dir.glob("rulebook-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_rulebook(rules_copy) == book


def test_the_cache_can_be_turned_off(rules_copy, cache_dir, monkeypatch):
    monkeypatch.setenv("LADDER_NO_CACHE", "1")
    load_rulebook(rules_copy)
    assert not cache_dir.exists()
    assert cache.get("0" * 64, "rules") is None
