"""A seeded generator of realistic promotion cohorts, for tests, demos and benchmarks.

For each candidate it picks a track, a current level and a "strength"; then, criterion by
criterion of the target level, it writes evidence that meets the criterion (more often for
stronger candidates), evidence that comes close but misses one condition, and unrelated
evidence. Nominations follow readiness with noise, and a few managers over-nominate. A small
share of packets carry a deliberate mistake, so reports show invalid packets too.

The same (size, seed, rulebook) always gives the same packets."""
from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from engine.cohorts.cohort import is_jsonl
from engine.reading.dates import parse_date
from engine.reading.model import CandidateCriterion, CompositeCriterion, CountCriterion, Criterion, EvidenceType, Field, Rulebook, SumCriterion, Term
from engine.rendering.report import atomic_output, current_umask

FIRST = ["Aisha", "Ben", "Chen", "Dara", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
         "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rafael", "Sara", "Tomás", "Uma", "Viktor", "Wen", "Yara", "Zane"]
LAST = ["Adeyemi", "Bello", "Costa", "Duarte", "Eriksen", "Fischer", "García", "Haddad", "Iyer", "Jansen", "Kim",
        "Larsen", "Mensah", "Nakamura", "Okafor", "Petrov", "Quispe", "Raman", "Silva", "Tanaka", "Vogt", "Weber"]
TEAMS = ["payments", "search", "identity", "data-platform", "mobile", "infrastructure", "growth", "risk", "billing", "messaging"]
LOCATIONS = [("Berlin", 5), ("Lisbon", 3), ("Nairobi", 2), ("Toronto", 3), ("Singapore", 2), ("Remote", 4)]
PATTERNS = [("full-time", 8), ("part-time", 2)]
TOPICS = ["ledger", "checkout", "search ranking", "identity graph", "event pipeline", "rate limiter", "feature flags",
          "fraud scoring", "push notifications", "billing engine", "schema registry", "observability", "access control"]
INVALID_SHARE = 0.03


def generate(book: Rulebook, size: int, seed: int = 1, as_of: str = "2026-11-01", records: int = 20) -> Iterator[dict]:
    """`size` packets as plain dicts (YAML/JSON ready), about `records` evidence records each."""
    rnd = random.Random(seed)
    day = parse_date(as_of)
    managers = [f"{rnd.choice(FIRST)} {rnd.choice(LAST)}" for _ in range(max(2, size // 8))]
    eager = set(rnd.sample(managers, max(1, len(managers) // 6)))  # nominate more freely
    targets = [(level, book.next_level(level)) for level in book.levels.values()
               if book.next_level(level) and book.next_level(level).id in book.rules]
    # Moving across to the first level of another track, from its equivalent (e.g. to Tech Lead).
    targets += [(level, entry) for level in book.levels.values() for track in book.tracks.values()
                if track.id != level.track and (entry := track.levels[0]).id in book.rules and book.equivalent(level, track.id) == entry]
    for index in range(size):
        current, target = rnd.choice(targets)
        packet = _Candidate(book, rnd, day, index, current, target, rnd.choice(managers), records).packet()
        if target.track != current.track:
            packet["target"] = target.id
        ready_ish = packet.pop("_strength") > 0.6
        chance = (0.85 if ready_ish else 0.25) + (0.15 if packet["candidate"]["manager"] in eager else 0)
        packet["candidate"]["nominated"] = rnd.random() < chance
        if rnd.random() < INVALID_SHARE:
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
    temporary = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        for index, packet in enumerate(packets):
            with open(temporary / f"{index + 1:04d}-{packet['candidate']['id']}.yaml", "w", encoding="utf-8", newline="") as stream:
                yaml.safe_dump(packet, stream, sort_keys=False, allow_unicode=True)
        os.chmod(temporary, 0o777 & ~current_umask())  # mkdtemp makes it private; give it a normal directory's mode
        os.replace(temporary, out)  # onto a new name or an empty directory
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


class _Candidate:
    def __init__(self, book: Rulebook, rnd: random.Random, as_of: date, index: int, current, target, manager: str, records: int):
        self.book, self.rnd, self.as_of, self.index = book, rnd, as_of, index
        self.current, self.target, self.manager, self.size = current, target, manager, records
        self.strength = rnd.random()
        self.evidence: list[dict] = []
        self.team = rnd.choice(TEAMS)

    def packet(self) -> dict:
        rnd = self.rnd
        top = [c for competency in self.book.rules[self.target.id].competencies for c in competency.criteria]
        misses = rnd.choice([0, 0, 0, 1]) if self.strength > 0.6 else rnd.choice([1, 1, 2]) if self.strength > 0.3 else rnd.randint(2, 5)
        missed = set(rnd.sample(range(len(top)), min(misses, len(top))))
        months = rnd.randint(25, 48)
        for i, criterion in enumerate(top):
            if isinstance(criterion, CandidateCriterion) and i in missed:
                months = rnd.randint(4, 11)  # too new to the level
            self._criterion(criterion, meet=i not in missed)
        since = _months_before(self.as_of, months)
        while len(self.evidence) < self.size:
            self._record(rnd.choice(list(self.book.evidence.values())), (), None)
        rnd.shuffle(self.evidence)
        attributes = {"location": _weighted(rnd, LOCATIONS), "work_pattern": _weighted(rnd, PATTERNS)}
        return {
            "candidate": {
                "id": f"E-{10000 + self.index}", "name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                "track": self.current.track, "level": self.current.id, "level_since": since.isoformat(),
                "manager": self.manager, "team": self.team, "attributes": attributes,
            },
            "as_of": self.as_of.isoformat(),
            "evidence": self.evidence,
            "_strength": self.strength,
        }

    # ------------------------------------------------------------------------------ criteria

    def _criterion(self, criterion: Criterion, meet: bool) -> None:
        rnd = self.rnd
        if isinstance(criterion, CompositeCriterion):
            children = criterion.children
            if criterion.kind == "none_of":  # rarely, something the candidate must not have
                for child in children:
                    self._criterion(child, meet=rnd.random() < 0.04)
                return
            hits = criterion.needed if meet else criterion.needed - 1
            chosen = set(rnd.sample(range(len(children)), max(0, min(len(children), hits))))
            for i, child in enumerate(children):
                self._criterion(child, meet=i in chosen)
            return
        if isinstance(criterion, CandidateCriterion):
            return  # months at level were chosen with the candidate
        match = criterion.match
        evidence = self.book.evidence[match.evidence]
        need = criterion.at_least if isinstance(criterion, CountCriterion) else 1
        count = need + rnd.randint(0, 1) if meet else max(0, need - rnd.randint(1, 2))
        if criterion.points_each:
            count = rnd.randint(0, 3) if meet else 0
        for _ in range(count):
            self._record(evidence, match.terms, match.window, link=match.link, criterion=criterion, meet=True)
        if rnd.random() < 0.5:  # a near miss, for the explanations
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
                value = _satisfy(rnd, declared, own, terms.index(own[0]) != broken and all(terms.index(t) != broken for t in own))
                if value is not _ABSENT:
                    fields[name] = value
            elif declared.required or rnd.random() < 0.6:
                fields[name] = _any(rnd, declared, self.team)
        if isinstance(criterion, SumCriterion) and criterion.field in evidence.fields:
            declared = evidence.fields[criterion.field]
            fields[criterion.field] = max(fields.get(criterion.field, 0) or 0, _number(declared, criterion.at_least / 2, rnd))
        if isinstance(criterion, CountCriterion) and criterion.distinct:
            fields[criterion.distinct] = rnd.choice(TEAMS)
        start, end = self._dates(evidence, window, inside=meet or broken is not None or rnd.random() < 0.5)
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


_ABSENT = object()


def _satisfy(rnd: random.Random, declared: Field, terms: list[Term], keep: bool) -> Any:
    """A value meeting every term (or, with keep=False, failing the first)."""
    if not keep:
        term = terms[0]
        if term.op == "present":
            return _ABSENT
        if declared.type == "enum":
            bad = [v for v in declared.values if not _holds(term, v)]
            return rnd.choice(bad) if bad else _ABSENT
        if declared.type in ("integer", "number") and term.op in ("gte", "gt", "eq"):
            return max(declared.minimum or 0, term.value - 1) if declared.type == "integer" else term.value - 0.5
        if declared.type == "boolean" and term.op == "eq":
            return not term.value
        return _ABSENT if not declared.required else _any(rnd, declared, "team")
    candidates: list[Any]
    if declared.type == "enum":
        candidates = list(declared.values)
    elif declared.type == "boolean":
        candidates = [True, False]
    elif declared.type in ("integer", "number"):
        low = max([t.value for t in terms if t.op in ("gte", "eq")] + [t.value + 1 for t in terms if t.op == "gt"] + [declared.minimum or 0])
        candidates = [low + rnd.randint(0, 3)] + [v for t in terms if t.op == "in" for v in t.value]
    elif declared.type == "list":
        return [t.value for t in terms if t.op == "contains"] + [rnd.choice(FIRST).lower()]
    else:
        candidates = [t.value for t in terms if t.op in ("eq",)] + [v for t in terms if t.op == "in" for v in t.value]
        candidates = candidates or [_any(rnd, declared, "team")]
    good = [v for v in candidates if all(_holds(t, v) for t in terms)]
    if any(t.op == "absent" for t in terms):
        return _ABSENT
    return rnd.choice(good) if good else _any(rnd, declared, "team")


def _holds(term: Term, value: Any) -> bool:
    op, wanted = term.op, term.value
    return {
        "eq": lambda: value == wanted, "ne": lambda: value != wanted, "in": lambda: value in wanted,
        "not_in": lambda: value not in wanted, "gte": lambda: value >= wanted, "gt": lambda: value > wanted,
        "lte": lambda: value <= wanted, "lt": lambda: value < wanted, "present": lambda: True,
    }.get(op, lambda: True)()


def _any(rnd: random.Random, declared: Field, team: str) -> Any:
    kind = declared.type
    if kind == "enum":
        return rnd.choice(declared.values)
    if kind == "boolean":
        return rnd.random() < 0.5
    if kind in ("integer", "number"):
        return _number(declared, rnd.randint(1, 12), rnd)
    if kind == "list":
        return [rnd.choice(FIRST).lower() for _ in range(rnd.randint(1, 3))]
    if kind == "date":
        return date(2026, 1, 1).isoformat()
    return team if declared.name == "team" else rnd.choice(TOPICS)


def _number(declared: Field, value: float, rnd: random.Random) -> float | int:
    low = declared.minimum if declared.minimum is not None else 0
    high = declared.maximum if declared.maximum is not None else 10_000
    value = min(max(value, low), high)
    return int(round(value)) if declared.type == "integer" else round(value, 1)


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

