"""Calibration: a cohort's verdicts gathered into what a promotion committee discusses.

`Calibration.add` takes evaluated packets one at a time (in cohort order) and keeps a compact
row per candidate (`rows`); each candidate's full explanation goes to a spool file, not memory,
so a cohort of any size fits. `report()` assembles every figure (`figures`, `fairness`) from
the rows, as `--redact` shows them; `roster()` lists every candidate, made as it is read."""
from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import replace
from typing import Any, Iterator

from engine.calibration import cycle, fairness, figures
from engine.calibration.figures import VERDICTS
from engine.calibration.redaction import Redactor
from engine.calibration.rows import Dependence, Row
from engine.cohorts.cohort import Evaluated
from engine.common.errors import Diagnostic
from engine.matching.evaluate import NEARLY
from engine.reading.model import Rulebook
from engine.rendering.report import Invalid

# 3: the agenda's candidate lists under `nominations` (nominated and not ready no longer holds
# the nearly ready, who have their own list), `thresholds`, `tracks`, the `roster`, managers'
# and fairness's cohort baseline, fairness level by level, and which way an unverified record
# moves a verdict.
FORMAT_ID = "ladder.calibration/3"
# 4: a report over a stored cycle (`ladder calibrate --cycle`) adds `cycle`: decisions against
# verdicts, override rates and reasons, and the moves since the previous cycle. A report over a
# cohort keeps shape 3 and says so, byte for byte as before.
CYCLE_FORMAT_ID = "ladder.calibration/4"


class Calibration:
    """A cohort's rows and pages, and the report over them, redacted on the way out."""

    def __init__(self, book: Rulebook, source: str, redact: bool = False, keep_pages: bool = True):
        self.book, self.source = book, source
        self.redactor = Redactor() if redact else None
        self.rows: list[Row] = []
        self.invalid: list[tuple[str, tuple[Diagnostic, ...]]] = []
        self._pages = tempfile.TemporaryFile("w+", encoding="utf-8") if keep_pages else None
        self._values: dict[Any, Any] = {}
        self._report: dict[str, Any] | None = None
        self.cycle: cycle.CycleFacts | None = None  # set for a report over a stored cycle

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
        met = {c["id"]: c["met"] for comp in result["competencies"] for c in comp["criteria"]}
        differs = confidence["verified_only_verdict"] != result["verdict"]
        shared = self._shared
        depends_on = tuple(Dependence(d["id"], d["title"] if differs else "", shared(d["confidence"]),
                                      not any(met.get(c, False) for c in d["criteria"]), shared(tuple(map(shared, d["criteria"]))))
                           for d in confidence["depends_on"])
        self.rows.append(Row(
            page=page, packet=result["packet"], id=candidate["id"], name=candidate["name"], track=shared(candidate["track"]),
            level=shared(candidate["level"]), level_name=shared(candidate["level_name"]), target=shared(result["target"]["level"]),
            target_name=shared(result["target"]["name"]), manager=shared(candidate["manager"]), nominated=candidate["nominated"],
            verdict=shared(result["verdict"]), verified_only=shared(confidence["verified_only_verdict"]),
            unmet=shared(tuple(shared(u) for u in unmet)),
            missing=tuple(result["missing"]) if result["verdict"] == NEARLY else (),  # only the nearly-ready list shows it
            depends_on=depends_on,
            attributes=shared(dict(item.attributes)), opportunities=shared(dict(item.opportunities)),
            placed=shared((item.placement["level"], item.placement["steps"], item.placement["first_not_met"]))
            if item.placement else None,
        ))
        if self._pages is not None:
            self._pages.write(json.dumps({"page": page, **result}, sort_keys=True) + "\n")

    def shown_rows(self) -> list[Row]:
        """The rows as the report shows them: under --redact, with pseudonyms, and the packet's
        text (what is missing, the ids of records to check) scrubbed as on the candidate's page."""
        if not self.redactor:
            return self.rows
        r = self.redactor
        shown = []
        for row in self.rows:
            own = r.own(row.id, row.name, row.manager)
            depends_on = tuple(d._replace(id=r.scrub(d.id, own), title=r.scrub(d.title, own)) for d in row.depends_on)
            shown.append(replace(row, packet=r.packet(row.packet), id=r.id(row.id), name=r.candidate(row.id), manager=r.manager(row.manager),
                                 missing=tuple(r.scrub(list(row.missing), own)), depends_on=depends_on))
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

    def report(self) -> dict[str, Any]:
        """Every figure of the report, worked out once for all the formats written."""
        if self._report is None:
            self._report = self._figures()
        return self._report

    def _figures(self) -> dict[str, Any]:
        rows = self.shown_rows()
        packets = len(rows) + len(self.invalid)
        report = {
            "format": FORMAT_ID if self.cycle is None else CYCLE_FORMAT_ID,
            "cohort": f"a cohort of {packets} packet{'s' if packets != 1 else ''}" if self.redactor else self.source,
            "rulebook": {"name": self.book.name, "digest": self.book.digest[:16]},
            "redacted": self.redactor is not None,
            "tracks": {t.id: t.name for t in self.book.tracks.values()},
            "thresholds": figures.thresholds(self.book),
            "totals": {"packets": packets, "evaluated": len(rows), "invalid": len(self.invalid),
                       **{v: sum(r.verdict == v for r in rows) for v in VERDICTS}},
            "summary": figures.summary(self.book, self.rows),
            "nominations": figures.nominations(rows),
            "unverified": figures.unverified(rows),
            "placement": figures.placement(self.book, rows),
            "managers": figures.managers(self.book, rows),
            "parity": figures.parity(self.book, self.rows),
            "blockers": figures.blockers(self.book, self.rows),
            "fairness": fairness.fairness(self.book, self.rows, self._group_labels, self._scrubbed),
            "invalid": [{"packet": label, "errors": [d.to_json() for d in diagnostics]} for label, diagnostics in self.shown_invalid()],
        }
        if self.cycle is not None:
            report["cycle"] = cycle.section(self, self.cycle)
        return report

    def roster(self) -> Iterator[dict[str, Any]]:
        """Every candidate, grouped by target level in ladder order, by name within a level (then
        id: names repeat). Made as it is read, so that a cohort of 100k is not held twice."""
        order = figures.ladder_order(self.book)
        rows = self.shown_rows()
        for row in sorted(rows, key=lambda r: (order[r.target], r.name.casefold(), r.id)):
            yield figures.brief(row)
