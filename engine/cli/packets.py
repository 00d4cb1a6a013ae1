"""Commands over packets: `evaluate` (the verdict and its explanation), `plan` (next steps) and
`validate` (every error in rules and packets)."""
from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.cli.app import (
    FINDINGS_FORMAT,
    OUT_HELP,
    as_of_option_value,
    cache_option,
    check_out,
    colour_option,
    engine_failed,
    findings_text,
    jobs_options,
    load_rulebook,
    main,
    print_diagnostics,
    progress_bar,
    rule_inputs,
    rules_option,
    stopping_on_failure,
    style_for,
    timeout_option,
    use_colour,
    write,
)
from engine.common.text import plural
from engine.rendering.report import RENDERERS, Invalid

if TYPE_CHECKING:
    from engine.rendering.report import Result


@main.command()
@click.argument("packets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@rules_option
@click.option("--as-of", "as_of", callback=as_of_option_value, metavar="YYYY-MM-DD",
              help="Judge the evidence as of this date (overrides the packet's as_of).")
@click.option("--target", metavar="LEVEL", help="Level to evaluate for (default: the packet's target, else the next level).")
@click.option("--track", metavar="TRACK", help="What if: evaluate on this track instead, at the level equivalent to the target "
                                               "(e.g. --track management), and say which evidence carries over.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="text for a person, summary for one line a packet, markdown for a wiki or pull request, "
                   "json for programs (schemas/verdict.schema.json).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@colour_option
@jobs_options
@cache_option
def evaluate(packets: tuple[Path, ...], rules: Path | None, as_of: date | None, target: str | None, track: str | None,
             fmt: str, out: Path | None, colour: str, jobs: int, timeout: float, cache: bool) -> None:
    """Evaluate promotion packets and explain each verdict.

    For the target level: ready, nearly or not ready; every criterion met or not, the records
    that count, and for each miss the records that came close and the condition they failed.
    PACKETS are YAML or JSON files, directories of them (not searched below), or JSON Lines
    files with one packet a line (as `ladder generate` writes); a path holding none is an error.

    On a terminal, text is wrapped to its width and a progress bar shows on stderr while
    several packets are evaluated; piped or written with --out, the output is the same
    whatever the terminal, and no bar.

    Exit status is 1 if any packet is invalid (it gets its errors, not a verdict), 3 if the
    rules engine failed on one (it gets that error; every other packet its verdict).

    \b
      ladder evaluate fixtures/packets/ic-staff-ready.yaml
      ladder evaluate packets/ --format summary
      ladder evaluate PACKET --track management --format markdown --out what-if.md
    """
    results = _cached_one(packets, rules, (as_of, target, track)) if cache and out is None and track is None else None
    if results is None:
        results = _evaluated(packets, rules, as_of, target, track, fmt, out, jobs, timeout, cache)
    painted = use_colour(colour, out)
    text = RENDERERS[fmt](results, style_for(painted))
    if out:
        write(out, text)
    else:
        if fmt == "text" and sys.stdout.isatty():  # a person reads it there; never a pipe's bytes
            from engine.rendering.wrapping import wrap

            text = wrap(text, shutil.get_terminal_size().columns)
        click.echo(text, nl=False, color=painted)
    exit_for_failures(results, out, "evaluated")


def _cached_one(packets: tuple[Path, ...], rules: Path | None, options: tuple) -> list[Result] | None:
    """One packet's verdict from the verdict cache, found without loading the engine (`quick`),
    as a list of one; None for several packets or a miss. Not with --track: the cache could hold
    a library call's answer for a track the command line refuses (it checks the name first)."""
    if len(packets) != 1:
        return None
    from engine.caching.verdicts import EVALUATED
    from engine.cohorts.quick import cached_answer

    answer = cached_answer(EVALUATED, rules, packets[0], options)
    return None if answer is None else [answer]


def _evaluated(packets: tuple[Path, ...], rules: Path | None, as_of: date | None, target: str | None, track: str | None,
               fmt: str, out: Path | None, jobs: int, timeout: float, cache: bool) -> list[Result]:
    """Every packet's verdict, by the engine (each found in the verdict cache still reused)."""
    from engine import api
    from engine.cohorts import outputs
    from engine.reading.packet import unknown_level
    from engine.reading.validate import did_you_mean

    if out:
        check_out(outputs.file_problem(out, packets + tuple(rule_inputs(rules))))
    book = load_rulebook(rules, cache)
    if track is not None and track not in book.tracks:
        raise click.BadParameter(f"unknown track {track!r}; this rulebook has {', '.join(book.tracks)}"
                                 f"{did_you_mean(track, book.tracks)}", param_hint="--track")
    if target is not None and target not in book.levels:
        raise click.BadParameter(unknown_level(book, target), param_hint="--target")
    with stopping_on_failure():
        stream = api.evaluate_packets(book, packets, as_of, target, track, jobs, timeout, cache, why_not=fmt != "summary")
        with progress_bar(stream, packets, None if fmt != "json" else False, minimum=2) as evaluated:
            return list(evaluated)


def exit_for_failures(results: list, out: Path | None, done: str) -> None:
    """After the report of many packets: each invalid one's errors on stderr, once (the report
    names the packet; diagnostics go to stderr, results to stdout), a count, and the exit
    status: 3 if the engine failed on any, else 1 if any is invalid."""
    invalid = [r for r in results if isinstance(r, Invalid)]
    if not invalid:  # a cached verdict's command ends here, without loading the cohort's machinery
        return
    from engine.cohorts import cohort

    for result in invalid:
        print_diagnostics(list(result.diagnostics))
    faults = sum(map(cohort.is_fault, results))
    if len(invalid) > faults:
        click.echo(f"ladder: {len(invalid) - faults} of {plural(len(results), 'packet')} invalid, not {done}", err=True)
    if faults:
        engine_failed(f"failed on {faults} of {plural(len(results), 'packet')}, each listed with its error")
    if invalid:
        sys.exit(1)


@main.command()
@click.argument("packet", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@rules_option
@click.option("--as-of", "as_of", callback=as_of_option_value, metavar="YYYY-MM-DD", help="Plan as of this date (overrides the packet's as_of).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for a person, markdown for a wiki or a one-to-one's notes, json for programs.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@colour_option
@timeout_option()
@cache_option
def plan(packet: Path, rules: Path | None, as_of: date | None, fmt: str, out: Path | None, colour: str, timeout: float,
         cache: bool) -> None:
    """What a candidate still needs: for the next level on their own track, and for the
    equivalent level on the other track, in the rules' own words: a level to reach or months
    to serve come first (evidence cannot close those), then the smallest gaps.
    PACKET is a YAML or JSON file, or a JSON Lines file holding one packet.

    \b
      ladder plan fixtures/packets/ic-staff-nearly-one-design-doc-short.yaml
      ladder plan PACKET --format markdown --out next-steps.md
    """
    from engine import api
    from engine.cohorts import cohort, outputs
    from engine.rendering import plans as plan_pages

    if out:
        check_out(outputs.file_problem(out, (packet, *rule_inputs(rules))))
    book = load_rulebook(rules, cache)
    with stopping_on_failure():
        try:
            document = api.plan_packet(book, packet, as_of, timeout, cache)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="PACKET") from None
    if isinstance(document, Invalid):
        print_diagnostics(list(document.diagnostics))
        if cohort.is_fault(document):
            engine_failed("failed on the packet")
        sys.exit(1)
    painted = fmt == "text" and use_colour(colour, out)
    text = plan_pages.render_text(document, style_for(painted)) if fmt == "text" else \
        {"markdown": plan_pages.render_markdown, "json": plan_pages.render_json}[fmt](document)
    if out:
        write(out, text)
    else:
        click.echo(text, nl=False, color=painted)


@main.command()
@click.argument("packets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@rules_option
@click.option("--as-of", "as_of", callback=as_of_option_value, metavar="YYYY-MM-DD",
              help="Judge the evidence as of this date (overrides the packet's as_of).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for a person, markdown for a wiki or pull request, json for programs (schemas/placement.schema.json).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@jobs_options
@cache_option
def place(packets: tuple[Path, ...], rules: Path | None, as_of: date | None, fmt: str, out: Path | None,
          jobs: int, timeout: float, cache: bool) -> None:
    """Say which level each candidate's evidence meets: the highest on each track, and the first
    level above it not met, with what it misses.

    Every level of every track is judged bottom-up like a promotion target, those the candidate
    holds included (the packet's own target is ignored); a level is met when its verdict is
    ready, and one below the placement that is not met is listed. Placement judges evidence,
    not standing: conditions on the level a promotion starts from (steps_to_target) and the
    months at the current level are set aside, and said for the levels above where the
    candidate stands, as what a promotion there would still ask. The entry level of a track,
    with no rules, is met by default. On the other track, the candidate stands at their
    level's equivalent. How placement is decided: docs/rules.md, "Placement".

    \b
      ladder place fixtures/packets/ic-staff-ready.yaml
      ladder place packets/ --format markdown --out placements.md

    PACKETS are YAML or JSON files, directories of them, or JSON Lines files. Exit status is 1
    if any packet is invalid (it gets its errors, every other packet its placement), 2 if an
    argument names no packets, 3 if the rules engine failed on one.
    """
    from engine import api
    from engine.cohorts import outputs
    from engine.rendering import placements

    if out:
        check_out(outputs.file_problem(out, packets + tuple(rule_inputs(rules))))
    book = load_rulebook(rules, cache)
    with stopping_on_failure():
        results = list(api.place_packets(book, packets, as_of, jobs, timeout, cache))
    text = placements.RENDERERS[fmt](results)
    if out:
        write(out, text)
    else:
        click.echo(text, nl=False)
    exit_for_failures(results, out, "placed")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@rules_option
@FINDINGS_FORMAT
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
def validate(paths: tuple[Path, ...], rules: Path | None, fmt: str, out: Path | None) -> None:
    """Check rulebooks and packets; print every error as file:line:col.

    PATHS are rulebook directories (holding ladder.yaml), packet files, directories of packets,
    or JSON Lines files (one packet a line). Packets are checked against --rules, else the one
    rulebook among PATHS, else the built-in rulebook. The errors are the result, on stdout (or
    --out); the count goes to stderr. Exit status is 1 if anything is invalid.

    \b
      ladder validate rules/ packets/
      ladder validate packets/ --format sarif --out validate.sarif
    """
    from engine import api
    from engine.cohorts import outputs

    if out:
        check_out(outputs.file_problem(out, paths + tuple(rule_inputs(rules))))
    try:
        report = api.validate_paths(paths, rules)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    text = findings_text(fmt, report.diagnostics, "ladder.validate/1", {}, INVALID_INPUT,
                         rulebooks=report.rulebooks, packets=report.packets)
    if out:
        write(out, text)
    else:
        click.echo(text, nl=False)
    errors = sum(d.level == "error" for d in report.diagnostics)
    checked = f"{plural(len(report.rulebooks), 'rulebook')}, {plural(len(report.packets), 'packet')}"
    click.echo(f"{checked}: {plural(errors, 'error')}" if errors else f"{checked}: all valid", err=True)
    sys.exit(0 if report.ok else 1)


INVALID_INPUT = ("error", "The rulebook or packet is invalid: a YAML, schema or cross-reference error.")


@main.command()
@click.argument("packet", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--candidate", "candidate_id", required=True, metavar="ID", help="The candidate's id, e.g. an employee number (E-1001).")
@click.option("--name", required=True, help="The candidate's name.")
@click.option("--track", required=True, metavar="TRACK", help="Their track, by id or name: ic, management, 'individual contributor'.")
@click.option("--level", required=True, metavar="LEVEL",
              help="Their current level on that track, by id or name: senior-developer, 'Senior Developer'.")
@click.option("--target", metavar="LEVEL", help="The level they go for. Default: the next level up on their track.")
@click.option("--since", callback=as_of_option_value, metavar="YYYY-MM-DD",
              help="When they reached their current level (level_since). Default: the as-of date.")
@click.option("--as-of", "as_of", callback=as_of_option_value, metavar="YYYY-MM-DD", help="The day the evidence is judged at. Default: today.")
@click.option("--manager", help="Their manager's name.")
@click.option("--team", help="Their team.")
@rules_option
@click.option("--force", is_flag=True, help="Replace PACKET if it exists (by default an existing file is left alone: exit 2).")
def new(packet: Path, candidate_id: str, name: str, track: str, level: str, target: str | None, since: date | None,
        as_of: date | None, manager: str | None, team: str | None, rules: Path | None, force: bool) -> None:
    """Start a promotion packet: the candidate filled in and, under evidence:, a commented-out
    template of each kind of record the target level asks for (with what the levels it builds
    on ask), each field with its type, its allowed values, whether it is required and the
    criteria that want it, in the rulebook's words.

    Uncomment a template, replace its <placeholders>, and it is a record; the packet is valid
    as written, with no records yet. PACKET ends in .yaml (or .json: the same packet without the
    templates, as JSON has no comments). An unknown track or level gets the closest one.

    \b
      ladder new packets/alex.yaml --candidate E-1001 --name "Alex Morgan" \\
          --track ic --level developer --since 2025-03-01 --manager "Sam Lee"
      ladder validate packets/alex.yaml
    """
    from engine import api
    from engine.cohorts import outputs
    from engine.tooling.scaffold import BadOption, NewCandidate

    check_out(outputs.file_problem(packet, tuple(rule_inputs(rules))), "PACKET")
    book = load_rulebook(rules)
    wanted = NewCandidate(candidate_id, name, track, level, as_of or date.today(), since, target, manager, team)
    with stopping_on_failure():
        try:
            made = api.new_packet(book, packet, wanted, force)
        except BadOption as e:
            raise click.BadParameter(str(e), param_hint=e.option) from None
        except FileExistsError as e:
            raise click.UsageError(str(e)) from None
        except OSError as e:
            click.echo(f"ladder: cannot write {packet}: {e.strerror or e}", err=True)
            sys.exit(1)
    kinds = plural(len(made.templates), "evidence template")
    click.echo(f"{packet}: {made.level.name} going for {made.target.name}, "
               + (f"{kinds}" if made.templates else "no templates (JSON holds no comments: name a .yaml file for them)"), err=True)
