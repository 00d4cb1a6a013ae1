"""`ladder calibrate`: every figure of the committee report against verdicts computed here,
independently, packet by packet; the four formats; redaction; rendering in a real browser."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from html import unescape
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.cohorts import synthetic
from engine.reading import validate
from engine.rendering.report import Invalid

ROOT = Path(__file__).resolve().parents[2]
COHORT = ROOT / "fixtures" / "cohorts" / "spring-2026"
OPPORTUNITIES = {  # tests' own statement of rules/calibration.yaml's opportunities
    "led-high-scope-project": lambda r: r["type"] == "project" and r["role"] == "lead" and r["scope"] in ("org", "company"),
    "spoke-beyond-team": lambda r: r["type"] == "talk" and r["audience"] in ("org", "company", "external"),
    "led-community": lambda r: r["type"] == "community" and r["role"] in ("founder", "lead"),
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, truth):
    out = tmp_path_factory.mktemp("report")
    args = ["calibrate", str(COHORT.relative_to(ROOT))] + [arg for fmt in ("html", "md", "csv", "json") for arg in ("--out", str(out / f"report.{fmt}"))]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output  # the cohort holds invalid packets on purpose: they are in the report
    assert f"ladder: {len(truth) - len(valid(truth))} invalid packets, listed in the report" in result.stderr
    return out


@pytest.fixture(scope="module")
def report(outputs):
    return json.loads((outputs / "report.json").read_text())


@pytest.fixture(scope="module")
def truth(book):
    """Each packet's verdict document (or errors), evaluated one by one, plus its raw data."""
    found = []
    for path in sorted(COHORT.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        found.append((path, data, api.evaluate_packet(book, path)))
    return found


def valid(truth):
    return [(p, d, r) for p, d, r in truth if not isinstance(r, Invalid)]


def test_the_cohort_covers_both_tracks_every_level_and_some_invalid_packets(truth):
    levels = {r["target"]["level"] for _, _, r in valid(truth)}
    assert {"developer", "tech-lead", "staff-engineer", "engineering-manager", "distinguished-engineer", "director-of-engineering"} <= levels
    assert 55 <= len(truth) <= 65 and len(truth) - len(valid(truth)) == round(len(truth) * synthetic.INVALID_SHARE) >= 2


def test_the_report_validates_against_its_schema(report):
    jsonschema.Draft202012Validator(validate.schema("calibration-report"), registry=validate._registry()).validate(report)


def test_totals_and_summary_match_the_verdicts(report, truth):
    evaluated = valid(truth)
    verdicts = Counter(r["verdict"] for _, _, r in evaluated)
    assert report["totals"] == {"packets": len(truth), "evaluated": len(evaluated), "invalid": len(truth) - len(evaluated),
                                "ready": verdicts["ready"], "nearly": verdicts["nearly"], "not_ready": verdicts["not_ready"]}
    by_level = defaultdict(Counter)
    for _, _, r in evaluated:
        by_level[(r["target"]["track"], r["target"]["level"])][r["verdict"]] += 1
    assert {(row["track"], row["level"]): {v: row[v] for v in ("ready", "nearly", "not_ready")} for row in report["summary"]} == \
           {key: {v: c[v] for v in ("ready", "nearly", "not_ready")} for key, c in by_level.items()}


def test_parity_puts_equivalent_levels_side_by_side_and_flags_gaps(report, truth, book):
    rates = {}
    for _, _, r in valid(truth):
        level = r["target"]["level"]
        seen, ready = rates.get(level, (0, 0))
        rates[level] = (seen + 1, ready + (r["verdict"] == "ready"))
    for row, equivalence in zip(report["parity"], book.equivalence):
        assert [lv["level"] for lv in row["levels"]] == list(equivalence.values())
        for level in row["levels"]:
            seen, ready = rates.get(level["level"], (0, 0))
            assert (level["candidates"], level["ready"]) == (seen, ready)
        comparable = [rates[lv["level"]][1] / rates[lv["level"]][0] for lv in row["levels"] if rates.get(lv["level"], (0,))[0] >= 5]
        if len(comparable) > 1:
            assert row["gap"] == pytest.approx(max(comparable) - min(comparable), abs=1e-4)
            assert row["flagged"] == (max(comparable) - min(comparable) > 0.15)
        else:
            assert row["gap"] is None and not row["flagged"]


def test_the_candidate_lists_follow_the_agenda_each_candidate_in_one(report, truth):
    """Nominated and not ready holds only the not ready: the nearly ready nominees have a list
    of their own, with what they miss."""
    evaluated = [r for _, _, r in valid(truth)]
    expected = {
        "nominated_not_ready": [r for r in evaluated if r["candidate"]["nominated"] and r["verdict"] == "not_ready"],
        "nominated_nearly": [r for r in evaluated if r["candidate"]["nominated"] and r["verdict"] == "nearly"],
        "ready_not_nominated": [r for r in evaluated if r["verdict"] == "ready" and r["candidate"]["nominated"] is False],
        "nearly_not_nominated": [r for r in evaluated if r["verdict"] == "nearly" and not r["candidate"]["nominated"]],
        "nominated_ready": [r for r in evaluated if r["candidate"]["nominated"] and r["verdict"] == "ready"],
    }
    lists = report["nominations"]
    assert {key: [row["id"] for row in rows] for key, rows in lists.items()} == \
           {key: [r["candidate"]["id"] for r in rs] for key, rs in expected.items()}
    assert all(rows for rows in lists.values())
    ids = [row["id"] for rows in lists.values() for row in rows]
    assert len(ids) == len(set(ids))


def test_nearly_ready_candidates_come_with_what_they_miss(report, truth):
    expected = {r["candidate"]["id"]: r["missing"] for _, _, r in valid(truth) if r["verdict"] == "nearly"}
    nearly = report["nominations"]["nominated_nearly"] + report["nominations"]["nearly_not_nominated"]
    assert {row["id"]: row["missing"] for row in nearly} == expected


def test_the_html_and_markdown_reports_take_the_sections_in_agenda_order(outputs, report):
    from engine.calibration.pages import AGENDA
    html, markdown = (outputs / "report.html").read_text(), (outputs / "report.md").read_text()
    positions = [html.index(f'<section id="{key}">') for key in AGENDA]
    assert positions == sorted(positions) and positions[-1] < html.index('<section id="roster">') < html.index('<section id="candidates">')
    n = report["nominations"]
    lists = ("nominated_not_ready", "nominated_nearly", "ready_not_nominated", "nearly_not_nominated", "nominated_ready")
    counts = [None, *(len(n[key]) for key in lists), len(report["unverified"]), len(report["placement"]["levelling"]),
              None, None, None, None, len(report["invalid"])]
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [f'## <a id="{key}"></a>{number}. {title}' + ("" if count is None else f" ({count})")
                        for number, (key, title), count in zip(range(1, 99), AGENDA.items(), counts)] + \
                       [f'## <a id="roster"></a>Roster ({len(report["roster"])})', '## <a id="candidates"></a>Candidate pages']
    assert f"<h2>2. Nominated, not ready ({len(n['nominated_not_ready'])})</h2>" in html
    assert f"<h2>3. Nominated, nearly ready ({len(n['nominated_nearly'])})</h2>" in html


def test_manager_agreement_and_outliers(report, truth):
    per_manager, nominated, ready = defaultdict(list), Counter(), Counter()
    for _, _, r in valid(truth):
        manager = r["candidate"]["manager"]
        per_manager[manager].append(r["candidate"]["nominated"] == (r["verdict"] == "ready"))
        nominated[manager] += bool(r["candidate"]["nominated"])
        ready[manager] += r["verdict"] == "ready"
    everyone = [agree for agrees in per_manager.values() for agree in agrees]
    cohort_rate = sum(everyone) / len(everyone)
    cohort = report["managers"]["cohort"]
    assert (cohort["candidates"], cohort["agree"], cohort["nominated"], cohort["ready"]) == \
        (len(everyone), sum(everyone), sum(nominated.values()), sum(ready.values()))
    assert cohort["agreement"] == pytest.approx(cohort_rate, abs=1e-4)
    for row in report["managers"]["by_manager"]:
        agrees = per_manager[row["manager"]]
        assert (row["candidates"], row["agree"], row["nominated"], row["ready"]) == \
            (len(agrees), sum(agrees), nominated[row["manager"]], ready[row["manager"]])
        assert row["agreement"] == pytest.approx(sum(agrees) / len(agrees), abs=1e-4)
        assert row["outlier"] == (len(agrees) >= 3 and sum(agrees) / len(agrees) < cohort_rate - 0.25)
    assert {row["manager"] for row in report["managers"]["by_manager"]} == set(per_manager)


def test_the_report_explains_its_figures_with_the_thresholds_behind_every_flag(outputs, report):
    """What agreement is and what makes an outlier, the parity threshold, gaps in percentage
    points ("26 points", not "26%"), and a caution on small numbers, in HTML and Markdown."""
    assert report["thresholds"] == {"parity": {"max_gap": 0.15, "min_candidates": 5},
                                    "managers": {"max_gap": 0.25, "min_candidates": 3}, "fairness": {"min_group": 5}}
    cohort = round(report["managers"]["cohort"]["agreement"] * 100)
    gaps = [round(row["gap"] * 100) for row in report["parity"] if row["gap"] is not None]
    for fmt in ("html", "md"):
        text = re.sub(r"<[^>]+>|\*\*", "", (outputs / f"report.{fmt}").read_text())
        assert "Agreement is the share of a manager's candidates whose nomination matches the verdict" in text, fmt
        assert (f"calibration outlier with at least 3 candidates and an agreement more than 25 points below the whole "
                f"cohort's {cohort}%, that is below {cohort - 25}%") in text, fmt
        assert "above 15 points it is flagged" in text and "compared only with at least 5 candidates" in text, fmt
        smallest = min(g["candidates"] for a in report["fairness"]["attributes"] for g in a["groups"])
        assert (f"Small numbers. The smallest group shown has {smallest} candidates: one of them more or less ready moves "
                f"its rate by {100 / smallest:.0f} points.") in text, fmt
    html, markdown = ((outputs / f"report.{fmt}").read_text() for fmt in ("html", "md"))
    html_parity = html[html.index('<section id="parity">'):html.index("</section>", html.index('<section id="parity">'))]
    md_parity = [line.split(" | ") for line in markdown[markdown.index('<a id="parity">'):].split("\n## ")[0].splitlines()
                 if line.startswith("| ") and " · " in line]
    assert sorted(gaps) == sorted(int(row[2].split()[0]) for row in md_parity if row[2] != "n/a")
    assert all(row[2] == "n/a" or re.fullmatch(r"\d+ points", row[2]) for row in md_parity)
    assert all(f'<td class="num">{gap} points</td>' in html_parity for gap in gaps)
    assert not re.search(r'<td class="num">[\d.]+%</td>', html_parity)


def test_a_manager_whose_nominations_disagree_with_the_verdicts_is_flagged(tmp_path, book):
    """The fixture cohort has no outlier: here one manager nominates every candidate, none ready,
    while the others' nominations match."""
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    sources = sorted(COHORT.glob("*.yaml"))
    for number, path in enumerate(sources):
        data = yaml.safe_load(path.read_text())
        result = api.evaluate_packet(book, path)
        if isinstance(result, Invalid):
            continue
        not_ready = result["verdict"] != "ready"
        data["candidate"]["manager"] = "Out Lier" if not_ready and number % 3 == 0 else "In Line"
        data["candidate"]["nominated"] = data["candidate"]["manager"] == "Out Lier" or not not_ready
        (cohort / path.name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    out = tmp_path / "r.json"
    assert CliRunner().invoke(main, ["calibrate", str(cohort), "--out", str(out)]).exit_code == 0
    managers = {row["manager"]: row for row in json.loads(out.read_text())["managers"]["by_manager"]}
    assert managers["Out Lier"]["agreement"] == 0 and managers["Out Lier"]["outlier"] is True
    assert managers["In Line"]["agreement"] == 1 and managers["In Line"]["outlier"] is False


def test_top_blockers_are_the_criteria_that_most_often_stop_candidates_ties_included(report, truth):
    stopped, candidates, not_ready_or_nearly = defaultdict(Counter), Counter(), Counter()
    for _, _, r in valid(truth):
        candidates[r["target"]["level"]] += 1
        if r["verdict"] != "ready":
            not_ready_or_nearly[r["target"]["level"]] += 1
            unmet = [c["id"] for comp in r["competencies"] for c in comp["criteria"] if c["required"] and not c["met"]]
            unmet += [f"points:{p['group']}" if p["group"] else "points" for p in r["points"] if not p["met"]]
            stopped[r["target"]["level"]].update(unmet)
    tied = 0
    for level in report["blockers"]:
        counts = stopped[level["level"]]
        third = sorted(counts.values(), reverse=True)[:3][-1]
        top = sorted(((cid, n) for cid, n in counts.items() if n >= third), key=lambda kv: (-kv[1], kv[0]))
        assert [(c["criterion"], c["candidates"]) for c in level["criteria"]] == top
        assert (level["stopped"], level["candidates"]) == (not_ready_or_nearly[level["level"]], candidates[level["level"]])
        assert [c["share"] for c in level["criteria"]] == [round(n / candidates[level["level"]], 4) for _, n in top]
        tied += len(top) > 3
    assert tied, "the cohort should hold a level with criteria tied at the cut-off"


def test_top_blockers_say_what_they_count_and_of_whom(outputs, report):
    level = report["blockers"][0]
    label = f"{level['level_name']} ({level['stopped']} of {level['candidates']} not ready or nearly)"
    for fmt in ("html", "md"):
        text = (outputs / f"report.{fmt}").read_text()
        assert label in text and "Share of all at the level" in text, fmt
    points = {c["criterion"]: c["description"] for level in report["blockers"] if level["level"] == "vp-of-engineering"
              for c in level["criteria"] if c["criterion"].startswith("points")}
    assert "points" in points and points.items() <= {"points": "At least 16 points in total", "points:organisation": "At least 6 points in organisation",
                                                      "points:people": "At least 6 points in people"}.items()


# The cohort's valid packets by location, counted by hand; the groups expected below follow from these.
LOCATIONS = {"Remote": 18, "Berlin": 14, "Nairobi": 9, "Lisbon": 8, "Toronto": 6, "Singapore": 3}


def _pct(rate: float) -> str:
    return f"{rate * 100:.0f}%"


@pytest.mark.parametrize("attribute", ["location", "work_pattern"])
def test_fairness_by_group_with_small_groups_suppressed(report, truth, attribute):
    groups = defaultdict(list)
    for _, data, r in valid(truth):
        groups[data["candidate"]["attributes"][attribute]].append((data, r))
    fairness = {a["attribute"]: a for a in report["fairness"]["attributes"]}[attribute]
    shown = {g["group"]: g for g in fairness["groups"]}
    if attribute == "location":
        assert {name: len(members) for name, members in groups.items()} == LOCATIONS
        # Singapore's 3 are too few; Toronto's 6 go too, or the total less those shown gives Singapore's away.
        assert set(shown) == {"Remote", "Berlin", "Nairobi", "Lisbon"} and fairness["suppressed"] is True
    else:
        assert set(shown) == set(groups) and fairness["suppressed"] is False  # both groups have at least 5
    assert all(shown[name]["candidates"] == len(members) for name, members in groups.items() if name in shown)
    for name, members in groups.items():
        if name not in shown:
            continue
        assert shown[name]["ready_rate"] == pytest.approx(sum(r["verdict"] == "ready" for _, r in members) / len(members), abs=1e-4)
        for opportunity, had in OPPORTUNITIES.items():
            share = sum(any(had(rec) and str(rec.get("start", rec.get("date"))) <= str(d["as_of"]) for rec in d["evidence"])
                        for d, _ in members) / len(members)
            assert shown[name]["opportunities"][opportunity] == pytest.approx(share, abs=1e-4), (name, opportunity)


def test_fairness_reads_each_group_against_the_whole_cohort_and_level_by_level(outputs, report, truth):
    evaluated = valid(truth)
    fairness = report["fairness"]
    minimum = report["thresholds"]["fairness"]["min_group"]
    assert fairness["cohort"]["candidates"] == len(evaluated)
    assert fairness["cohort"]["ready_rate"] == pytest.approx(sum(r["verdict"] == "ready" for _, _, r in evaluated) / len(evaluated), abs=1e-4)
    work = {a["attribute"]: a for a in fairness["attributes"]}["work_pattern"]
    assert work["label"] == "Work pattern" and [g["group"] for g in work["groups"]] == ["full-time", "part-time"]
    # Most levels have a group below 5, or one the others would give away: those levels are withheld.
    assert 0 < len(work["by_level"]) < len(report["summary"]) and work["levels_withheld"] == len(report["summary"]) - len(work["by_level"])
    rows = []
    for level in work["by_level"]:
        members = [(d, r) for _, d, r in evaluated if r["target"]["level"] == level["level"]]
        assert level["candidates"] == len(members)
        for cell in level["groups"]:
            group = [r for d, r in members if d["candidate"]["attributes"]["work_pattern"] == cell["group"]]
            if cell["candidates"] is not None:
                assert len(group) >= minimum and cell == {"group": cell["group"], "candidates": len(group),
                                                          "ready_rate": round(sum(r["verdict"] == "ready" for r in group) / len(group), 4)}
        assert any(cell["candidates"] is None for cell in level["groups"])  # in this cohort, part-time is withheld at every level
        cells = [("withheld" if c["candidates"] is None else f"{_pct(c['ready_rate'])} of {c['candidates']}") for c in level["groups"]]
        rows.append(f"| {level['level_name']} | {level['candidates']} | " + " | ".join(cells) + " |")
    html, markdown = (outputs / "report.html").read_text(), (outputs / "report.md").read_text()
    for text in (html, markdown):
        assert "work_pattern" not in text and "Work pattern, level by level" in text
    assert '<h3>Work pattern</h3>\n<table><thead><tr><th>Work pattern</th>' in html
    cohort = fairness["cohort"]
    assert f'<tr class="baseline"><td>Whole cohort</td><td class="num">{cohort["candidates"]}</td><td class="num">{_pct(cohort["ready_rate"])}</td>' in html
    assert f"| **Whole cohort** | {cohort['candidates']} | {_pct(cohort['ready_rate'])} |" in markdown
    assert all(row in markdown for row in rows), rows


def test_flagged_parity_bars_have_their_own_colour_and_a_legend(outputs, report):
    html = (outputs / "report.html").read_text()
    colours = dict(re.findall(r"--(\w+): (#[0-9a-f]{6})", html))
    assert colours["flag"] not in (colours["ready"], colours["nearly"], colours["not_ready"], colours["rate"])
    assert "svg .rate.flagged { fill: var(--flag); }" in html and ".flag { color: var(--flag);" in html
    flagged = sum(len(row["levels"]) for row in report["parity"] if row["flagged"])
    chart = html[html.index('<svg id="chart-parity"'):html.index("</svg>", html.index('<svg id="chart-parity"'))]
    assert chart.count('<rect class="rate flagged"') == flagged + 1  # the bars, and the legend's swatch
    assert "gap within 15 points</text>" in chart and "gap above 15 points: diverges</text>" in chart


def test_verdicts_resting_on_unverified_evidence_are_listed(report, truth):
    expected = {r["candidate"]["id"]: r["evidence_confidence"]["verified_only_verdict"]
                for _, _, r in valid(truth) if r["evidence_confidence"]["differs"]}
    assert {row["id"]: row["verified_only_verdict"] for row in report["unverified"]} == expected
    records = {r["candidate"]["id"]: r["evidence_confidence"]["depends_on"] for _, _, r in valid(truth)}
    for row in report["unverified"]:
        assert [{k: v for k, v in record.items() if k != "effect"} for record in row["records"]] == records[row["id"]]
        assert row["direction"] == "lower" and {r["effect"] for r in row["records"]} == {"for"}  # in this cohort all fall


def test_unverified_evidence_says_which_way_the_verdict_moves_and_why(tmp_path):
    """A disputed conduct concern holds a verdict back: on verified evidence alone it rises. A
    self-reported record holds one up: without it, it falls. Each record with its confidence."""
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for name in ("ic-staff-not-ready-disputed-conduct-concern", "mgmt-em-ready-but-hires-self-reported"):
        shutil.copy(ROOT / "fixtures" / "packets" / f"{name}.yaml", cohort)
    outs = [arg for fmt in ("json", "html", "md") for arg in ("--out", str(tmp_path / f"r.{fmt}"))]
    assert CliRunner().invoke(main, ["calibrate", str(cohort), *outs]).exit_code == 0
    rises, falls = json.loads((tmp_path / "r.json").read_text())["unverified"]
    assert (rises["verdict"], rises["verified_only_verdict"], rises["direction"]) == ("not_ready", "ready", "higher")
    assert rises["records"] == [{"id": "F-3", "title": "Peer feedback after the CDC design review", "confidence": "disputed",
                                 "effect": "against", "criteria": ["no-conduct-concerns"]}]
    assert (falls["verdict"], falls["direction"]) == ("ready", "lower") and {r["effect"] for r in falls["records"]} == {"for"}
    html, markdown = (tmp_path / "r.html").read_text(), (tmp_path / "r.md").read_text()
    assert ">rises to ready</td>" in html and ">falls to " in html and "| rises to ready |" in markdown
    assert "counts against <b>no-conduct-concerns</b>: F-3 Peer feedback after the CDC design review (disputed)" in html
    assert "counts against **no-conduct-concerns**: F-3 Peer feedback after the CDC design review (disputed)" in markdown
    assert all(f"{r['id']} {r['title']} ({r['confidence']})" in html for r in falls["records"])


def test_invalid_packets_are_listed_with_their_errors_never_dropped(report, truth):
    invalid = {str(p.relative_to(ROOT)): r for p, _, r in truth if isinstance(r, Invalid)}
    assert {row["packet"]: [e["message"] for e in row["errors"]] for row in report["invalid"]} == \
           {path: [d.message for d in r.diagnostics] for path, r in invalid.items()}


def test_the_roster_lists_every_candidate_by_level_then_name_each_linked_to_their_page(outputs, report, truth, book):
    order = [level.id for track in book.tracks.values() for level in track.levels]
    expected = sorted((r for _, _, r in valid(truth)),
                      key=lambda r: (order.index(r["target"]["level"]), r["candidate"]["name"].casefold(), r["candidate"]["id"]))
    roster = report["roster"]
    assert [row["id"] for row in roster] == [r["candidate"]["id"] for r in expected]
    pages = {entry["page"]: entry["explanation"]["candidate"]["id"] for entry in report["candidates"]}
    assert all(pages[row["page"]] == row["id"] for row in roster)
    assert all((row["current_level"], row["level"], row["manager"], row["nominated"], row["verdict"]) ==
               (r["candidate"]["level"], r["target"]["level"], r["candidate"]["manager"], r["candidate"]["nominated"], r["verdict"])
               for row, r in zip(roster, expected))
    html = (outputs / "report.html").read_text()
    table = html[html.index('<table id="roster-table"'):html.index("</table>", html.index('<table id="roster-table"'))]
    groups = re.findall(r'<tbody id="roster-([\w-]+)">', table)
    assert groups == [row["level"] for row in report["summary"]]  # ladder order, every level with candidates
    rows = re.findall(r'<tr class="person"[^>]*><td class="id"><a href="#(c\d+)">([^<]+)</a></td><td><a href="#(c\d+)">', table)
    assert [(page, unescape(shown)) for page, shown, _ in rows] == [(row["page"], row["id"]) for row in roster]
    markdown = (outputs / "report.md").read_text()
    roster_md = markdown[markdown.index('## <a id="roster"></a>'):markdown.index('## <a id="candidates"></a>')]
    assert re.findall(r"^\| \[([^\]]+)\]\(#(c\d+)\) \| \[", roster_md, re.M) == [(row["id"], row["page"]) for row in roster]
    assert re.findall(r'<a id="roster-([\w-]+)"></a>', roster_md) == groups


def test_every_table_that_names_a_candidate_gives_their_id_beside_the_name(outputs, report):
    """Names repeat in an organisation (not in a generated cohort, whose names are unique): every
    row linking to a candidate's page carries the id next to the name, in HTML and Markdown."""
    people = {row["page"]: (row["id"], row["candidate"]) for row in report["roster"]}
    html = (outputs / "report.html").read_text()
    html_rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html[:html.index('<section id="candidates">')], re.S)
    markdown = (outputs / "report.md").read_text()
    md_rows = [line for line in markdown[:markdown.index('## <a id="candidates"></a>')].splitlines() if line.startswith("| ")]
    linked = 0
    for row in html_rows + md_rows:
        for page in set(re.findall(r"\(#(c\d{4})\)|href=\"#(c\d{4})\"", row)):
            page = "".join(page)
            candidate_id, name = people[page]
            assert (f'<a href="#{page}">{candidate_id}</a></td><td><a href="#{page}">{name}</a>' in unescape(row)
                    or f"[{candidate_id}](#{page}) | [{name}](#{page})" in row), row
            linked += 1
    assert linked > 2 * len(people)  # the roster, and the agenda's lists in both formats


def test_every_candidate_page_is_one_table_with_records_in_id_order_and_a_way_back(outputs, report):
    html = (outputs / "report.html").read_text()
    pages = re.findall(r'<article class="page" id="(c\d+)">(.*?)</article>', html, re.S)
    assert len(pages) == report["totals"]["evaluated"]
    explanations = {entry["page"]: entry["explanation"] for entry in report["candidates"]}
    several = 0
    for page, body in pages:
        assert body.count("<table") == 1 and '<p class="back"><a href="#top">↑ Back to top</a>' in body
        doc = explanations[page]
        assert [name for name in re.findall(r'<tr class="competency"><th colspan="\d">([^<]+)</th>', body)] == \
            [unescape(c["name"]) for c in doc["competencies"]] + (["Points"] if doc["points"] else [])
        for cell in re.findall(r"<td>((?:[A-Z]+-\d+ \([^<]*\)(?:<br>)?)+)</td>", body):
            ids = re.findall(r"(?:^|<br>)([A-Z]+-\d+) \(", cell)
            assert ids == sorted(ids, key=lambda i: (i.split("-")[0], int(i.split("-")[1]))), (page, ids)
            several += len(ids) > 1 and ids != sorted(ids)  # in id order, which is not text order: PR-2 before PR-10
        misses = any(not c["met"] and c["not_counted"] for comp in doc["competencies"] for c in _all(comp["criteria"]))
        assert ("<th>Did not count</th>" in body) == misses, page
    assert any("<th>Did not count</th>" not in body for _, body in pages) and several
    markdown = (outputs / "report.md").read_text()
    assert markdown.count("[↑ Back to top](#top)") == len(pages) and '# <a id="top"></a>Calibration report' in markdown


def _all(criteria):
    """Criteria and their children, but for those of `none_of`, where a record found is the miss."""
    for criterion in criteria:
        yield criterion
        if criterion.get("kind") != "none_of":
            yield from _all(criterion.get("children", []))


def test_every_candidate_has_a_page_with_the_full_explanation(report, truth):
    pages = {entry["explanation"]["candidate"]["id"]: entry for entry in report["candidates"]}
    for _, _, r in valid(truth):
        assert pages[r["candidate"]["id"]]["explanation"]["competencies"] == r["competencies"]


def test_markdown_and_html_candidate_pages_carry_every_criterion(outputs, truth):
    """Not only the headline: each page lists every criterion of the explanation with what it observed."""
    markdown, html = (outputs / "report.md").read_text(), (outputs / "report.html").read_text()
    for _, _, r in valid(truth):
        criteria = [c for competency in r["competencies"] for c in competency["criteria"]]
        start = markdown.index(f"({r['candidate']['id']}): ")
        page = markdown[start:markdown.find("\n### <a id=", start)]
        assert all(f"**{c['id']}**" in page and c["statement"].split(" (")[0] in page for c in criteria), r["candidate"]["id"]
        assert all(c["statement"].split(" (")[0] in html for c in criteria)


def test_all_four_formats_agree_on_the_figures(outputs, report):
    rows = list(csv.DictReader(io.StringIO((outputs / "report.csv").read_text())))
    evaluated = [row for row in rows if not row["errors"]]
    assert Counter(row["verdict"] for row in evaluated) == Counter({k: report["totals"][k] for k in ("ready", "nearly", "not_ready")})
    assert len(rows) == report["totals"]["packets"]
    markdown = (outputs / "report.md").read_text()
    assert f"{report['totals']['packets']} packets: {report['totals']['evaluated']} evaluated" in markdown
    html = (outputs / "report.html").read_text()
    assert f"{report['totals']['packets']} packets: {report['totals']['evaluated']} evaluated" in html
    # Self-contained: one inline script (the roster's sort and filter), nothing fetched.
    assert html.count("<script") == 1 and "<script>\n" in html and " src=" not in html and "<link" not in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_the_same_cohort_gives_byte_identical_reports(outputs, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    for fmt in ("html", "md", "csv", "json"):
        CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--out", str(tmp_path / f"again.{fmt}")])
        assert (tmp_path / f"again.{fmt}").read_bytes() == (outputs / f"report.{fmt}").read_bytes(), fmt


def test_a_json_lines_cohort_gives_the_same_verdicts(tmp_path, report):
    lines = tmp_path / "cohort.jsonl"
    lines.write_text("".join(json.dumps(yaml.safe_load(p.read_text()), default=str) + "\n" for p in sorted(COHORT.glob("*.yaml"))))
    out = tmp_path / "from-lines.json"
    CliRunner().invoke(main, ["calibrate", str(lines), "--out", str(out)])
    again = json.loads(out.read_text())
    assert again["totals"] == report["totals"] and again["summary"] == report["summary"]
    assert again["invalid"][0]["packet"].startswith(f"{lines}:")


def test_an_out_the_cohort_would_read_as_a_packet_next_time_is_refused_before_any_work(tmp_path):
    cohort = tmp_path / "cohort"
    shutil.copytree(COHORT, cohort)
    result = CliRunner().invoke(main, ["calibrate", str(cohort), "--out", str(cohort / "report.json")])
    assert result.exit_code == 2 and not (cohort / "report.json").exists()
    assert f"--out: {cohort / 'report.json'} is in {cohort}, whose files are all read: the next run would read it too" in result.stderr
    beside = CliRunner().invoke(main, ["calibrate", str(cohort), "--out", str(cohort / "report.html")])
    assert (cohort / "report.html").is_file() and "invalid packets, listed in the report" in beside.stderr


def test_a_report_listing_invalid_packets_is_a_success_unless_strict(tmp_path, monkeypatch, report):
    """A script that asked for the report got it (exit 0); --strict makes an invalid packet fail
    the run (exit 1), the report still written."""
    monkeypatch.chdir(ROOT)
    strict = CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--strict", "--out", str(tmp_path / "r.csv")])
    assert strict.exit_code == 1 and (tmp_path / "r.csv").is_file()
    assert f"ladder: {len(report['invalid'])} invalid packets, listed in the report" in strict.stderr
    valid = tmp_path / "valid"
    valid.mkdir()
    shutil.copy(COHORT / "0001-E-10000.yaml", valid)
    alone = CliRunner().invoke(main, ["calibrate", str(valid), "--strict", "--out", str(tmp_path / "v.csv")])
    assert alone.exit_code == 0 and "ladder:" not in alone.stderr


def test_redaction_replaces_every_name_with_a_stable_pseudonym(tmp_path, truth, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "redacted.json"
    CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--redact", "--out", str(out), "--out", str(tmp_path / "r.html")])
    text = out.read_text() + (tmp_path / "r.html").read_text()
    for _, data, _ in truth:
        for secret in (data["candidate"]["name"], data["candidate"]["manager"], data["candidate"]["id"]):
            assert secret not in text, secret
    redacted = json.loads(out.read_text())
    assert redacted["redacted"] is True
    managers = [m["manager"] for m in redacted["managers"]["by_manager"]]
    assert all(m.startswith("Manager ") for m in managers) and len(set(managers)) == len(managers)
    for row in redacted["nominations"]["nominated_not_ready"]:
        page = next(c for c in redacted["candidates"] if c["page"] == row["page"])
        assert page["explanation"]["candidate"]["name"] == row["candidate"]  # same person, same pseudonym


def test_no_progress_bar_on_a_pipe(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--out", str(tmp_path / "r.csv")])
    assert "Evaluating" not in result.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; .ci/run installs it)")
def test_the_html_report_renders_in_chromium_with_its_charts(outputs, tmp_path):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    page = (outputs / "report.html").as_uri()
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<svg id="chart-verdicts"' in dom.stdout and '<svg id="chart-parity"' in dom.stdout
    assert dom.stdout.count("<rect") > 20
    shot = tmp_path / "report.png"
    rendered = subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1200,1600", page],
                              capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0 and shot.stat().st_size > 20_000, rendered.stderr[-2000:]
    pdf = tmp_path / "report.pdf"
    printed = subprocess.run([CHROMIUM, *flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page],
                             capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0 and pdf.read_bytes().startswith(b"%PDF"), printed.stderr[-2000:]


@pytest.mark.parametrize("minimum, expected", [
    (9, {"Remote", "Berlin", "Nairobi"}),  # 8 + 6 + 3 = 17 withheld, enough
    (10, {"Remote", "Berlin"}),
    (6, {"Remote", "Berlin", "Nairobi", "Lisbon"}),  # Singapore's 3 alone are too few: Toronto's 6 go too
], ids=["group-at-the-minimum-is-shown", "group-one-below-is-suppressed", "a-lone-small-group-takes-the-next-smallest-with-it"])
def test_groups_below_the_minimum_size_are_suppressed(minimum, expected, rules_copy, tmp_path, monkeypatch):
    settings = rules_copy / "calibration.yaml"
    settings.write_text(settings.read_text().replace("min_group: 5 ", f"min_group: {minimum} "))
    monkeypatch.chdir(ROOT)
    out = tmp_path / "r.json"
    CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--rules", str(rules_copy), "--out", str(out)])
    location = {a["attribute"]: a for a in json.loads(out.read_text())["fairness"]["attributes"]}["location"]
    assert {g["group"] for g in location["groups"]} == expected and location["suppressed"] is True


def test_rows_share_repeated_values_without_confusing_equal_ones_of_another_kind(book):
    """Rows are kept compact by sharing equal values; equal is not enough for attributes."""
    from engine.calibration.calibrate import Calibration
    from engine.cohorts.cohort import Evaluated
    result = api.evaluate_packet(book, ROOT / "fixtures" / "packets" / "ic-staff-ready.yaml")
    calibration = Calibration(book, "test", keep_pages=False)
    values = [True, 1, True, 0.0, -0.0]
    for label, value in zip("abcde", values):
        calibration.add(Evaluated(label, {**result, "packet": label}, {"remote": value}))
    first, second, third, *_ = calibration.rows
    assert [repr(r.attributes["remote"]) for r in calibration.rows] == [repr(v) for v in values]
    assert first.attributes is third.attributes and first.unmet is third.unmet


def _open(browser, path: Path, **options):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, **options)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: errors.append(f"fetched {request.url}") if request.url != path.as_uri() else None)
    page.goto(path.as_uri())
    return page, errors


def _shown(page) -> list[dict]:
    """The roster's visible rows, level by level: id, verdict, nominated and sort keys."""
    return page.eval_on_selector_all("#roster-table tbody:not([hidden]) tr.person:not([hidden])", """rows => rows.map(row => ({
        level: row.parentElement.id, id: row.cells[0].textContent, name: row.cells[1].textContent,
        verdict: row.dataset.verdict, nominated: row.dataset.nominated, current: Number(row.cells[3].dataset.sort),
        rank: Number(row.cells[6].dataset.sort)}))""")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; .ci/run installs it)")
def test_the_roster_sorts_and_filters_in_chromium(browser, outputs, report):
    page, errors = _open(browser, outputs / "report.html")
    everyone = _shown(page)
    assert [row["id"] for row in everyone] == [row["id"] for row in report["roster"]]
    total = len(report["roster"])
    assert page.inner_text("#roster-count") == f"{total} candidates" and page.is_visible("#roster-filter")

    manager = Counter(row["manager"] for row in report["roster"]).most_common()[-1][0]  # the fewest candidates
    theirs = [row for row in report["roster"] if row["manager"] == manager]
    page.fill("#roster-filter", manager.upper())  # matching ignores case
    assert sorted(row["id"] for row in _shown(page)) == sorted(row["id"] for row in theirs)
    assert page.inner_text("#roster-count") == f"{len(theirs)} of {total} candidates"
    levels = {row["level"] for row in theirs}
    assert page.locator("#roster-table tbody:not([hidden])").count() == len(levels) < len(report["summary"])  # levels with no match fold away
    page.fill("#roster-filter", "")
    page.select_option("#roster-verdict", "nearly")
    assert {row["verdict"] for row in _shown(page)} == {"nearly"} and len(_shown(page)) == report["totals"]["nearly"]
    page.select_option("#roster-verdict", "not_ready")
    page.select_option("#roster-nominated", "yes")
    assert sorted(row["id"] for row in _shown(page)) == sorted(row["id"] for row in report["nominations"]["nominated_not_ready"])
    page.select_option("#roster-verdict", "")
    page.select_option("#roster-nominated", "")
    assert len(_shown(page)) == total

    def in_each_level(rows, key):
        levels = {}
        for row in rows:
            levels.setdefault(row["level"], []).append(key(row))
        return levels.values()
    page.click("#roster-table thead th:nth-child(7) button")  # Verdict: not ready, nearly, ready
    assert page.get_attribute("#roster-table thead th:nth-child(7)", "aria-sort") == "ascending"
    assert all(ranks == sorted(ranks) for ranks in in_each_level(_shown(page), lambda row: row["rank"]))
    page.click("#roster-table thead th:nth-child(7) button")
    assert all(ranks == sorted(ranks, reverse=True) for ranks in in_each_level(_shown(page), lambda row: row["rank"]))
    page.click("#roster-table thead th:nth-child(1) button")  # Id: E-10003 before E-10014, as people count
    assert all(ids == sorted(ids) for ids in in_each_level(_shown(page), lambda row: int(row["id"].split("-")[1])))
    assert sorted(row["id"] for row in _shown(page)) == sorted(row["id"] for row in everyone)  # sorting loses no one
    assert errors == []


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; .ci/run installs it)")
def test_every_link_in_the_html_report_resolves_in_chromium(browser, outputs):
    page, errors = _open(browser, outputs / "report.html")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.getAttribute('href'))")
    assert len(hrefs) > 400 and all(href.startswith("#") for href in hrefs)  # self-contained: no page links out
    missing = page.evaluate("ids => ids.filter(id => !document.getElementById(id))", sorted({href[1:] for href in hrefs}))
    assert missing == []
    page.click("#roster-table tbody tr.person >> nth=0 >> td:nth-child(2) a")
    target = page.evaluate("location.hash")
    assert page.is_visible(f"article{target}") and abs(page.evaluate(f"document.querySelector('{target}').getBoundingClientRect().top")) < 2
    page.click(f"article{target} p.back a[href='#top']")
    assert page.evaluate("location.hash") == "#top" and abs(page.evaluate("document.getElementById('top').getBoundingClientRect().top")) < 2
    assert errors == []


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; .ci/run installs it)")
def test_without_scripts_the_roster_is_a_plain_table_with_everyone(browser, outputs, report):
    page, errors = _open(browser, outputs / "report.html", java_script_enabled=False)
    assert not page.is_visible("#roster-tools") and not page.is_visible("#roster-table thead button")
    assert [row["id"] for row in _shown(page)] == [row["id"] for row in report["roster"]] and errors == []


def test_every_link_in_the_markdown_report_has_its_anchor(outputs):
    markdown = (outputs / "report.md").read_text()
    targets = set(re.findall(r"\]\(#([\w-]+)\)", markdown))
    anchors = set(re.findall(r'<a id="([\w-]+)"></a>', markdown))
    assert len(targets) > 60 and targets <= anchors


def test_the_readme_s_markdown_sample_is_what_the_report_says(outputs):
    """The README shows an excerpt of this cohort's Markdown report: it must not drift."""
    readme = (ROOT / "README.md").read_text()
    sample = readme[readme.index("The same in Markdown (an excerpt):"):]
    sample = sample[sample.index("```markdown\n") + len("```markdown\n"):sample.index("```\n", sample.index("```markdown"))]
    assert sample.strip() and sample in (outputs / "report.md").read_text()
    assert all((ROOT / image).is_file() for image in re.findall(r"\]\((docs/images/[\w.-]+\.png)\)", readme))


def test_packets_naming_no_target_are_placed_too_and_levelling_questions_listed(report, truth, book):
    """A packet with no target is judged for the next level (every figure above) and placed on
    its track as `ladder place` places it; the report lists those placed below their level, at
    no level, or beyond the next level. A packet that names a target is not placed."""
    untargeted = [(path, result) for path, data, result in valid(truth) if "target" not in data]
    assert 0 < len(untargeted) < len(valid(truth))  # the cohort has both kinds
    expected = []
    for path, result in untargeted:
        track = api.place_packet(book, path)["tracks"][0]
        placed, first = track["placed"], track["first_not_met"]
        steps = placed["steps"] if placed else None
        if steps is None or not 0 <= steps <= 1:
            expected.append({"id": result["candidate"]["id"], "placed_level": placed and placed["level"], "steps": steps,
                             "first_not_met": first and first["level"]})
    assert report["placement"]["placed"] == len(untargeted)
    keys = ("id", "placed_level", "steps", "first_not_met")
    assert [{k: row[k] for k in keys} for row in report["placement"]["levelling"]] == expected
    assert {row["steps"] for row in expected} >= {None, -1, 2}  # below, nowhere and beyond the next level all occur


def test_the_placement_section_is_in_every_readable_format(outputs, report):
    html, markdown = (outputs / "report.html").read_text(), (outputs / "report.md").read_text()
    assert '<section id="placement">' in html and '<a href="#placement">Placement: levelling questions</a>' in html
    assert '## <a id="placement"></a>8. Placement: levelling questions (' in markdown  # after the candidates, before the checks
    below = next(row for row in report["placement"]["levelling"] if row["steps"] == -1)
    assert (f"| [{below['id']}](#{below['page']}) | [{below['candidate']}](#{below['page']}) | {below['level_name']} | "
            f"{below['placed_level_name']} (1 level below) | {below['first_not_met_name']} | {below['manager']} |") in markdown
