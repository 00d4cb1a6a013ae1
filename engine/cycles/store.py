"""The store: promotion cycles frozen in a database, read back as the committee saw them.

    store = Store.open(db)                # a path, a URL, or None for LADDER_DB / the default file
    store.cycles()                        # [Cycle], oldest first
    store.entries("spring-2026")          # [Entry]: every packet, its verdict and decision in force
    store.decide("spring-2026", DecisionRequest("E-1588", "promote", "", by="ana"))

Opening a cycle (`opening.open_cycle`) evaluates packets and hands the results to
`write_cycle`; decisions are recorded by `deciding`; `transfer` exports and imports. Every
method runs in one transaction of its own; errors come back as StoreError (a cycle or
candidate that does not exist, a database that cannot be reached), never as a database's
traceback."""
from __future__ import annotations

import contextlib
import difflib
from datetime import UTC, date, datetime
from typing import Iterable, Iterator

import sqlalchemy as sa

from engine.cohorts.cohort import Evaluated
from engine.common.errors import Diagnostic
from engine.cycles import database
from engine.cycles.database import StoreError
from engine.cycles.freezing import FrozenPacket, FrozenRulebook
from engine.cycles.model import VERDICTS, Cycle, Decision, Entry
from engine.cycles.tables import cycles, decision_events, packets, rulebooks, verdicts
from engine.reading.model import Rulebook
from engine.rendering.report import Invalid

BATCH = 500  # rows per INSERT while a cycle is written: memory stays flat, round trips few


def utc(moment: datetime) -> datetime:
    """SQLite gives back the naive UTC time it was given; PostgreSQL an aware one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def diagnostics(found: list[dict] | None) -> tuple[Diagnostic, ...]:
    return tuple(Diagnostic(d["file"], d["line"], d["col"], d["message"], d["code"], d.get("level", "error"),
                            d.get("accepted", "")) for d in found or ())


class Store:
    """A connection to one store, its schema brought up to date when opened."""

    def __init__(self, engine: sa.Engine, where: str) -> None:
        self.engine, self.where = engine, where

    @classmethod
    def open(cls, db: str | None = None) -> "Store":
        """The store `db` names (see `database.locate`), migrated to the newest schema."""
        url = database.locate(db)
        where = database.shown(url)
        engine = database.connect(url)
        database.migrate(engine, where)
        return cls(engine, where)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self):
        """A write transaction whose database errors become StoreError (for `deciding`, `transfer`)."""
        return _reported(self.where, database.writing(self.engine))

    def read(self):
        return _reported(self.where, database.reading(self.engine))

    # ------------------------------------------------------------------------------ cycles

    def cycles(self) -> list[Cycle]:
        """Every cycle, oldest first."""
        with self.read() as connection:
            return [self._cycle(connection, row) for row in
                    connection.execute(_CYCLES.order_by(cycles.c.opened_at, cycles.c.name))]

    def cycle(self, name: str) -> Cycle:
        with self.read() as connection:
            return self._cycle(connection, self.cycle_row(connection, name))

    def cycle_row(self, connection: sa.Connection, name: str) -> sa.Row:
        row = connection.execute(_CYCLES.where(cycles.c.name == name)).first()
        if row is None:
            known = list(connection.scalars(sa.select(cycles.c.name)))
            close = difflib.get_close_matches(name, known, 1)
            hint = f": did you mean {close[0]!r}?" if close else "; `ladder cycle list` shows them" if known else "; open one first"
            raise StoreError(f"no cycle named {name!r} in {self.where}{hint}", "cycle.unknown")
        return row

    def _cycle(self, connection: sa.Connection, row: sa.Row) -> Cycle:
        counts = dict.fromkeys((*VERDICTS, "invalid"), 0)
        for verdict, n in connection.execute(sa.select(verdicts.c.verdict, sa.func.count()).where(
                verdicts.c.cycle == row.name).group_by(verdicts.c.verdict)):
            counts[verdict or "invalid"] = n
        newest = _newest(row.name)
        d = decision_events
        decided, overrides = connection.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((d.c.override, 1), else_=0)), 0))
            .join(newest, (newest.c.position == d.c.position) & (newest.c.version == d.c.version))
            .where(d.c.cycle == row.name)).one()
        return Cycle(row.name, utc(row.opened_at), row.as_of, row.cohort, row.rules_source, row.rulebook_name, row.rulebook,
                     sum(counts.values()), counts, decided, overrides)

    def exists(self, name: str) -> bool:
        with self.read() as connection:
            return connection.execute(sa.select(cycles.c.name).where(cycles.c.name == name)).first() is not None

    def write_cycle(self, name: str, cohort: str, rules_source: str, rulebook: FrozenRulebook, as_of: date | None,
                    judged: Iterable[tuple[FrozenPacket, Evaluated]], opened_at: datetime | None = None) -> Cycle:
        """Store a cycle: its rulebook (once per digest), and each packet with its verdict, in
        one transaction, as `judged` yields them. StoreError if the name is taken."""
        with self.write() as connection:
            if connection.execute(sa.select(cycles.c.name).where(cycles.c.name == name)).first() is not None:
                raise StoreError(f"a cycle named {name!r} already exists in {self.where}: choose another name", "cycle.exists")
            if connection.execute(sa.select(rulebooks.c.digest).where(rulebooks.c.digest == rulebook.digest)).first() is None:
                connection.execute(rulebooks.insert().values(digest=rulebook.digest, name=rulebook.name,
                                                             files=[list(f) for f in rulebook.files]))
            # In UTC: SQLite keeps a time as written, without its offset.
            connection.execute(cycles.insert().values(name=name, opened_at=utc(opened_at or datetime.now(UTC)), as_of=as_of,
                                                      cohort=cohort, rules_source=rules_source, rulebook=rulebook.digest))
            batch: list[tuple[dict, dict]] = []
            for position, (packet, evaluated) in enumerate(judged, 1):
                batch.append(rows(name, position, packet, evaluated))
                if len(batch) == BATCH:
                    _insert(connection, batch)
                    batch = []
            if batch:
                _insert(connection, batch)
            return self._cycle(connection, self.cycle_row(connection, name))

    def rulebook(self, name: str) -> FrozenRulebook:
        """The rulebook cycle `name` was judged by, as stored."""
        with self.read() as connection:
            row = self.cycle_row(connection, name)
            files = connection.execute(sa.select(rulebooks.c.files).where(rulebooks.c.digest == row.rulebook)).scalar_one()
        return FrozenRulebook(row.rulebook_name, row.rulebook, tuple((path, text) for path, text in files))

    def thawed_rulebook(self, name: str) -> Rulebook:
        """The rulebook cycle `name` was judged by, rebuilt from its stored files."""
        return self.rulebook(name).thaw(self.cycle(name).rules_source)

    def packets(self, name: str) -> Iterator[FrozenPacket]:
        """The cycle's packets as frozen, in cohort order, read as iterated: the read stays open
        until the iterator is done, and on SQLite a write (a decision) waits for it, so finish
        it, or list() it, before writing."""
        query = (sa.select(packets, verdicts.c.errors).join(verdicts, (verdicts.c.cycle == packets.c.cycle)
                                                            & (verdicts.c.position == packets.c.position))
                 .where(packets.c.cycle == name).order_by(packets.c.position))
        with self.read() as connection:
            self.cycle_row(connection, name)
            for row in connection.execute(query):
                yield FrozenPacket(row.label, row.kind, row.content, row.line,
                                   diagnostics(row.errors) if row.content is None else ())

    def evaluated(self, name: str) -> Iterator[Evaluated]:
        """The cycle's frozen verdicts as a cohort run yields them (`cohort.evaluate_all`), in
        order: what `Calibration.add` takes, so a stored cycle can be reported on. Read as
        iterated, like `packets`: finish it before writing."""
        query = (sa.select(packets.c.label, verdicts).join(verdicts, (verdicts.c.cycle == packets.c.cycle)
                                                           & (verdicts.c.position == packets.c.position))
                 .where(packets.c.cycle == name).order_by(packets.c.position))
        with self.read() as connection:
            self.cycle_row(connection, name)
            for row in connection.execute(query):
                result = row.explanation if row.verdict else Invalid(row.label, diagnostics(row.errors))
                yield Evaluated(row.label, result, row.attributes, row.opportunities, row.placement)

    # ----------------------------------------------------------------------------- entries

    def entries(self, name: str) -> list[Entry]:
        """Every packet of the cycle in cohort order, with its verdict and decision in force."""
        with self.read() as connection:
            self.cycle_row(connection, name)
            return self._entries(connection, name)

    def _entries(self, connection: sa.Connection, name: str, where: sa.ColumnElement | None = None) -> list[Entry]:
        query = entries_query(name).order_by(packets.c.position)
        if where is not None:
            query = query.where(where)
        return [entry_of(name, r) for r in connection.execute(query)]

    def entry(self, name: str, candidate: str) -> Entry:
        """The packet `candidate` names in the cycle: a candidate id, else a packet's label.
        StoreError if none does, or if the id is several packets' (name the packet instead)."""
        with self.read() as connection:
            self.cycle_row(connection, name)
            return self._entry(connection, name, candidate)

    def _entry(self, connection: sa.Connection, name: str, candidate: str) -> Entry:
        return self.roster(connection, name, [candidate]).find(candidate)

    def roster(self, connection: sa.Connection, name: str, candidates: Iterable[str]) -> "Roster":
        """The entries of the cycle that `candidates` name (by candidate id or label), to find
        each by; the cycle's candidate ids too when some name none, for a suggestion."""
        wanted = sorted(set(candidates))
        found: list[Entry] = []
        for start in range(0, len(wanted), 500):  # bound the statement's parameters
            chunk = wanted[start:start + 500]
            found += self._entries(connection, name, verdicts.c.candidate_id.in_(chunk) | packets.c.label.in_(chunk))
        named = {e.candidate_id for e in found} | {e.label for e in found}
        known = () if named >= set(wanted) else connection.scalars(sa.select(verdicts.c.candidate_id).where(
            verdicts.c.cycle == name, verdicts.c.candidate_id.is_not(None)))
        return Roster(name, found, known)

    def appearances(self, candidate_id: str) -> list[Entry]:
        """The candidate's entry in every cycle they are in, oldest cycle first (several in one
        cycle if several of its packets are theirs): their verdicts and decisions over time."""
        with self.read() as connection:
            names = list(connection.scalars(
                sa.select(cycles.c.name).where(cycles.c.name.in_(
                    sa.select(verdicts.c.cycle).where(verdicts.c.candidate_id == candidate_id)))
                .order_by(cycles.c.opened_at, cycles.c.name)))
            return [entry for name in names for entry in self._entries(connection, name, verdicts.c.candidate_id == candidate_id)]

    def candidate_ids(self) -> list[str]:
        """Every candidate id in any cycle, sorted (for a suggestion when one is mistyped)."""
        with self.read() as connection:
            return list(connection.scalars(sa.select(verdicts.c.candidate_id).where(verdicts.c.candidate_id.is_not(None))
                                           .distinct().order_by(verdicts.c.candidate_id)))

    def explanation(self, name: str, candidate: str) -> dict | Invalid:
        """The frozen verdict document (`explain`) of `candidate`, or `Invalid` with its errors."""
        with self.read() as connection:
            self.cycle_row(connection, name)
            entry = self._entry(connection, name, candidate)
            document = connection.execute(sa.select(verdicts.c.explanation).where(
                verdicts.c.cycle == name, verdicts.c.position == entry.position)).scalar_one()
        return document if entry.verdict else Invalid(entry.label, entry.errors)

    def history(self, name: str, candidate: str) -> list[Decision]:
        """Every decision on `candidate` in the cycle, oldest first; the last is in force."""
        with self.read() as connection:
            self.cycle_row(connection, name)
            entry = self._entry(connection, name, candidate)
            return [decision_of(name, entry.label, entry.candidate_id, row) for row in connection.execute(
                sa.select(decision_events).where(decision_events.c.cycle == name, decision_events.c.position == entry.position)
                .order_by(decision_events.c.version))]


class Roster:
    """A cycle's entries by candidate id and by packet label."""

    def __init__(self, cycle: str, entries: Iterable[Entry], known: Iterable[str] = ()) -> None:
        self.cycle, self.by_id, self.by_label = cycle, {}, {}
        for entry in entries:
            if entry.candidate_id is not None:
                self.by_id.setdefault(entry.candidate_id, []).append(entry)
            self.by_label[entry.label] = entry
        self.known = [*self.by_id, *known]

    def find(self, candidate: str) -> Entry:
        """The packet `candidate` names: a candidate id, else a packet's label. StoreError if
        none does, or if the id is several packets' (name the packet instead)."""
        found = self.by_id.get(candidate) or ([self.by_label[candidate]] if candidate in self.by_label else [])
        if len(found) == 1:
            return found[0]
        if found:
            labels = ", ".join(e.label for e in found)
            raise StoreError(f"{candidate!r} is the candidate of {len(found)} packets in cycle {self.cycle!r} ({labels}): "
                             "name the packet instead", "decide.ambiguous-candidate")
        close = difflib.get_close_matches(candidate, self.known, 1)
        hint = f": did you mean {close[0]!r}?" if close else ": give a candidate id or a packet as `ladder cycle show` lists them"
        raise StoreError(f"no candidate {candidate!r} in cycle {self.cycle!r}{hint}", "decide.unknown-candidate")


def _newest(name: str) -> sa.Subquery:
    """Each decided packet of cycle `name` with the version of its decision in force."""
    return (sa.select(decision_events.c.position, sa.func.max(decision_events.c.version).label("version"))
            .where(decision_events.c.cycle == name).group_by(decision_events.c.position).subquery())


def entries_query(name: str) -> sa.Select:
    """The cycle's packets, each with its verdict and the decision in force (outer-joined as
    `decision_events`), unordered: `Store.entries` and the meeting page's roster (`roster`)
    add their order, filters and paging; `entry_of` makes each row an Entry."""
    newest = _newest(name)
    d = decision_events
    return (sa.select(packets.c.position, packets.c.label, verdicts.c.verdict, verdicts.c.candidate_id,
                      verdicts.c.candidate_name, verdicts.c.track, verdicts.c.level, verdicts.c.target, verdicts.c.manager,
                      verdicts.c.nominated, verdicts.c.errors, d.c.version, d.c.decision, d.c.reason, d.c.decided_by,
                      d.c.decided_at, d.c.verdict.label("decided_verdict"), d.c.override)
            .join(verdicts, (verdicts.c.cycle == packets.c.cycle) & (verdicts.c.position == packets.c.position))
            .outerjoin(newest, newest.c.position == packets.c.position)
            .outerjoin(d, (d.c.cycle == packets.c.cycle) & (d.c.position == packets.c.position) & (d.c.version == newest.c.version))
            .where(packets.c.cycle == name))


def entry_of(name: str, r: sa.Row) -> Entry:
    return Entry(name, r.position, r.label, r.candidate_id, r.candidate_name, r.track, r.level, r.target, r.manager,
                 r.nominated, r.verdict, diagnostics(r.errors) if r.errors else (),
                 Decision(name, r.position, r.label, r.candidate_id, r.version, r.decision, r.reason, r.decided_by,
                          utc(r.decided_at), r.decided_verdict, r.override) if r.version else None)


def decision_of(name: str, label: str, candidate_id: str | None, row: sa.Row) -> Decision:
    return Decision(name, row.position, label, candidate_id, row.version, row.decision, row.reason, row.decided_by,
                    utc(row.decided_at), row.verdict, row.override)


_CYCLES = sa.select(cycles, rulebooks.c.name.label("rulebook_name")).join(rulebooks, rulebooks.c.digest == cycles.c.rulebook)


def rows(name: str, position: int, packet: FrozenPacket, evaluated: Evaluated) -> tuple[dict, dict]:
    """A packet's row and its verdict's row."""
    packet_row = {"cycle": name, "position": position, "label": packet.label, "kind": packet.kind, "line": packet.line,
                  "content": packet.content}
    result = evaluated.result
    verdict_row = {"cycle": name, "position": position, "attributes": evaluated.attributes,
                   "opportunities": evaluated.opportunities, "placement": evaluated.placement}
    if isinstance(result, Invalid):
        verdict_row |= dict.fromkeys(("verdict", "candidate_id", "candidate_name", "track", "level", "target", "manager",
                                      "nominated", "explanation"))
        verdict_row["errors"] = [d.to_json() for d in result.diagnostics]
    else:
        candidate = result["candidate"]
        verdict_row |= {"verdict": result["verdict"], "candidate_id": candidate["id"], "candidate_name": candidate["name"],
                        "track": candidate["track"], "level": candidate["level"], "target": result["target"]["level"],
                        "manager": candidate.get("manager"), "nominated": candidate.get("nominated"),
                        "explanation": result, "errors": None}
    return packet_row, verdict_row


def _insert(connection: sa.Connection, batch: list[tuple[dict, dict]]) -> None:
    connection.execute(packets.insert(), [p for p, _ in batch])
    connection.execute(verdicts.insert(), [v for _, v in batch])


@contextlib.contextmanager
def _reported(where: str, transaction: contextlib.AbstractContextManager[sa.Connection]) -> Iterator[sa.Connection]:
    """A transaction (`database.writing` or `reading`) whose database errors are StoreErrors."""
    with database.reporting(where), transaction as connection:
        yield connection
