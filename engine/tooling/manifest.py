"""The published framework's manifest: the pages `ladder docs` wrote into a directory, so that
the next run can remove the pages the rules no longer produce (a level renamed or dropped)
without touching anything else there.

The manifest (`.ladder-docs.json`) lists the pages of each format: writing HTML does not remove
the Markdown pages of an earlier run into the same directory. It is written before the pages
with the old and new ones together, so an interrupted run still knows every page it may have
left; and again at the end with the new ones only. Only a regular file it lists, inside the
directory, with the format's extension, is ever removed: a damaged or hand-edited manifest can
name nothing else."""
from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from engine.rendering.report import write_atomic

NAME = ".ladder-docs.json"
FORMAT = "ladder.docs-manifest/1"


def replace(out: Path, fmt: str, pages: dict[str, str]) -> tuple[list[Path], list[Path]]:
    """Write `pages` (text by path in the site) into `out`, and remove the pages of `fmt` an
    earlier run wrote there that are not among them; return the paths written and removed."""
    listed = read(out)
    before = {page for page in listed.get(fmt, []) if _safe(page, fmt)}
    _write(out, {**listed, fmt: sorted(before | set(pages))})
    written = []
    for page, text in pages.items():
        path = out / page
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, text)
        written.append(path)
    removed = [path for page in sorted(before - set(pages)) if (path := _remove(out, page))]
    _write(out, {**listed, fmt: sorted(pages)})
    return written, removed


def read(out: Path) -> dict[str, list[str]]:
    """The pages listed by format; nothing if there is no manifest or it cannot be read (then no
    page is removed: the cost is a stale page, never a file lost)."""
    try:
        data = json.loads((out / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(files, dict):
        return {}
    return {fmt: [page for page in pages if isinstance(page, str)] for fmt, pages in files.items() if isinstance(pages, list)}


def _write(out: Path, files: dict[str, list[str]]) -> None:
    write_atomic(out / NAME, json.dumps({"format": FORMAT, "files": dict(sorted(files.items()))}, indent=2, ensure_ascii=False) + "\n")


def _safe(page: str, fmt: str) -> bool:
    """A page path this module could have written: relative, inside the directory, of `fmt`."""
    path = PurePosixPath(page)
    return (not path.is_absolute() and ".." not in path.parts and "\\" not in page and path.suffix == f".{fmt}"
            and not path.name.startswith("."))


def _remove(out: Path, page: str) -> Path | None:
    """Remove a page no longer produced, and its directory if that leaves it empty."""
    path = out / page
    if path.is_symlink() or not path.is_file():  # replaced by hand: not ours to remove
        return None
    if not path.resolve().is_relative_to(out.resolve()):  # through a linked directory, outside
        return None
    try:
        path.unlink()
    except OSError:
        return None
    parent = path.parent
    while parent != out:
        try:
            os.rmdir(parent)  # only an empty directory goes
        except OSError:
            break
        parent = parent.parent
    return path
