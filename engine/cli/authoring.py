"""Commands for rule authors: `test`, `lint`, `impact`, `docs` and `schema`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.cli.app import (
    FINDINGS_FORMAT,
    OUT_HELP,
    cache_option,
    check_out,
    engine_failed,
    findings_text,
    jobs_options,
    load_rulebook,
    main,
    print_diagnostics,
    rule_inputs,
    stopping_on_failure,
    write,
    writing,
)
from engine.cli.cycles import db_option, store_file, using_store
from engine.cohorts import pool
from engine.common.errors import LadderError
from engine.common.text import plural
from engine.reading import bundle


@main.command()
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@FINDINGS_FORMAT
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
def lint(rules_dir: Path | None, fmt: str, strict: bool, out: Path | None) -> None:
    """Check a rulebook (default: the built-in one) beyond validity.

    Finds conditions that can never hold, criteria and levels nobody can reach, duplicate and
    shadowed criteria, missing descriptions, gaps in level order, and parity between the
    tracks: equivalent levels must share a band and ask for comparable evidence (required
    criteria, evidence records, competencies; how they compare: docs/rules.md), and a track
    whose top band is below another's. Every finding has a stable code. A finding the rulebook
    accepts with a reason (ladder.yaml `accepted:`) is shown as accepted and fails nothing.
    Exit status is 1 on errors (and on warnings with --strict).

    \b
      ladder lint rules/
      ladder lint rules/ --strict --format sarif --out lint.sarif
    """
    from engine import api
    from engine.cohorts import outputs
    from engine.tooling import lint as linting

    if out:
        check_out(outputs.file_problem(out, rule_inputs(rules_dir)))
    findings = linting.lint(rules_dir or api.default_rules_dir())
    text = findings_text(fmt, findings, "ladder.lint/1", linting.RULES, linting.LOAD_RULE)
    if out:
        write(out, text)
    else:
        click.echo(text, nl=False)
    counts = {level: sum(d.level == level and not d.accepted for d in findings) for level in ("error", "warning", "info")}
    accepted = sum(bool(d.accepted) for d in findings)
    click.echo(f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, {plural(counts['info'], 'note')}"
               + (f", {accepted} accepted by the rulebook" if accepted else ""), err=True)
    sys.exit(1 if counts["error"] or (strict and counts["warning"]) else 0)


@main.command()
@click.option("--base", required=True, metavar="RULES", help="The rulebook before the change: a directory, or git:REV[:PATH], read from git without touching the work tree (PATH from the current directory; default rules).")
@click.option("--head", required=True, metavar="RULES", help="The rulebook after the change, the same way (e.g. rules/ for the work tree).")
@click.argument("packets", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--cycle", "cycle_name", metavar="NAME", help="Judge a stored promotion cycle's frozen packets (as of its date) instead of PACKETS.")
@db_option
@click.option("--by", "by", multiple=True, metavar="ATTRIBUTE",
              help="Readiness by group of this candidate attribute (as packets carry it: candidate.attributes), before and "
                   "after; groups too small to show are withheld as in the committee's report, and a change that widens the gap "
                   "between two groups beyond parity.max_gap in the head rules' calibration.yaml is flagged. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown fits a pull-request comment.")
@click.option("--fail-on", type=click.Choice(["never", "downgrade", "any", "fairness"]), multiple=True, default=["never"],
              show_default=True,
              help="Exit 1 when some packet loses readiness or becomes invalid under --head (downgrade), or changes at all "
                   "(any), or when a gap between groups is flagged (fairness, with --by). Repeatable.")
@click.option("--strict", is_flag=True, help="Exit 1 if any packet is invalid under either rulebook. Without it, a report "
              "that lists invalid packets is a success (exit 0).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@jobs_options
@cache_option
def impact(base: str, head: str, packets: tuple[Path, ...], cycle_name: str | None, db: str | None, by: tuple[str, ...], fmt: str,
           fail_on: tuple[str, ...], strict: bool, out: Path | None, jobs: int, timeout: float, cache: bool) -> None:
    """Show whom a rule change affects: evaluate PACKETS (or a stored --cycle) under --base and --head rules.

    For each packet whose outcome changes: the verdict before and after, and the criteria that
    flipped with their explanations; then a summary by track and level; with --by, readiness
    by group before and after, and any gap the change widens beyond the threshold. git:
    revisions are read with `git show`; the work tree is never touched. Only what can change is
    evaluated: nothing when the rules are the same (without --by), and for a change to some
    levels only the packets whose target is or builds on one of them; verdicts come from the
    cache where they can (a calibration's too).

    \b
      ladder impact --base git:main --head rules/ fixtures/packets/ --format markdown
      ladder impact --base git:main --head rules/ cohort/ --by work_pattern --by gender --fail-on fairness
      ladder impact --base git:main --head rules/ --cycle 2026-spring --by gender

    Exit status: 0 when the report is written, invalid packets listed in it; 1 for what
    --fail-on names, or any invalid packet with --strict, or a rulebook or store that cannot be
    read, or a --by attribute no packet carries; 2 if PACKETS name no packets, or for both or
    neither of PACKETS and --cycle; 3 if the rules engine failed on a packet (listed in the
    report with that error).
    """
    from engine import api
    from engine.cohorts import cohort, outputs
    from engine.tooling import impact as impacts
    from engine.tooling.impact_fairness import missing

    if packets and cycle_name is not None:
        raise click.UsageError("give PACKETS or --cycle NAME, not both: --cycle judges the cycle's own frozen packets")
    if not packets and cycle_name is None:
        raise click.UsageError("give PACKETS (files, directories, .jsonl) or --cycle NAME")
    if db is not None and cycle_name is None:
        raise click.UsageError("--db names the store of a --cycle: give --cycle NAME too")
    if "fairness" in fail_on and not by:
        raise click.UsageError("--fail-on fairness compares groups: name their attribute with --by (e.g. --by gender)")
    if out:
        rule_dirs = [Path(spec) for spec in (base, head) if Path(spec).is_dir()]
        check_out(outputs.file_problem(out, packets + tuple(f for d in rule_dirs for f in rule_inputs(d)) + tuple(store_file(db))))
    if packets:
        cohort.all_items(packets)  # a path naming no packets is a usage error, before any work
    books = []
    for spec in (base, head):
        try:
            books.append(impacts.resolve(spec, cache))
        except LadderError as e:
            print_diagnostics(e.diagnostics)
            click.echo(f"ladder: cannot use {spec} as a rulebook", err=True)
            sys.exit(1)
    if cycle_name is not None:
        with using_store(db) as store:
            report = api.impact_of_cycle(store, cycle_name, base, head, by, jobs, timeout, (books[0], books[1]))
    else:
        with stopping_on_failure():
            report = api.impact(base, head, packets, by, jobs, timeout, cache, (books[0], books[1]))
    text = impacts.RENDERERS[fmt](report)
    if out:
        write(out, text)
    else:
        click.echo(text, nl=False)
    faults = [result for result in report.invalid if cohort.is_fault(result)]
    if faults:
        print_diagnostics([d for result in faults for d in result.diagnostics])
        engine_failed(f"failed on {plural(len(faults), 'packet')}; every other packet is in the report")
    unknown = missing(report.fairness) if report.fairness else []
    for attribute in unknown:
        known = ", ".join(report.fairness["known_attributes"]) or "none"
        click.echo(f"ladder: error: no candidate carries the attribute {attribute!r} given to --by (they carry: {known})", err=True)
    invalid = bool(report.invalid) or any("invalid" in (c.before, c.after) for c in report.changes)
    sys.exit(1 if any(report.fails(f) for f in fail_on) or (strict and invalid) or unknown else 0)


@main.command()
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Directory to write the pages into: made if missing (its parent must exist), and pages of an "
                   "earlier run there that the rules no longer produce are removed (only those).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="md for a repository or wiki; html for a site that needs no build step (no scripts).")
def docs(rules_dir: Path | None, out: Path, fmt: str) -> None:
    """Publish the career framework, generated from the rules (default: the built-in rulebook).

    An overview (contents, the bands of both tracks side by side with a link to every level,
    how the tracks stand equal, how a decision is reached); a page per track with its
    competency x level grid; a page per level with its competencies as behaviours, the criteria
    and evidence that show them, its verdict rule and its equivalent on the other track; and
    the evidence types with an example packet. A manifest (.ladder-docs.json) records the pages
    written, so the next run removes only its own pages that the rules no longer produce.

    \b
      ladder docs --out site/ --format html
    """
    from engine.cohorts import outputs
    from engine.tooling import docs as documents

    check_out(outputs.documents_directory_problem(out))
    book = load_rulebook(rules_dir)
    with writing(out):
        site = documents.write(book, out, fmt)
    for path in site.written:
        click.echo(f"wrote {path}", err=True)
    for path in site.removed:
        click.echo(f"removed {path} (the rules no longer produce it)", err=True)


@main.command()
@click.argument("kind", type=click.Choice(bundle.KINDS), metavar="KIND")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the schema to this file instead of standard output.")
def schema(kind: str, out: Path | None) -> None:
    """Print the JSON Schema of one kind of document, self-contained: every schema it refers to
    is inside it, so editors and other validators can use it offline.

    KIND is a document people write (packet, ladder, evidence, level, calibration, rule-test, mapping)
    or one ladder writes as JSON (verdict, placement, calibration-report). For example:

    \b
      ladder schema packet --out .schemas/packet.schema.json
      check-jsonschema --schemafile .schemas/packet.schema.json packets/*.yaml

    In an editor with the YAML language server, a first line names the schema of a document:

    \b
      # yaml-language-server: $schema=../.schemas/packet.schema.json
    """
    from engine import api
    from engine.cohorts import outputs

    text = json.dumps(api.schema(kind), indent=2, ensure_ascii=False) + "\n"
    if out:
        check_out(outputs.file_problem(out))
        write(out, text)
    else:
        click.echo(text, nl=False)


@main.command("test")
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--coverage", "show_coverage", is_flag=True, help="Report, per criterion of every level, whether the tests see it both met and unmet.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), metavar="PCT", help="Fail below this coverage (implies --coverage).")
@click.option("--junit-xml", type=click.Path(path_type=Path, dir_okay=False), help="Also write a JUnit XML report here, for CI systems.")
@jobs_options
@cache_option
def test_command(rules_dir: Path | None, show_coverage: bool, min_coverage: float | None, junit_xml: Path | None,
                 jobs: int, timeout: float, cache: bool) -> None:
    """Run the rule tests of a rulebook (RULES_DIR/tests/*.yaml; default: the built-in one).

    Each case gives a packet and the outcome the rules must give it: the verdict, and
    optionally the status of named criteria. One line per case; a failure shows expected
    against actual, with the explanation.

    \b
      ladder test rules/
      ladder test rules/ --min-coverage 100 --junit-xml rule-tests.xml

    Exit status: 0 when every case passes; 1 if any case fails, a test file is broken, there
    are no tests at all (a gate that tests nothing must not pass), or coverage is below
    --min-coverage; 3 if the rules engine failed on a case (it is listed as failed, and every
    other case still run).
    """
    from engine import api
    from engine.caching.verdicts import open_cache
    from engine.cohorts import outputs
    from engine.tooling import ruletest

    rules_dir = rules_dir or api.default_rules_dir()
    if junit_xml:
        check_out(outputs.file_problem(junit_xml, [*rule_inputs(rules_dir), *ruletest.case_files(rules_dir)]), "--junit-xml")
    book = load_rulebook(rules_dir, cache)
    verdicts = open_cache(cache)
    cases, problems = [], []
    for path in ruletest.case_files(rules_dir):
        try:
            cases.extend(ruletest.load_cases(path))
        except LadderError as e:
            problems.extend(e.diagnostics)
    outcomes, faults = [], []

    def faulted(case: ruletest.Case, reason: str) -> ruletest.Outcome:  # called here, in this process
        faults.append(ruletest.Outcome(case, problems=[reason]))
        return faults[-1]
    for outcome in pool.run(cases, lambda case: ruletest.run_case(book, case, verdicts), faulted, jobs, timeout):
        outcomes.append(outcome)
        click.echo(ruletest.describe(outcome))
    if verdicts is not None:
        verdicts.close()
    print_diagnostics(problems)
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed" + (f", {len(problems)} broken test file problem(s)" if problems else ""))
    if junit_xml:
        write(junit_xml, ruletest.junit_xml(outcomes, problems))
    below = False
    if show_coverage or min_coverage is not None:
        cover = ruletest.coverage(book, outcomes)
        missing = cover.uncovered()
        click.echo(f"coverage: {cover.percent:.1f}% of criteria outcomes (each criterion of each level, met and unmet)")
        for level, criterion_id, word in missing:
            click.echo(f"  not covered: {level} / {criterion_id} never {word}")
        below = min_coverage is not None and cover.percent + 1e-9 < min_coverage
        if below:
            click.echo(f"ladder: coverage {cover.percent:.1f}% is below --min-coverage {min_coverage:g}%", err=True)
    nothing = not outcomes and not problems
    if nothing:
        click.echo(f"ladder: no rule tests: they are read from {rules_dir / ruletest.TESTS_DIR}/*.yaml (and *.yml), "
                   "each a file of `cases:` (schemas/rule-test.schema.json)", err=True)
    if faults:
        engine_failed(f"failed on {plural(len(faults), 'case')}, listed above with its error")
    sys.exit(1 if failed or problems or below or nothing else 0)
