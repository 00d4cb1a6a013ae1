"""Commands for a promotion committee's cohort: `calibrate` (the committee's report) and
`generate` (a synthetic cohort)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from engine.cli.app import (
    as_of_option_value,
    cache_option,
    check_out,
    engine_failed,
    jobs_options,
    load_rulebook,
    main,
    progress_bar,
    rule_inputs,
    rules_option,
    stopping_on_failure,
    writing,
)
from engine.cli.cycles import db_option, store_file, using_store
from engine.common.text import plural
from engine.rendering.report import atomic_output


@main.command()
@click.argument("cohort", required=False)
@click.option("--out", "outs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report here; the format follows the suffix: .html .md .csv .json. Repeat for several. "
                   "Default: Markdown on stdout.")
@rules_option
@click.option("--cycle", "cycle_name", metavar="NAME", help="Report on a stored cycle instead of COHORT: its frozen packets, "
              "verdicts and rules, with the committee's decisions, overrides and the moves since the previous cycle.")
@click.option("--since-cycle", "since", metavar="NAME", help="With --cycle: compare with this cycle. Default: the one opened "
              "just before it.")
@db_option
@click.option("--redact", is_flag=True, help="Replace candidates, their ids, managers and packet paths with stable pseudonyms wherever "
              "they appear, for wider sharing. Other people named in record titles cannot be recognised: read the titles first.")
@click.option("--strict", is_flag=True, help="Exit 1 if any packet is invalid. Without it, a report that lists invalid packets "
              "is a success (exit 0): it was written, and they are in it.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal, never in CI).")
@jobs_options
@cache_option
def calibrate(cohort: str | None, outs: tuple[Path, ...], rules: Path | None, cycle_name: str | None, since: str | None,
              db: str | None, redact: bool, strict: bool, progress: bool | None, jobs: int, timeout: float,
              cache: bool) -> None:
    """Report on a whole promotion cycle for a calibration committee.

    \b
      ladder calibrate cycle-2026/ --out report.html --out report.csv
      ladder calibrate cohort.jsonl --redact --out shared.md
      ladder calibrate --cycle 2026-autumn --db ladder.db --out autumn.html

    COHORT is a directory of packets (its subdirectories are not searched: use a glob), a
    quoted glob ('cycle/**/*.yaml'), or a JSON Lines file with one packet per line. The report
    is the meeting's agenda: verdicts by track and level; nominated but not ready, nominated
    and nearly ready, ready but not nominated, nearly ready and not nominated, nominated and
    ready; verdicts resting on unverified evidence; placement (a packet with no target is
    judged for the next level and placed as `ladder place` does: those placed below their
    level or beyond the next are listed); managers' agreement; parity between the tracks; top
    blockers; fairness by group; invalid packets. Then a roster of every candidate (the HTML
    sorts and filters it) and a page per candidate.

    With --cycle (a cycle opened by `ladder cycle open`), the report is of the cycle as it was
    frozen, and adds: decisions against verdicts; override rates by track, level, manager and
    group (small groups withheld as in fairness); the reasons given for overrides; and cycle
    over cycle, who moved and whether the rules or the evidence moved them (each side's
    packets judged again under the other side's rules).

    Exit status: 0 when the report is written, invalid packets listed in it (--strict: 1 if
    there are any); 1 if the store or cycle cannot be read; 2 if COHORT names no packets; 3 if
    the rules engine failed on a packet (it is listed with that error, and the report still
    written).
    """
    from engine.calibration import pages as calibration_report
    from engine.cohorts import outputs

    if (cohort is None) == (cycle_name is None):
        raise click.UsageError("give a COHORT, or --cycle NAME for a stored cycle (not both)")
    if cycle_name is None and (since or db):
        raise click.UsageError(f"{'--since-cycle' if since else '--db'} goes with --cycle NAME")
    if cycle_name is not None and rules is not None:
        raise click.UsageError("--rules does not go with --cycle: a stored cycle is reported under the rules it was judged by "
                               "(to judge it under others: ladder cycle reevaluate)")
    inputs = (cohort, *rule_inputs(rules)) if cohort is not None else tuple(store_file(db))
    written: dict[Path, Path] = {}
    for out in outs:
        if out.suffix.lower() not in calibration_report.WRITERS:
            raise click.BadParameter(f"{out}: use a .html, .md, .csv or .json file", param_hint="--out")
        check_out(outputs.file_problem(out, inputs))
        if (same := written.setdefault(out.resolve(), out)) is not out:
            check_out(f"{out} and {same} are the same file: give each format its own")
    pages = not outs or any(out.suffix.lower() != ".csv" for out in outs)  # CSV has no candidate pages
    if cycle_name is not None:
        from engine import api

        with using_store(db) as store:
            report = api.calibrate_cycle(store, cycle_name, since, redact, pages, jobs, timeout)
    else:
        report = _cohort_report(cohort, rules, redact, pages, progress, jobs, timeout, cache)
    for out in outs:
        with writing(out), atomic_output(out) as stream:
            calibration_report.WRITERS[out.suffix.lower()](report, stream)
        click.echo(f"wrote {out}", err=True)
    if not outs:
        calibration_report.write_markdown(report, click.get_text_stream("stdout"))
    report.close()
    from engine.cohorts.cohort import FAULT

    faults = sum(any(d.code == FAULT for d in diagnostics) for _, diagnostics in report.invalid)
    if len(report.invalid) > faults:
        click.echo(f"ladder: {plural(len(report.invalid) - faults, 'invalid packet')}, listed in the report", err=True)
    if faults:
        engine_failed(f"failed on {plural(faults, 'packet')}, listed in the report with its error")
    if strict and report.invalid:
        sys.exit(1)


def _cohort_report(spec: str, rules: Path | None, redact: bool, pages: bool, progress: bool | None, jobs: int, timeout: float,
                   cache: bool):
    """The report over the cohort `spec` names, evaluated now (unchanged packets' verdicts from
    the verdict cache unless `cache` is False)."""
    from engine.caching.verdicts import open_cache
    from engine.calibration import calibrate as calibration
    from engine.cohorts import cohort as cohort_module

    packets = cohort_module.items(spec)  # names no packets: a usage error, before the rulebook is read
    book = load_rulebook(rules, cache)
    verdicts = open_cache(cache)
    with stopping_on_failure():
        # Without candidate pages (only a CSV) no output shows why a record did not count: it is
        # left out, unless the answers are cached (`evaluate_all` keeps those whole).
        stream = cohort_module.evaluate_all(book, packets, jobs, timeout, cache=verdicts, why_not=pages)
        report = calibration.Calibration(book, spec, redact=redact, keep_pages=pages)
        with progress_bar(stream, [spec], progress) as evaluated_all:
            for evaluated in evaluated_all:
                report.add(evaluated)
        if verdicts is not None:
            verdicts.close()
    return report


@main.command()
@click.option("--size", type=click.IntRange(1), required=True, help="How many packets.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same cohort.")
@click.option("--as-of", "as_of", default="2026-11-01", show_default=True, metavar="YYYY-MM-DD", callback=as_of_option_value,
              help="The cycle's date: packets are judged as of it, and their evidence dated before it.")
@click.option("--records", type=click.IntRange(1, 1000), default=20, show_default=True, help="About this many evidence records per packet.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="A new or empty directory (one YAML file per packet; missing parents are created) or a .jsonl file "
                   "(one packet per line, replaced whole).")
@rules_option
def generate(size: int, seed: int, as_of: date, records: int, out: Path, rules: Path | None) -> None:
    """Write a realistic synthetic cohort, for trying reports and for benchmarks.

    Both tracks, every level with rules, nominations that mostly (not always) follow readiness,
    group attributes, and a few packets with deliberate mistakes.

    \b
      ladder generate --size 300 --out cohort/
      ladder generate --size 10000 --seed 7 --out cohort.jsonl
    """
    from engine.cohorts import cohort, outputs, synthetic

    if cohort.is_jsonl(out):
        check_out(outputs.file_problem(out, rule_inputs(rules)))
    elif out.suffix.lower() in cohort.PACKET_SUFFIXES:  # a directory may have a dot in its name (2026.q4), not this
        check_out(f"{out}: give a directory (one YAML file per packet) or a .jsonl file")
    else:
        check_out(outputs.cohort_directory_problem(out))
    book = load_rulebook(rules)
    packets = synthetic.generate(book, size, seed, as_of.isoformat(), records)
    with writing(out):
        synthetic.write(packets, out)
    click.echo(f"wrote {plural(size, 'packet')} to {out}", err=True)
