"""Commands for promotion cycles kept in a store: `cycle open|list|show|reevaluate|export|import`
and `decide`. Each gathers its options and calls `engine.api`; the store is `--db`, else
$LADDER_DB, else ~/.local/share/ladder/ladder.db."""
from __future__ import annotations

import contextlib
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Iterator

import click

from engine.cli.app import (
    OUT_HELP,
    as_of_option_value,
    cache_option,
    check_out,
    engine_failed,
    jobs_options,
    load_rulebook,
    main,
    print_diagnostics,
    rules_option,
    stopping_on_failure,
    write,
)
from engine.common.errors import LadderError
from engine.common.text import plural

db_option = click.option(
    "--db", metavar="PATH|URL",
    help="The store: a SQLite file (created if new), or a URL: sqlite:///PATH, postgresql://USER@HOST/DB. "
         "Default: $LADDER_DB, else ~/.local/share/ladder/ladder.db.")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
                             help="text for a person, json for programs, markdown for a wiki or a pull request.")


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (a container without passwd)
        return ""


def store_file(db: str | None) -> list[str]:
    """The store's SQLite file, which no output may replace."""
    from engine.cycles import StoreError, database

    with contextlib.suppress(StoreError):
        url = database.locate(db)
        if url.get_backend_name() == "sqlite" and url.database:
            return [url.database]
    return []


@contextlib.contextmanager
def using_store(db: str | None) -> Iterator:
    """The store, closed at the end; a store's refusal (StoreError) is one line on stderr and
    exit 1, like any other invalid input."""
    from engine import api
    from engine.cycles import StoreError

    try:
        with stopping_on_failure(), api.open_store(db) as store:
            yield store
    except StoreError as e:
        click.echo(f"ladder: error: {e.message} [{e.code}]", err=True)
        sys.exit(1)


@main.group()
def cycle() -> None:
    """Promotion cycles: a cohort frozen with its verdicts, and the committee's decisions.

    \b
      ladder cycle open 2026-spring fixtures/cohorts/spring-2026
      ladder decide 2026-spring E-10004 --promote --by ana
      ladder cycle show 2026-spring --format markdown
      ladder cycle export --all --out backup.json

    The store is a SQLite file (--db PATH, $LADDER_DB, else ~/.local/share/ladder/ladder.db),
    or a shared PostgreSQL database (--db postgresql://USER@HOST/DB).
    """


@cycle.command("open")
@click.argument("name")
@click.argument("cohort")
@rules_option
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", callback=as_of_option_value,
              help="Judge every packet as of this date. Default: each packet's own as_of.")
@db_option
@jobs_options
@cache_option
def open_(name: str, cohort: str, rules: Path | None, as_of: date | None, db: str | None, jobs: int, timeout: float,
          cache: bool) -> None:
    """Freeze COHORT as cycle NAME: every packet's content, the rulebook's files and digest, and
    every verdict with its explanation, so the cycle reads the same years later.

    \b
      ladder cycle open 2026-spring fixtures/cohorts/spring-2026
      ladder cycle open 2026-autumn cohort.jsonl --rules rules/ --as-of 2026-10-01

    COHORT is a directory of packets, a quoted glob or a JSON Lines file, as for `calibrate`.
    An invalid packet is stored with its errors, and every other with its verdict (exit 0); a
    packet the rules engine failed on is stored with that error, then exit 3.
    """
    from engine import api
    from engine.cohorts import cohort as cohorts

    cohorts.items(cohort)  # names no packets: a usage error, before the store is touched
    load_rulebook(rules, cache)  # a broken rulebook: its errors, exit 1
    with using_store(db) as store:
        opened = api.open_cycle(store, name, cohort, rules, as_of, jobs, timeout, cache)
        entries = store.entries(name)
    from engine.cycles import views

    click.echo(views.show(opened, [], "text").rstrip("\n"))
    invalid = [e for e in entries if e.verdict is None]
    faults = [e for e in invalid if any(d.code == cohorts.FAULT for d in e.errors)]
    if len(invalid) > len(faults):
        click.echo(f"ladder: {plural(len(invalid) - len(faults), 'invalid packet')} stored with the errors found: "
                   f"`ladder cycle show {name}` lists them", err=True)
    if faults:
        engine_failed(f"failed on {plural(len(faults), 'packet')}, stored with its error; every other verdict is stored")


@cycle.command("list")
@format_option
@db_option
def list_(fmt: str, db: str | None) -> None:
    """Every cycle in the store, oldest first, with its counts.

    \b
      ladder cycle list
      ladder cycle list --db postgresql://ladder@db.internal/ladder --format json
    """
    from engine.cycles import views

    with using_store(db) as store:
        click.echo(views.cycles_list(store.cycles(), fmt), nl=False)


@cycle.command()
@click.argument("name")
@format_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help=OUT_HELP)
@db_option
def show(name: str, fmt: str, out: Path | None, db: str | None) -> None:
    """Cycle NAME as frozen: its rules, and every candidate with their verdict and the decision
    in force (with who made it, and the reason for an override).

    \b
      ladder cycle show 2026-spring
      ladder cycle show 2026-spring --format markdown --out cycle.md
    """
    from engine.cohorts import outputs
    from engine.cycles import views

    if out:
        check_out(outputs.file_problem(out, store_file(db)))
    with using_store(db) as store:
        text = views.show(store.cycle(name), store.entries(name), fmt)
    if out:
        write(out, text)
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@cycle.command()
@click.argument("name")
@rules_option
@format_option
@db_option
@jobs_options
@cache_option
def reevaluate(name: str, rules: Path | None, fmt: str, db: str | None, jobs: int, timeout: float, cache: bool) -> None:
    """Judge cycle NAME's frozen packets under today's rules (or --rules DIR), as of the
    cycle's date, beside the verdicts frozen with it: which would change. Nothing is stored.

    \b
      ladder cycle reevaluate 2026-spring
      ladder cycle reevaluate 2026-spring --rules proposed-rules/ --format markdown
    """
    from engine import api
    from engine.cycles import views

    load_rulebook(rules, cache)
    with using_store(db) as store:
        results = api.reevaluate_cycle(store, name, rules, jobs, timeout, cache)
        text = views.reevaluation(store.cycle(name), str(rules or "the built-in rules"), results, fmt)
    click.echo(text, nl=False)


@cycle.command("export")
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every cycle in the store.")
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="The JSON file to write (atomically).")
@db_option
def export(names: tuple[str, ...], everything: bool, out: Path, db: str | None) -> None:
    """Write cycles whole (rulebooks, packets, verdicts, every decision) as one JSON file, for a
    backup or to move them to another store with `ladder cycle import`.

    \b
      ladder cycle export --all --out backup.json
      ladder cycle export 2026-spring --out 2026-spring.json
    """
    from engine import api
    from engine.cohorts import outputs

    if bool(names) == everything:
        raise click.UsageError("name the cycles to export, or give --all")
    check_out(outputs.file_problem(out, store_file(db)))
    with using_store(db) as store:
        text = api.export_cycles(store, names or None)
    write(out, text)
    click.echo(f"wrote {out}", err=True)


@cycle.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
def import_(file: Path, db: str | None) -> None:
    """Add the cycles of an export to the store, all or none (none if the store already holds
    a cycle of the same name).

    \b
      ladder cycle import backup.json --db restored.db
    """
    from engine import api

    with using_store(db) as store:
        names = api.import_cycles(store, file)
    click.echo(f"imported {plural(len(names), 'cycle')}: {', '.join(names)}" if names else "the file holds no cycles")


@main.command()
@click.argument("cycle_name", metavar="CYCLE")
@click.argument("candidate", required=False)
@click.option("--promote", "decision", flag_value="promote", help="Promote the candidate.")
@click.option("--not-yet", "decision", flag_value="not_yet", help="Not this cycle.")
@click.option("--defer", "decision", flag_value="defer", help="Decide later.")
@click.option("--reason", default="", help="Why; required for an override (promoting a candidate not judged ready, "
              "or not promoting one judged ready).")
@click.option("--by", default=_login, show_default="your login name", help="Who decided.")
@click.option("--from", "from_csv", type=click.Path(path_type=Path, dir_okay=False),
              help="A CSV file of decisions (columns candidate, decision, reason, by): all recorded, or none.")
@db_option
def decide(cycle_name: str, candidate: str | None, decision: str | None, reason: str, by: str, from_csv: Path | None,
           db: str | None) -> None:
    """Record the committee's decision on a CANDIDATE (their id, or their packet's path) of
    CYCLE, or every decision in a CSV file. A decision is never overwritten: a new one is added
    to the candidate's history, and the last is in force.

    \b
      ladder decide 2026-spring E-10004 --promote --by ana
      ladder decide 2026-spring E-10007 --not-yet --reason "Needs a second design doc"
      ladder decide 2026-spring --from decisions.csv

    Exit status: 0 recorded; 1 refused (nothing recorded), with the reason: an unknown
    candidate, an override without --reason, every bad row of the CSV as file:line:col.
    """
    from engine import api

    if from_csv is not None:
        if candidate or decision:
            raise click.UsageError("give either CANDIDATE with --promote, --not-yet or --defer, or --from FILE, not both")
        with using_store(db) as store:
            try:
                decided = api.decide_from_csv(store, cycle_name, from_csv, by or None)
            except LadderError as e:
                print_diagnostics(e.diagnostics)
                click.echo(f"ladder: nothing recorded: fix the {plural(len(e.diagnostics), 'problem')} above", err=True)
                sys.exit(1)
        click.echo(f"recorded {plural(len(decided), 'decision')} in cycle {cycle_name}")
        return
    if candidate is None or decision is None:
        raise click.UsageError("give CANDIDATE and one of --promote, --not-yet, --defer (or --from FILE)")
    from engine.cycles import views

    with using_store(db) as store:
        before = store.entry(cycle_name, candidate).decision
        # Expecting the version just read: a decision someone records in between is a conflict, not overwritten unseen.
        recorded = api.decide(store, cycle_name, candidate, decision, reason, by, before.version if before else 0)
    click.echo(views.decision_line(recorded, before))


@main.command()
@click.argument("candidate")
@db_option
@format_option
def history(candidate: str, db: str | None, fmt: str) -> None:
    """A candidate's promotion history: in every cycle of the store, oldest first, the verdict,
    the decision (with every change to it), and the criteria that changed since their previous
    cycle (met -> not met, and back).

    \b
      ladder history E-10004
      ladder history E-10004 --db postgresql://ladder@db/ladder --format markdown

    CANDIDATE is a candidate id; an unknown one is answered with the closest ids (exit 1).
    """
    from engine import api
    from engine.cycles import history_views

    with using_store(db) as store:
        steps = api.candidate_history(store, candidate)
    click.echo(history_views.render(candidate, steps, fmt), nl=False)
