"""`ladder impact`: whom a rule change affects, from directories or git revisions."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
PACKETS = ROOT / "fixtures" / "packets"
VARIANT = yaml.safe_load((ROOT / "fixtures" / "rulebooks" / "stricter-mentorship.yaml").read_text())


def apply(patches: list[dict], rules: Path) -> Path:
    for patch in patches:
        target = rules / patch["file"]
        text = target.read_text()
        assert patch["old"] in text, f"{patch['file']} no longer holds the text the variant changes"
        target.write_text(text.replace(patch["old"], patch["new"], 1))
    return rules


@pytest.fixture
def stricter(tmp_path) -> Path:
    rules = tmp_path / "stricter"
    shutil.copytree(ROOT / "rules", rules)
    return apply(VARIANT, rules)


def mentees_in_window(packet: Path) -> int:
    """Independent count: mentee records in the 24 months before as_of (dates as ISO text)."""
    data = yaml.safe_load(packet.read_text())
    as_of = str(data["as_of"])
    start = f"{int(as_of[:4]) - 2}{as_of[4:]}"
    return sum(1 for r in data["evidence"] if r["type"] == "mentee"
               and str(r["start"]) <= as_of and str(r.get("end", as_of)) >= start)


def run(*args):
    return CliRunner().invoke(main, ["impact", *map(str, args)])


def test_a_stricter_mentorship_rule_changes_exactly_the_staff_packets_with_two_mentees(stricter):
    staff = [p for p in sorted(PACKETS.glob("*.yaml")) if "staff-engineer" in json.dumps(
        CliRunner().invoke(main, ["evaluate", str(p), "--format", "json"]).stdout)]
    expected = sorted(str(p.relative_to(ROOT)) for p in staff if mentees_in_window(p) == 2)
    assert expected, "the fixtures should include Staff packets with exactly two mentees"
    result = json.loads(run("--base", ROOT / "rules", "--head", stricter, PACKETS, "--format", "json").stdout)
    changed = sorted(str(Path(c["packet"]).resolve().relative_to(ROOT)) for c in result["changes"])
    assert changed == expected
    assert all([f["criterion"] for f in c["flipped"]] == ["mentees"] for c in result["changes"])


def test_the_summary_counts_who_loses_readiness_by_track_and_level(stricter):
    result = json.loads(run("--base", ROOT / "rules", "--head", stricter, PACKETS, "--format", "json").stdout)
    downgrades = [c for c in result["changes"] if c["direction"] == "downgrade"]
    (row,) = result["summary"]
    assert (row["track"], row["level"], row["downgrade"], row["gain"]) == ("ic", "staff-engineer", len(downgrades), 0)
    assert row["same"] == len(result["changes"]) - len(downgrades)


def test_fail_on_downgrade_and_any(stricter):
    args = ["--base", ROOT / "rules", "--head", stricter, PACKETS]
    assert run(*args).exit_code == 0
    assert run(*args, "--fail-on", "downgrade").exit_code == 1
    assert run("--base", ROOT / "rules", "--head", ROOT / "rules", PACKETS, "--fail-on", "any").exit_code == 0
    reverse = run("--base", stricter, "--head", ROOT / "rules", PACKETS, "--fail-on", "downgrade")
    assert reverse.exit_code == 0 and "gains readiness" in reverse.stdout


def test_markdown_fits_a_pull_request_comment(stricter):
    text = run("--base", ROOT / "rules", "--head", stricter, PACKETS, "--format", "markdown").stdout
    assert text.startswith("### Rule change impact: ")
    assert "| Packet | Candidate | Level | Before | After | Criteria that flipped |" in text
    assert "`mentees`: met → unmet (2 of 3 mentees in the last 24 months)" in text


def test_markdown_shows_names_and_statements_as_text_never_as_html(stricter, tmp_path):
    packet = tmp_path / "p.yaml"
    packet.write_text((PACKETS / "ic-staff-ready.yaml").read_text().replace("name: Mei Lin Zhou", "name: Mei <b>Lin</b> | Zhou"))
    text = run("--base", ROOT / "rules", "--head", stricter, packet, "--format", "markdown").stdout
    assert "| Mei &lt;b&gt;Lin&lt;/b&gt; \\| Zhou (E-1588) |" in text and "<b>" not in text


def test_a_git_revision_is_read_without_touching_the_work_tree(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "rules", repo / "rules")
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "rules", "--allow-empty")
    git("add", "rules")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "rules")
    apply(VARIANT, repo / "rules")
    before = sorted((p, p.read_bytes()) for p in (repo / "rules").rglob("*") if p.is_file())
    monkeypatch.chdir(repo)
    result = run("--base", "git:HEAD", "--head", "rules", PACKETS, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"]
    assert sorted((p, p.read_bytes()) for p in (repo / "rules").rglob("*") if p.is_file()) == before
    assert git("status", "--porcelain").stdout.decode().strip() == "M rules/levels/staff-engineer.yaml"
    missing = run("--base", "git:HEAD:nowhere", "--head", "rules", PACKETS)
    assert missing.exit_code == 1 and "git:HEAD:nowhere:1:1: error: revision HEAD has no files under nowhere/" in missing.stderr
    monkeypatch.chdir(repo / "rules")  # PATH is relative to the working directory, as on the command line
    for spec in ("git:HEAD:.", "git:HEAD:../rules"):
        inside = run("--base", spec, "--head", ".", PACKETS, "--format", "json")
        assert inside.exit_code == 0, inside.output
        assert json.loads(inside.stdout)["changes"] == json.loads(result.stdout)["changes"]
    elsewhere = run("--base", "git:HEAD:nowhere", "--head", ".", PACKETS)
    assert "revision HEAD has no files under rules/nowhere/ (from the top of the repository)" in elsewhere.stderr
    outside = run("--base", "git:HEAD:../..", "--head", ".", PACKETS)
    assert outside.exit_code == 1 and "../.. is outside the git repository" in outside.stderr


def test_a_packet_the_head_rulebook_rejects_fails_on_downgrade_and_one_it_accepts_does_not(tmp_path):
    narrower = apply([{"file": "evidence.yaml", "old": "values: [lead, core, contributor]", "new": "values: [lead, core]"}],
                     shutil.copytree(ROOT / "rules", tmp_path / "narrower"))
    accepted = run("--base", narrower, "--head", ROOT / "rules", PACKETS, "--fail-on", "downgrade", "--format", "json")
    changes = json.loads(accepted.stdout)["changes"]
    assert accepted.exit_code == 0 and changes
    assert {(c["before"], c["direction"]) for c in changes} == {("invalid", "invalid")}
    assert all(c["flipped"] == [] for c in changes)  # nothing was evaluated on the invalid side
    markdown = run("--base", narrower, "--head", ROOT / "rules", PACKETS, "--format", "markdown").stdout
    assert "| Criteria only | Change validity |" in markdown and any(line.endswith(f"| 0 | {n} |") for n in range(1, 9)
                                                                     for line in markdown.splitlines())
    rejected = run("--base", ROOT / "rules", "--head", narrower, PACKETS, "--fail-on", "downgrade")
    assert rejected.exit_code == 1


def test_invalid_packets_are_listed_in_a_successful_report_and_fail_it_only_with_strict(tmp_path):
    packets = tmp_path / "packets"
    shutil.copytree(PACKETS, packets)
    (packets / "broken.yaml").write_text("candidate: {}\n")
    listed = run("--base", ROOT / "rules", "--head", ROOT / "rules", packets)
    assert listed.exit_code == 0 and f"1 packet(s) invalid under both rulebooks: {packets / 'broken.yaml'}" in listed.stdout
    assert run("--base", ROOT / "rules", "--head", ROOT / "rules", packets, "--strict").exit_code == 1
    assert run("--base", ROOT / "rules", "--head", ROOT / "rules", PACKETS, "--strict").exit_code == 0


def test_a_git_revision_without_git_installed_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git here
    result = CliRunner().invoke(main, ["impact", "--base", "git:HEAD", "--head", "rules", str(ROOT / "fixtures/packets/ic-staff-ready.yaml")])
    assert result.exit_code == 1
    assert "git:HEAD:1:1: error: cannot run git to read it" in result.stderr and "Traceback" not in result.output
