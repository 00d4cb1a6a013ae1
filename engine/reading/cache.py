"""A cache of validated rulebooks, by content hash: an unchanged rulebook is not re-read,
re-validated or rebuilt by the next command (it is the bulk of a one-packet `ladder evaluate`).

The key covers the rule files' bytes, how they are named in messages, and the code and schemas
that turn them into a rulebook, so a stale entry can never be used. Entries live in
$LADDER_CACHE_DIR, else $XDG_CACHE_HOME/ladder, else ~/.cache/ladder, created private to the
user; LADDER_NO_CACHE=1 turns the cache off. A cache that cannot be read or written is ignored."""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.reading.files import data_dir

if TYPE_CHECKING:  # the model takes tens of milliseconds to import; `directory` is used before it is needed
    from engine.reading.model import Rulebook


@functools.cache
def _code_version() -> str:
    """The code a cached rulebook was built by: every module of `engine.reading`, and the schemas."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")) + sorted(data_dir("schemas").glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def directory() -> Path | None:
    """Where ladder caches live (this module's rulebooks, and `engine.caching`'s verdicts); None when
    LADDER_NO_CACHE=1 turns caching off."""
    if os.environ.get("LADDER_NO_CACHE") == "1":
        return None
    base = os.environ.get("LADDER_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ladder")
    return Path(base)


def _path(digest: str, shown: str) -> Path | None:
    where = directory()
    if where is None:
        return None
    key = hashlib.sha256(f"{digest}\0{shown}\0{_code_version()}".encode()).hexdigest()[:32]
    return where / f"rulebook-{key}.pickle"


def get(digest: str, shown: str) -> Rulebook | None:
    from engine.reading.model import Rulebook

    path = _path(digest, shown)
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as handle:
            book = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged entry is a miss
        return None
    return book if isinstance(book, Rulebook) and book.digest == digest else None


def put(book: Rulebook, shown: str) -> None:
    path = _path(book.digest, shown)
    if path is None:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(replace(book, compiled_cache={}), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
