"""The verdict cache's storage: one SQLite database, `verdicts.sqlite`, in the cache directory.

Why SQLite (in WAL mode) and not a file per entry: a warm run of a 10k cohort looks up 10k
entries, and an indexed query on an open database costs a fraction of opening a file; every
write is a transaction, so no reader ever sees half an entry; concurrent runs, and one run's
worker processes, share the file safely (WAL lets readers go on while one writer writes, and a
writer kept waiting past a moment skips its write: a cache write is optional); and the size
bound is a sum over an index, eviction a query on when each entry was last used, where a
directory of files would need a scan of every file. It ships with Python: no dependency.

Every entry holds a checksum (BLAKE2b) of its key and value: SQLite does not check the bytes
of a page, so an entry damaged on disk is caught here, deleted, and recomputed by the caller.
A file SQLite cannot open as a database is replaced. Any other failure to read or write is a
miss or a skipped write: the cache can make a run faster, never make it fail.

A connection belongs to the process that opened it (SQLite connections must not cross a fork):
a forked worker opens its own, and never touches the one it inherited."""
from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from pathlib import Path

FILE = "verdicts.sqlite"
SCHEMA_VERSION = 1  # PRAGMA user_version: another layout is dropped and made afresh
BUSY_SECONDS = 2.0  # how long a write waits for another process's before it is skipped
EVICT_TO = 0.9  # eviction frees down to this share of the bound, so the next run does not evict at once

# Connections a forked process inherited, kept alive and never used: freeing one would close the
# parent's database handle from the child (which may checkpoint and delete the write-ahead log
# under the parent). A worker ends without running finalizers, so they are never closed.
_INHERITED: list[sqlite3.Connection] = []


def checksum(key: bytes, value: bytes) -> bytes:
    return hashlib.blake2b(key + b"\0" + value, digest_size=16).digest()


class Store:
    """Entries of bytes under keys of bytes, at most `max_bytes` of values after `close`."""

    def __init__(self, path: Path, max_bytes: int):
        self.path, self.max_bytes = path, max_bytes
        self._connection: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._used: list[bytes] = []  # keys read by this process: marked used at `close`
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():
            if self._connection is not None:
                _INHERITED.append(self._connection)
            self._pid, self._connection, self._used = os.getpid(), None, []
            if not self._broken:
                try:
                    self._connection = _open(self.path)
                except (sqlite3.Error, OSError):
                    self._broken = True  # this process runs without the cache
        return self._connection

    def get(self, key: bytes) -> bytes | None:
        """The value under `key`; None if there is none, or it is damaged (and then deleted)."""
        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT value, checksum FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        if checksum(key, row[0]) != row[1]:
            self.forget(key)
            return None
        self._used.append(key)
        return row[0]

    def put(self, key: bytes, value: bytes) -> None:
        connection = self._connect()
        if connection is None or len(value) > self.max_bytes:
            return
        with contextlib.suppress(sqlite3.Error):
            connection.execute("INSERT OR REPLACE INTO entries (key, value, checksum, used, size) VALUES (?, ?, ?, ?, ?)",
                               (key, value, checksum(key, value), time.time_ns(), len(value)))

    def forget(self, key: bytes) -> None:
        connection = self._connect()
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("DELETE FROM entries WHERE key = ?", (key,))

    def close(self) -> None:
        """Mark the entries this process read as used now, evict the least recently used beyond
        the bound, and close. The store opens again if used again."""
        connection = self._connection if self._pid == os.getpid() else None
        if connection is None and self._connection is not None:
            _INHERITED.append(self._connection)
        self._pid, self._connection = None, None
        if connection is None:
            return
        try:
            if self._used:
                now = time.time_ns()
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("UPDATE entries SET used = ? WHERE key = ?", ((now, key) for key in self._used))
                connection.execute("COMMIT")
            self._used = []
            evict(connection, self.max_bytes)
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        finally:
            connection.close()


def evict(connection: sqlite3.Connection, max_bytes: int) -> None:
    """Delete the least recently used entries (the oldest first among equals) until what is
    left is within EVICT_TO of `max_bytes`; give the space back to the file system."""
    (total,) = connection.execute("SELECT total(size) FROM entries").fetchone()
    if total <= max_bytes:
        return
    goal, freed, doomed = total - EVICT_TO * max_bytes, 0, []
    connection.execute("BEGIN IMMEDIATE")
    for rowid, size in connection.execute("SELECT rowid, size FROM entries ORDER BY used, rowid"):
        if freed >= goal:
            break
        doomed.append((rowid,))
        freed += size
    connection.executemany("DELETE FROM entries WHERE rowid = ?", doomed)
    connection.execute("COMMIT")
    connection.execute("PRAGMA incremental_vacuum")


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _prepare(path)
    except sqlite3.DatabaseError as e:
        if type(e) is not sqlite3.DatabaseError:  # locked, read-only, ...: not damage
            raise
    # Not a database at all (its header is damaged): it holds nothing worth keeping.
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    return _prepare(path)


def _prepare(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect only before the first table
            connection.execute("PRAGMA journal_mode = WAL")  # kept in the file
            connection.execute("BEGIN IMMEDIATE")
            if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:  # not made meanwhile by another run
                connection.execute("DROP TABLE IF EXISTS entries")
                connection.execute("CREATE TABLE entries (key BLOB PRIMARY KEY, value BLOB NOT NULL, checksum BLOB NOT NULL, "
                                   "used INTEGER NOT NULL, size INTEGER NOT NULL)")
                connection.execute("CREATE INDEX entries_by_use ON entries (used, size)")  # eviction's order, and the size sum
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        # WAL without a sync at each commit: a power cut may lose the last entries, never damage the file.
        connection.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        connection.close()
        raise
    return connection
