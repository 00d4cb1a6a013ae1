"""The rulebooks the API works with: the built-in one, and one read from a directory (shared by
the API's modules)."""
from __future__ import annotations

from pathlib import Path

from engine.reading.model import Rulebook
from engine.reading.rulebook import load_rulebook
from engine.reading.validate import data_dir


def default_rules_dir() -> Path:
    """The built-in dual-ladder rulebook."""
    return data_dir("rules")


def rulebook(directory: str | Path | None = None, cache: bool = True) -> Rulebook:
    """The rulebook in `directory` (default: the built-in one); `cache=False` reads it afresh."""
    return load_rulebook(directory or default_rules_dir(), use_cache=cache)
