"""`ladder calibrate`: every figure of the committee report against verdicts computed here,
independently, packet by packet; the four formats; redaction; rendering in a real browser."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from engine import api
from engine.cli import main
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
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    args = ["calibrate", str(COHORT.relative_to(ROOT))] + [arg for fmt in ("html", "md", "csv", "json") for arg in ("--out", str(out / f"report.{fmt}"))]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output  # the cohort holds invalid packets on purpose: they are in the report
    assert "ladder: 3 invalid packets, listed in the report" in result.stderr
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
    assert 55 <= len(truth) <= 65 and any(isinstance(r, Invalid) for _, _, r in truth)


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


def test_nominations_against_verdicts_are_the_discussion_list(report, truth):
    evaluated = valid(truth)
    nominated_not_ready = [r["candidate"]["id"] for _, _, r in evaluated if r["candidate"]["nominated"] and r["verdict"] != "ready"]
    ready_not_nominated = [r["candidate"]["id"] for _, _, r in evaluated if r["verdict"] == "ready" and r["candidate"]["nominated"] is False]
    assert [row["id"] for row in report["nominations"]["nominated_not_ready"]] == nominated_not_ready
    assert [row["id"] for row in report["nominations"]["ready_not_nominated"]] == ready_not_nominated
    assert nominated_not_ready and ready_not_nominated


def test_nearly_ready_candidates_come_with_what_they_miss(report, truth):
    expected = {r["candidate"]["id"]: r["missing"] for _, _, r in valid(truth) if r["verdict"] == "nearly"}
    assert {row["id"]: row["missing"] for row in report["nearly"]} == expected


def test_manager_agreement_and_outliers(report, truth):
    per_manager, nominated, ready = defaultdict(list), Counter(), Counter()
    for _, _, r in valid(truth):
        manager = r["candidate"]["manager"]
        per_manager[manager].append(r["candidate"]["nominated"] == (r["verdict"] == "ready"))
        nominated[manager] += bool(r["candidate"]["nominated"])
        ready[manager] += r["verdict"] == "ready"
    everyone = [agree for agrees in per_manager.values() for agree in agrees]
    cohort_rate = sum(everyone) / len(everyone)
    for row in report["managers"]:
        agrees = per_manager[row["manager"]]
        assert (row["candidates"], row["agree"], row["nominated"], row["ready"]) == \
            (len(agrees), sum(agrees), nominated[row["manager"]], ready[row["manager"]])
        assert row["agreement"] == pytest.approx(sum(agrees) / len(agrees), abs=1e-4)
        assert row["outlier"] == (len(agrees) >= 3 and sum(agrees) / len(agrees) < cohort_rate - 0.25)
    assert {row["manager"] for row in report["managers"]} == set(per_manager)


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
    managers = {row["manager"]: row for row in json.loads(out.read_text())["managers"]}
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
    assert points == {"points": "At least 16 points in total", "points:organisation": "At least 6 points in organisation"}


# The cohort's valid packets by location, counted by hand; the groups expected below follow from these.
LOCATIONS = {"Berlin": 16, "Lisbon": 11, "Nairobi": 11, "Toronto": 8, "Remote": 6, "Singapore": 5}


@pytest.mark.parametrize("attribute", ["location", "work_pattern"])
def test_fairness_by_group_with_small_groups_suppressed(report, truth, attribute):
    groups = defaultdict(list)
    for _, data, r in valid(truth):
        groups[data["candidate"]["attributes"][attribute]].append((data, r))
    fairness = {a["attribute"]: a for a in report["fairness"]["attributes"]}[attribute]
    shown = {g["group"]: g for g in fairness["groups"]}
    if attribute == "location":
        assert {name: len(members) for name, members in groups.items()} == LOCATIONS
    assert set(shown) == set(groups) and fairness["suppressed"] is False  # every group has at least 5
    assert all(shown[name]["candidates"] == len(members) for name, members in groups.items())
    for name, members in groups.items():
        if name not in shown:
            continue
        assert shown[name]["ready_rate"] == pytest.approx(sum(r["verdict"] == "ready" for _, r in members) / len(members), abs=1e-4)
        for opportunity, had in OPPORTUNITIES.items():
            share = sum(any(had(rec) and str(rec.get("start", rec.get("date"))) <= str(d["as_of"]) for rec in d["evidence"])
                        for d, _ in members) / len(members)
            assert shown[name]["opportunities"][opportunity] == pytest.approx(share, abs=1e-4), (name, opportunity)


def test_verdicts_resting_on_unverified_evidence_are_listed(report, truth):
    expected = {r["candidate"]["id"]: r["evidence_confidence"]["verified_only_verdict"]
                for _, _, r in valid(truth) if r["evidence_confidence"]["differs"]}
    assert {row["id"]: row["verified_only_verdict"] for row in report["unverified"]} == expected
    records = {r["candidate"]["id"]: [d["id"] for d in r["evidence_confidence"]["depends_on"]] for _, _, r in valid(truth)}
    assert all(row["records"] == records[row["id"]] for row in report["unverified"])


def test_invalid_packets_are_listed_with_their_errors_never_dropped(report, truth):
    invalid = {str(p.relative_to(ROOT)): r for p, _, r in truth if isinstance(r, Invalid)}
    assert {row["packet"]: [e["message"] for e in row["errors"]] for row in report["invalid"]} == \
           {path: [d.message for d in r.diagnostics] for path, r in invalid.items()}


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
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


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


def test_a_report_listing_invalid_packets_is_a_success_unless_strict(tmp_path, monkeypatch):
    """A script that asked for the report got it (exit 0); --strict makes an invalid packet fail
    the run (exit 1), the report still written."""
    monkeypatch.chdir(ROOT)
    strict = CliRunner().invoke(main, ["calibrate", str(COHORT.relative_to(ROOT)), "--strict", "--out", str(tmp_path / "r.csv")])
    assert strict.exit_code == 1 and (tmp_path / "r.csv").is_file()
    assert "ladder: 3 invalid packets, listed in the report" in strict.stderr
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
    managers = [m["manager"] for m in redacted["managers"]]
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
    (11, {"Berlin", "Lisbon", "Nairobi"}),  # 8 + 6 + 5 = 19 withheld, enough
    (12, {"Berlin"}),
    (6, {"Berlin", "Lisbon", "Nairobi", "Toronto"}),  # Singapore's 5 alone are too few: Remote's 6 go too
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
