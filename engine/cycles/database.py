"""Where the store lives and how it is opened: a SQLite file by default, PostgreSQL by URL, the
schema brought up to date on every open (Alembic, programmatically: no alembic.ini).

`--db` (or `LADDER_DB`) is a path to a SQLite file, or a URL: `sqlite:///path`,
`postgresql://user@host/db` (psycopg 3; `postgresql+psycopg://` too; a Unix socket as
`postgresql://user@/db?host=/run/postgresql`). Without either, the store is
`$XDG_DATA_HOME/ladder/ladder.db` (`~/.local/share/ladder/ladder.db`): one per person, beside
nothing they might commit by accident. A new SQLite file, and the default directory, are made
private to their owner: the store holds people's promotion packets.

Every write is one transaction. On SQLite a writing transaction starts with BEGIN IMMEDIATE, so
two writers queue for the lock (up to BUSY_SECONDS) instead of one failing half-way; DDL is
transactional on both databases, so a migration that fails leaves the store as it was."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

ENVIRONMENT = "LADDER_DB"
MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_SECONDS = 30.0
_WRITE = "ladder_write"
_LOCK = 0x6C616464  # "ladd": PostgreSQL advisory lock held while migrating, so two first opens do not race


class StoreError(Exception):
    """The store cannot do what was asked: it cannot be reached, it was written by a newer
    ladder, a cycle or candidate is unknown, a decision is refused. `code` is stable."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "ladder" / "ladder.db"


def locate(db: str | None = None) -> sa.URL:
    """The database `db` names (a path or a URL), else `LADDER_DB`'s, else the default file."""
    spec = db or os.environ.get(ENVIRONMENT) or ""
    if not spec:
        path = default_path()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return sa.URL.create("sqlite", database=str(path))
    if "://" not in spec:
        return sa.URL.create("sqlite", database=str(Path(spec).expanduser()))
    try:
        url = sa.make_url(spec)
    except sa.exc.ArgumentError:
        raise StoreError(f"{spec!r} is not a database URL: give a file path, sqlite:///PATH or postgresql://USER@HOST/DB",
                         "store.url") from None
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("psycopg2", "psycopg", ""):
        return url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver ladder ships with
    if url.get_backend_name() == "sqlite" and url.get_driver_name() in ("", "pysqlite"):
        return url
    raise StoreError(f"{url.render_as_string(hide_password=True)}: ladder stores cycles in SQLite or PostgreSQL "
                     "(sqlite:///PATH, postgresql://USER@HOST/DB)", "store.url")


def shown(url: sa.URL) -> str:
    """How messages name the store: the file, or the URL without its password."""
    return url.database or "" if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def connect(url: sa.URL) -> sa.Engine:
    """An engine for the store at `url`; a new SQLite file is created private to its owner."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, json_serializer=_dumps, json_deserializer=orjson.loads, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.parent.is_dir():
            raise StoreError(f"{path}: its directory does not exist: create it, or give another --db", "store.unavailable")
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    engine = sa.create_engine(url, json_serializer=_dumps, json_deserializer=orjson.loads,
                              connect_args={"timeout": BUSY_SECONDS})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling would begin late and commit DDL on its own:
        # ladder says BEGIN itself (below), and SQLite enforces foreign keys only when asked.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "BEGIN")
    return engine


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextlib.contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read: one transaction, so what it reads is consistent; never commits."""
    with engine.connect() as connection:
        yield connection


class Collision(StoreError):
    """A write broke a uniqueness rule: someone else wrote the same key first (the transaction
    was rolled back). Callers that expect it say what it means (`model.DecisionConflict`)."""


@contextlib.contextmanager
def reporting(where: str) -> Iterator[None]:
    """A database that cannot be reached or read ends as a StoreError naming it, not a traceback."""
    try:
        yield
    except sa.exc.IntegrityError as e:
        raise Collision(f"{where}: {str(e.orig).strip().splitlines()[0]}", "store.collision") from None
    except sa.exc.DBAPIError as e:
        detail = str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e)
        raise StoreError(f"{where}: {detail}", "store.unavailable") from None


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest schema revision this ladder knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def revision(engine: sa.Engine) -> str | None:
    with reading(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: sa.Engine, where: str, to: str = "head") -> None:
    """Bring the schema to revision `to` (the newest by default) in one transaction; refuse a
    store whose revision this ladder does not know (a newer ladder wrote it)."""
    config = _config()
    script = ScriptDirectory.from_config(config)
    with reporting(where), writing(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None:
            try:
                script.get_revision(current)
            except CommandError:
                raise StoreError(f"{where}: written by a newer ladder (schema revision {current}); upgrade ladder to use it",
                                 "store.newer") from None
        if current == (script.get_current_head() if to == "head" else to):
            return
        config.attributes["connection"] = connection
        command.upgrade(config, to)
