"""Commands for a promotion committee's cohort: `calibrate` (the committee's report) and
`generate` (a synthetic cohort)."""
from __future__ import annotations

import contextlib
import os
import sys
from datetime import date
from pathlib import Path

import click

from engine.cli.app import (
    as_of_option_value,
    check_out,
    engine_failed,
    jobs_options,
    load_rulebook,
    main,
    rule_inputs,
    rules_option,
    stopping_on_failure,
    writing,
)
from engine.cohorts import cohort, outputs
from engine.explaining.phrasing import plural
from engine.rendering.report import atomic_output


@main.command()
@click.argument("cohort")
@click.option("--out", "outs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report here; the format follows the suffix: .html .md .csv .json. Repeat for several. "
                   "Default: Markdown on stdout.")
@rules_option
@click.option("--redact", is_flag=True, help="Replace candidates, their ids, managers and packet paths with stable pseudonyms wherever "
              "they appear, for wider sharing. Other people named in record titles cannot be recognised: read the titles first.")
@click.option("--strict", is_flag=True, help="Exit 1 if any packet is invalid. Without it, a report that lists invalid packets "
              "is a success (exit 0): it was written, and they are in it.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal, never in CI).")
@jobs_options
def calibrate(cohort: str, outs: tuple[Path, ...], rules: Path | None, redact: bool, strict: bool, progress: bool | None,
              jobs: int, timeout: float) -> None:
    """Report on a whole promotion cycle for a calibration committee.

    \b
      ladder calibrate cycle-2026/ --out report.html --out report.csv
      ladder calibrate cohort.jsonl --redact --out shared.md

    COHORT is a directory of packets (its subdirectories are not searched: use a glob), a
    quoted glob ('cycle/**/*.yaml'), or a JSON Lines file with one packet per line. The report
    is the meeting's agenda: verdicts by track and level; nominated but not ready, nominated
    and nearly ready, ready but not nominated, nearly ready and not nominated, nominated and
    ready; verdicts resting on unverified evidence; placement (a packet with no target is
    judged for the next level and placed as `ladder place` does: those placed below their
    level or beyond the next are listed); managers' agreement; parity between the tracks; top
    blockers; fairness by group; invalid packets. Then a roster of every candidate (the HTML
    sorts and filters it) and a page per candidate.

    Exit status: 0 when the report is written, invalid packets listed in it (--strict: 1 if
    there are any); 2 if COHORT names no packets; 3 if the rules engine failed on a packet
    (it is listed with that error, and the report still written).
    """
    from engine.calibration import calibrate as calibration
    from engine.calibration import pages as calibration_report
    from engine.cohorts import cohort as cohorts

    written: dict[Path, Path] = {}
    for out in outs:
        if out.suffix.lower() not in calibration_report.WRITERS:
            raise click.BadParameter(f"{out}: use a .html, .md, .csv or .json file", param_hint="--out")
        check_out(outputs.file_problem(out, (cohort, *rule_inputs(rules))))
        if (same := written.setdefault(out.resolve(), out)) is not out:
            check_out(f"{out} and {same} are the same file: give each format its own")
    packets = cohorts.items(cohort)  # names no packets: a usage error, before the rulebook is read
    book = load_rulebook(rules)
    with stopping_on_failure():
        stream = cohorts.evaluate_all(book, packets, jobs, timeout)
        pages = not outs or any(out.suffix.lower() != ".csv" for out in outs)  # CSV has no candidate pages
        report = calibration.Calibration(book, cohort, redact=redact, keep_pages=pages)
        show = progress if progress is not None else (sys.stderr.isatty() and "CI" not in os.environ)
        # Counting reads the cohort once more: only for a bar someone sees.
        bar = (click.progressbar(stream, length=cohorts.count(cohort), label="Evaluating", file=sys.stderr) if show
               else contextlib.nullcontext(stream))
        with bar as evaluated_all:
            for evaluated in evaluated_all:
                report.add(evaluated)
    for out in outs:
        with writing(out), atomic_output(out) as stream:
            calibration_report.WRITERS[out.suffix.lower()](report, stream)
        click.echo(f"wrote {out}", err=True)
    if not outs:
        calibration_report.write_markdown(report, click.get_text_stream("stdout"))
    report.close()
    faults = sum(any(d.code == cohorts.FAULT for d in diagnostics) for _, diagnostics in report.invalid)
    if len(report.invalid) > faults:
        click.echo(f"ladder: {plural(len(report.invalid) - faults, 'invalid packet')}, listed in the report", err=True)
    if faults:
        engine_failed(f"failed on {plural(faults, 'packet')}, listed in the report with its error")
    if strict and report.invalid:
        sys.exit(1)


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
    from engine.cohorts import synthetic

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
