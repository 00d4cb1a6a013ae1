"""Where a command writes, checked before it does any work: a bad output path should cost
nothing, never surface as a traceback after a long run, and never replace what the command reads.

Each check returns what is wrong in words (None if nothing); the CLI turns that into a usage error."""
from __future__ import annotations

import fnmatch
import os
import tempfile
from pathlib import Path
from typing import Iterable

from engine.cohorts.cohort import GLOB_CHARACTERS, holds_packets


def directory_problem(directory: Path) -> str | None:
    """Why files cannot be created in `directory`.

    Permissions do not tell: root may write anywhere they allow, yet not in /sys or /proc, nor
    on a read-only or full file system. So a file is created there and removed, as the
    command's own atomic write will do (a temporary file, then a rename)."""
    if not directory.exists():
        return f"directory {directory} does not exist"
    if not directory.is_dir():
        return f"{directory} is not a directory"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"cannot write in directory {directory} (permission denied)"
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".ladder-", suffix=".tmp"):
            pass
    except OSError as e:
        return f"cannot write in directory {directory} (creating a file there failed: {e.strerror or e})"
    return None


def file_problem(path: Path, inputs: Iterable[str | Path] = ()) -> str | None:
    """Why `path` cannot take a command's output. `inputs` are what the command reads: files,
    directories of packets, .jsonl files or globs (cohort specs)."""
    if path.is_dir():
        return f"{path} is a directory: give a file name"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file (a device or a pipe): leave out the option to write to standard output"
    try:
        target = path.resolve()  # through a symlink, its target is what gets written
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError on a loop
        return f"{path} is a loop of symbolic links"
    problem = directory_problem(target.parent)
    if problem:
        return problem
    packet_like = holds_packets(target)
    for spec in inputs:
        given = Path(str(spec))
        if given.is_dir():
            if packet_like and target.parent == given.resolve():
                return f"{path} is in {spec}, whose files are all read: the next run would read it too; write it elsewhere"
        elif given.exists():
            if given.resolve() == target:
                return f"{path} is also an input: write the output elsewhere"
        elif packet_like and GLOB_CHARACTERS & set(str(spec)) and fnmatch.fnmatch(str(target), _resolved_pattern(str(spec))):
            return f"{path} matches the cohort pattern {spec}: the next run would read it as a packet; write it elsewhere"
    return None


def cohort_directory_problem(path: Path) -> str | None:
    """Why `path` cannot become a new directory of packets: it must be new or empty, so that no
    stale packet from an earlier run mixes into the cohort."""
    if path.is_dir():
        if any(path.iterdir()):
            return f"{path} is not empty: generate into a new directory, so no packet of an earlier run stays in the cohort"
        return directory_problem(path.resolve().parent)  # the new directory takes the empty one's place
    if path.exists():
        return f"{path} is a file: give a directory or a .jsonl file"
    return _creatable(path)


def documents_directory_problem(path: Path) -> str | None:
    """Why documents cannot be written into the directory `path`. It is made if missing, like a
    file output is; and like a file output's, its parent directory must exist."""
    if path.is_dir():
        return directory_problem(path)
    if path.exists() or path.is_symlink():
        return f"{path} is a file: give a directory"
    return directory_problem(path.parent)


def _creatable(path: Path) -> str | None:
    """Why the directory `path`, which does not exist, cannot be made (missing parents too)."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return directory_problem(parent)


def _resolved_pattern(spec: str) -> str:
    """A cohort glob made absolute the way `Path.resolve` makes the output path: symlinks in
    the directories before the first wildcard are followed (macOS /tmp is /private/tmp)."""
    parts = Path(os.path.abspath(spec)).parts
    plain = next((i for i, part in enumerate(parts) if GLOB_CHARACTERS & set(part)), len(parts))
    return str(Path(os.path.realpath(Path(*parts[:plain]))).joinpath(*parts[plain:]))
