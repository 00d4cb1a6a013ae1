"""The meeting page in a real Chromium (Playwright), against a real `ladder serve` process over a
store made by `ladder cycle open` from fixtures/cohorts/spring-2026: the agenda, a filter, a
decision, an override without a reason, and two people deciding the same candidate at once.
A failing test leaves a screenshot of each page it had open in tmp/artifacts/."""
from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; .ci/run installs it)")


def _ladder(*args: str, **options) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True, timeout=300, **options)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`ladder serve` on a free port over a new store holding cycle spring-2026: its address,
    token included, as it printed it."""
    db = str(tmp_path_factory.mktemp("meeting") / "ladder.db")
    opened = _ladder("cycle", "open", "spring-2026", "fixtures/cohorts/spring-2026", "--db", db, cwd=ROOT)
    assert opened.returncode == 0, opened.stderr
    process = subprocess.Popen([sys.executable, "-m", "engine", "serve", "spring-2026", "--db", db], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        address = None
        while address is None:
            line = lines.get(timeout=60)
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line)
            address = found.group(0) if found else None
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert "Traceback" not in process.stderr.read()


def _open(browser, address: str, screenshots: list, scripts: bool = True):
    """A new browser window (its own cookies) with the printed address opened in it."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=scripts)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A refused form comes back as 409 or 422, which Chromium reports on the console too: that is expected.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not re.search(r"status of (409|422)\b", message.text) else None)
    screenshots.append(page)
    page.goto(address)
    return page, errors


def _ids(page, selector: str = "") -> list[str]:
    return page.eval_on_selector_all(f"{selector} tr.person td.id a", "links => links.map(a => a.textContent)")


def test_the_agenda_leads_to_a_candidate_and_the_roster_filters(browser, served, screenshots_on_failure):
    page, errors = _open(browser, served, screenshots_on_failure)
    assert "token=" not in page.url and page.inner_text("h1") == "Agenda"  # the token left the address bar
    headings = page.eval_on_selector_all("main section h2", "hs => hs.map(h => h.textContent)")
    assert [re.sub(r" \(\d+\)$", "", h) for h in headings] == [
        "1. Nominated, not ready", "2. Ready, not nominated", "3. Nominated, nearly ready", "4. Nearly ready, not nominated",
        "5. Everyone else"]
    first = _ids(page, "#nominated-not-ready")[0]
    page.click("#nominated-not-ready tr.person >> nth=0 >> td:nth-child(2) a")
    assert page.is_visible("table.criteria") and f"({first})" in page.inner_text("h1")
    assert page.is_visible("#history") and page.is_visible("form.decide")

    page.click("nav.site >> text=Roster")
    assert len(_ids(page)) == 60
    verdicts = page.eval_on_selector_all("tr.person", "rows => rows.map(r => r.dataset.verdict)")
    nearly = verdicts.count("nearly")  # the cohort's own count: the page must agree with itself, script and server
    assert 1 < nearly < 60
    page.select_option("#roster-verdict", "nearly")  # the script filters the page at once...
    assert page.inner_text("#roster-count") == f"{nearly} of 60 candidates"
    page.click("#roster-tools button[type=submit]")  # ...and Apply asks the server
    assert "verdict=nearly" in page.url and len(_ids(page)) == nearly and page.inner_text("#roster-matched").startswith(f"{nearly} of 60")
    assert set(page.eval_on_selector_all("tr.person", "rows => rows.map(r => r.dataset.verdict)")) == {"nearly"}
    surname = page.inner_text("tr.person >> nth=0 >> td:nth-child(2)").split()[-1]
    page.fill("#roster-filter", surname)
    shown = len(page.eval_on_selector_all("tr.person:not([hidden])", "rows => rows"))
    assert 1 <= shown < nearly
    assert errors == []  # no script error, and no script or style refused by the page's own policy


def test_without_scripts_the_roster_still_filters_and_sorts(browser, served, screenshots_on_failure):
    page, errors = _open(browser, served, screenshots_on_failure, scripts=False)
    page.click("nav.site >> text=Roster")
    page.select_option("#roster-verdict", "ready")
    page.select_option("#roster-sort", "name")
    page.select_option("#roster-order", "desc")
    page.click("#roster-tools button[type=submit]")
    names = page.eval_on_selector_all("tr.person td:nth-child(2) a", "links => links.map(a => a.textContent)")
    assert len(names) == 20 and names == sorted(names, key=str.casefold, reverse=True)
    assert page.inner_text("#roster-matched").startswith("20 of 60") and errors == []


def test_a_decision_an_override_without_a_reason_and_a_conflict(browser, served, screenshots_on_failure):
    page, errors = _open(browser, served, screenshots_on_failure)
    page.goto(served.split("?")[0] + "roster?verdict=ready&sort=id")
    ready = _ids(page)[0]
    page.click("tr.person >> nth=0 >> td:nth-child(2) a")
    page.check("input[name=decision][value=promote]")
    page.fill("input[name=by]", "Ana")
    page.click("form.decide button[type=submit]")
    assert page.inner_text(".recorded") == "Recorded: promote (version 1)."
    assert "promote" in page.inner_text("#history tbody tr >> nth=0") and ready in page.inner_text("h1")

    page.goto(served.split("?")[0] + "roster?verdict=not_ready&decision=none")
    not_ready = _ids(page)[0]
    page.click("tr.person >> nth=0 >> td:nth-child(2) a")
    page.check("input[name=decision][value=promote]")
    page.fill("input[name=by]", "Ana")
    page.click("form.decide button[type=submit]")
    assert page.inner_text("#problem") == f"promoting {not_ready}, judged not ready by the rules, is an override: give the reason"
    assert page.is_checked("input[name=decision][value=promote]") and page.inner_text("#history").endswith("No decision yet.")

    # Two members of the committee have the same candidate open; both decide.
    page.goto(served.split("?")[0] + "roster?verdict=nearly&decision=none")
    page.click("tr.person >> nth=0 >> td:nth-child(2) a")
    other, other_errors = _open(browser, served, screenshots_on_failure)
    other.goto(page.url)
    page.check("input[name=decision][value=defer]")
    page.fill("input[name=by]", "Ana")
    page.click("form.decide button[type=submit]")
    assert page.inner_text(".recorded") == "Recorded: defer (version 1)."
    other.check("input[name=decision][value=promote]")
    other.fill("textarea[name=reason]", "Shipped the second design doc")
    other.fill("input[name=by]", "Bo")
    other.click("form.decide button[type=submit]")
    conflict = other.inner_text(".conflict")
    assert "Not recorded: someone decided on this candidate" in conflict and "The decision now in force: defer, by Ana" in conflict
    assert other.input_value("textarea[name=reason]") == "Shipped the second design doc"  # nothing typed is lost either
    assert other.inner_text("#history tbody").count("\n") == 0  # one decision: Ana's; Bo's was not written over it
    assert errors == [] and other_errors == []
