"""`ladder`: the command line, a thin layer over `engine.api`.

Exit status: 0 done and every input valid; 1 some input invalid (its errors on stderr, each
`file:line:col: level: message [code]`); 2 usage error; 3 the rules engine failed (a bug);
130 interrupted."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from engine import api
from engine.cohorts import cohort, outputs, pool
from engine.common.errors import Diagnostic, EngineFault, LadderError
from engine.reading import bundle
from engine.reading.model import parse_date
from engine.reading.packet import unknown_level
from engine.reading.rulebook import LEVELS_DIR, rule_files
from engine.reading.validate import did_you_mean
from engine.rendering.report import RENDERERS, Invalid, atomic_output, write_atomic
from engine.tooling import ruletest


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-11-01")
    return parsed


def _use_colour(choice: str, out: Path | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or out is not None or os.environ.get("NO_COLOR"):  # no-color.org: only a non-empty value
        return False
    return sys.stdout.isatty()


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _check_out(problem: str | None, option: str = "--out") -> None:
    """A bad output path is a usage error, found before any work is done."""
    if problem:
        raise click.BadParameter(problem, param_hint=option)


def _rule_inputs(rules: Path | None) -> list[Path]:
    """The rulebook's files, which no output may replace, and the directories whose every
    file is read (levels/, tests/), where no output may land."""
    directory = rules or api.default_rules_dir()
    read_whole = [d for d in (directory / LEVELS_DIR, directory / ruletest.TESTS_DIR) if d.is_dir()]
    return [path for path, _ in rule_files(directory)] + read_whole


@contextlib.contextmanager
def _stopping_on_failure():
    """Input that cannot be used ends the command with its located errors (exit 1); an engine
    fault is a bug, said so (exit 3)."""
    try:
        yield
    except LadderError as e:
        _print_diagnostics(e.diagnostics)
        sys.exit(1)
    except EngineFault as e:
        _engine_failed(f"failed: {e}")


def _engine_failed(how: str) -> NoReturn:
    click.echo(f"ladder: the rules engine {how}. This is a bug; please report it with the packet.", err=True)
    sys.exit(3)


@contextlib.contextmanager
def _writing(out: Path):
    """A write that fails ends the command in one line (exit 1): the path was checked before the
    work, but the disk can still fill or the directory go."""
    try:
        yield
    except OSError as e:
        click.echo(f"ladder: cannot write {out}: {e.strerror or e}", err=True)
        sys.exit(1)


def _write(out: Path, text: str) -> None:
    with _writing(out):
        write_atomic(out, text)


def _load_rulebook(rules: Path | None):
    try:
        return api.rulebook(rules)
    except LadderError as e:
        _print_diagnostics(e.diagnostics)
        click.echo(f"ladder: the rulebook has {len(e.diagnostics)} problem(s); fix them first", err=True)
        sys.exit(1)


def timeout_option(help: str = "Stop the evaluation after this long and report it as an error."):
    return click.option("--timeout", type=click.FloatRange(min=0.1), default=pool.DEFAULT_TIMEOUT, show_default=True,
                        metavar="SECONDS", help=help)


def jobs_options(command):
    """--jobs and --timeout, for commands that evaluate many packets."""
    command = timeout_option("Stop a packet's evaluation after this long and report it as an error; the others go on.")(command)
    return click.option("--jobs", "-j", type=click.IntRange(1), default=pool.default_jobs(), show_default="the number of cores",
                        help=f"Worker processes (never more than packets, nor {pool.JOBS_PER_CORE} a core). The output does not depend on it.")(command)


OUT_HELP = "Write here (atomically) instead of stdout. Its directory must exist; it may not be an input."

rules_option = click.option(
    "--rules", "rules", type=click.Path(path_type=Path, file_okay=False),
    help="Rulebook directory (ladder.yaml, evidence.yaml, levels/). Default: the built-in dual ladder.",
)


class _Ladder(click.Group):
    """The command group. Ctrl-C ends any command with 130 (128 + SIGINT, as shells report
    it), not with click's 1, which here says some input is invalid. Outputs are written
    atomically, so none is left half-written, and worker processes are stopped (`pool`)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nladder: interrupted", err=True)  # the newline ends the terminal's ^C
            ctx.exit(130)


@click.group(cls=_Ladder, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="ladder", prog_name="ladder")
def main() -> None:
    """Promotion readiness for dual career ladders, with explanations.

    Rules live in a rulebook directory (YAML, checked against JSON Schemas); packets carry a
    candidate and their evidence records. Start with:

    \b
      ladder evaluate fixtures/packets/           # every packet in a directory
      ladder evaluate PACKET --format markdown    # for a wiki page or a pull request
      ladder validate rules/ fixtures/packets/    # every error, as file:line:col
    """


@main.command()
@click.argument("packets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@rules_option
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="Judge the evidence as of this date (overrides the packet's as_of).")
@click.option("--target", metavar="LEVEL", help="Level to evaluate for (default: the packet's target, else the next level).")
@click.option("--track", metavar="TRACK", help="What if: evaluate on this track instead, at the level equivalent to the target "
                                               "(e.g. --track management), and say which evidence carries over.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="text for a person, markdown for a wiki or pull request, json for programs (schemas/verdict.schema.json).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@click.option("--color", "--colour", "colour", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour in text output; auto means only on a terminal, and never if NO_COLOR is set (non-empty).")
@jobs_options
def evaluate(packets: tuple[Path, ...], rules: Path | None, as_of: date | None, target: str | None, track: str | None,
             fmt: str, out: Path | None, colour: str, jobs: int, timeout: float) -> None:
    """Evaluate promotion packets and explain each verdict.

    For the target level: ready, nearly or not ready; every criterion met or not, the records
    that count, and for each miss the records that came close and the condition they failed.
    PACKETS are YAML or JSON files, directories of them (not searched below), or JSON Lines
    files with one packet a line (as `ladder generate` writes); a path holding none is an error.

    Exit status is 1 if any packet is invalid (it gets its errors, not a verdict), 3 if the
    rules engine failed on one (it gets that error; every other packet its verdict).
    """
    if out:
        _check_out(outputs.file_problem(out, packets + tuple(_rule_inputs(rules))))
    book = _load_rulebook(rules)
    if track is not None and track not in book.tracks:
        raise click.BadParameter(f"unknown track {track!r}; this rulebook has {', '.join(book.tracks)}"
                                 f"{did_you_mean(track, book.tracks)}", param_hint="--track")
    if target is not None and target not in book.levels:
        raise click.BadParameter(unknown_level(book, target), param_hint="--target")
    with _stopping_on_failure():
        results = list(api.evaluate_packets(book, packets, as_of, target, track, jobs, timeout))
    painted = _use_colour(colour, out)
    text = RENDERERS[fmt](results, painted)
    if out:
        _write(out, text)
    else:
        click.echo(text, nl=False, color=painted)
    invalid = [r for r in results if isinstance(r, Invalid)]
    # The report lists each invalid packet's errors; repeat them on stderr only where the report
    # is not already on the same terminal (a file, a pipe, or stderr redirected).
    shown = out is None and sys.stdout.isatty() and sys.stderr.isatty()
    for result in [] if shown else invalid:
        _print_diagnostics(list(result.diagnostics))
    faults = sum(map(cohort.is_fault, results))
    if len(invalid) > faults:
        click.echo(f"ladder: {len(invalid) - faults} of {len(results)} packet(s) invalid, not evaluated", err=True)
    if faults:
        _engine_failed(f"failed on {faults} of {len(results)} packet(s), each listed with its error")
    if invalid:
        sys.exit(1)


@main.command()
@click.argument("packet", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@rules_option
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD", help="Plan as of this date (overrides the packet's as_of).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@timeout_option()
def plan(packet: Path, rules: Path | None, as_of: date | None, fmt: str, out: Path | None, timeout: float) -> None:
    """What a candidate still needs: for the next level on their own track, and for the
    equivalent level on the other track, in the rules' own words: a level to reach or months
    to serve come first (evidence cannot close those), then the smallest gaps.
    PACKET is a YAML or JSON file, or a JSON Lines file holding one packet.
    """
    from engine.rendering import plans as plan_pages

    if out:
        _check_out(outputs.file_problem(out, (packet, *_rule_inputs(rules))))
    book = _load_rulebook(rules)
    with _stopping_on_failure():
        try:
            document = api.plan_packet(book, packet, as_of, timeout)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="PACKET") from None
    if isinstance(document, Invalid):
        _print_diagnostics(list(document.diagnostics))
        if cohort.is_fault(document):
            _engine_failed("failed on the packet")
        sys.exit(1)
    text = {"text": plan_pages.render_text, "markdown": plan_pages.render_markdown,
            "json": lambda d: json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + "\n"}[fmt](document)
    if out:
        _write(out, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("packets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@rules_option
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="Judge the evidence as of this date (overrides the packet's as_of).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for a person, markdown for a wiki or pull request, json for programs (schemas/placement.schema.json).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@jobs_options
def place(packets: tuple[Path, ...], rules: Path | None, as_of: date | None, fmt: str, out: Path | None,
          jobs: int, timeout: float) -> None:
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
    if any packet is invalid (it gets its errors, every other packet its placement), 3 if the
    rules engine failed on one.
    """
    from engine.rendering import placements

    if out:
        _check_out(outputs.file_problem(out, packets + tuple(_rule_inputs(rules))))
    book = _load_rulebook(rules)
    with _stopping_on_failure():
        results = list(api.place_packets(book, packets, as_of, jobs, timeout))
    text = placements.RENDERERS[fmt](results)
    if out:
        _write(out, text)
    else:
        click.echo(text, nl=False)
    invalid = [r for r in results if isinstance(r, Invalid)]
    if out is not None or not (sys.stdout.isatty() and sys.stderr.isatty()):  # else the errors are on screen already
        for result in invalid:
            _print_diagnostics(list(result.diagnostics))
    faults = sum(map(cohort.is_fault, results))
    if len(invalid) > faults:
        click.echo(f"ladder: {len(invalid) - faults} of {len(results)} packet(s) invalid, not placed", err=True)
    if faults:
        _engine_failed(f"failed on {faults} of {len(results)} packet(s), each listed with its error")
    if invalid:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@rules_option
def validate(paths: tuple[Path, ...], rules: Path | None) -> None:
    """Check rulebooks and packets; print every error as file:line:col.

    PATHS are rulebook directories (holding ladder.yaml), packet files, directories of packets,
    or JSON Lines files (one packet a line). Packets are checked against --rules, else the one rulebook among PATHS, else the
    built-in rulebook. Exit status is 1 if anything is invalid.
    """
    try:
        report = api.validate_paths(paths, rules)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    for diagnostic in report.diagnostics:
        click.echo(diagnostic.format())
    errors = sum(d.level == "error" for d in report.diagnostics)
    checked = f"{len(report.rulebooks)} rulebook(s), {len(report.packets)} packet(s)"
    click.echo(f"{checked}: {errors} error(s)" if errors else f"{checked}: all valid", err=True)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="sarif for code-scanning tools (findings on the pull request).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
def lint(rules_dir: Path | None, fmt: str, strict: bool, out: Path | None) -> None:
    """Check a rulebook (default: the built-in one) beyond validity.

    Finds conditions that can never hold, criteria and levels nobody can reach, duplicate and
    shadowed criteria, missing descriptions, gaps in level order, and parity between the
    tracks: equivalent levels must share a band and ask for comparable evidence (required
    criteria, evidence records, competencies; how they compare: docs/rules.md). Every finding
    has a stable code. Exit status is 1 on errors (and on warnings with --strict).
    """
    from engine.rendering import sarif
    from engine.tooling import lint as linting

    if out:
        _check_out(outputs.file_problem(out, _rule_inputs(rules_dir)))
    findings = linting.lint(rules_dir or api.default_rules_dir())
    if fmt == "sarif":
        text = json.dumps(sarif.sarif(findings, linting.RULES, linting.LOAD_RULE), indent=2, sort_keys=True) + "\n"
    elif fmt == "json":
        text = json.dumps({"format": "ladder.lint/1", "findings": [d.to_json() for d in findings]}, indent=2, sort_keys=True) + "\n"
    else:
        text = "".join(d.format() + "\n" for d in findings)
    if out:
        _write(out, text)
    else:
        click.echo(text, nl=False)
    counts = {level: sum(d.level == level for d in findings) for level in ("error", "warning", "info")}
    click.echo(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)", err=True)
    sys.exit(1 if counts["error"] or (strict and counts["warning"]) else 0)


@main.command()
@click.option("--base", required=True, metavar="RULES", help="The rulebook before the change: a directory, or git:REV[:PATH], read from git without touching the work tree (PATH from the current directory; default rules).")
@click.option("--head", required=True, metavar="RULES", help="The rulebook after the change, the same way (e.g. rules/ for the work tree).")
@click.argument("packets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown fits a pull-request comment.")
@click.option("--fail-on", type=click.Choice(["never", "downgrade", "any"]), default="never", show_default=True,
              help="Exit 1 when some packet loses readiness or becomes invalid under --head (downgrade), or changes at all (any).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@jobs_options
def impact(base: str, head: str, packets: tuple[Path, ...], fmt: str, fail_on: str, out: Path | None,
           jobs: int, timeout: float) -> None:
    """Show whom a rule change affects: evaluate PACKETS under --base and --head rules.

    For each packet whose outcome changes: the verdict before and after, and the criteria that
    flipped with their explanations; then a summary by track and level. git: revisions are
    read with `git show`; the work tree is never touched.

    \b
      ladder impact --base git:main --head rules/ fixtures/packets/ --format markdown
    """
    from engine.tooling import impact as impacts

    if out:
        rule_dirs = [Path(spec) for spec in (base, head) if Path(spec).is_dir()]
        _check_out(outputs.file_problem(out, packets + tuple(f for d in rule_dirs for f in _rule_inputs(d))))
    with _stopping_on_failure():
        cohort.all_items(packets)  # a path naming no packets stops the run before any work
    books = []
    for spec in (base, head):
        try:
            books.append(impacts.resolve(spec))
        except LadderError as e:
            _print_diagnostics(e.diagnostics)
            click.echo(f"ladder: cannot use {spec} as a rulebook", err=True)
            sys.exit(1)
    with _stopping_on_failure():
        report = impacts.impact(base, head, books[0], books[1], packets, jobs, timeout)
    text = impacts.RENDERERS[fmt](report)
    if out:
        _write(out, text)
    else:
        click.echo(text, nl=False)
    sys.exit(1 if report.fails(fail_on) else 0)


@main.command()
@click.argument("cohort")
@click.option("--out", "outs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report here; the format follows the suffix: .html .md .csv .json. Repeat for several. "
                   "Default: Markdown on stdout.")
@rules_option
@click.option("--redact", is_flag=True, help="Replace candidates, their ids, managers and packet paths with stable pseudonyms wherever "
              "they appear, for wider sharing. Other people named in record titles cannot be recognised: read the titles first.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal, never in CI).")
@jobs_options
def calibrate(cohort: str, outs: tuple[Path, ...], rules: Path | None, redact: bool, progress: bool | None,
              jobs: int, timeout: float) -> None:
    """Report on a whole promotion cycle for a calibration committee.

    COHORT is a directory of packets (its subdirectories are not searched: use a glob), a
    quoted glob ('cycle/**/*.yaml'), or a JSON Lines file with one packet per line. The report: verdicts by track and level, parity between the
    tracks, nominations against verdicts, nearly-ready candidates, placement (a packet with no
    target is judged for the next level and placed as `ladder place` does: those placed below
    their level or beyond the next are listed), managers' agreement, top blockers, fairness by
    group, verdicts resting on unverified evidence, invalid packets, and a page per candidate.
    Exit status is 1 if any packet is invalid (it is listed, not dropped).
    """
    from engine.calibration import calibrate as calibration
    from engine.calibration import pages as calibration_report
    from engine.cohorts import cohort as cohorts

    written: dict[Path, Path] = {}
    for out in outs:
        if out.suffix.lower() not in calibration_report.WRITERS:
            raise click.BadParameter(f"{out}: use a .html, .md, .csv or .json file", param_hint="--out")
        _check_out(outputs.file_problem(out, (cohort, *_rule_inputs(rules))))
        if (same := written.setdefault(out.resolve(), out)) is not out:
            _check_out(f"{out} and {same} are the same file: give each format its own")
    book = _load_rulebook(rules)
    with _stopping_on_failure():
        stream = cohorts.evaluate_all(book, cohorts.items(cohort), jobs, timeout)
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
        with _writing(out), atomic_output(out) as stream:
            calibration_report.WRITERS[out.suffix.lower()](report, stream)
        click.echo(f"wrote {out}", err=True)
    if not outs:
        calibration_report.write_markdown(report, click.get_text_stream("stdout"))
    report.close()
    if report.invalid:
        click.echo(f"ladder: {len(report.invalid)} invalid packet(s), listed in the report", err=True)
        sys.exit(1)


@main.command()
@click.option("--size", type=click.IntRange(1), required=True, help="How many packets.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same cohort.")
@click.option("--as-of", "as_of", default="2026-11-01", show_default=True, metavar="YYYY-MM-DD", callback=_as_of)
@click.option("--records", type=click.IntRange(1, 1000), default=20, show_default=True, help="About this many evidence records per packet.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="A new or empty directory (one YAML file per packet; missing parents are created) or a .jsonl file "
                   "(one packet per line, replaced whole).")
@rules_option
def generate(size: int, seed: int, as_of: date, records: int, out: Path, rules: Path | None) -> None:
    """Write a realistic synthetic cohort, for trying reports and for benchmarks.

    Both tracks, every level with rules, nominations that mostly (not always) follow readiness,
    group attributes, and a few packets with deliberate mistakes.
    """
    from engine.cohorts import synthetic

    if cohort.is_jsonl(out):
        _check_out(outputs.file_problem(out, _rule_inputs(rules)))
    elif out.suffix.lower() in cohort.PACKET_SUFFIXES:  # a directory may have a dot in its name (2026.q4), not this
        _check_out(f"{out}: give a directory (one YAML file per packet) or a .jsonl file")
    else:
        _check_out(outputs.cohort_directory_problem(out))
    book = _load_rulebook(rules)
    packets = synthetic.generate(book, size, seed, as_of.isoformat(), records)
    with _writing(out):
        synthetic.write(packets, out)
    click.echo(f"wrote {size} packet(s) to {out}", err=True)


@main.command()
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False), help="Directory to write the documents into.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
def docs(rules_dir: Path | None, out: Path, fmt: str) -> None:
    """Publish the career framework, generated from the rules (default: the built-in rulebook).

    An overview with the tracks, bands and equivalence table side by side; a page per track
    with each level's competencies and criteria in plain language; and the evidence types.
    """
    from engine.tooling import docs as documents

    _check_out(outputs.documents_directory_problem(out))
    for path in documents.write(_load_rulebook(rules_dir), out, fmt):
        click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("kind", type=click.Choice(bundle.KINDS), metavar="KIND")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the schema to this file instead of standard output.")
def schema(kind: str, out: Path | None) -> None:
    """Print the JSON Schema of one kind of document, self-contained: every schema it refers to
    is inside it, so editors and other validators can use it offline.

    KIND is a document people write (packet, ladder, evidence, level, calibration, rule-test)
    or one ladder writes as JSON (verdict, placement, calibration-report). For example:

    \b
      ladder schema packet --out .schemas/packet.schema.json
      check-jsonschema --schemafile .schemas/packet.schema.json packets/*.yaml

    In an editor with the YAML language server, a first line names the schema of a document:

    \b
      # yaml-language-server: $schema=../.schemas/packet.schema.json
    """
    text = json.dumps(api.schema(kind), indent=2, ensure_ascii=False) + "\n"
    if out:
        _check_out(outputs.file_problem(out))
        _write(out, text)
    else:
        click.echo(text, nl=False)


@main.command("test")
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--coverage", "show_coverage", is_flag=True, help="Report, per criterion of every level, whether the tests see it both met and unmet.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), metavar="PCT", help="Fail below this coverage (implies --coverage).")
@click.option("--junit-xml", type=click.Path(path_type=Path, dir_okay=False), help="Also write a JUnit XML report here, for CI systems.")
@jobs_options
def test_command(rules_dir: Path | None, show_coverage: bool, min_coverage: float | None, junit_xml: Path | None,
                 jobs: int, timeout: float) -> None:
    """Run the rule tests of a rulebook (RULES_DIR/tests/*.yaml; default: the built-in one).

    Each case gives a packet and the outcome the rules must give it: the verdict, and
    optionally the status of named criteria. One line per case; a failure shows expected
    against actual, with the explanation. Exit status is 1 if any case fails, a test file is
    broken, there are no tests at all (a gate that tests nothing must not pass), or coverage is
    below --min-coverage.
    """
    rules_dir = rules_dir or api.default_rules_dir()
    if junit_xml:
        _check_out(outputs.file_problem(junit_xml, [*_rule_inputs(rules_dir), *ruletest.case_files(rules_dir)]), "--junit-xml")
    book = _load_rulebook(rules_dir)
    cases, problems = [], []
    for path in ruletest.case_files(rules_dir):
        try:
            cases.extend(ruletest.load_cases(path))
        except LadderError as e:
            problems.extend(e.diagnostics)
    outcomes = []
    for outcome in pool.run(cases, lambda case: ruletest.run_case(book, case),
                            lambda case, reason: ruletest.Outcome(case, problems=[reason]), jobs, timeout):
        outcomes.append(outcome)
        click.echo(ruletest.describe(outcome))
    _print_diagnostics(problems)
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed" + (f", {len(problems)} broken test file problem(s)" if problems else ""))
    if junit_xml:
        _write(junit_xml, ruletest.junit_xml(outcomes, problems))
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
    sys.exit(1 if failed or problems or below or nothing else 0)


if __name__ == "__main__":
    main()
