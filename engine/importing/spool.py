"""Rows set aside by candidate until every table has been read: a temporary SQLite file, so
rows in any order (a candidate's records spread over a table, or over several) are gathered
into packets without holding the tables in memory. SQLite keeps a bounded page cache; the
file is deleted when the import ends.

Rows of one candidate must agree on the candidate's values (a name, a level); a record key
(`match` in the mapping) may appear once per candidate. Both are checked as rows arrive."""
from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from engine.importing.rows import Place


@dataclass
class Gathered:
    """One candidate's rows, as read: their candidate values and their records in table order."""

    id: str
    values: dict[str, Any]  # by column label
    places: dict[str, Place]
    bad: bool  # some row of the candidate had an error
    shaky: bool  # some candidate or packet cell could not be read: the values lack it
    records: list[tuple[dict[str, Any], dict[str, Place], bool]]  # (record, its places, whether its row had an error)


class Spool:
    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="ladder-import-")
        self._db = sqlite3.connect(Path(self._directory.name) / "rows.sqlite", isolation_level=None)
        self._db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000;
            CREATE TABLE candidates (id TEXT PRIMARY KEY, data TEXT NOT NULL, bad INTEGER NOT NULL);
            CREATE TABLE records (candidate TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
                                  PRIMARY KEY (candidate, key));
            CREATE INDEX records_in_order ON records (candidate, seq);
            CREATE TABLE seen (candidate TEXT NOT NULL, tbl INTEGER NOT NULL, PRIMARY KEY (candidate, tbl)) WITHOUT ROWID;
        """)
        self._db.execute("BEGIN")  # one transaction for the whole spool: its file is scratch, never kept
        self._seq = 0

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def candidate(self, candidate: str, table: int, values: dict[str, Any], places: dict[str, Place],
                  bad: bool, shaky: bool = False) -> list[tuple[str, Any, Place]]:
        """Add a row's candidate values; each (label, value first given, its place) that disagrees."""
        self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (candidate, table))
        row = self._db.execute("SELECT data, bad FROM candidates WHERE id = ?", (candidate,)).fetchone()
        if row is None:
            self._db.execute("INSERT INTO candidates VALUES (?, ?, ?)",
                             (candidate, json.dumps({"values": values, "places": places, "shaky": shaky}), int(bad)))
            return []
        known = json.loads(row[0])
        if shaky and not known["shaky"]:
            known["shaky"] = True
            self._db.execute("UPDATE candidates SET data = ? WHERE id = ?", (json.dumps(known), candidate))
        conflicts = [(label, known["values"][label], tuple(known["places"][label])) for label, value in values.items()
                     if label in known["values"] and known["values"][label] != value]
        added = {label: value for label, value in values.items() if label not in known["values"]}
        if added:
            known["values"].update(added)
            known["places"].update({label: places[label] for label in added})
            self._db.execute("UPDATE candidates SET data = ? WHERE id = ?", (json.dumps(known), candidate))
        if (bad or conflicts) and not row[1]:
            self.spoil(candidate)
        return conflicts

    def spoil(self, candidate: str) -> None:
        """Mark the candidate's packet as not to be written: one of its rows is wrong."""
        self._db.execute("UPDATE candidates SET bad = 1 WHERE id = ?", (candidate,))

    def spoil_table(self, table: int) -> None:
        """Mark every candidate with rows in a table that could not be read to the end: their
        packets would lack the rows after the break."""
        self._db.execute("UPDATE candidates SET bad = 1 WHERE id IN (SELECT candidate FROM seen WHERE tbl = ?)", (table,))

    def record(self, candidate: str, key: Any, record: dict[str, Any], places: dict[str, Place], bad: bool) -> Place | None:
        """Add a record; None, or the place of the earlier record with the same key (not added)."""
        self._seq += 1
        try:
            self._db.execute("INSERT INTO records VALUES (?, ?, ?, ?)", (candidate, self._seq, json.dumps(key),
                                                                          json.dumps({"record": record, "places": places, "bad": bad})))
        except sqlite3.IntegrityError:
            (first,) = self._db.execute("SELECT data FROM records WHERE candidate = ? AND key = ?",
                                        (candidate, json.dumps(key))).fetchone()
            places_of_first = json.loads(first)["places"]
            return tuple(next(iter(places_of_first.values()), (0, 0, -1)))
        return None

    def gathered(self) -> Iterator[Gathered]:
        """Every candidate, by id, with their records in the order the tables gave them."""
        candidates = self._db.execute("SELECT id, data, bad FROM candidates ORDER BY id")
        for candidate, data, bad in candidates:
            known = json.loads(data)
            rows = self._db.execute("SELECT data FROM records WHERE candidate = ? ORDER BY seq", (candidate,))
            records = [(r["record"], {k: tuple(v) for k, v in r["places"].items()}, r["bad"])
                       for r in map(json.loads, (d for (d,) in rows))]
            yield Gathered(candidate, known["values"], {k: tuple(v) for k, v in known["places"].items()}, bool(bad),
                           known["shaky"], records)
