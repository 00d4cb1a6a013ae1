"""The verdict cache: each packet's answer (its verdict document, placement, plan or rule-test
outcome) kept under a key made of everything the answer depends on, so that a re-run costs a
look-up for every packet that did not change, and an edited packet is evaluated again alone.

The key: what kind of answer it is; the rulebook's digest (every rule file's bytes); the
packet's bytes as read (a file, or its line of a JSON Lines file) and how it is named (its path,
or path:line: the answer quotes it); the options that change an answer (`--as-of`, `--target`,
`--track`, placement); and ladder's code (a digest of every module of `engine/` and the schemas,
stricter than the version number, which stays the same between commits) with Python's version
and the distributions installed beside the libraries whose words an answer can quote (a JSON or
YAML parser's message in an invalid packet's errors). Answers are kept, and a cohort's invalid
packets' errors (`cohorts.cohort.evaluated`); an evaluation that failed is never kept.

Where: `verdicts.sqlite` (`store`) in the directory of the rulebook cache ($LADDER_CACHE_DIR,
else $XDG_CACHE_HOME/ladder, else ~/.cache/ladder). Its values are bounded by
$LADDER_CACHE_MAX_MB (default 1024 MB, about 300,000 packets of 50 records; 0 turns the verdict
cache off), the least recently used evicted beyond it at the end of a run. LADDER_NO_CACHE=1, or
`--no-cache` on a command, turns every cache off. Values are pickles, compressed: like the
rulebook cache, the directory is the user's own (created private to them)."""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.caching.store import FILE, Store
from engine.reading import cache as rulebook_cache
from engine.reading.files import data_dir

if TYPE_CHECKING:  # a cached answer is looked up before the model is imported (`engine.cohorts.quick`)
    from engine.reading.model import Rulebook

# The kinds of answer the API's commands keep (each command's options are in its key).
EVALUATED, PLACED, PLANNED = "evaluate", "place", "plan"
MAX_MB_VARIABLE = "LADDER_CACHE_MAX_MB"
DEFAULT_MAX_MB = 1024


@functools.cache
def code_version() -> bytes:
    """A digest of ladder's code: every module of `engine/` and every schema. Any change to the
    code that makes an answer makes every cached answer a miss."""
    digest = hashlib.blake2b(digest_size=16)
    engine = Path(__file__).resolve().parents[1]
    for name, path in sorted((p.relative_to(engine).as_posix(), p) for p in engine.rglob("*.py")) + \
            sorted((p.name, p) for p in data_dir("schemas").glob("*.json")):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(libraries().encode())
    return digest.digest()


QUOTED_LIBRARIES = ("yaml", "jsonschema", "jsonschema_rs", "durable_rules_engine", "orjson")


def libraries() -> str:
    """Python's version and the `.dist-info` names (which carry the versions) in each directory
    that holds one of `QUOTED_LIBRARIES`, found without importing them: an upgrade of one, or of
    Python, makes every cached answer a miss. Any other upgrade in those directories does too,
    which costs one cold run."""
    sites = set()
    for module in QUOTED_LIBRARIES:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            origin = Path(spec.origin)
            sites.add(origin.parent.parent if spec.submodule_search_locations else origin.parent)
    names = sorted(name for site in sites if site.is_dir() for name in os.listdir(site) if name.endswith(".dist-info"))
    return "\n".join([sys.version, *names])


def max_bytes() -> int:
    """The bound $LADDER_CACHE_MAX_MB sets (megabytes, a number >= 0), else the default."""
    try:
        megabytes = float(os.environ.get(MAX_MB_VARIABLE, DEFAULT_MAX_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int(max(megabytes, 0) * 2**20)


class VerdictCache:
    """Answers by key. `hits` and `misses` count this process's look-ups (a forked worker's
    are its own)."""

    def __init__(self, directory: Path, limit: int):
        self.store = Store(Path(directory) / FILE, limit)
        self.hits = self.misses = 0

    def key(self, kind: str, book: Rulebook, label: str, content: bytes, *options: Any) -> bytes:
        return self.key_of(kind, book.digest, label, content, *options)

    def key_of(self, kind: str, rulebook_digest: str, label: str, content: bytes, *options: Any) -> bytes:
        """`key` by the rulebook's digest alone (`engine.reading.files.directory_digest`)."""
        digest = hashlib.blake2b(digest_size=20)
        for part in (code_version(), kind.encode(), rulebook_digest.encode(), label.encode(), hashlib.sha256(content).digest(),
                     repr(options).encode()):
            digest.update(len(part).to_bytes(8, "little") + part)  # lengths first: no two keys' parts run together
        return digest.digest()

    def get(self, key: bytes) -> Any | None:
        blob = self.store.get(key)
        if blob is not None:
            try:
                value = pickle.loads(zlib.decompress(blob))
            except Exception:  # noqa: BLE001 - checksummed, so written by other code: a miss
                self.store.forget(key)
            else:
                self.hits += 1
                return value
        self.misses += 1
        return None

    def put(self, key: bytes, value: Any) -> None:
        self.store.put(key, zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1))

    def close(self) -> None:
        """Mark what was read as used, evict beyond the bound; the cache opens again if used."""
        self.store.close()


def open_cache(enabled: bool = True) -> VerdictCache | None:
    """The user's verdict cache, or None when it is off (`enabled` false, LADDER_NO_CACHE=1,
    a bound of 0)."""
    directory = rulebook_cache.directory()
    limit = max_bytes()
    if not enabled or directory is None or limit == 0:
        return None
    return VerdictCache(directory, limit)


def resolve(cache: bool | VerdictCache | None) -> VerdictCache | None:
    """What an API function's `cache` argument means: True the user's cache, False or None
    none, or the given one."""
    if isinstance(cache, VerdictCache) or cache is None:
        return cache
    return open_cache(bool(cache))
