"""The meeting page (`ladder serve`) as a committee uses it, through Starlette's TestClient: the
real application over a real store (SQLite, and PostgreSQL where the `db` fixture has it).
Its pages here are beside the store's tests, whose fixtures they use; tests/cycles/
test_meeting_browser.py drives a real `ladder serve` in Chromium."""
from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from click.testing import CliRunner
from conftest import NEARLY, NOT_READY, PACKETS, READY
from starlette.testclient import TestClient

from engine import api
from engine.calibration.calibrate import Calibration
from engine.cli import main
from engine.cycles import roster
from engine.meeting.app import create_app
from engine.meeting.guard import Secrets
from engine.meeting.pages import Meeting
from engine.meeting.serving import RemoteRefused, check_host

ROOT = Path(__file__).resolve().parent.parent.parent
SPRING = ROOT / "fixtures" / "cohorts" / "spring-2026"
MARKUP_NAME = '<script>alert("name")</script> & <b>Bold</b>'
MARKUP_MANAGER = '"><img src=x onerror=alert(1)>'


class Page:
    """A browser's view of the meeting page: the client, its cookie, and the server's secrets."""

    def __init__(self, store, cycle: str) -> None:
        self.keys = Secrets()
        self.client = TestClient(create_app(Meeting(store, cycle), self.keys), raise_server_exceptions=False)
        assert self.client.get(f"/?token={self.keys.token}").status_code == 200  # trade the token for the cookie

    def get(self, path: str, **params):
        return self.client.get(path, params=params)

    def decide(self, label: str, decision: str, reason: str = "", by: str = "ana", version: int | None = None, csrf: str | None = None):
        form = {"decision": decision, "reason": reason, "by": by, "csrf": self.keys.csrf if csrf is None else csrf}
        if version is not None:
            form["version"] = str(version)
        return self.client.post(packet_url(label), data={k: v for k, v in form.items() if v is not None}, follow_redirects=False)


def packet_url(label: str) -> str:
    return "/candidates/" + label


def label_of(store, cycle: str, candidate: str) -> str:
    return store.entry(cycle, candidate).label


def text_of(html: str) -> str:
    """What a person reads: the text without its tags."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def ids_in(html: str, section: str | None = None) -> list[str]:
    """The candidate ids a page's tables list (in one agenda section if named), in order."""
    if section is not None:
        html = html[html.index(f'<section id="{section}">'):]
        html = html[:html.index("</section>")]
    return [unescape(i) for i in re.findall(r'<td class="id"><a href="[^"]*">([^<]*)</a>', html)]


@pytest.fixture
def page(spring):
    return Page(spring, "spring")


# ---------------------------------------------------------------------------------- the token


def test_every_request_without_the_access_token_is_forbidden(spring):
    keys = Secrets()
    client = TestClient(create_app(Meeting(spring, "spring"), keys))
    label = label_of(spring, "spring", READY)
    for path in ("/", "/roster", packet_url(label), "/nowhere", f"/?token={keys.token}x", "/?token="):
        refused = client.get(path)
        assert refused.status_code == 403 and "access token" in refused.text, path
    assert client.post(packet_url(label), data={"decision": "promote", "by": "x", "version": "0", "csrf": keys.csrf}).status_code == 403
    assert spring.history("spring", READY) == []


def test_the_token_becomes_an_httponly_strict_cookie_and_leaves_the_address(spring):
    keys = Secrets()
    client = TestClient(create_app(Meeting(spring, "spring"), keys))
    traded = client.get(f"/roster?verdict=ready&token={keys.token}", follow_redirects=False)
    assert traded.status_code == 303 and traded.headers["location"] == "/roster?verdict=ready"
    cookie = traded.headers["set-cookie"]
    assert keys.token in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/roster?verdict=ready").status_code == 200  # the cookie now opens every page
    other = TestClient(create_app(Meeting(spring, "spring"), Secrets()))  # another server: the cookie is not its own
    other.cookies = client.cookies
    assert other.get("/").status_code == 403


def test_every_page_tells_the_browser_not_to_cache_leak_the_address_or_run_foreign_scripts(page):
    for response in (page.get("/"), page.get("/roster"), page.client.get("/nowhere")):
        headers = response.headers
        assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
        assert "script-src 'nonce-" in headers["content-security-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", headers["content-security-policy"]).group(1)
        assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script[^>]*>", response.text))


def test_a_post_without_the_csrf_token_is_forbidden_and_records_nothing(page, spring):
    label = label_of(spring, "spring", READY)
    for csrf in ("", "forged"):
        refused = page.decide(label, "promote", version=0, csrf=csrf)
        assert refused.status_code == 403 and "CSRF" in refused.text
    missing = page.client.post(packet_url(label), data={"decision": "promote", "by": "ana", "version": "0"})
    assert missing.status_code == 403
    assert spring.history("spring", READY) == []


# ------------------------------------------------------------------------------- the pages


def test_the_agenda_takes_the_nominated_not_ready_first_then_the_nearly_then_the_rest(page, spring):
    agenda = page.get("/")
    assert agenda.status_code == 200
    html = agenda.text
    assert ids_in(html, "nominated-not-ready") == [NOT_READY] and ids_in(html, "ready-not-nominated") == []
    assert ids_in(html, "nominated-nearly") == [NEARLY]
    assert ids_in(html, "rest") == [READY, "—"]  # the nominated and ready, then the invalid packet
    order = [html.index(f'<section id="{key}">') for key in
             ("nominated-not-ready", "ready-not-nominated", "nominated-nearly", "nearly-not-nominated", "rest")]
    assert order == sorted(order)


def test_the_agenda_groups_a_cohort_as_the_committee_report_does(tmp_path):
    """The spring-2026 cohort has candidates in every list: each agenda section holds exactly
    the report's list (from `ladder calibrate`'s own code), in the report's order."""
    with api.open_store(str(tmp_path / "ladder.db")) as store:
        api.open_cycle(store, "spring-2026", SPRING)
        book = api.rulebook()
        calibration = Calibration(book, "spring-2026", keep_pages=False)
        for item in store.evaluated("spring-2026"):
            calibration.add(item)
        lists = calibration.report()["nominations"]
        html = Page(store, "spring-2026").get("/").text
    for section, key in (("nominated-not-ready", "nominated_not_ready"), ("ready-not-nominated", "ready_not_nominated"),
                         ("nominated-nearly", "nominated_nearly"), ("nearly-not-nominated", "nearly_not_nominated")):
        assert ids_in(html, section) == [row["id"] for row in lists[key]] and lists[key], section
    rest = ids_in(html, "rest")
    assert rest[:len(lists["nominated_ready"])] == [row["id"] for row in lists["nominated_ready"]]
    assert len(ids_in(html)) == 60  # every packet once, the 3 invalid ones too


def test_the_roster_filters_and_sorts_on_the_server_without_scripts(page, spring):
    everyone = page.get("/roster")
    assert ids_in(everyone.text) == sorted([READY, NEARLY, NOT_READY]) + ["—"] and "4 candidates" in everyone.text
    assert ids_in(page.get("/roster", verdict="nearly").text) == [NEARLY]
    assert ids_in(page.get("/roster", q="priya").text) == [NEARLY]  # by name, ignoring case
    assert ids_in(page.get("/roster", q="NIKHIL").text) == [NOT_READY]  # by manager
    by_name = ids_in(page.get("/roster", sort="name", order="desc", verdict="").text)
    names = {READY: "Mei Lin Zhou", NEARLY: "Priya Raman", NOT_READY: "Ananya Iyer"}
    assert by_name[:3] == sorted(names, key=names.get, reverse=True)
    page.decide(label_of(spring, "spring", NEARLY), "promote", "Design doc landed", version=0)
    assert ids_in(page.get("/roster", decision="promote").text) == [NEARLY]
    assert ids_in(page.get("/roster", decision="override").text) == [NEARLY]
    assert NEARLY not in ids_in(page.get("/roster", decision="none").text)
    odd = page.get("/roster", verdict="<script>", sort="drop table", page="x")  # a hand-edited address: the whole roster
    assert odd.status_code == 200 and len(ids_in(odd.text)) == 4 and "<script>" not in odd.text.split("<main>")[1].split("<script")[0]


def test_the_roster_pages_through_every_candidate_once(tmp_path):
    with api.open_store(str(tmp_path / "ladder.db")) as store:
        api.open_cycle(store, "spring-2026", SPRING)
        for sort in roster.SORTS:
            query = roster.RosterQuery(sort=sort, size=7)
            first = roster.page(store, "spring-2026", query)
            seen = [e.position for n in range(1, first.pages + 1)
                    for e in roster.page(store, "spring-2026", roster.RosterQuery(sort=sort, size=7, page=n)).entries]
            assert first.pages == 9 and sorted(seen) == list(range(1, 61)), sort
        beyond = roster.page(store, "spring-2026", roster.RosterQuery(page=99, size=7))
        assert beyond.query.page == 9 and len(beyond.entries) == 4  # a page past the end is the last


def test_a_candidate_page_shows_the_explanation_and_the_decision_history(page, spring):
    label = label_of(spring, "spring", NEARLY)
    shown = page.get(packet_url(label))
    assert shown.status_code == 200
    explanation = spring.explanation("spring", NEARLY)
    assert explanation["headline"] in unescape(shown.text) and 'class="criteria"' in shown.text
    for competency in explanation["competencies"]:
        assert unescape(competency["name"]) in unescape(shown.text)
    assert "Not decided yet" in shown.text and 'name="version" value="0"' in shown.text
    page.decide(label, "defer", by="ana", version=0)
    recorded = page.decide(label, "promote", "Second doc is in review", by="bo", version=1)
    assert recorded.status_code == 303 and recorded.headers["location"].endswith("?recorded=2")
    after = page.client.get(recorded.headers["location"]).text
    assert "Recorded: promote (version 2)" in after and 'name="version" value="2"' in after
    history = after[after.index('<section id="history">'):]
    assert history.index("Second doc is in review") < history.index("defer")  # newest first
    assert [d.decision for d in spring.history("spring", NEARLY)] == ["defer", "promote"]
    invalid = page.get(packet_url(spring.entries("spring")[3].label))
    assert invalid.status_code == 200 and "Invalid packet" in invalid.text and "[" in invalid.text


def test_an_override_without_a_reason_is_refused_with_the_store_s_message(page, spring):
    label = label_of(spring, "spring", NOT_READY)
    refused = page.decide(label, "promote", reason="  ", by="ana", version=0)
    assert refused.status_code == 422
    problem = unescape(re.search(r'<p class="problem" role="alert" id="problem">(.*?)</p>', refused.text).group(1))
    assert problem == f"promoting {NOT_READY}, judged not ready by the rules, is an override: give the reason"
    assert 'value="promote" required checked' in refused.text and 'value="ana"' in refused.text  # what was typed stays
    assert spring.history("spring", NOT_READY) == []
    assert page.decide(label, "promote", reason="Led the migration", version=0).status_code == 303


def test_a_stale_version_is_a_conflict_showing_the_decision_in_force_never_a_lost_update(page, spring):
    label = label_of(spring, "spring", READY)
    first, second = page, Page(spring, "spring")  # two people with the candidate's page open at version 0
    assert first.decide(label, "promote", by="ana", version=0).status_code == 303
    clash = second.decide(label, "not_yet", reason="Wait for the review", by="bo", version=0)
    assert clash.status_code == 409
    alert = text_of(clash.text[clash.text.index('<div class="conflict" role="alert">'):])
    assert "Not recorded: someone decided on this candidate" in alert and "ana decided 'promote'" in alert
    assert "The decision now in force: promote, by ana" in alert
    assert 'name="version" value="1"' in clash.text and "Wait for the review" in clash.text  # their reason kept, to resend
    assert [(d.decision, d.by) for d in spring.history("spring", READY)] == [("promote", "ana")]
    again = second.decide(label, "not_yet", reason="Wait for the review", by="bo", version=1)  # decided again, knowingly
    assert again.status_code == 303 and [d.by for d in spring.history("spring", READY)] == ["ana", "bo"]


def test_a_form_without_its_version_is_refused_not_applied_blindly(page, spring):
    refused = page.decide(label_of(spring, "spring", READY), "promote", version=None)
    assert refused.status_code == 422 and "reload the page" in refused.text and spring.history("spring", READY) == []


# ------------------------------------------------------------------------- escaping, errors


@pytest.fixture
def marked_up(store, tmp_path, rules_copy):
    data = yaml.safe_load((PACKETS / "ic-staff-ready.yaml").read_text())
    data["candidate"].update(name=MARKUP_NAME, manager=MARKUP_MANAGER)
    directory = tmp_path / "markup"
    directory.mkdir()
    (directory / "<i>odd<b>.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    shutil.copy(PACKETS / "ic-staff-nearly-one-design-doc-short.yaml", directory / "other.yaml")
    api.open_cycle(store, "markup", directory, rules_copy)
    return store


def test_names_holding_markup_are_shown_as_text_on_every_page(marked_up):
    page = Page(marked_up, "markup")
    label = next(e.label for e in marked_up.entries("markup") if e.name == MARKUP_NAME)
    page.decide(label, "not_yet", reason="</textarea><script>alert('reason')</script>", by="<b>ana</b>", version=0)
    for path in ("/", "/roster", f"/roster?q={MARKUP_NAME[:8]}", "/candidates/" + label):
        html = page.client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Bold" not in html and "<i>odd" not in html, path
        assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; &amp; &lt;b&gt;Bold&lt;/b&gt;" in html, path
    candidate = page.client.get("/candidates/" + label).text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#39;reason&#39;)" in candidate and "&lt;b&gt;ana&lt;/b&gt;" in candidate


def test_errors_show_a_message_never_a_traceback(page, monkeypatch):
    unknown = page.get("/candidates/E-0000")
    assert unknown.status_code == 404 and "no candidate &#39;E-0000&#39; in cycle &#39;spring&#39;" in unknown.text
    assert page.get("/nowhere").status_code == 404
    assert page.client.put("/roster").status_code == 405

    def fault(self):  # a bug in the engine, injected into the real application's agenda
        raise RuntimeError("secret internals at /srv/ladder/engine.py line 42")
    monkeypatch.setattr(Meeting, "agenda", fault)
    failed = page.get("/")
    assert failed.status_code == 500 and "an engine fault" in failed.text
    assert "Traceback" not in failed.text and "secret internals" not in failed.text and "RuntimeError" not in failed.text


def test_a_host_other_machines_reach_needs_allow_remote(spring, db):
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_host(host, allow_remote=False)
    for host in ("0.0.0.0", "192.168.1.20", "::", "example.org"):
        with pytest.raises(RemoteRefused):
            check_host(host, allow_remote=False)
        check_host(host, allow_remote=True)
    refused = CliRunner().invoke(main, ["serve", "spring", "--db", db, "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "--allow-remote" in refused.output


def test_serving_a_cycle_that_does_not_exist_says_so(spring, db):
    result = CliRunner().invoke(main, ["serve", "sprung", "--db", db])
    assert result.exit_code == 1 and "no cycle named 'sprung'" in result.stderr and "did you mean 'spring'" in result.stderr


def test_serve_teaches_with_an_example():
    shown = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "ladder serve 2026-spring" in shown and "--allow-remote" in shown


def test_a_candidate_page_leads_to_the_next_on_the_agenda(page, spring):
    """The meeting walks the agenda: each page links the candidates before and after it, across
    sections, in the agenda's order."""
    labels = {candidate: label_of(spring, "spring", candidate) for candidate in (READY, NEARLY, NOT_READY)}
    invalid = spring.entries("spring")[3].label
    order = [labels[NOT_READY], labels[NEARLY], labels[READY], invalid]  # as test_the_agenda_... lists them
    for before, label, after in zip([None, *order], order, [*order[1:], None]):
        html = page.get(packet_url(label)).text
        walk = html[html.index('<nav class="walk"'):html.index("</nav>", html.index('<nav class="walk"'))]
        linked = {rel: unquote(href) for rel, href in re.findall(r'rel="(prev|next)" href="([^"]*)"', walk)}
        assert linked == {k: packet_url(v) for k, v in (("prev", before), ("next", after)) if v is not None}, label
    assert "Nominated, not ready" in page.get(packet_url(labels[NOT_READY])).text.split('<nav class="walk"')[1]
