"""Documents as record sources: Markdown files with YAML front matter, each value with its
place, so every bad field is reported as `file:line:col` of the document.

The front matter (between a first line `---` and the next `---` or `...`) is read with ladder's
own located YAML loader rather than python-frontmatter: that library hands back plain values
from PyYAML's YAML 1.1 loader, with no positions to report, `status: no` read as false and
dates as date objects; ladder's loader gives the line and column of every key and value, the
YAML 1.2 scalars packets are read with, and the same bounds and refusals (duplicate keys,
aliases, tags) as every other file. The split itself is a few lines: front matter is a
convention of Jekyll and Hugo, not a format with corner cases of its own.

A document is a one-row table to `rows`: its front-matter keys are the header, and its values
the cells (`DocLayout` says where each is); an authors list gives one row per author."""
from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from engine.common.errors import LadderError
from engine.importing.mapping import FOLDER, PATH
from engine.importing.rows import Layout
from engine.reading.load import MAX_FILE_BYTES, Document, decode, load_yaml_text

SUFFIXES = (".md", ".markdown")
_BAD_ID_CHARACTERS = re.compile(r"[^A-Za-z0-9._:-]+")
_MAX_ID = 80  # packet.schema.json's record_id


@dataclass(frozen=True)
class DocLayout(Layout):
    """A document's front matter as the header and cells of a table of one row per author."""

    root: str = ""  # the folder imported, as displayed: the packet's heading names it
    spots: tuple[tuple[int, int], ...] = ()  # (line, col) of each header entry's value
    authors: int = -1  # the header index of the authors key
    author_spots: tuple[tuple[int, int], ...] = ()  # (line, col) of each author, row 1 the first
    dated_by_git: bool = False

    def cell_name(self, index: int) -> str:
        name = self.header[index] if 0 <= index < len(self.header) else ""
        return {FOLDER: "its folder", PATH: "its path"}.get(name, name)

    def where(self, row: int, index: int) -> tuple[int, int]:
        if index == self.authors and 0 < row <= len(self.author_spots):
            return self.author_spots[row - 1]
        if 0 <= index < len(self.spots):
            return self.spots[index]
        return 1, 1  # the front matter's opening ---

    def origin(self, row: int) -> str:
        return self.source + (" (dated by its first commit in git)" if self.dated_by_git else "")

    def row_name(self, row: int) -> str:
        return f"{self.source} (author {row})"

    @property
    def collection(self) -> str:
        return self.root


def find_documents(root: Path) -> list[Path]:
    """The Markdown files under `root`, in the order of their paths (the same on every machine);
    hidden folders (.git, .github) are not documents."""
    found = [p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_front_matter(path: Path, source: str) -> Document | None:
    """The document's front matter with the file's own lines and columns; None when it has
    none (a README); LadderError, located, when it cannot be read."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise LadderError.one(source, 1, 1, f"is larger than {MAX_FILE_BYTES} bytes: split it", "docs.too-large")
        raw = path.read_bytes()
    except OSError as e:
        raise LadderError.one(source, 1, 1, f"cannot read: {e.strerror or e}", "docs.unreadable") from None
    if not raw.strip():
        return None
    lines = decode(raw, source).splitlines(True)
    if lines[0].rstrip() != "---":
        return None
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None)
    if end is None:
        raise LadderError.one(source, 1, 1, "front matter opened by --- is never closed: end it with a line of ---",
                              "docs.unclosed")
    text = "\n" + "".join(lines[1:end])  # a blank line for the opening ---: every line and column is the file's own
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return Document(source, {}, {(): (1, 1)})
    front = load_yaml_text(text, source)
    if not isinstance(front.data, dict):
        raise LadderError.one(source, 2, 1, "front matter is not a set of keys (title: ..., authors: [...]): write one "
                              "key: value a line", "docs.not-a-mapping")
    return front


def record_id(relative: str) -> str:
    """A record id made from a document's path under the imported folder, so it is the same at
    every import whatever else changes (design/mesh-rollout.md is design.mesh-rollout)."""
    stem = relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative
    made = _BAD_ID_CHARACTERS.sub("-", stem.replace("/", ".")).strip(".-_:") or "doc"
    if len(made) > _MAX_ID:  # long paths stay distinct: a digest of the whole path ends the id
        made = made[:_MAX_ID - 9].rstrip(".-_:") + "-" + hashlib.sha1(relative.encode()).hexdigest()[:8]
    return made


def first_commit_date(path: Path) -> str | None:
    """The date (YYYY-MM-DD, the author's) of the commit that added the file, following renames;
    None when git is missing, the file is not in a repository or was never committed."""
    try:
        done = subprocess.run(["git", "log", "--diff-filter=A", "--follow", "--format=%as", "--", path.name],
                              cwd=path.parent, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    dates = done.stdout.split() if done.returncode == 0 else []
    return dates[-1] if dates else None  # newest first: the last is the first add
