"""One packet's answer straight from the verdict cache, looked up before the engine is loaded.

A one-packet `ladder evaluate` of a packet whose verdict is cached needs the packet's bytes,
the rule files' bytes (for the rulebook's digest) and the cache: not the rulebook's model, the
readers, the schemas or durable-rules, whose imports are most of such a command's time. The key
is the one `Reuse` computes (`VerdictCache.key`, by the same digest, label and options), so an
answer found here is the answer the full path would have found; anything this path does not
cover (a JSON Lines file, a directory, an unreadable file, a miss) is None, and the caller
takes the full path, which reports it. A hit implies the rulebook and the options were valid
when it was stored: only answers are stored, never a refusal, and the key holds every rule
file's bytes and ladder's code."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from engine.caching.verdicts import open_cache
from engine.reading.document import MAX_FILE_BYTES
from engine.reading.files import data_dir, directory_digest, display_path

# What a packet file is named; a JSON Lines file (several packets, labelled by line) goes the full way.
PACKET_SUFFIXES = (".yaml", ".yml", ".json")


def cached_answer(kind: str, rules: Path | None, path: Path, options: tuple) -> Any | None:
    """The answer of `kind` (e.g. `api.EVALUATED`) for the packet file `path` under the
    rulebook in `rules` (default: the built-in one) and `options` (as the command passes them to
    `Reuse`), if the verdict cache holds it; else None. Never raises: a cache can make a command
    faster, never make it fail."""
    path = Path(path)
    if path.suffix.lower() not in PACKET_SUFFIXES:
        return None
    with contextlib.suppress(Exception):  # noqa: BLE001 - any trouble here: the full path, which reports it
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        cache = open_cache()
        if cache is None:
            return None
        try:
            key = cache.key_of(kind, directory_digest(Path(rules) if rules else data_dir("rules")), display_path(path),
                               path.read_bytes(), *options)
            return cache.get(key)
        finally:
            cache.close()
    return None
