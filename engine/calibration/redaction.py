"""Pseudonyms for `ladder calibrate --redact`.

Every person gets one pseudonym for the whole run: a candidate by their id, a manager by their
name (packets give managers no id), each kind numbered on its own in cohort order, so the same
cohort always gets the same pseudonyms. Free text is scrubbed only once the whole cohort has
been read, so a name is replaced wherever it appears, whoever's page it is on; and only whole
words are replaced, so the id `E-1` leaves `DE-14` alone. Names of people who are neither a
candidate nor a manager in the cohort cannot be recognised in free text."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

# A word: letters and digits, with the joiners ids and double-barrelled names use inside it
# (`DE-14`, `Jean-Luc`, `a.b:c`); an apostrophe ends a word, so "Ana Li's" still names Ana Li.
WORD = re.compile(r"\w(?:[\w.:-]*\w)?")
QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
SEVERAL = "[candidate]"  # a name two candidates share: saying which would be a guess


def _key(text: str) -> tuple[str, int] | None:
    """How a name is matched: its words, whitespace and case folded, and how many words."""
    words = list(WORD.finditer(text))
    if not words:
        return None
    return " ".join(text[words[0].start():words[-1].end()].split()).casefold(), len(words)


class Names:
    """A lookup from names (as `_key`s) to replacements, indexed by first word for speed."""

    def __init__(self, replacements: dict[str, str]) -> None:
        self.table: dict[str, str] = {}
        self.longest: dict[str, int] = {}  # first word -> most words of a name starting with it
        for name, replacement in replacements.items():
            key = _key(name)
            if key is None or key[0] in self.table:
                continue
            self.table[key[0]] = replacement
            first = WORD.match(key[0]).group(0)
            self.longest[first] = max(self.longest.get(first, 0), key[1])


def substitute(text: str, tables: list[Names]) -> str:
    """`text` with every whole-word occurrence of a known name replaced, longest match first."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    parts, done, i = [], 0, 0
    while i < len(words):
        first = text[words[i][0]:words[i][1]].casefold()
        most = max((t.longest.get(first, 0) for t in tables), default=0)
        hit = None
        for n in range(min(most, len(words) - i), 0, -1):
            key = " ".join(text[words[i][0]:words[i + n - 1][1]].split()).casefold()
            replacement = next((t.table[key] for t in tables if key in t.table), None)
            if replacement is not None:
                hit = (n, replacement)
                break
        if hit is None:
            i += 1
            continue
        parts += [text[done:words[i][0]], hit[1]]
        done = words[i + hit[0] - 1][1]
        i += hit[0]
    return "".join(parts) + text[done:] if parts else text


class Redactor:
    """Registers everyone as packets arrive; replaces names once all are known."""

    def __init__(self) -> None:
        self.candidates: dict[str, int] = {}  # candidate id -> number
        self.managers: dict[str, int] = {}  # manager name -> number
        self.packets: dict[str, int] = {}  # packet label -> number
        self.names: dict[str, set[str]] = defaultdict(set)  # candidate name -> their ids
        self._table: Names | None = None

    def register(self, label: str, candidate_id: str | None = None, name: str | None = None, manager: str | None = None) -> None:
        self.packets.setdefault(label, len(self.packets) + 1)
        if candidate_id is not None:
            self.candidates.setdefault(candidate_id, len(self.candidates) + 1)
            if name is not None:
                self.names[name].add(candidate_id)
        if manager is not None:
            self.managers.setdefault(manager, len(self.managers) + 1)
        self._table = None

    def packet(self, label: str) -> str:
        return f"packet {self.packets[label]:03d}"

    def candidate(self, candidate_id: str) -> str:
        return f"Candidate {self.candidates[candidate_id]:03d}"

    def id(self, candidate_id: str) -> str:
        return f"ID {self.candidates[candidate_id]:03d}"

    def manager(self, name: str | None) -> str | None:
        return None if name is None else f"Manager {self.managers[name]:03d}"

    def own(self, candidate_id: str, name: str, manager: str | None = None) -> Names:
        """A candidate's own name, id and manager, which on their own page mean them even if
        the name is shared (with another candidate, or a manager with a candidate)."""
        own = {name: self.candidate(candidate_id), candidate_id: self.id(candidate_id)}
        if manager is not None:
            own.setdefault(manager, self.manager(manager))
        return Names(own)

    def scrub(self, value: Any, own: Names | None = None) -> Any:
        """Every string in `value` (not the keys of mappings) with known names replaced."""
        if isinstance(value, str):
            return substitute(value, [own, self._names()] if own else [self._names()])
        if isinstance(value, list):
            return [self.scrub(v, own) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v, own) for k, v in value.items()}
        return value

    def message(self, text: str) -> str:
        """An error message without the packet values it quotes (they may be anything)."""
        return self.scrub(QUOTED.sub("'…'", text))

    def _names(self) -> Names:
        if self._table is None:  # candidates before managers: a name that is both is a candidate
            replacements = {cid: self.id(cid) for cid in self.candidates}
            for name, ids in self.names.items():
                replacements.setdefault(name, self.candidate(next(iter(ids))) if len(ids) == 1 else SEVERAL)
            for name in self.managers:
                replacements.setdefault(name, self.manager(name))
            self._table = Names(replacements)
        return self._table
