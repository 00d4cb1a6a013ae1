"""A store as one JSON document, for backup and for moving between databases: `export_text`
writes cycles whole (their rulebooks, packets' bytes, verdicts with explanations, and every
decision event), `import_text` reads them into a store, all or nothing.

The text is deterministic (keys sorted, cycles by name, packets in cohort order, decisions by
version), so exporting, importing into an empty store and exporting again gives the same bytes,
on SQLite and PostgreSQL alike. A packet's bytes are text when they are UTF-8, base64 otherwise."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any, Iterable

import sqlalchemy as sa

from engine.cycles.database import StoreError
from engine.cycles.freezing import KINDS, FrozenRulebook
from engine.cycles.store import Store, utc
from engine.cycles.tables import cycles, decision_events, packets, rulebooks, verdicts

FORMAT_ID = "ladder.cycles/1"
_VERDICT_FIELDS = [c.name for c in verdicts.columns if c.name not in ("cycle", "position")]
_DECISION_FIELDS = ("version", "decision", "reason", "decided_by", "verdict", "override")


def export_document(store: Store, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The cycles `names` (default: every cycle) as one document."""
    with store.read() as connection:
        chosen = sorted(names) if names is not None else sorted(connection.scalars(sa.select(cycles.c.name)))
        found, books = [], {}
        for name in chosen:
            row = store.cycle_row(connection, name)
            if row.rulebook not in books:
                files = connection.execute(sa.select(rulebooks.c.files).where(rulebooks.c.digest == row.rulebook)).scalar_one()
                books[row.rulebook] = {"name": row.rulebook_name, "files": files}
            found.append({"name": name, "opened_at": utc(row.opened_at).isoformat(), "as_of": row.as_of and row.as_of.isoformat(),
                          "cohort": row.cohort, "rules_source": row.rules_source, "rulebook": row.rulebook,
                          "packets": _packets(connection, name)})
    return {"format": FORMAT_ID, "rulebooks": books, "cycles": found}


def _packets(connection: sa.Connection, name: str) -> list[dict]:
    events: dict[int, list[dict]] = {}
    for event in connection.execute(sa.select(decision_events).where(decision_events.c.cycle == name)
                                    .order_by(decision_events.c.position, decision_events.c.version)):
        events.setdefault(event.position, []).append(
            {**{f: getattr(event, f) for f in _DECISION_FIELDS}, "decided_at": utc(event.decided_at).isoformat()})
    query = (sa.select(packets, *(verdicts.c[f] for f in _VERDICT_FIELDS))
             .join(verdicts, (verdicts.c.cycle == packets.c.cycle) & (verdicts.c.position == packets.c.position))
             .where(packets.c.cycle == name).order_by(packets.c.position))
    found = []
    for row in connection.execute(query):
        packet = {"label": row.label, "kind": row.kind, "line": row.line, **_content(row.content),
                  "verdict": {f: getattr(row, f) for f in _VERDICT_FIELDS}, "decisions": events.get(row.position, [])}
        found.append(packet)
    return found


def _content(raw: bytes | None) -> dict[str, str | None]:
    if raw is None:
        return {"content": None}
    try:
        return {"content": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"content_base64": base64.b64encode(raw).decode("ascii")}


def export_text(store: Store, names: Iterable[str] | None = None) -> str:
    return json.dumps(export_document(store, names), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def import_text(store: Store, text: str, source: str) -> list[str]:
    """Add the cycles of an export (`source` names it in errors) to the store, in one
    transaction: none if any is refused (a cycle of that name exists, a rulebook whose files do
    not match their digest, a document that is not an export). The cycles' names, in order."""
    try:
        document = json.loads(text)
    except ValueError as e:
        raise StoreError(f"{source}: not JSON ({e})", "import.format") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_ID:
        raise StoreError(f"{source}: not a ladder cycles export (its `format` is not {FORMAT_ID!r}): "
                         "write one with `ladder cycle export`", "import.format")
    try:
        return _import(store, document)
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as e:
        raise StoreError(f"{source}: a damaged export ({type(e).__name__}: {e}): nothing was imported", "import.format") from None


def _import(store: Store, document: dict) -> list[str]:
    books: dict[str, FrozenRulebook] = {}
    for digest, book in document["rulebooks"].items():
        books[digest] = FrozenRulebook(book["name"], digest, tuple((str(p), str(t)) for p, t in book["files"]))
        books[digest].check()
    names = [c["name"] for c in document["cycles"]]
    if len(set(names)) != len(names):
        raise StoreError("the export holds two cycles of one name", "import.format")
    with store.write() as connection:
        taken = sorted(set(names) & set(connection.scalars(sa.select(cycles.c.name))))
        if taken:
            raise StoreError(f"{store.where} already holds cycle(s) {', '.join(map(repr, taken))}: nothing was imported; "
                             "import into another store, or export without them", "import.exists")
        stored = set(connection.scalars(sa.select(rulebooks.c.digest)))
        for digest in sorted({c["rulebook"] for c in document["cycles"]} - stored):
            book = books[digest]
            connection.execute(rulebooks.insert().values(digest=digest, name=book.name, files=[list(f) for f in book.files]))
        for cycle in document["cycles"]:
            _import_cycle(connection, cycle)
    return names


def _import_cycle(connection: sa.Connection, cycle: dict) -> None:
    name = cycle["name"]
    connection.execute(cycles.insert().values(
        name=name, opened_at=utc(datetime.fromisoformat(cycle["opened_at"])),
        as_of=date.fromisoformat(cycle["as_of"]) if cycle["as_of"] else None,
        cohort=cycle["cohort"], rules_source=cycle["rules_source"], rulebook=cycle["rulebook"]))
    packet_rows, verdict_rows, event_rows = [], [], []
    for position, packet in enumerate(cycle["packets"], 1):
        if packet["kind"] not in KINDS:
            raise ValueError(f"packet {packet['label']!r} is of no known kind ({packet['kind']!r})")
        raw = base64.b64decode(packet["content_base64"], validate=True) if "content_base64" in packet else \
            None if packet["content"] is None else packet["content"].encode("utf-8")
        packet_rows.append({"cycle": name, "position": position, "label": packet["label"], "kind": packet["kind"],
                            "line": packet["line"], "content": raw})
        verdict_rows.append({"cycle": name, "position": position, **{f: packet["verdict"][f] for f in _VERDICT_FIELDS}})
        event_rows += [{"cycle": name, "position": position, **{f: event[f] for f in _DECISION_FIELDS},
                        "decided_at": utc(datetime.fromisoformat(event["decided_at"]))} for event in packet["decisions"]]
    for table, rows in ((packets, packet_rows), (verdicts, verdict_rows), (decision_events, event_rows)):
        for start in range(0, len(rows), 500):
            connection.execute(table.insert(), rows[start:start + 500])
