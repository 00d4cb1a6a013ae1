"""Calibration: a cohort's verdicts gathered into what a promotion committee discusses.

`Calibration.add` takes evaluated packets one at a time (in cohort order) and keeps a compact
row per candidate; each candidate's full explanation goes to a spool file, not memory, so a
cohort of any size fits. `report()` computes every figure from the rows."""
from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from engine.calibration.redaction import Redactor
from engine.cohorts.cohort import Evaluated
from engine.common.errors import Diagnostic
from engine.matching.evaluate import NEARLY, NOT_READY, READY
from engine.reading.model import Rulebook
from engine.rendering.report import Invalid

FORMAT_ID = "ladder.calibration/2"
VERDICTS = (READY, NEARLY, NOT_READY)
TOP_BLOCKERS = 3
FAIRNESS_RULE = ("Groups of fewer than {n} candidates are withheld; and while the candidates withheld (with those who lack "
                 "the attribute) number fewer than {n}, the next smallest group is withheld too, so that no withheld group's "
                 "figures can be worked out by subtracting the groups shown from the totals.")


@dataclass(slots=True)
class Row:
    """One evaluated candidate, as much as the report's tables need: a cohort of 100k keeps
    100k rows, so their strings and small dicts are shared (`Calibration._shared`)."""

    page: str
    packet: str
    id: str
    name: str
    track: str
    level: str
    level_name: str
    target: str
    target_name: str
    manager: str | None
    nominated: bool | None
    verdict: str
    verified_only: str
    unmet: tuple[str, ...]
    missing: tuple[str, ...]
    depends_on: tuple[str, ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    opportunities: dict[str, bool] = field(default_factory=dict)


class Calibration:
    def __init__(self, book: Rulebook, source: str, redact: bool = False, keep_pages: bool = True):
        self.book, self.source = book, source
        self.redactor = Redactor() if redact else None
        self.rows: list[Row] = []
        self.invalid: list[tuple[str, tuple[Diagnostic, ...]]] = []
        self._pages = tempfile.TemporaryFile("w+", encoding="utf-8") if keep_pages else None
        self._values: dict[Any, Any] = {}
        self._report: dict[str, Any] | None = None

    def _shared(self, value: Any) -> Any:
        """One copy of each repeated value (level ids, criterion ids, attribute maps)."""
        if isinstance(value, dict):  # by type and repr: True and 1, 0.0 and -0.0 stay apart
            key = tuple((k, type(v).__name__, repr(v)) for k, v in sorted(value.items()))
            return self._values.setdefault(("dict", key), value)
        return self._values.setdefault(value, value)

    def add(self, item: Evaluated) -> None:
        """Keep the candidate's row and spool their page, as given: names are replaced only on
        the way out, once every name in the cohort is known."""
        self._report = None
        result = item.result
        if isinstance(result, Invalid):
            if self.redactor:
                self.redactor.register(item.label)
            self.invalid.append((item.label, result.diagnostics))
            return
        candidate = result["candidate"]
        page = f"c{len(self.rows) + 1:04d}"
        if self.redactor:
            self.redactor.register(item.label, candidate["id"], candidate["name"], candidate["manager"])
        confidence = result["evidence_confidence"]
        unmet = [c["id"] for comp in result["competencies"] for c in comp["criteria"] if c["required"] and not c["met"]]
        unmet += [f"points:{p['group']}" if p["group"] else "points" for p in result["points"] if not p["met"]]
        shared = self._shared
        self.rows.append(Row(
            page=page, packet=result["packet"], id=candidate["id"], name=candidate["name"], track=shared(candidate["track"]),
            level=shared(candidate["level"]), level_name=shared(candidate["level_name"]), target=shared(result["target"]["level"]),
            target_name=shared(result["target"]["name"]), manager=shared(candidate["manager"]), nominated=candidate["nominated"],
            verdict=shared(result["verdict"]), verified_only=shared(confidence["verified_only_verdict"]),
            unmet=shared(tuple(shared(u) for u in unmet)),
            missing=tuple(result["missing"]) if result["verdict"] == NEARLY else (),  # only the nearly-ready list shows it
            depends_on=tuple(d["id"] for d in confidence["depends_on"]),
            attributes=shared(dict(item.attributes)), opportunities=shared(dict(item.opportunities)),
        ))
        if self._pages is not None:
            self._pages.write(json.dumps({"page": page, **result}, sort_keys=True, ensure_ascii=False) + "\n")

    def shown_rows(self) -> list[Row]:
        """The rows as the report shows them: under --redact, with pseudonyms, and the packet's
        text (what is missing, the ids of records to check) scrubbed as on the candidate's page."""
        if not self.redactor:
            return self.rows
        r = self.redactor
        shown = []
        for row in self.rows:
            own = r.own(row.id, row.name, row.manager)
            shown.append(replace(row, packet=r.packet(row.packet), id=r.id(row.id), name=r.candidate(row.id), manager=r.manager(row.manager),
                                 missing=tuple(r.scrub(list(row.missing), own)), depends_on=tuple(r.scrub(list(row.depends_on), own))))
        return shown

    def _scrubbed(self, text: str) -> str:
        """Text from packets that belongs to no one page (group attributes): under --redact, any
        name or id in it replaced."""
        return self.redactor.scrub(text) if self.redactor else text

    def _group_labels(self, values: set[str]) -> dict[str, str]:
        """Each group's label. Under --redact a value that names someone becomes `group N`, numbered
        by a digest of the value: distinct groups never share a label (two people's shared name
        scrubs to one), and neither the labels nor their order tell the names apart."""
        labels = {value: self._scrubbed(value) for value in values}
        named = sorted((v for v in values if labels[v] != v), key=lambda v: hashlib.sha256(v.encode()).hexdigest())
        labels.update({value: f"group {number}" for number, value in enumerate(named, 1)})
        return labels

    def shown_invalid(self) -> list[tuple[str, tuple[Diagnostic, ...]]]:
        """Invalid packets as the report shows them: under --redact, errors quote no values."""
        if not self.redactor:
            return self.invalid
        r = self.redactor
        return [(r.packet(label), tuple(Diagnostic(r.packet(label), d.line, d.col, r.message(d.message), d.code, d.level)
                                        for d in diagnostics))
                for label, diagnostics in self.invalid]

    def pages(self) -> Iterator[dict]:
        """Every candidate's full explanation, in cohort order, read back from the spool."""
        if self._pages is None:
            raise ValueError("this calibration was run without keeping candidate pages")
        self._pages.flush()
        self._pages.seek(0)
        for line in self._pages:
            page = json.loads(line)
            yield self._redacted(page) if self.redactor else page

    def _redacted(self, page: dict) -> dict:
        """A page with the candidate's fields replaced outright, and every name in its text."""
        r, real, label = self.redactor, page["candidate"], page["packet"]
        page = r.scrub(page, r.own(real["id"], real["name"], real["manager"]))
        page["packet"] = r.packet(label)  # looked up by the real label: a path may hold a name
        page["candidate"].update(id=r.id(real["id"]), name=r.candidate(real["id"]), manager=r.manager(real["manager"]))
        return page

    def close(self) -> None:
        if self._pages is not None:
            self._pages.close()

    # -------------------------------------------------------------------------------- figures

    def report(self) -> dict[str, Any]:
        """Every figure of the report, worked out once for all the formats written."""
        if self._report is None:
            self._report = self._figures()
        return self._report

    def _figures(self) -> dict[str, Any]:
        rows = self.shown_rows()
        packets = len(rows) + len(self.invalid)
        return {
            "format": FORMAT_ID,
            "cohort": f"a cohort of {packets} packet{'s' if packets != 1 else ''}" if self.redactor else self.source,
            "rulebook": {"name": self.book.name, "digest": self.book.digest[:16]},
            "redacted": self.redactor is not None,
            "totals": {"packets": packets, "evaluated": len(rows), "invalid": len(self.invalid),
                       **{v: sum(r.verdict == v for r in rows) for v in VERDICTS}},
            "summary": self._summary(),
            "parity": self._parity(),
            "nominations": {
                "nominated_not_ready": [self._brief(r) for r in rows if r.nominated and r.verdict != READY],
                "ready_not_nominated": [self._brief(r) for r in rows if r.verdict == READY and r.nominated is False],
            },
            "nearly": [{**self._brief(r), "missing": list(r.missing)} for r in rows if r.verdict == NEARLY],
            "managers": self._managers(rows),
            "blockers": self._blockers(),
            "fairness": self._fairness(),
            "unverified": [{**self._brief(r), "verified_only_verdict": r.verified_only, "records": list(r.depends_on)}
                           for r in rows if r.verified_only != r.verdict],
            "invalid": [{"packet": label, "errors": [d.to_json() for d in diagnostics]} for label, diagnostics in self.shown_invalid()],
        }

    @staticmethod
    def _brief(row: Row) -> dict[str, Any]:
        return {"page": row.page, "candidate": row.name, "id": row.id, "track": row.track, "level": row.target,
                "level_name": row.target_name, "verdict": row.verdict, "manager": row.manager, "nominated": row.nominated}

    def _levels(self) -> list[tuple[str, str]]:
        """(track, level) of every level with rules, in ladder order."""
        return [(t.id, level.id) for t in self.book.tracks.values() for level in t.levels if level.id in self.book.rules]

    def _summary(self) -> list[dict[str, Any]]:
        counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for row in self.rows:
            counts[(self.book.levels[row.target].track, row.target)][row.verdict] += 1
        return [{"track": track, "level": level, "level_name": self.book.levels[level].name,
                 "candidates": sum(counts[(track, level)].values()), **{v: counts[(track, level)][v] for v in VERDICTS}}
                for track, level in self._levels() if (track, level) in counts]

    def _parity(self) -> list[dict[str, Any]]:
        settings = self.book.calibration
        by_level = Counter(r.target for r in self.rows)
        ready = Counter(r.target for r in self.rows if r.verdict == READY)
        rows = []
        for equivalence in self.book.equivalence:
            levels = [{"track": track, "level": level, "level_name": self.book.levels[level].name,
                       "candidates": by_level[level], "ready": ready[level],
                       "rate": round(ready[level] / by_level[level], 4) if by_level[level] else None}
                      for track, level in equivalence.items()]
            comparable = [lv for lv in levels if lv["candidates"] >= settings.parity_min_candidates]
            gap = round(max(lv["rate"] for lv in comparable) - min(lv["rate"] for lv in comparable), 4) if len(comparable) > 1 else None
            rows.append({"levels": levels, "gap": gap, "flagged": gap is not None and gap > settings.parity_max_gap,
                         "comparable": len(comparable) > 1})
        return rows

    def _managers(self, rows: list[Row]) -> list[dict[str, Any]]:
        settings = self.book.calibration
        known = [r for r in rows if r.nominated is not None and r.manager]
        cohort_rate = sum(r.nominated == (r.verdict == READY) for r in known) / len(known) if known else None
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in known:
            groups[row.manager].append(row)
        result = []
        for manager in sorted(groups):
            mine = groups[manager]
            agree = sum(r.nominated == (r.verdict == READY) for r in mine)
            rate = agree / len(mine)
            result.append({
                "manager": manager, "candidates": len(mine), "nominated": sum(r.nominated for r in mine),
                "ready": sum(r.verdict == READY for r in mine), "agree": agree, "agreement": round(rate, 4),
                "outlier": len(mine) >= settings.manager_min_candidates and cohort_rate is not None
                           and rate < cohort_rate - settings.manager_max_gap,
            })
        return result

    def _blockers(self) -> list[dict[str, Any]]:
        """Per level, the criteria most often unmet by candidates not ready or nearly ready: the
        first TOP_BLOCKERS and any tied with the last of them. Shares are of all candidates."""
        result = []
        descriptions = {lid: {c.id: c.description for c in rules.criteria()} | _points_descriptions(rules)
                        for lid, rules in self.book.rules.items()}
        for track, level in self._levels():
            candidates = [r for r in self.rows if r.target == level]
            stopped = [r for r in candidates if r.verdict != READY]
            ranked = sorted(Counter(criterion for r in stopped for criterion in r.unmet).items(), key=lambda kv: (-kv[1], kv[0]))
            top = [(cid, n) for cid, n in ranked if n >= ranked[min(TOP_BLOCKERS, len(ranked)) - 1][1]] if ranked else []
            if top:
                result.append({"track": track, "level": level, "level_name": self.book.levels[level].name,
                               "candidates": len(candidates), "stopped": len(stopped),
                               "criteria": [{"criterion": cid, "description": descriptions[level][cid],
                                             "candidates": n, "share": round(n / len(candidates), 4)} for cid, n in top]})
        return result

    def _fairness(self) -> dict[str, Any]:
        settings = self.book.calibration
        names = settings.attributes if settings.attributes is not None else sorted({k for r in self.rows for k in r.attributes})
        opportunities = [{"id": c.id, "description": c.description} for c in settings.opportunities]
        attributes = []
        for name in names:
            groups: dict[str, list[Row]] = defaultdict(list)
            for row in self.rows:
                if name in row.attributes:
                    groups[str(row.attributes[name])].append(row)
            visible = shown_groups({value: len(members) for value, members in groups.items()},
                                   len(self.rows) - sum(map(len, groups.values())), settings.min_group)
            labels = self._group_labels(visible)
            shown = [{
                "group": labels[value], "candidates": len(groups[value]),
                "ready_rate": round(sum(r.verdict == READY for r in groups[value]) / len(groups[value]), 4),
                "opportunities": {o["id"]: round(sum(r.opportunities.get(o["id"], False) for r in groups[value]) / len(groups[value]), 4)
                                  for o in opportunities},
            } for value in sorted(visible, key=labels.__getitem__)]
            attributes.append({"attribute": self._scrubbed(name), "groups": shown, "suppressed": len(visible) < len(groups)})
        return {"min_group": settings.min_group, "rule": FAIRNESS_RULE.format(n=settings.min_group),
                "opportunities": opportunities, "attributes": attributes}


def _points_descriptions(rules) -> dict[str, str]:
    """A level's points requirements by the ids verdicts give them (`points`, `points:GROUP`)."""
    if rules.points is None:
        return {}
    found = {f"points:{group}": f"At least {needed} points in {group}" for group, needed in rules.points.groups.items()}
    if rules.points.at_least:
        found["points"] = f"At least {rules.points.at_least} points in total"
    return found


def shown_groups(sizes: dict[str, int], without: int, min_group: int) -> set[str]:
    """The groups whose figures can be shown. Groups below `min_group` are withheld; and while the
    candidates withheld (with those who lack the attribute) are some but fewer than `min_group`,
    the smallest shown group is withheld too, or the totals minus the shown groups would give
    the figures of a withheld group."""
    shown = {value for value, size in sizes.items() if size >= min_group}
    hidden = without + sum(size for value, size in sizes.items() if value not in shown)
    while 0 < hidden < min_group and shown:
        smallest = min(shown, key=lambda value: (sizes[value], value))
        shown.discard(smallest)
        hidden += sizes[smallest]
    return shown
