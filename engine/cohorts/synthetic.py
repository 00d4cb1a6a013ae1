"""A seeded generator of realistic promotion cohorts, for tests, demos and benchmarks.

For each candidate it picks a track, a current level and a "strength"; then, criterion by
criterion of the target level, it writes evidence that meets the criterion (more often for
stronger candidates), evidence that comes close but misses one condition, and unrelated
evidence. Nominations follow readiness with noise, and a few managers over-nominate. A small
share of packets carry a deliberate mistake, so reports show invalid packets too.

Rates are meant to look like a real cohort. Which criteria a candidate misses is planned
before any record is written, and records written for other reasons are kept from making up a
miss, so a miss meant is a miss found (but where the rules imply it: a design doc for a project
they led means they led a project). Too new to the level is drawn half as often as a missing
piece of evidence. A finding the rules count against a candidate (a term under a `none_of`,
such as a conduct concern) is written on purpose for BLOCKER_RATE of candidates, as a serious
finding is in life (a few percent), and never by chance. Names are unique within a cohort,
managers' included (`names`).

The same (size, seed, rulebook) always gives the same packets."""
from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from engine.cohorts.cohort import is_jsonl
from engine.reading.dates import parse_date
from engine.cohorts.names import unique_names
from engine.cohorts.values import ABSENT, TOPICS, any_value, met_by, number, satisfy
from engine.reading.model import CandidateCriterion, CompositeCriterion, CountCriterion, Criterion, EvidenceType, Rulebook, SumCriterion, Term
from engine.rendering.report import atomic_output, current_umask, interrupts_held

Leaf = CountCriterion | SumCriterion
# libyaml's C emitter when PyYAML was built with it (its wheels are): about 4x faster than the
# Python one, and the same bytes for every packet `generate` makes (tests/cohorts/test_synthetic.py);
# the representer is PyYAML's own either way, only the emitting differs.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

TEAMS = ["payments", "search", "identity", "data-platform", "mobile", "infrastructure", "growth", "risk", "billing", "messaging"]
LOCATIONS = [("Berlin", 5), ("Lisbon", 3), ("Nairobi", 2), ("Toronto", 3), ("Singapore", 2), ("Remote", 4)]
PATTERNS = [("full-time", 8), ("part-time", 2)]
INVALID_SHARE = 0.03
# Of candidates whose target level has such a rule (7 of the default rulebook's 10 levels, by
# `builds_on`): about 2% of a cohort carries a conduct concern.
BLOCKER_RATE = 0.03


def generate(book: Rulebook, size: int, seed: int = 1, as_of: str = "2026-11-01", records: int = 20) -> Iterator[dict]:
    """`size` packets as plain dicts (YAML/JSON ready), about `records` evidence records each."""
    rnd = random.Random(seed)
    day = parse_date(as_of)
    people = max(2, size // 8)
    names = unique_names(rnd, people + size)
    managers = names[:people]
    blockers = blocker_values(book)
    broken = set(rnd.sample(range(size), round(size * INVALID_SHARE)))  # exactly that share, not by chance
    eager = set(rnd.sample(managers, max(1, len(managers) // 6)))  # nominate more freely
    targets = [(level, book.next_level(level)) for level in book.levels.values()
               if book.next_level(level) and book.next_level(level).id in book.rules]
    # Moving across to the first level of another track, from its equivalent (e.g. to Tech Lead).
    targets += [(level, entry) for level in book.levels.values() for track in book.tracks.values()
                if track.id != level.track and (entry := track.levels[0]).id in book.rules and book.equivalent(level, track.id) == entry]
    for index in range(size):
        current, target = rnd.choice(targets)
        packet = _Candidate(book, rnd, day, index, current, target, rnd.choice(managers), records, names[people + index], blockers).packet()
        if target.track != current.track:
            packet["target"] = target.id
        ready_ish = packet.pop("_strength") > 0.6
        chance = (0.85 if ready_ish else 0.25) + (0.15 if packet["candidate"]["manager"] in eager else 0)
        packet["candidate"]["nominated"] = rnd.random() < chance
        if index in broken:
            _break(rnd, packet)
        yield packet


def write(packets: Iterable[dict], out: Path) -> None:
    """A .jsonl file (one packet a line), or a directory of YAML files (`out` new or empty).

    Either appears whole or not at all: the directory is filled under a temporary name and
    renamed into place, so an interrupted run leaves no partial cohort behind."""
    if is_jsonl(out):
        with atomic_output(out) as stream:
            for packet in packets:
                stream.write(json.dumps(packet, sort_keys=True, ensure_ascii=False) + "\n")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = None
    try:
        with interrupts_held():  # a Ctrl-C inside mkdtemp, after it made the directory, would leave it behind
            temporary = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
        for index, packet in enumerate(packets):
            with open(temporary / f"{index + 1:04d}-{packet['candidate']['id']}.yaml", "w", encoding="utf-8", newline="") as stream:
                yaml.dump(packet, stream, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
        os.chmod(temporary, 0o777 & ~current_umask())  # mkdtemp makes it private; give it a normal directory's mode
        os.replace(temporary, out)  # onto a new name or an empty directory
    except BaseException:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        raise


def blocker_values(book: Rulebook) -> dict[tuple[str, str], set]:
    """(evidence type, field) -> the values a term under a `none_of` looks for, anywhere in the
    rulebook: evidence written by chance must not carry them."""
    found: dict[tuple[str, str], set] = {}

    def visit(criterion: Criterion, under: bool) -> None:
        if isinstance(criterion, CompositeCriterion):
            for child in criterion.children:
                visit(child, under or criterion.kind == "none_of")
        elif under and isinstance(criterion, (CountCriterion, SumCriterion)):
            for term in criterion.match.terms:
                values = term.value if isinstance(term.value, (list, tuple)) else [term.value]
                if term.op in ("eq", "in"):
                    found.setdefault((criterion.match.evidence, term.field), set()).update(values)
    for rules in book.rules.values():
        for competency in rules.competencies:
            for criterion in competency.criteria:
                visit(criterion, False)
    return found


class _Candidate:
    def __init__(self, book: Rulebook, rnd: random.Random, as_of: date, index: int, current, target, manager: str, records: int,
                 name: str, blockers: dict[tuple[str, str], set]):
        self.book, self.rnd, self.as_of, self.index, self.name = book, rnd, as_of, index, name
        self.blockers = blockers
        self.current, self.target, self.manager, self.size = current, target, manager, records
        self.strength = rnd.random()
        self.evidence: list[dict] = []
        self.team = rnd.choice(TEAMS)
        self.missed: dict[str, list[Leaf]] = {}  # evidence type -> the criteria counting it meant to be missed

    def packet(self) -> dict:
        rnd = self.rnd
        top = [c for competency in self.book.rules[self.target.id].competencies for c in competency.criteria]
        # A miss is drawn among what a candidate can fall short of; a finding against them (a
        # `none_of`) comes only at BLOCKER_RATE, in _plan.
        open_ = [i for i, c in enumerate(top) if not (isinstance(c, CompositeCriterion) and c.kind == "none_of")]
        misses = rnd.choice([0, 0, 0, 1]) if self.strength > 0.6 else rnd.choice([1, 1, 2]) if self.strength > 0.3 else rnd.randint(2, 5)
        # Too new to the level is the rarer reason: few people under a year at a level come
        # before a committee at all. Without it, the one criterion every level has would top
        # the blockers at most levels.
        weights = [0.5 if isinstance(top[i], CandidateCriterion) else 1.0 for i in open_]
        missed: set[int] = set()
        while len(missed) < min(misses, len(open_)):
            missed.add(rnd.choices(open_, weights)[0])
        months = rnd.randint(25, 48)
        plan: list[tuple[Leaf, bool]] = []
        for i, criterion in enumerate(top):
            if isinstance(criterion, CandidateCriterion) and i in missed:
                months = rnd.randint(4, 11)  # too new to the level
            self._plan(criterion, i not in missed, plan)
        # Every miss is known before any record is written, so that no record written for another
        # reason makes one up (_spare): a miss meant is a miss found.
        for leaf, meet in plan:
            if not meet:
                self.missed.setdefault(leaf.match.evidence, []).append(leaf)
        for leaf, meet in plan:
            self._leaf(leaf, meet)
        since = _months_before(self.as_of, months)
        while len(self.evidence) < self.size:
            evidence = rnd.choice(list(self.book.evidence.values()))
            if leaves := self.missed.get(evidence.id):  # unrelated evidence comes close to a miss, no closer
                leaf = rnd.choice(leaves)
                self._record(evidence, leaf.match.terms, leaf.match.window, link=leaf.match.link, criterion=leaf, meet=False)
            else:
                self._record(evidence, (), None)
        rnd.shuffle(self.evidence)
        attributes = {"location": _weighted(rnd, LOCATIONS), "work_pattern": _weighted(rnd, PATTERNS)}
        return {
            "candidate": {
                "id": f"E-{10000 + self.index}", "name": self.name,
                "track": self.current.track, "level": self.current.id, "level_since": since.isoformat(),
                "manager": self.manager, "team": self.team, "attributes": attributes,
            },
            "as_of": self.as_of.isoformat(),
            "evidence": self.evidence,
            "_strength": self.strength,
        }

    # ------------------------------------------------------------------------------ criteria

    def _plan(self, criterion: Criterion, meet: bool, plan: list[tuple[Leaf, bool]]) -> None:
        """Which record-counting criteria to meet and which to miss, composites resolved."""
        rnd = self.rnd
        if isinstance(criterion, CompositeCriterion):
            children = criterion.children
            if criterion.kind == "none_of":  # a finding against the candidate: on purpose, for a few
                for child in children:
                    self._plan(child, rnd.random() < BLOCKER_RATE, plan)
                return
            hits = criterion.needed if meet else criterion.needed - 1
            chosen = set(rnd.sample(range(len(children)), max(0, min(len(children), hits))))
            for i, child in enumerate(children):
                self._plan(child, i in chosen, plan)
        elif not isinstance(criterion, CandidateCriterion):  # months at level were chosen with the candidate
            plan.append((criterion, meet))

    def _leaf(self, criterion: Leaf, meet: bool) -> None:
        rnd = self.rnd
        match = criterion.match
        evidence = self.book.evidence[match.evidence]
        need = criterion.at_least if isinstance(criterion, CountCriterion) else 1  # a sum's record reaches it alone
        count = need + rnd.randint(0, 1) if meet else max(0, need - rnd.randint(1, 2))
        if criterion.points_each:
            count = rnd.randint(1, 3) if meet else 0  # met: it earns points
        for _ in range(count):
            self._record(evidence, match.terms, match.window, link=match.link, criterion=criterion, meet=True)
        # A near miss, for the explanations: a condition failed, or else outside the window.
        if rnd.random() < 0.5 and (match.terms or match.window):
            self._record(evidence, match.terms, match.window, link=match.link, criterion=criterion, meet=False)

    def _record(self, evidence: EvidenceType, terms: tuple[Term, ...], window, link=None, criterion=None, meet: bool = True) -> dict:
        rnd = self.rnd
        broken = rnd.randrange(len(terms)) if (terms and not meet) else None
        fields = {}
        for name, declared in evidence.fields.items():
            own = [t for t in terms if t.field == name]
            if declared.type == "ref":
                continue
            if own:
                value = satisfy(rnd, declared, own, terms.index(own[0]) != broken and all(terms.index(t) != broken for t in own))
                if value is not ABSENT:
                    fields[name] = value
            elif declared.required or rnd.random() < 0.6:
                fields[name] = any_value(rnd, declared, self.team, self.blockers.get((evidence.id, name), set()))
        own = {t.field for t in terms}
        if isinstance(criterion, SumCriterion) and criterion.field in evidence.fields:
            declared = evidence.fields[criterion.field]
            reach = criterion.at_least if meet else criterion.at_least / 2
            fields[criterion.field] = max(fields.get(criterion.field, 0) or 0, number(declared, reach, rnd))
            own.add(criterion.field)
        if isinstance(criterion, CountCriterion) and criterion.distinct:
            fields[criterion.distinct] = rnd.choice(TEAMS)
            own.add(criterion.distinct)
        self._spare(evidence, fields, own, criterion)
        start, end = self._dates(evidence, window, inside=meet or broken is not None)
        record = {"id": f"{evidence.id[:2].upper()}-{len(self.evidence) + 1}", "type": evidence.id, "title": self._title(evidence),
                  "confidence": rnd.choices(["verified", "self-reported", "disputed"], [7, 3, 0.2])[0]}
        record.update({"date": start.isoformat()} if evidence.dates == "point" else {"start": start.isoformat()})
        if evidence.dates == "span" and end:
            record["end"] = end.isoformat()
        record.update(fields)
        for name, declared in evidence.fields.items():
            if declared.type == "ref" and (link and link.by == name or declared.required):
                target_type = self.book.evidence[declared.evidence]
                linked_terms = link.terms if link and link.by == name else ()
                record[name] = self._record(target_type, linked_terms, None, meet=meet or rnd.random() < 0.5)["id"]
        record["id"] = f"{evidence.id[:2].upper()}-{len(self.evidence) + 1}"
        self.evidence.append(record)
        return record

    def _spare(self, evidence: EvidenceType, fields: dict, own: set[str], written_for: Criterion | None) -> None:
        """Keep a record written for another reason from counting for a criterion meant to be
        missed, by failing one of that criterion's conditions the record's own leave free (or,
        for a sum with none, by adding the least it can). Where the record's own conditions imply
        the other's (a design doc for a project they led: they led a project), it counts."""
        for leaf in self.missed.get(evidence.id, ()):
            if leaf is written_for:
                continue
            terms = leaf.match.terms
            if not terms and isinstance(leaf, SumCriterion) and leaf.field in fields and leaf.field not in own:
                declared = evidence.fields[leaf.field]
                fields[leaf.field] = number(declared, declared.minimum or 0, self.rnd)
            if not terms or not all(met_by(t, fields) for t in terms):
                continue
            for term in (t for t in terms if t.field not in own):
                declared = evidence.fields[term.field]
                value = satisfy(self.rnd, declared, [term], keep=False)
                if value is not ABSENT:
                    fields[term.field] = value
                    break
                if not declared.required:
                    fields.pop(term.field, None)
                    break

    def _dates(self, evidence: EvidenceType, window, inside: bool) -> tuple[date, date | None]:
        rnd = self.rnd
        span_days = 365 * 3
        if window is not None:
            cutoff = window.cutoff(self.as_of)
            span_days = (self.as_of - cutoff).days
        back = rnd.randint(5, max(6, span_days - 5)) if inside else span_days + rnd.randint(20, 400)
        end = self.as_of - timedelta(days=back)
        if evidence.dates == "point":
            return end, end
        start = end - timedelta(days=rnd.randint(30, 300))
        if inside and rnd.random() < 0.2:
            return start, None  # ongoing
        return start, end

    def _title(self, evidence: EvidenceType) -> str:
        topic = self.rnd.choice(TOPICS)
        return f"{evidence.name.capitalize()}: {topic}"


def _weighted(rnd: random.Random, options: list[tuple[str, int]]) -> str:
    return rnd.choices([o for o, _ in options], [w for _, w in options])[0]


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def _break(rnd: random.Random, packet: dict) -> None:
    """One deliberate, realistic mistake."""
    evidence = packet["evidence"]
    mistake = rnd.choice(["type", "duplicate", "date", "nominated"])
    if mistake == "type" and evidence:
        evidence[0]["type"] = evidence[0]["type"][:-1] + "x"
    elif mistake == "duplicate" and len(evidence) > 1:
        evidence[1]["id"] = evidence[0]["id"]
    elif mistake == "date" and evidence:
        key = "date" if "date" in evidence[0] else "start"
        evidence[0][key] = evidence[0][key][:8] + "31" if evidence[0][key][5:7] in ("02", "04", "06", "09", "11") else "2026-02-30"
    else:
        packet["candidate"]["nominated"] = "yes"

