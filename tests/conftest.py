"""Shared fixtures: the built-in rulebook, and helpers to write packets and rulebooks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine import api

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def book():
    """The default dual-ladder rulebook, loaded once."""
    return api.rulebook()


@pytest.fixture
def write_packet(tmp_path):
    """Write a packet dict as YAML and return its path."""
    def write(packet: dict, name: str = "packet.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(packet, sort_keys=False, allow_unicode=True))
        return path
    return write


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    """A writable copy of the default rulebook, for tests that change one file."""
    target = tmp_path / "rules"
    shutil.copytree(api.default_rules_dir(), target)
    return target


@pytest.fixture(autouse=True, scope="session")
def private_rulebook_cache(tmp_path_factory):
    """Tests (and the commands they start) cache rulebooks in a directory of their own, and keep
    no verdicts (a bound of 0): many tests put a fault into evaluation and must see it run, not
    an earlier test's verdict. The verdict cache's tests turn it on (tests/caching)."""
    import os
    os.environ["LADDER_CACHE_DIR"] = str(tmp_path_factory.mktemp("ladder-cache"))
    os.environ["LADDER_CACHE_MAX_MB"] = "0"
