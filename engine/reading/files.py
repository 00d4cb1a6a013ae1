"""Where a rulebook's files are and what its digest is, without reading them as a rulebook:
what a command needs to look an answer up in the verdict cache before it loads the engine (a
warm one-packet `ladder evaluate` reads the rule files' bytes and nothing else of them). Only the
standard library is imported here."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

LADDER_FILE, EVIDENCE_FILE, LEVELS_DIR = "ladder.yaml", "evidence.yaml", "levels"
CALIBRATION_FILE = "calibration.yaml"  # optional


def data_dir(name: str) -> Path:
    """`rules` or `schemas`: inside the installed package, else at the top of the checkout."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "_bundled" / name
    return bundled if bundled.is_dir() else package.parent / name


def display_path(path: Path) -> str:
    """Paths as the user would write them: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def rule_files(directory: Path) -> list[tuple[Path, str]]:
    """The rulebook's files, each with the schema it follows."""
    files = [(directory / LADDER_FILE, "ladder"), (directory / EVIDENCE_FILE, "evidence")]
    files += [(path, "level") for path in sorted((directory / LEVELS_DIR).glob("*.yaml"))]
    if (directory / CALIBRATION_FILE).is_file():
        files.append((directory / CALIBRATION_FILE, "calibration"))
    return files


def content_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """The rulebook's digest: its files' names (relative to the directory, in `rule_files`
    order) and bytes. A promotion cycle stores the files and this digest, so the rulebook it was
    judged by can be named, checked and rebuilt exactly."""
    digest = hashlib.sha256()
    for name, raw in files:
        digest.update(name.encode() + b"\0" + raw + b"\0")
    return digest.hexdigest()


def directory_digest(directory: Path) -> str:
    """The digest (`content_digest`) of the rulebook in `directory` as its files are now; a
    file that cannot be read raises OSError."""
    return content_digest((path.relative_to(directory).as_posix(), path.read_bytes())
                          for path, _ in rule_files(directory) if path.is_file())
