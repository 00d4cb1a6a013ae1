"""The library API for rule changes (`impact`) and promotion cycles (the store, decisions,
reports over a cycle, history, the meeting page); `engine.api` re-exports every name here."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from engine.api.rulebooks import default_rules_dir, rulebook
from engine.caching.verdicts import VerdictCache, resolve
from engine.cohorts import cohort, pool
from engine.reading.model import Rulebook
from engine.reading.rulebook import display_path, load_rulebook

if TYPE_CHECKING:  # the store's modules load SQLAlchemy and Alembic: imported when a cycle command runs, not by every command
    from engine.calibration.calibrate import Calibration
    from engine.cycles import Cycle, Decision, Store
    from engine.cycles.history import Step
    from engine.cycles.opening import Reevaluated
    from engine.tooling.impact import Impact


# ------------------------------------------------------------------------ rule change impact

def rulebooks_of(base: str, head: str, cache: bool = True) -> tuple[Rulebook, Rulebook]:
    """The rulebooks `--base` and `--head` name (a directory, or git:REV[:PATH]); LadderError."""
    from engine.tooling import impact as impacts

    return impacts.resolve(base, cache), impacts.resolve(head, cache)


def impact(base: str, head: str, packets: Iterable[str | Path], by: Sequence[str] = (), jobs: int = 1,
           timeout: float = pool.DEFAULT_TIMEOUT, cache: bool | VerdictCache = True,
           books: tuple[Rulebook, Rulebook] | None = None) -> Impact:
    """Whom the change from rules `base` to `head` affects among `packets` (see
    `tooling.impact`); with `by`, readiness by group of those attributes before and after,
    and the gaps the change widens beyond calibration.yaml's threshold (`Impact.fairness`).
    `books`: the two rulebooks, if already loaded. `errors.NoPackets` if some path names none."""
    from engine.tooling import impact as impacts

    tasks = cohort.all_items(packets)  # every path naming no packets is reported, before any work
    books = books or rulebooks_of(base, head, cache is not False)
    report = impacts.compare(base, head, *books, tasks, jobs, timeout, resolve(cache), by=by)
    return _with_fairness(report, books[1], by)


def impact_of_cycle(store: Store, name: str, base: str, head: str, by: Sequence[str] = (), jobs: int = 1,
                    timeout: float = pool.DEFAULT_TIMEOUT, books: tuple[Rulebook, Rulebook] | None = None) -> Impact:
    """`impact` over cycle `name`'s frozen packets, judged as of the cycle's date, as the
    committee's cohort stood (`cycles.rule_impact`); StoreError if there is no such cycle."""
    from engine.cycles import rule_impact

    books = books or rulebooks_of(base, head)
    return _with_fairness(rule_impact.impact_of_cycle(store, name, base, head, books, by, jobs, timeout), books[1], by)


def _with_fairness(report: Impact, head: Rulebook, by: Sequence[str]) -> Impact:
    """The report with its fairness figures, under the head rulebook's calibration settings."""
    if by:
        from engine.calibration import change

        report.fairness = change.rule_change(head, report.outcomes, by)
    return report


# ------------------------------------------------------------------------ promotion cycles
# A store of cycles (`engine.cycles`): each function opens no store of its own; pass the one
# `open_store` gives (close it, or use it in a `with`). Errors: StoreError (with a stable
# `code`), LadderError for a rulebook or CSV file with located problems, errors.NoPackets.
# engine.cycles is imported inside each function: SQLAlchemy and Alembic take longer to import
# than a one-packet `ladder evaluate` takes to run.

def open_store(db: str | None = None) -> Store:
    """The store `db` names (a SQLite file's path, or a sqlite:/// or postgresql:// URL), else
    $LADDER_DB's, else `~/.local/share/ladder/ladder.db`; its schema brought up to date."""
    from engine.cycles import Store

    return Store.open(db)


def open_cycle(store: Store, name: str, cohort_spec: str | Path, rules: str | Path | None = None, as_of: date | None = None,
               jobs: int | None = None, timeout: float = pool.DEFAULT_TIMEOUT, cache: bool | VerdictCache = True) -> Cycle:
    """Freeze the cohort as cycle `name`: packets, rulebook and every verdict (see `opening`);
    a verdict a calibration left in `cache` (as in `evaluate_packet`) is reused, not recomputed."""
    from engine.cycles import opening

    directory = Path(rules) if rules else default_rules_dir()
    verdicts = resolve(cache)
    try:
        return opening.open_cycle(store, name, str(cohort_spec), directory, load_rulebook(directory, use_cache=bool(cache)),
                                  as_of, jobs, timeout, verdicts)
    finally:
        if verdicts is not None:
            verdicts.close()


def reevaluate_cycle(store: Store, name: str, rules: str | Path | None = None, jobs: int | None = None,
                     timeout: float = pool.DEFAULT_TIMEOUT, cache: bool | VerdictCache = True) -> list[Reevaluated]:
    """Cycle `name`'s frozen packets judged by the rulebook in `rules` (default: the built-in
    one), beside their frozen verdicts; nothing is stored in the cycle. `cache` as in
    `evaluate_packet`."""
    from engine.cycles import opening

    verdicts = resolve(cache)
    try:
        return list(opening.reevaluate(store, name, rulebook(rules, bool(cache)), jobs, timeout, verdicts))
    finally:
        if verdicts is not None:
            verdicts.close()


def decide(store: Store, cycle: str, candidate: str, decision: str, reason: str, by: str,
           expected_version: int | None = None) -> Decision:
    """Record a decision (promote, not_yet, defer) on a candidate (id, or packet path) of the
    cycle; DecisionConflict if `expected_version` is given and someone decided since."""
    from engine.cycles import DecisionRequest, deciding

    return deciding.decide(store, cycle, DecisionRequest(candidate, decision, reason, by, expected_version))


def decide_from_csv(store: Store, cycle: str, path: str | Path, by: str | None = None) -> list[Decision]:
    """Every decision of a CSV file (`decisions_csv`), or none: LadderError, every bad row located."""
    from engine.cycles import decisions_csv

    return decisions_csv.decide_from_csv(store, cycle, Path(path), display_path(Path(path)), by)


def export_cycles(store: Store, names: Iterable[str] | None = None) -> str:
    """The cycles `names` (default: all) as one JSON document (`transfer`), byte-stable."""
    from engine.cycles import transfer

    return transfer.export_text(store, names)


def import_cycles(store: Store, path: str | Path) -> list[str]:
    """The cycles of an export added to the store, all or none; their names."""
    from engine.cycles import StoreError, transfer

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StoreError(f"{display_path(path)}: cannot read it: {getattr(e, 'strerror', None) or e}", "import.unreadable") from None
    return transfer.import_text(store, text, display_path(path))


def calibrate_cycle(store: Store, name: str, since: str | None = None, redact: bool = False, keep_pages: bool = True,
                    jobs: int | None = None, timeout: float = pool.DEFAULT_TIMEOUT) -> Calibration:
    """The committee's report over stored cycle `name` (`Calibration`, to write with
    `calibration.pages.WRITERS`; close it after), with its decisions, overrides and the moves
    since cycle `since` (default: the one opened just before it). See `cycles.reporting`."""
    from engine.cycles import reporting

    return reporting.calibration(store, name, since, redact, keep_pages, jobs, timeout)


def candidate_history(store: Store, candidate: str) -> list[Step]:
    """The candidate (by id) in every cycle of the store, oldest first: verdict, decisions and
    the criteria changed since their previous cycle (`cycles.history`); StoreError naming the
    closest ids if no cycle has them."""
    from engine.cycles import history

    return history.history(store, candidate)


def serve_meeting(store: Store, cycle: str, host: str = "127.0.0.1", port: int = 0, allow_remote: bool = False,
                  announce: Callable[[str], None] = print) -> None:
    """Serve the committee's meeting page for `cycle` until interrupted (`engine.meeting`):
    `announce` gets the address to open, with its access token. RemoteRefused (a ValueError)
    for a host other than a loopback address without `allow_remote`; StoreError if there is
    no such cycle; OSError if the port cannot be had."""
    from engine.meeting import serving

    serving.serve(store, cycle, host, port, allow_remote, announce)
