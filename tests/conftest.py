"""Shared fixtures: the built-in rulebook, and helpers to write packets and rulebooks."""
from __future__ import annotations

import os
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


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def pytest_sessionstart(session):
    """Where the browser tests must run (CI sets LADDER_REQUIRE_CHROMIUM, as it sets
    LADDER_REQUIRE_POSTGRES), a missing Chromium stops the run at once instead of skipping them."""
    if CHROMIUM is None and os.environ.get("LADDER_REQUIRE_CHROMIUM"):
        raise pytest.UsageError("LADDER_REQUIRE_CHROMIUM is set and no chromium is on PATH: install Debian's chromium "
                                "package (.ci/run does), or unset it to skip the browser tests")


# Where browser tests leave a screenshot of each page open when they fail (CI keeps the directory).
ARTIFACTS = Path(os.environ.get("LADDER_ARTIFACTS", ROOT / "tmp" / "artifacts"))


@pytest.fixture(scope="module")
def browser():
    """Chromium driven by Playwright (the system Chromium: Playwright's own download is not needed)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report kept on the test (`item.outcome_<phase>`), for fixtures that act on a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"outcome_{report.when}", report)


@pytest.fixture
def screenshots_on_failure(request):
    """A list to add Playwright pages to: if the test fails, each is saved as a full-page PNG in
    ARTIFACTS (named for the test), so a failure in CI shows what the browser showed."""
    pages: list = []
    yield pages
    report = getattr(request.node, "outcome_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
        for number, page in enumerate(pages, 1):
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
            except Exception as e:  # a closed page: say so, and keep the test's own failure in view
                print(f"no screenshot of page {number}: {e}")
