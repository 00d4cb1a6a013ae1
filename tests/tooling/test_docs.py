"""`ladder docs`: the published framework, a site generated from the rules - an overview with a
table of contents and the bands linked to every level, a competency x level grid per track, a
page per level, the evidence with an example packet, equal standing stated, plain rule lines, and
an output directory kept to what the rules produce."""
from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.reading.model import walk
from engine.reading.packet import load_packet
from engine.reading.rulebook import rulebook_from_data
from engine.rendering.report import Invalid
from engine.tooling import docs, manifest

ROOT = Path(__file__).resolve().parents[2]


def site(book, out: Path, fmt: str) -> dict[str, str]:
    """The pages written, by their path in the site."""
    written = docs.write(book, out, fmt).written
    return {path.relative_to(out).as_posix(): path.read_text() for path in written}


@pytest.fixture(scope="module")
def md(book, tmp_path_factory) -> dict[str, str]:
    return site(book, tmp_path_factory.mktemp("md"), "md")


@pytest.fixture(scope="module")
def html_site(book, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "site"
    docs.write(book, out, "html")
    return out


# ------------------------------------------------------------------- pages, contents, grid, levels

@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_site_has_an_overview_a_page_per_track_a_page_per_level_and_the_evidence(book, tmp_path, fmt):
    pages = site(book, tmp_path, fmt)
    assert list(pages)[0] == f"index.{fmt}" and list(pages)[-1] == f"evidence.{fmt}"
    assert set(pages) == {f"{name}.{fmt}" for name in ["index", "ic", "management", "evidence"]} | {
        f"levels/{level}.{fmt}" for level in book.levels}


def stated(criteria):
    """The criteria a level page lists: all but the findings under a none_of, which its rule line names."""
    for criterion in criteria:
        yield criterion
        if getattr(criterion, "kind", None) in ("all_of", "any_of", "k_of"):
            yield from stated(criterion.children)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_criterion_of_every_level_is_on_its_level_page(book, tmp_path, fmt):
    pages = site(book, tmp_path, fmt)
    for rules in book.rules.values():
        page = html.unescape(pages[f"levels/{rules.level.id}.{fmt}"])
        for criterion in stated(c for competency in rules.competencies for c in competency.criteria):
            assert criterion.description in page, (rules.level.id, criterion.id)
    for evidence in book.evidence.values():
        assert all(name in pages[f"evidence.{fmt}"].replace("\\_", "_") for name in evidence.fields)


def test_every_criterion_has_a_description_for_the_published_framework(book):
    for rules in book.rules.values():
        for competency in rules.competencies:
            for criterion in walk(competency.criteria):
                assert criterion.description, (rules.level.id, criterion.id)


def test_the_overview_has_contents_and_links_each_band_to_its_levels_on_both_tracks(md):
    index = md["index.md"]
    assert "## Contents" in index and "- [Equal standing](#equal-standing)" in index
    assert "    - [Staff Engineer](levels/staff-engineer.md) (E4)" in index
    assert "| E4 | [Staff Engineer](levels/staff-engineer.md) | [Engineering Manager](levels/engineering-manager.md) |" in index
    assert "| E1 | [Junior Developer](levels/junior-developer.md) | none |" in index
    assert index.index("| E6 |") < index.index("| E7 | none | [VP of Engineering](levels/vp-of-engineering.md) |")


def test_a_level_page_says_what_the_level_is_how_it_is_judged_and_its_equivalent(md):
    page = md["levels/senior-developer.md"]
    assert "# Senior Developer" in page and "Leads projects on their team from design to delivery" in page  # its summary
    assert "- [Tech Lead](../levels/tech-lead.md) (Management, band E3) stands level with Senior Developer" in page
    assert "Everything asked of [a Developer](../levels/developer.md), and more." in page
    assert "**Verdict.** Ready when all 7 required criteria are met." in page
    assert "### Mentorship\n\nHelps other engineers grow.\n\nWhat shows it:" in page  # the competency as behaviour
    assert "- [Design docs](../evidence.md#design-doc), for Technical depth" in page  # the evidence that shows it
    assert "- [Projects](../evidence.md#project), for Delivery and Technical depth" in page
    assert "Level below: [Developer](../levels/developer.md) · Level above: [Staff Engineer](../levels/staff-engineer.md)" in page


def test_each_track_has_a_competency_by_level_grid(md):
    ic = md["ic.md"]
    assert "| Competency | [Developer](levels/developer.md) (E2) | [Senior Developer](levels/senior-developer.md) (E3) |" in ic
    delivery = next(line for line in ic.splitlines() if line.startswith("| **Delivery** |"))
    cells = delivery.split(" | ")[1:]
    assert cells[0].startswith("[Gets work shipped, on their own, to a good standard.](levels/developer.md#competency-delivery)")
    assert cells[1].startswith("[Leads projects on the team from design to delivery, and sees them shipped.](levels/senior-developer.md#competency-delivery)")
    assert "<br>+ Led at least 1 project that shipped in the last 24 months" in cells[1]  # what the level adds
    mentorship = next(line for line in ic.splitlines() if line.startswith("| **Mentorship** |"))
    assert mentorship.split(" | ")[1] == "not asked"  # a Developer is not asked to mentor
    readiness = next(line for line in ic.splitlines() if line.startswith("| **Readiness** |"))
    assert "[As at Developer](levels/senior-developer.md#competency-readiness)" in readiness
    management = md["management.md"]
    assert "| **Technical direction / Strategy** |" in management  # renamed at Engineering Manager


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_published_framework_states_each_levels_verdict_rule_and_points(book, tmp_path, fmt):
    pages = site(book, tmp_path, fmt)
    everything = "".join(pages.values())
    assert "none of them is one that must be met" not in everything and "must be met" not in everything
    assert "blocker" in pages[f"index.{fmt}"] and "Points." in pages[f"index.{fmt}"]
    distinguished = pages[f"levels/distinguished-engineer.{fmt}"]
    assert "Ready when all 6 required criteria are met (3 criteria below and 3 points requirements). Nearly ready when " \
           "at most 1 required criterion is unmet, it is not a blocker and no points requirement is more than 2 points " \
           "short." in distinguished
    assert "Points: at least 12 in total, at least 4 in technical and at least 4 in influence" in distinguished
    for level in ("director-of-engineering", "vp-of-engineering"):
        assert "no points requirement is more than 2 points short" in pages[f"levels/{level}.{fmt}"]
    assert "(blocker: if unmet, not ready)" in pages[f"levels/developer.{fmt}"]


def test_the_published_framework_reads_cleanly(md):
    assert "| role | enum | yes | lead, core, contributor | The candidate's part. |" in md["evidence.md"]
    director = md["levels/director-of-engineering.md"]
    hiring = next(line for line in director.splitlines() if line.startswith("- **Hired as hiring manager or bar raiser"))
    assert hiring.count("1 point each, up to 4") == 1  # the description's own words, not repeated after it
    assert "Earns 1 point per hiring process, up to 4." in director
    assert "Everything asked of [an Engineering Manager](../levels/engineering-manager.md), and more." in md["levels/senior-engineering-manager.md"]
    assert not re.search(r"\ba [AEIOUaeiou]", re.sub(r"<[^>]*>", "", "".join(md.values())))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_published_framework_keeps_the_authors_spelling_and_states_number_bounds(rules_copy, tmp_path, fmt):
    evidence = rules_copy / "evidence.yaml"
    evidence.write_text(evidence.read_text().replace("  project:\n    name: project\n", "  project:\n    name: RFC\n", 1))
    page = "".join(site(api.rulebook(rules_copy), tmp_path, fmt).values())
    assert "RFC" in page and "Rfc" not in page
    assert "an RFC" in page and "a RFC" not in page
    row = "| months | integer | yes | at least 1 | Months of regular mentoring. |" if fmt == "md" else \
        "<td>months</td><td>integer</td><td>yes</td><td>at least 1</td>"
    assert row in page


def test_the_rulebooks_words_cannot_break_a_markdown_table_or_become_markup(rules_copy, tmp_path):
    level = rules_copy / "levels" / "senior-developer.yaml"
    level.write_text(level.read_text().replace("Leads projects on the team from design to delivery, and sees them shipped.",
                                               "Leads | ships <b>projects</b>"))
    ic = site(api.rulebook(rules_copy), tmp_path, "md")["ic.md"]
    delivery = next(line for line in ic.splitlines() if line.startswith("| **Delivery** |"))
    assert "[Leads \\| ships &lt;b&gt;projects&lt;/b&gt;]" in delivery and delivery.count(" | ") == 5


# --------------------------------------------------------------------------- plain-language rules

def test_rule_lines_are_plain_language(md):
    rules = "\n".join(re.findall(r"The rule: (.*)</sub>", "".join(md.values())))
    assert "whose project is a project" not in rules and "none of:" not in rules and "at least 1 " not in rules
    senior = md["levels/senior-developer.md"]
    assert "The rule: a design doc where status is approved, for a project where role is lead, in the last 24 months." in senior
    assert "The rule: no feedback entry where concern is conduct, in the last 12 months." in md["levels/staff-engineer.md"]


def test_a_choice_of_criteria_says_how_many_it_takes_and_lists_them_once_under_it(md):
    staff = md["levels/staff-engineer.md"]
    assert "The rule: at least 2 of these 4." in staff
    assert "    - **Founded or led a community of practice**" in staff  # listed under it, with its own rule
    assert staff.count("Founded or led a community of practice") == 1
    assert "Feedback from anyone raising a conduct concern" not in staff  # a none_of's finding is in its rule line


# ------------------------------------------------------------------------ competencies by level

def test_a_competency_reads_in_the_words_of_each_level(md):
    def delivery(page: str) -> str:
        return page.split("### Delivery\n\n", 1)[1].split("\n", 1)[0]
    words = [delivery(md[f"levels/{level}.md"]) for level in ("developer", "senior-developer", "staff-engineer", "principal-engineer")]
    assert len(set(words)) == 4, words
    assert words[:2] == ["Gets work shipped, on their own, to a good standard.",
                         "Leads projects on the team from design to delivery, and sees them shipped."]


# ---------------------------------------------------------------------------- the example packet

@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_evidence_page_has_an_example_packet_that_is_valid_for_the_rules(book, tmp_path, fmt):
    page = site(book, tmp_path, fmt)[f"evidence.{fmt}"]
    pattern = r"```yaml\n(.*?)```" if fmt == "md" else r"<pre><code>(.*?)</code></pre>"
    example = html.unescape(re.search(pattern, page, re.S).group(1))
    assert "&" not in example and "*" not in example  # no YAML anchors or aliases: ladder reads none
    path = tmp_path / "example.yaml"
    path.write_text(example)
    packet = load_packet(path, book)
    assert {record.type for record in packet.records} == set(book.evidence)
    assert all(record.fields.get("concern") in (None, "none") for record in packet.records)  # no finding against the candidate
    result = api.evaluate_packet(book, path)
    assert not isinstance(result, Invalid) and result["verdict"] in ("ready", "nearly", "not_ready")
    design_doc = next(record for record in packet.records if record.type == "design-doc")
    assert packet.record(design_doc.fields["project"]).fields["role"] == "lead"  # a link, to a record the rules count


# ------------------------------------------------------------------------------- equal standing

def test_the_overview_states_the_equal_standing_of_levels_one_track_lacks(book, md):
    index = md["index.md"]
    section = index.split("## Equal standing\n", 1)[1].split("\n## ", 1)[0]
    assert book.standing.split(".")[0] in section  # how the organisation treats them, in its words
    assert "- Junior Developer (E1) and Developer (E2) have no management equivalent: the management track starts at " \
           "Tech Lead, band E3." in section
    assert "- VP of Engineering (E7) has no individual contributor equivalent: the individual contributor track stops " \
           "at Distinguished Engineer, band E6." in section
    (accepted,) = book.accepted
    assert "### Why the individual contributor track stops at Distinguished Engineer, band E6" in section
    assert accepted.reason in section


def test_a_level_without_an_equivalent_says_why_and_links_to_equal_standing(md):
    assert "- No individual contributor equivalent: the individual contributor track stops at Distinguished Engineer, " \
           "band E6. [How the organisation treats this](../index.md#equal-standing)." in md["levels/vp-of-engineering.md"]
    assert "- No management equivalent: the management track starts at Tech Lead, band E3." in md["levels/developer.md"]


def test_a_ladder_whose_tracks_match_level_for_level_says_so(tmp_path):
    ladder = {"name": "Flat", "tracks": {
        "ic": {"name": "IC", "levels": [{"id": "a1", "name": "Engineer", "band": "B1"}]},
        "management": {"name": "Management", "levels": [{"id": "m1", "name": "Manager", "band": "B1"}]}},
        "equivalence": [{"ic": "a1", "management": "m1"}]}
    evidence = {"types": {"talk": {"name": "talk", "dates": "point", "fields": {}}}}
    book = rulebook_from_data(ladder, evidence, [])
    index = site(book, tmp_path, "md")["index.md"]
    assert "Every level has an equivalent on the other track." in index
    assert "No ic equivalent" not in "".join(site(book, tmp_path, "md").values())


# ------------------------------------------------------------ the output directory, kept to the rules

def without_vp(rules: Path) -> None:
    """The rulebook without the VP level: one page fewer."""
    ladder = rules / "ladder.yaml"
    ladder.write_text(ladder.read_text().replace("      - {id: vp-of-engineering, name: VP of Engineering, band: E7}\n", ""))
    (rules / "levels" / "vp-of-engineering.yaml").unlink()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_pages_the_rules_no_longer_produce_are_removed_and_nothing_else(rules_copy, tmp_path, fmt):
    out = tmp_path / "site"
    docs.write(api.rulebook(rules_copy), out, fmt)
    mine = {out / "CNAME": "careers.example.com\n", out / "levels" / "notes.md": "kept\n", out / "logo.html": "kept\n"}
    for path, text in mine.items():
        path.write_text(text)
    without_vp(rules_copy)
    result = docs.write(api.rulebook(rules_copy), out, fmt)
    assert result.removed == [out / "levels" / f"vp-of-engineering.{fmt}"]
    assert not result.removed[0].exists() and (out / f"levels/tech-lead.{fmt}").is_file()
    assert all(path.read_text() == text for path, text in mine.items())
    assert "vp-of-engineering" not in (out / manifest.NAME).read_text()


def test_writing_one_format_keeps_the_pages_of_the_other(rules_copy, tmp_path):
    out = tmp_path / "site"
    docs.write(api.rulebook(rules_copy), out, "md")
    without_vp(rules_copy)
    assert docs.write(api.rulebook(rules_copy), out, "html").removed == []
    assert (out / "levels" / "vp-of-engineering.md").is_file()
    assert docs.write(api.rulebook(rules_copy), out, "md").removed == [out / "levels" / "vp-of-engineering.md"]


@pytest.mark.parametrize("listed", ["../outside.md", "/tmp/outside.md", "levels/../../outside.md", "notes.txt", ".ladder-docs.json"])
def test_a_hand_edited_manifest_can_remove_nothing_docs_did_not_write(book, tmp_path, listed):
    out = tmp_path / "site"
    out.mkdir()
    (tmp_path / "outside.md").write_text("not a page\n")
    (out / "notes.txt").write_text("not a page\n")
    (out / manifest.NAME).write_text(json.dumps({"format": manifest.FORMAT, "files": {"md": [listed]}}))
    assert docs.write(book, out, "md").removed == []
    assert (tmp_path / "outside.md").is_file() and (out / "notes.txt").is_file()


def test_a_damaged_manifest_removes_nothing_and_is_replaced(book, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.md").write_text("an earlier page\n")
    (out / manifest.NAME).write_text("{not json")
    assert docs.write(book, out, "md").removed == []
    assert (out / "old.md").is_file() and "index.md" in manifest.read(out)["md"]


def test_the_docs_command_reports_what_it_wrote_and_removed(rules_copy, tmp_path):
    out = tmp_path / "site"
    first = CliRunner().invoke(main, ["docs", str(rules_copy), "--out", str(out), "--format", "html"])
    assert first.exit_code == 0 and f"wrote {out / 'index.html'}" in first.stderr
    without_vp(rules_copy)
    second = CliRunner().invoke(main, ["docs", str(rules_copy), "--out", str(out), "--format", "html"])
    assert second.exit_code == 0
    assert f"removed {out / 'levels' / 'vp-of-engineering.html'} (the rules no longer produce it)" in second.stderr


def test_docs_makes_its_directory_but_not_missing_parents_like_every_other_out(tmp_path):
    made = CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "site")])
    assert made.exit_code == 0 and (tmp_path / "site" / "index.md").is_file()
    missing = CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "no" / "such" / "site")])
    assert missing.exit_code == 2 and f"directory {tmp_path / 'no' / 'such'} does not exist" in missing.stderr
    assert not (tmp_path / "no").exists()
    like = CliRunner().invoke(main, ["lint", "--out", str(tmp_path / "no" / "such" / "lint.txt")])
    assert like.exit_code == 2 and f"directory {tmp_path / 'no' / 'such'} does not exist" in like.stderr
    (tmp_path / "file").write_text("")
    assert CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "file")]).exit_code == 2


# ------------------------------------------------------------------------------ links, no scripts

def targets(page: Path, text: str, fmt: str) -> list[tuple[str, Path, str]]:
    """Every local link of a page: (as written, the file it names, its fragment)."""
    found = re.findall(r'href="([^"]+)"', text) if fmt == "html" else re.findall(r"\]\(([^)\s]+)\)", text)
    links = []
    for href in found:
        path, _, fragment = html.unescape(href).partition("#")
        links.append((href, (page.parent / path).resolve() if path else page, fragment))
    return links


def anchors(text: str) -> set[str]:
    """The ids a page defines, and (Markdown) the anchors its headings get on a forge."""
    ids = set(re.findall(r'id="([^"]+)"', text))
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return ids | {re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_link_of_the_site_resolves_to_a_page_and_its_anchor(book, tmp_path, fmt):
    out = tmp_path / "site"
    pages = site(book, out, fmt)
    checked = 0
    for name, text in pages.items():
        for href, target, fragment in targets(out / name, text, fmt):
            assert target.is_file(), f"{name}: {href} names no page"
            assert not fragment or fragment in anchors(target.read_text()), f"{name}: {href} names no anchor"
            checked += 1
    assert checked > 250


def test_the_html_site_has_no_script(html_site):
    for page in html_site.rglob("*.html"):
        text = page.read_text().lower()
        assert "<script" not in text and "javascript:" not in text and " on" + "click=" not in text, page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; .ci/run installs it)")
def test_every_link_of_the_html_site_resolves_in_chromium(html_site):
    """Chromium opens every page, follows every link it holds, and finds the page and the anchor
    it names; no page logs an error."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install '.[test]')")
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run"]
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        page = browser.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        seen: dict[str, set[str]] = {}
        links: set[tuple[str, str]] = set()
        for path in sorted(html_site.rglob("*.html")):
            page.goto(path.as_uri())
            assert page.locator("h1").count() == 1, path
            assert page.evaluate("document.scripts.length") == 0, path
            seen[page.url] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
            # the browser resolves each href against the page: what a reader's click would open
            links |= {(page.url, href) for href in page.eval_on_selector_all("a[href]", "nodes => nodes.map(n => n.href)")}
        for source, href in sorted(links):
            url, _, fragment = href.partition("#")
            if url not in seen:
                try:
                    response = page.goto(url)
                except sync_api.Error as error:
                    pytest.fail(f"{source}: {href} does not open ({error.message.splitlines()[0]})")
                assert response is not None and response.ok, f"{source}: {href} does not open"
                seen[url] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
            assert not fragment or fragment in seen[url], f"{source}: {href} names no anchor on its page"
        browser.close()
    assert len(links) > 200 and errors == []


def test_the_readme_s_level_page_sample_is_what_docs_writes(md):
    """The README shows a shortened level page: each of its paragraphs must be on the page that
    `ladder docs` writes today (a line's trailing hard break aside), and its grid screenshot exist."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```markdown\n", readme.index("A level page, in Markdown (`site/levels/senior-developer.md`")) + len("```markdown\n")
    sample = readme[start:readme.index("```\n", start)]
    page = re.sub(r" +\n", "\n", md["levels/senior-developer.md"])
    assert [block for block in sample.strip().split("\n\n") if block not in page] == []
    assert (ROOT / "docs" / "framework-grid.png").is_file() and "](docs/framework-grid.png)" in readme
