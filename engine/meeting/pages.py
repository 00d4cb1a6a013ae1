"""What the meeting page's pages show, read from the store: the agenda, a page of the roster, a
candidate's explanation and decision history; and recording a decision made on the page.

The agenda groups candidates by the committee report's own rules (`figures.nominations`, over
rows made from the store's entries), so the page and `ladder calibrate` never disagree on who
is discussed first. Every read is one of the store's transactions; nothing is cached but the
cycle's rulebook (frozen with the cycle, so it cannot change under the page)."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from engine.calibration import candidates, figures
from engine.calibration.pages import AGENDA
from engine.calibration.rows import Row
from engine.cycles import roster
from engine.cycles.deciding import decide
from engine.cycles.model import Decision, DecisionRequest, Entry
from engine.cycles.store import Store
from engine.reading.model import Rulebook
from engine.rendering.report import Invalid

# The meeting's order (issue 15): disagreements first, the nominated before the overlooked,
# then the nearly ready, then everyone else. Titles are the report's.
SECTIONS = ("nominated-not-ready", "ready-not-nominated", "nominated-nearly", "nearly-not-nominated", "rest")
TITLES = {**{key: AGENDA[key] for key in SECTIONS[:-1]}, "rest": "Everyone else"}
_LISTS = {"nominated-not-ready": "nominated_not_ready", "ready-not-nominated": "ready_not_nominated",
          "nominated-nearly": "nominated_nearly", "nearly-not-nominated": "nearly_not_nominated"}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: list[Entry]

    @property
    def decided(self) -> int:
        return sum(entry.decision is not None for entry in self.entries)


@dataclass(frozen=True)
class CandidatePage:
    entry: Entry
    explanation: dict | None  # `candidates.marked` for the report's table; None for an invalid packet
    history: list[Decision]
    section: str  # the agenda section the candidate is discussed in
    previous: str | None  # the packet discussed before, and after, in agenda order
    following: str | None


class Meeting:
    """One cycle of one store, as the meeting page reads and decides on it."""

    def __init__(self, store: Store, cycle: str) -> None:
        self.store, self.cycle = store, cycle
        self.info = store.cycle(cycle)  # StoreError now, before serving, if there is no such cycle
        self.book: Rulebook = store.thawed_rulebook(cycle)
        self.level_order = figures.ladder_order(self.book)
        self._walk: dict[str, tuple[str, str | None, str | None]] | None = None
        self._walk_lock = threading.Lock()

    def level_name(self, level: str | None) -> str:
        found = self.book.levels.get(level) if level else None
        return found.name if found else (level or "")

    def agenda(self) -> list[Section]:
        entries = self.store.entries(self.cycle)
        rows = [self._row(entry) for entry in entries if entry.verdict]
        by_position = {entry.position: entry for entry in entries}
        lists = figures.nominations(rows)
        sections, placed = [], set()
        for key in SECTIONS[:-1]:
            listed = [by_position[int(brief["page"])] for brief in lists[_LISTS[key]]]
            placed.update(entry.position for entry in listed)
            sections.append(Section(key, TITLES[key], listed))
        # Everyone else: the nominated and ready first (the report's last list), then the rest
        # in cohort order, invalid packets among them.
        confirmed = [by_position[int(brief["page"])] for brief in lists["nominated_ready"]]
        placed.update(entry.position for entry in confirmed)
        sections.append(Section("rest", TITLES["rest"], confirmed + [e for e in entries if e.position not in placed]))
        return sections

    def walk(self, label: str) -> tuple[str, str | None, str | None]:
        """The agenda section of packet `label`, and the packets before and after it in agenda
        order. Made once: the order rests on frozen verdicts and nominations, never on decisions."""
        with self._walk_lock:
            if self._walk is None:
                order = [(section.title, entry.label) for section in self.agenda() for entry in section.entries]
                self._walk = {label: (title, order[i - 1][1] if i else None, order[i + 1][1] if i + 1 < len(order) else None)
                              for i, (title, label) in enumerate(order)}
        return self._walk[label]

    def _row(self, entry: Entry) -> Row:
        """The report's row for an entry, as much of it as the agenda's grouping reads."""
        return Row(page=str(entry.position), packet=entry.label, id=entry.candidate_id or "", name=entry.name or "",
                   track=entry.track or "", level=entry.level or "", level_name=self.level_name(entry.level),
                   target=entry.target or "", target_name=self.level_name(entry.target), manager=entry.manager,
                   nominated=entry.nominated, verdict=entry.verdict or "", verified_only=entry.verdict or "",
                   unmet=(), missing=(), depends_on=())

    def roster(self, query: roster.RosterQuery) -> roster.RosterPage:
        return roster.page(self.store, self.cycle, query, self.level_order)

    def candidate(self, candidate: str) -> CandidatePage:
        """StoreError if `candidate` names no packet of the cycle."""
        entry = self.store.entry(self.cycle, candidate)
        explanation = self.store.explanation(self.cycle, entry.label)
        marked = None if isinstance(explanation, Invalid) else candidates.marked(explanation)
        return CandidatePage(entry, marked, self.store.history(self.cycle, entry.label), *self.walk(entry.label))

    def decide(self, candidate: str, decision: str, reason: str, by: str, expected_version: int) -> Decision:
        """Record a decision made on the page; StoreError (a reason missing for an override, ...)
        or DecisionConflict (someone decided since `expected_version`) when refused."""
        return decide(self.store, self.cycle, DecisionRequest(candidate, decision, reason, by, expected_version))

