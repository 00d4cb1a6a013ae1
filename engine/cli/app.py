"""The `ladder` command group, and what its commands share: options, how diagnostics are
printed, how an output is checked before any work and written atomically, and how a command
stops on unusable input (exit 1) or an engine fault (exit 3).

Every command module is imported for any command, `ladder --help` included, so they import
at the top only what defining the commands needs (click, errors, dates, the light `report`
and `pool`), and the rest (the API, the engine, schemas) inside the commands that use it:
tests/test_startup.py keeps it so."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from engine.cohorts import pool
from engine.common.errors import Diagnostic, EngineFault, LadderError, NoPackets
from engine.reading.dates import parse_date
from engine.rendering.report import Style, plain, write_atomic


def as_of_option_value(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-11-01")
    return parsed


def use_colour(choice: str, out: Path | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or out is not None or os.environ.get("NO_COLOR"):  # no-color.org: only a non-empty value
        return False
    return sys.stdout.isatty()


def style_for(painted: bool) -> Style:
    """The renderers' `Style`: click's, which writes the escape codes, when colour is on."""
    return click.style if painted else plain


colour_option = click.option(
    "--color", "--colour", "colour", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour in text output; auto means only on a terminal, and never if NO_COLOR is set (non-empty).")


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


FINDINGS_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
    help="text as file:line:col for a person or an editor, json for programs, sarif for code-scanning tools (findings on the pull request).")


def findings_text(fmt: str, findings: list[Diagnostic], format_id: str, rules: dict[str, tuple[str, str]],
                  fallback: tuple[str, str], **extra: object) -> str:
    """Diagnostics as `lint` and `validate` print them: one a line, a JSON document (`format_id`,
    `findings` and `extra`), or a SARIF log with `rules` (code -> level, description)."""
    from engine.rendering import sarif

    if fmt == "sarif":
        return json.dumps(sarif.sarif(findings, rules, fallback), indent=2, sort_keys=True) + "\n"
    if fmt == "json":
        return json.dumps({"format": format_id, **extra, "findings": [d.to_json() for d in findings]}, indent=2, sort_keys=True) + "\n"
    return "".join(d.format() + "\n" for d in findings)


def check_out(problem: str | None, option: str = "--out") -> None:
    """A bad output path is a usage error, found before any work is done."""
    if problem:
        raise click.BadParameter(problem, param_hint=option)


def rule_inputs(rules: Path | None) -> list[Path]:
    """The rulebook's files, which no output may replace, and the directories whose every
    file is read (levels/, tests/), where no output may land."""
    from engine import api
    from engine.reading.rulebook import LEVELS_DIR, rule_files
    from engine.tooling import ruletest

    directory = rules or api.default_rules_dir()
    read_whole = [d for d in (directory / LEVELS_DIR, directory / ruletest.TESTS_DIR) if d.is_dir()]
    return [path for path, _ in rule_files(directory)] + read_whole


@contextlib.contextmanager
def stopping_on_failure():
    """Input that cannot be used ends the command with its located errors (exit 1); an engine
    fault is a bug, said so (exit 3)."""
    try:
        yield
    except LadderError as e:
        print_diagnostics(e.diagnostics)
        sys.exit(1)
    except EngineFault as e:
        engine_failed(f"failed: {e}")


def progress_bar(stream, specs, wanted: bool | None = None, minimum: int = 1) -> contextlib.AbstractContextManager:
    """`stream` (results of evaluating the packets `specs` name) with a bar on stderr: when
    `wanted` (calibrate's --progress), never when False, and by default only for a person at a
    terminal, never on a pipe or in CI (where it would only add lines to a log), and only for at
    least `minimum` packets. Counting reads the specs once more: only for a bar someone sees."""
    from engine.cohorts import cohort

    if wanted is False or (wanted is None and not (sys.stderr.isatty() and "CI" not in os.environ)):
        return contextlib.nullcontext(stream)
    length = sum(cohort.count(spec) for spec in specs)
    if wanted is None and length < minimum:
        return contextlib.nullcontext(stream)
    return click.progressbar(stream, length=length, label="Evaluating", file=sys.stderr)


def engine_failed(how: str) -> NoReturn:
    click.echo(f"ladder: the rules engine {how}. This is a bug; please report it with the packet.", err=True)
    sys.exit(3)


@contextlib.contextmanager
def writing(out: Path):
    """A write that fails ends the command in one line (exit 1): the path was checked before the
    work, but the disk can still fill or the directory go."""
    try:
        yield
    except OSError as e:
        click.echo(f"ladder: cannot write {out}: {e.strerror or e}", err=True)
        sys.exit(1)


def write(out: Path, text: str) -> None:
    with writing(out):
        write_atomic(out, text)


def load_rulebook(rules: Path | None, cache: bool = True):
    from engine import api

    try:
        return api.rulebook(rules, cache)
    except LadderError as e:
        print_diagnostics(e.diagnostics)
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


cache_option = click.option(
    "--cache/--no-cache", "cache", default=True, show_default=True,
    help="Reuse the verdicts of packets and rules that have not changed since an earlier run, and keep this run's "
         "(the output is the same byte for byte). --no-cache evaluates everything afresh and neither reads nor writes "
         "a cache. The cache is in $LADDER_CACHE_DIR (else ~/.cache/ladder), at most $LADDER_CACHE_MAX_MB megabytes (1024).")


OUT_HELP = "Write here (atomically) instead of stdout. Its directory must exist; it may not be an input."


rules_option = click.option(
    "--rules", "rules", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Rulebook directory (ladder.yaml, evidence.yaml, levels/). Default: the built-in dual ladder.",
)


class _Command(click.Command):
    """A command whose cohort argument names no packets (`NoPackets`) stops with a usage
    error, exit 2, before any work: the mistake is in the command line, not in a packet."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NoPackets as e:
            raise click.UsageError(str(e), ctx=ctx) from None


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


_Ladder.command_class = _Command
_Ladder.group_class = type  # a group of commands (`ladder cycle ...`) is a _Ladder too, its commands _Commands


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
