"""`ladder calibrate`: what the report must not give away (--redact, small groups, CSV and
Markdown that run packet text as code), and the candidate pages' fine print, on small cohorts
written here."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from engine.calibration.fairness import by_level, shown_groups
from engine.calibration.rows import Row
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "fixtures" / "packets" / "ic-senior-ready-design-doc-for-led-project.yaml"
FORMATS = ("html", "md", "csv", "json")


def packet(title: str | None = None, **candidate) -> dict:
    """The base packet with candidate fields changed (None removes one) and, if given, the first
    record's title."""
    data = yaml.safe_load(BASE.read_text())
    for key, value in candidate.items():
        if value is None:
            data["candidate"].pop(key, None)
        else:
            data["candidate"][key] = value
    if title is not None:
        data["evidence"][0]["title"] = title
    return data


def calibrate(tmp_path: Path, packets: list[dict], *options: str, name: str = "cohort", exit_code: int = 0) -> dict[str, str]:
    """Every format's text for a cohort of these packets (in this order); exit 0 even when one of
    them is invalid (it is listed in the report), unless a case says otherwise."""
    cohort = tmp_path / name
    cohort.mkdir()
    for number, data in enumerate(packets, 1):
        (cohort / f"{number:02d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    outs = [arg for fmt in FORMATS for arg in ("--out", str(tmp_path / f"{name}.{fmt}"))]
    result = CliRunner().invoke(main, ["calibrate", str(cohort), *options, *outs])
    assert result.exit_code == exit_code and isinstance(result.exception, (SystemExit, type(None))), result.output
    return {fmt: (tmp_path / f"{name}.{fmt}").read_text() for fmt in FORMATS}


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------------------------------ redaction

def test_redaction_replaces_names_of_people_whose_packets_come_later(tmp_path):
    texts = calibrate(tmp_path, [
        packet("Mentee: Bob Kerr (with Viktor García), reviewed by Zed Moss", id="E-1", name="Omar Petrov", manager="Hiro Tanaka"),
        packet(id="E-2", name="Viktor García", manager="Zed Moss"),
    ], "--redact")
    for fmt, text in texts.items():
        for secret in ("Omar Petrov", "Viktor García", "Zed Moss", "Hiro Tanaka"):
            assert secret not in text, (fmt, secret)
    assert "Mentee: Bob Kerr (with Candidate 002), reviewed by Manager 002" in texts["json"]


def test_the_redaction_notice_says_names_outside_the_cohort_stay(tmp_path):
    texts = calibrate(tmp_path, [packet("Mentoring Bob Kerr")], "--redact")
    assert "Bob Kerr" in texts["json"]  # not a candidate or manager here: it cannot be recognised
    for fmt in ("html", "md"):
        assert "cannot be recognised: their names stay in record titles" in texts[fmt], fmt
    assert "cannot be recognised" in CliRunner().invoke(main, ["calibrate", "--help"]).output


def test_redaction_replaces_whole_words_only(tmp_path):
    texts = calibrate(tmp_path, [packet("Follow-up to DE-14 and XE-1-b, by E-1", id="E-1")], "--redact")
    report = json.loads(texts["json"])
    assert "Follow-up to DE-14 and XE-1-b, by ID 001" in texts["json"]
    assert report["candidates"][0]["explanation"]["candidate"]["id"] == "ID 001"


def test_redacted_errors_do_not_echo_packet_values(tmp_path):
    broken = packet(id="E-2", name="Cara Dunn")
    broken["candidate"]["nominated"] = "yes, by Dave Ruiz manager Zed Moss"
    texts = calibrate(tmp_path, [packet(id="E-1"), broken], "--redact")
    for fmt, text in texts.items():
        assert "Dave Ruiz" not in text and "Cara Dunn" not in text, fmt
    [invalid] = json.loads(texts["json"])["invalid"]
    assert invalid["packet"] == "packet 002" and invalid["errors"][0]["message"].startswith("expected true or false, got '…'")


def test_redacted_report_does_not_name_the_cohort(tmp_path):
    texts = calibrate(tmp_path, [packet()], "--redact", name="ana-li-and-friends")
    for fmt in ("html", "md", "json"):
        assert "ana-li" not in texts[fmt], fmt
    assert json.loads(texts["json"])["cohort"] == "a cohort of 1 packet"
    assert "<title>Calibration report: a cohort of 1 packet</title>" in texts["html"]


def test_pseudonyms_follow_the_person_not_the_name(tmp_path):
    cohort = [
        packet(id="E-1", name="Sam Lee", manager="Kim Ode"),
        packet(id="E-2", name="Sam Lee", manager="Sam Lee"),  # another Sam Lee, managed by a third
        packet(id="E-3", name="Kim Ode", manager="Ana Li"),  # a manager who is a candidate too
        packet(id="E-1", name="Sam Lee", manager="Kim Ode"),  # E-1 again: the same person
    ]
    texts = calibrate(tmp_path, cohort, "--redact")
    report = json.loads(texts["json"])
    people = [(c["explanation"]["candidate"]["name"], c["explanation"]["candidate"]["manager"]) for c in report["candidates"]]
    assert people == [("Candidate 001", "Manager 001"), ("Candidate 002", "Manager 002"),
                      ("Candidate 003", "Manager 003"), ("Candidate 001", "Manager 001")]
    assert [m["manager"] for m in report["managers"]["by_manager"]] == ["Manager 001", "Manager 002", "Manager 003"]
    assert calibrate(tmp_path, cohort, "--redact", name="again")["json"] == texts["json"]



def test_a_name_in_the_cohort_path_is_redacted_not_a_crash(tmp_path):
    texts = calibrate(tmp_path, [packet(id="E-1", name="Omar Petrov")], "--redact", name="Omar Petrov")
    for fmt, text in texts.items():
        assert "Omar Petrov" not in text, fmt
    assert json.loads(texts["json"])["candidates"][0]["explanation"]["packet"] == "packet 001"


def test_on_a_page_its_own_manager_wins_over_a_candidate_of_the_same_name(tmp_path):
    texts = calibrate(tmp_path, [
        packet("Mid-year note from Bob Stone", id="E-1", name="Ana Li", manager="Bob Stone"),
        packet(id="E-2", name="Bob Stone", manager="Kim Ode"),
    ], "--redact")
    first = json.loads(texts["json"])["candidates"][0]
    assert first["explanation"]["candidate"]["manager"] == "Manager 001"
    assert "Mid-year note from Manager 001" in json.dumps(first, ensure_ascii=False)

def test_redaction_reaches_records_to_check_and_group_labels(tmp_path):
    """A record id that is also a candidate's id, and a group label that is a candidate's name,
    go out under their pseudonyms in every format."""
    disputed = yaml.safe_load((ROOT / "fixtures" / "packets" / "ic-staff-not-ready-disputed-conduct-concern.yaml").read_text())
    disputed["candidate"].update(id="E-1", attributes={"buddy": "Rosa Diaz"})  # rests on the disputed record F-3
    cohort = [disputed] + [packet(id=f"E-{n}", attributes={"buddy": "Rosa Diaz"}) for n in range(2, 6)]
    cohort += [packet(id="F-3", name="Rosa Diaz", attributes={"buddy": "Rosa Diaz"})]
    texts = calibrate(tmp_path, cohort, "--redact")
    for fmt, text in texts.items():
        assert "F-3" not in text and "Rosa Diaz" not in text, fmt
    report = json.loads(texts["json"])
    assert [[(r["id"], r["title"]) for r in row["records"]] for row in report["unverified"]] == \
        [[("ID 006", "Peer feedback after the CDC design review")]]
    assert report["fairness"]["attributes"][0]["groups"][0]["group"] == "group 1"
    assert csv_rows(texts["csv"])[0]["depends_on_unverified"] == "ID 006"


def test_redacted_groups_named_after_people_stay_apart_and_unordered_by_name(tmp_path):
    """Two groups named after people whose names two candidates share would both scrub to
    `[candidate]`: each gets its own label, and the order does not follow the real names."""
    cohort = [packet(id=f"E-{n}", name="Zoe Adams" if n < 2 else "Al Brown" if n < 4 else f"P{n}",
                     attributes={"mentor": "Zoe Adams" if n < 7 else "Al Brown" if n < 12 else "x"}) for n in range(17)]
    groups = json.loads(calibrate(tmp_path, cohort, "--redact")["json"])["fairness"]["attributes"][0]["groups"]
    assert [g["group"] for g in groups] == ["group 1", "group 2", "x"]  # in the order of the labels shown
    assert sorted(g["candidates"] for g in groups[:2]) == [5, 7] and groups[2]["candidates"] == 5


# --------------------------------------------------------------------------------- small groups

@pytest.mark.parametrize("sizes, without, shown", [
    ({"Berlin": 5, "Oslo": 1}, 0, set()),  # Oslo alone would be the totals minus Berlin
    ({"Berlin": 5, "Paris": 6, "Oslo": 1}, 0, {"Paris"}),
    ({"Berlin": 5, "Paris": 6, "Oslo": 2, "Rome": 3}, 0, {"Berlin", "Paris"}),  # 5 hidden, from two groups
    ({"Berlin": 5, "Paris": 6}, 2, {"Paris"}),  # two people without the attribute are a group too
    ({"Berlin": 5, "Paris": 6}, 0, {"Berlin", "Paris"}),
], ids=["one-small-group-takes-the-other-with-it", "next-smallest-withheld", "small-groups-together-at-the-minimum",
        "candidates-without-the-attribute-count", "nothing-small-nothing-withheld"])
def test_no_withheld_group_can_be_worked_out_by_subtraction(sizes, without, shown):
    assert shown_groups(sizes, without, 5) == shown


def test_a_lone_small_group_is_not_given_away_by_the_report_or_the_csv(tmp_path):
    cohort = [packet(id=f"E-{n}", attributes={"location": "Berlin"}) for n in range(5)]
    cohort += [packet(id=f"P-{n}", attributes={"location": "Paris"}) for n in range(6)]
    cohort += [packet(id="O-1", attributes={"location": "Oslo"})]
    texts = calibrate(tmp_path, cohort)
    location = json.loads(texts["json"])["fairness"]["attributes"][0]
    assert [g["group"] for g in location["groups"]] == ["Paris"] and location["suppressed"] is True
    assert "suppressed_groups" not in texts["json"] and "1 small group" not in texts["html"]
    assert [row["attribute:location"] for row in csv_rows(texts["csv"])] == ["withheld"] * 5 + ["Paris"] * 6 + ["withheld"]
    for fmt in FORMATS:
        assert "Oslo" not in texts[fmt] and "Berlin" not in texts[fmt], fmt


def test_csv_marks_candidates_without_the_attribute_withheld_when_a_group_is_withheld(tmp_path):
    """3 in Paris and 2 without a location are withheld together (5): blanks for the two would
    single out the three in Paris, and their verdicts."""
    cohort = [packet(id=f"B-{n}", attributes={"location": "Berlin"}) for n in range(10)]
    cohort += [packet(id=f"P-{n}", attributes={"location": "Paris"}) for n in range(3)]
    cohort += [packet(id=f"N-{n}", attributes=None) for n in range(2)]
    texts = calibrate(tmp_path, cohort)
    assert [row["attribute:location"] for row in csv_rows(texts["csv"])] == ["Berlin"] * 10 + ["withheld"] * 5
    nothing_withheld = calibrate(tmp_path, cohort[:10] + [packet(id=f"N-{n}", attributes=None) for n in range(5)], name="five-without")
    assert [row["attribute:location"] for row in csv_rows(nothing_withheld["csv"])] == ["Berlin"] * 10 + [""] * 5


def test_a_redacted_csv_carries_no_group_attributes(tmp_path):
    texts = calibrate(tmp_path, [packet(id=f"E-{n}", attributes={"location": "Berlin"}) for n in range(5)], "--redact")
    assert not any(column.startswith("attribute:") for column in csv_rows(texts["csv"])[0])
    assert json.loads(texts["json"])["fairness"]["attributes"][0]["groups"][0]["group"] == "Berlin"


LEVELS = ["developer", "senior-developer", "staff-engineer", "tech-lead"]


@settings(max_examples=200, deadline=None)
@given(people=st.lists(st.tuples(st.sampled_from(LEVELS), st.sampled_from(["Berlin", "Paris", "Oslo", None]), st.booleans()),
                       max_size=60),
       min_group=st.integers(2, 6))
def test_level_by_level_no_withheld_cell_can_be_worked_out_from_a_level_or_a_group_total(book, people, min_group):
    """The summary gives each level's total and the fairness table each group's: where a level
    or a group shown has some cells shown, those withheld add up to none or at least min_group,
    and no cell below min_group is shown. A group withheld overall has no column at all."""
    rows = [Row(page=f"c{n:04d}", packet="p", id=f"E-{n}", name="n", track="ic", level="developer", level_name="Developer",
                target=level, target_name=level, manager=None, nominated=None, verdict="ready" if ready else "not_ready",
                verified_only="ready", unmet=(), missing=(), depends_on=(), attributes={} if city is None else {"city": city})
            for n, (level, city, ready) in enumerate(people)]
    sizes = Counter(city for _, city, _ in people if city is not None)
    overall = sorted(shown_groups(dict(sizes), sum(city is None for _, city, _ in people), min_group))
    table = by_level(book, rows, "city", [(city, city) for city in overall], min_group)
    at_level = Counter(level for level, _, _ in people)
    cells = Counter((level, city) for level, city, _ in people)
    assert [entry["level"] for entry in table] == [level for level in LEVELS if at_level[level]]
    for entry in table:
        shown = {cell["group"]: cell["candidates"] for cell in entry["groups"] if cell["candidates"] is not None}
        assert all(count == cells[(entry["level"], city)] >= min_group for city, count in shown.items())
        assert not shown or not 0 < at_level[entry["level"]] - sum(shown.values()) < min_group, entry
    for index, city in enumerate(overall):
        shown = sum(entry["groups"][index]["candidates"] or 0 for entry in table)
        assert not shown or not 0 < sizes[city] - shown < min_group, city


# ------------------------------------------------------------------------ CSV and Markdown safety

def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    texts = calibrate(tmp_path, [packet(name='=HYPERLINK("http://x")', manager="+Zed Moss")])
    [row] = csv_rows(texts["csv"])
    assert (row["candidate"], row["manager"]) == ('\'=HYPERLINK("http://x")', "'+Zed Moss")


def test_a_hidden_character_or_line_break_before_a_formula_neither_hides_nor_runs_it(tmp_path):
    texts = calibrate(tmp_path, [packet(name='\r=HYPERLINK("http://x")', manager="\u200b=1+1")])
    [row] = csv_rows(texts["csv"])
    assert (row["candidate"], row["manager"]) == ('\' =HYPERLINK("http://x")', "<U+200B>=1+1")


def test_html_shows_packet_text_as_text_never_as_markup(tmp_path):
    """Names, managers and record titles reach the roster, the agenda's lists and the candidate
    pages' tables (written in Python, escaped as the templates escape): none becomes a tag, and
    the report's one script stays its only one."""
    attack = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    html = calibrate(tmp_path, [packet(attack, name=f"Ana {attack}", manager=f"Zed {attack}", nominated=True),
                                packet(attack, id="E-2", nominated=False)])["html"]
    assert "<img" not in html and html.count("<script") == 1
    assert html.count("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;") >= 6


def test_markdown_shows_packet_text_literally(tmp_path):
    texts = calibrate(tmp_path, [packet(name="Ana <ana@x.com>", manager="<img src=x onerror=alert(1)> | [x](http://y)"),
                                 packet(id="E-2", nominated=False)])
    markdown = texts["md"]
    assert "Ana &lt;ana@x.com&gt;" in markdown and "<img" not in markdown and "<ana@" not in markdown
    assert r"&lt;img src=x onerror=alert(1)&gt; \| \[x\](http://y)" in markdown


def test_csv_levels_are_ids_with_their_names_beside(tmp_path):
    [row] = csv_rows(calibrate(tmp_path, [packet()])["csv"])
    assert (row["current_level"], row["current_level_name"], row["target_level"], row["target_level_name"]) == \
           ("developer", "Developer", "senior-developer", "Senior Developer")


# ------------------------------------------------------------------------------ candidate pages

def test_a_missing_nomination_reads_no_nomination_given(tmp_path):
    html = calibrate(tmp_path, [packet(nominated=None)])["html"]
    page = html[html.index('<article class="page"'):]
    assert "no nomination given" in page and "not nominated" not in page


def test_candidate_pages_show_point_totals_and_none_found_as_met(tmp_path):
    data = yaml.safe_load((ROOT / "fixtures" / "packets" / "ic-distinguished-ready-points-met.yaml").read_text())
    html = calibrate(tmp_path, [data])["html"]
    page = html[html.index('<article class="page"'):]
    assert "16 points (needs 12)" in page and "10 points (needs 4)" in page  # as the text report says it
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "<b>conduct-concern</b>" in r]
    assert '<td class="met">✓ none found</td>' in row


def page_rows(html: str) -> list[str]:
    """Each criterion row of the candidate pages as the text report writes it: mark, id, description, flags."""
    rows = re.findall(r'<tr><td class="\w+">([^<]*)</td><td>(?:&nbsp;)*(<b>[^\n]*?)</td>', html[html.index('<article class="page"'):], re.S)
    return [mark + " " + unescape(re.sub(r"<[^>]+>", "", name)) for mark, name in rows if "<b>" in name]


def test_candidate_pages_mark_and_flag_criteria_as_the_text_report_does(tmp_path):
    names = ["ic-distinguished-not-ready-points-short", "ic-staff-not-ready-disputed-conduct-concern", "ic-developer-ready"]
    packets = [ROOT / "fixtures" / "packets" / f"{name}.yaml" for name in names]
    html = calibrate(tmp_path, [yaml.safe_load(p.read_text()) for p in packets])["html"]
    text = CliRunner().invoke(main, ["evaluate", *map(str, packets), "--format", "text"]).output
    expected = [line.strip() for line in text.splitlines() if re.match(r"\s*[✓✗○] [\w.-]+: ", line)]  # points lines aside
    assert [row.replace("✓ none found ", "✓ ").replace("✗ found ", "✗ ") for row in page_rows(html)] == expected
    shown = "\n".join(page_rows(html))
    assert "○ communities-founded: Founded communities of practice in the last 36 months (2 points each, up to 4) (optional)" in shown
    assert "(from Developer)" in shown and "✗ found conduct-concern:" in shown
    assert '<td class="optional">○</td>' in html and "○ optional and not met" in html


def test_redaction_reaches_the_placement_list(tmp_path):
    # A Staff Engineer whose evidence meets only Senior Developer: a levelling question, by pseudonym.
    texts = calibrate(tmp_path, [packet(id="E-9", name="Omar Petrov", manager="Hiro Tanaka", level="staff-engineer")], "--redact")
    placement = json.loads(texts["json"])["placement"]["levelling"]
    assert [(row["candidate"], row["id"], row["manager"]) for row in placement] == [("Candidate 001", "ID 001", "Manager 001")]
    for fmt, text in texts.items():
        assert "Omar Petrov" not in text and "Hiro Tanaka" not in text, fmt
