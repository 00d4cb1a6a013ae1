"""Rulebook: load `ladder.yaml`, `evidence.yaml` and `levels/*.yaml`, validate, build the model.

Schema errors stop the build (the shapes below rely on them); cross-reference errors are all
collected and reported together, each at the place it was written."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.common.errors import Diagnostic, LadderError, raise_if_errors
from engine.reading import cache, validate
from engine.reading.load import Document, load_file
from engine.reading.model import (
    CANDIDATE_FIELDS,
    Calibration,
    CandidateCriterion,
    Competency,
    CompositeCriterion,
    CountCriterion,
    Criterion,
    EvidenceType,
    Field,
    Level,
    LevelRules,
    Link,
    Nearly,
    PointsRule,
    Pos,
    RecordMatch,
    Rulebook,
    SumCriterion,
    Term,
    Track,
    Window,
    parse_date,
    walk,
)

LADDER_FILE, EVIDENCE_FILE, LEVELS_DIR = "ladder.yaml", "evidence.yaml", "levels"
CALIBRATION_FILE = "calibration.yaml"  # optional

OPERATORS_BY_TYPE = {
    "string": ("eq", "ne", "in", "not_in", "contains", "matches", "present", "absent"),
    "enum": ("eq", "ne", "in", "not_in", "present", "absent"),
    "integer": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "absent"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "absent"),
    "boolean": ("eq", "ne", "present", "absent"),
    "date": ("eq", "ne", "lt", "lte", "gt", "gte", "present", "absent"),
    "list": ("contains", "present", "absent"),
    "ref": ("eq", "ne", "in", "not_in", "present", "absent"),
}
MAX_TERMS_PER_PATTERN = 24  # durable-rules allows 32 expressions per rule; compile adds a few
COMPOSITES = ("all_of", "any_of", "none_of", "k_of")


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


def load_rulebook(directory: str | Path, shown_as: str | None = None) -> Rulebook:
    """Read and check a rulebook directory; raise LadderError listing every problem found.

    `shown_as` names the directory in messages (e.g. `git:HEAD:rules` for a checkout in a
    temporary directory)."""
    directory = Path(directory)
    shown = shown_as or display_path(directory)
    if not directory.is_dir():
        raise LadderError.one(shown, 1, 1, "is not a rulebook directory (expected ladder.yaml, evidence.yaml, levels/)", "rules.missing")
    if not (directory / LADDER_FILE).is_file():
        raise LadderError.one(shown, 1, 1, f"has no {LADDER_FILE}: is this a rulebook directory?", "rules.missing")
    files = rule_files(directory)
    digest = hashlib.sha256()
    for path in (p for p, _ in files if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    cached = cache.get(digest.hexdigest(), shown)
    if cached is not None:
        return cached
    docs, problems = [], []
    for path, schema in files:
        try:
            name = f"{shown_as}/{path.relative_to(directory).as_posix()}" if shown_as else display_path(path)
            docs.append((load_file(path, name), schema))
        except LadderError as e:
            problems.extend(e.diagnostics)
    book = _build(docs, problems, shown, digest.hexdigest())
    cache.put(book, shown)
    return book


def rulebook_from_data(ladder: dict, evidence: dict, levels: list[dict], source: str = "<memory>") -> Rulebook:
    """Build a rulebook from already-parsed data (tests and generators); same checks as files."""
    docs = [(Document(f"{source}/{LADDER_FILE}", ladder, {}), "ladder"), (Document(f"{source}/{EVIDENCE_FILE}", evidence, {}), "evidence")]
    docs += [(Document(f"{source}/{LEVELS_DIR}/{i}.yaml", level, {}), "level") for i, level in enumerate(levels)]
    digest = hashlib.sha256(json.dumps([ladder, evidence, levels], sort_keys=True).encode()).hexdigest()
    return _build(docs, [], source, digest)


def _build(docs: list[tuple[Document, str]], problems: list[Diagnostic], source: str, digest: str) -> Rulebook:
    """Schema-check every document (all of them, so every error is reported), then build."""
    for doc, schema in docs:
        problems.extend(validate.check(doc, schema))
    raise_if_errors(problems)
    by_schema: dict[str, list[Document]] = {}
    for doc, schema in docs:
        by_schema.setdefault(schema, []).append(doc)
    calibration = by_schema.get("calibration", [None])[0]
    return _Builder(source, digest).build(by_schema["ladder"][0], by_schema["evidence"][0], by_schema.get("level", []), calibration)


@dataclass
class _RawLevel:
    doc: Document
    level: Level
    data: dict


@dataclass
class _Builder:
    source: str
    digest: str
    problems: list[Diagnostic] = field(default_factory=list)

    def error(self, doc: Document, path: tuple, message: str, code: str, key: bool = False) -> None:
        self.problems.append(doc.diag(path, message, code, key=key))

    @staticmethod
    def pos(doc: Document, path: tuple) -> Pos:
        return Pos(doc.source, *doc.at(path))

    def build(self, ladder: Document, evidence: Document, level_docs: list[Document], calibration: Document | None = None) -> Rulebook:
        tracks, levels = self._tracks(ladder)
        equivalence = self._equivalence(ladder, tracks, levels)
        nearly = _nearly(ladder.data.get("nearly"), Nearly())
        self.evidence = self._evidence(evidence)
        raw = self._raw_levels(level_docs, levels)
        rules: dict[str, LevelRules] = {}
        for level_id in raw:
            self._resolve(level_id, raw, rules, nearly, ())
        settings = self._calibration(calibration) if calibration else Calibration()
        raise_if_errors(self.problems)
        data = ladder.data
        return Rulebook(
            name=data["name"], description=data.get("description", ""), source=self.source, digest=self.digest,
            tracks=tracks, levels=levels, equivalence=equivalence, evidence=self.evidence,
            rules={lid: rules[lid] for lid in levels if lid in rules}, nearly=nearly, calibration=settings,
        )

    def _calibration(self, doc: Document) -> Calibration:
        data = doc.data
        parity, managers, fairness = (data.get(k, {}) for k in ("parity", "managers", "fairness"))
        default = Calibration()
        opportunities = []
        for index, raw in enumerate(fairness.get("opportunities", [])):
            criterion = self._criterion(doc, {"id": raw["id"], "description": raw["description"], "count": raw["count"]},
                                        ("fairness", "opportunities", index))
            if criterion:
                opportunities.append(criterion)
        return Calibration(
            parity_max_gap=parity.get("max_gap", default.parity_max_gap),
            parity_min_candidates=parity.get("min_candidates", default.parity_min_candidates),
            manager_max_gap=managers.get("max_gap", default.manager_max_gap),
            manager_min_candidates=managers.get("min_candidates", default.manager_min_candidates),
            min_group=fairness.get("min_group", default.min_group),
            attributes=tuple(fairness["attributes"]) if "attributes" in fairness else None,
            opportunities=tuple(opportunities),
        )

    # ------------------------------------------------------------------------------ ladder.yaml

    def _tracks(self, doc: Document) -> tuple[dict[str, Track], dict[str, Level]]:
        tracks, levels = {}, {}
        for track_id, track in doc.data["tracks"].items():
            track_levels = []
            for rank, raw in enumerate(track["levels"]):
                path = ("tracks", track_id, "levels", rank, "id")
                if raw["id"] in levels:
                    other = levels[raw["id"]]
                    self.error(doc, path, f"level {raw['id']!r} is already declared (line {other.pos.line}): level ids must be unique across tracks", "rules.duplicate-level")
                    continue
                level = Level(raw["id"], raw["name"], raw["band"], track_id, rank, self.pos(doc, path))
                levels[level.id] = level
                track_levels.append(level)
            tracks[track_id] = Track(track_id, track["name"], track.get("description", ""), tuple(track_levels))
        return tracks, levels

    def _equivalence(self, doc: Document, tracks: dict, levels: dict) -> tuple[dict[str, str], ...]:
        rows, seen = [], {}
        for index, row in enumerate(doc.data["equivalence"]):
            good = True
            for track_id, level_id in row.items():
                path = ("equivalence", index, track_id)
                if track_id not in tracks:
                    self.error(doc, path, f"unknown track {track_id!r}{validate.did_you_mean(track_id, tracks)}", "rules.unknown-track", key=True)
                    good = False
                elif level_id not in levels or levels[level_id].track != track_id:
                    known = [lv.id for lv in tracks[track_id].levels]
                    hint = validate.did_you_mean(level_id, known) if level_id not in levels else ""
                    self.error(doc, path, f"{level_id!r} is not a level of track {track_id!r}{hint}", "rules.unknown-level")
                    good = False
                elif level_id in seen:
                    self.error(doc, path, f"{level_id!r} already appears in equivalence row {seen[level_id] + 1}: a level has one equivalent per track", "rules.duplicate-equivalence")
                    good = False
                else:
                    seen[level_id] = index
            if good:
                rows.append(dict(row))
        return tuple(rows)

    # ---------------------------------------------------------------------------- evidence.yaml

    def _evidence(self, doc: Document) -> dict[str, EvidenceType]:
        types = {}
        declared = doc.data["types"]
        for type_id, raw in declared.items():
            fields = {}
            for name, spec in raw["fields"].items():
                if spec["type"] == "ref" and spec["evidence"] not in declared:
                    self.error(doc, ("types", type_id, "fields", name, "evidence"),
                               f"unknown evidence type {spec['evidence']!r}{validate.did_you_mean(spec['evidence'], declared)}", "rules.unknown-evidence")
                low, high = spec.get("minimum"), spec.get("maximum")
                if low is not None and high is not None and low > high:
                    self.error(doc, ("types", type_id, "fields", name), f"minimum {low} is above maximum {high}", "rules.bad-range")
                fields[name] = Field(
                    name, spec["type"], spec.get("required", False), tuple(spec.get("values", ())), spec.get("evidence"),
                    low, high, spec.get("description", ""),
                )
            types[type_id] = EvidenceType(
                type_id, raw["name"], raw.get("plural", raw["name"] + "s"), raw.get("description", ""), raw["dates"],
                fields, self.pos(doc, ("types", type_id)),
            )
        return types

    # ----------------------------------------------------------------------------- levels/*.yaml

    def _raw_levels(self, docs: list[Document], levels: dict[str, Level]) -> dict[str, _RawLevel]:
        raw: dict[str, _RawLevel] = {}
        for doc in docs:
            level_id = doc.data["level"]
            if level_id not in levels:
                self.error(doc, ("level",), f"unknown level {level_id!r}{validate.did_you_mean(level_id, levels)}: declare it in {LADDER_FILE}", "rules.unknown-level")
            elif level_id in raw:
                self.error(doc, ("level",), f"level {level_id!r} already has rules in {raw[level_id].doc.source}: keep one file per level", "rules.duplicate-level")
            else:
                raw[level_id] = _RawLevel(doc, levels[level_id], doc.data)
        return raw

    def _resolve(self, level_id: str, raw: dict[str, _RawLevel], done: dict[str, LevelRules], nearly: Nearly,
                 chain: tuple[str, ...]) -> LevelRules | None:
        if level_id in done:
            return done[level_id]
        item = raw[level_id]
        doc, data = item.doc, item.data
        base: LevelRules | None = None
        builds_on = data.get("builds_on")
        if builds_on:
            if builds_on in chain + (level_id,):
                self.error(doc, ("builds_on",), f"builds_on makes a cycle: {' -> '.join(chain + (level_id, builds_on))}", "rules.builds-on-cycle")
            elif builds_on not in raw:
                self.error(doc, ("builds_on",), f"level {builds_on!r} has no rules to build on", "rules.unknown-level")
            else:
                base = self._resolve(builds_on, raw, done, nearly, chain + (level_id,))
        competencies = self._competencies(doc, data, base, quiet=bool(builds_on) and base is None)
        groups = {c.group for c in competencies if c.group}
        points = None
        if "points" in data:
            for group in data["points"].get("groups", {}):
                if group not in groups:
                    self.error(doc, ("points", "groups", group), f"no competency of this level is in group {group!r}{validate.did_you_mean(group, groups)}", "rules.unknown-group", key=True)
            points = PointsRule(data["points"].get("at_least"), dict(data["points"].get("groups", {})), self.pos(doc, ("points",)))
        result = LevelRules(
            level=item.level, summary=data.get("summary", ""), builds_on=builds_on if base else None,
            nearly=_nearly(data.get("nearly"), nearly), points=points, competencies=competencies,
            pos=self.pos(doc, ("level",)),
        )
        done[level_id] = result
        return result

    def _competencies(self, doc: Document, data: dict, base: LevelRules | None, quiet: bool) -> tuple[Competency, ...]:
        """Merge this level's competencies into the inherited ones; `quiet` when the base is
        missing (its error is reported already; missing names would only be noise)."""
        merged: dict[str, Competency] = {}
        owner: dict[str, str] = {}  # criterion id (any depth) -> competency id
        if base:
            for competency in base.competencies:
                criteria = tuple(_inherit(c, base.level.id) for c in competency.criteria)
                merged[competency.id] = replace(competency, criteria=criteria)
                for criterion in walk(criteria):
                    owner[criterion.id] = competency.id
        own_ids: dict[str, tuple] = {}
        reported: set[str] = set()
        for ci, raw in enumerate(data["competencies"]):
            path = ("competencies", ci)
            criteria = []
            for ki, raw_criterion in enumerate(raw["criteria"]):
                criterion = self._criterion(doc, raw_criterion, path + ("criteria", ki))
                if criterion is None:
                    continue
                for sub in walk((criterion,)):
                    where = path + ("criteria", ki)
                    if sub.id in own_ids:
                        self.error(doc, where, f"criterion id {sub.id!r} is used twice in this level", "rules.duplicate-criterion")
                        reported.add(sub.id)
                    elif sub.id in owner and owner[sub.id] != raw["id"]:
                        self.error(doc, where, f"criterion id {sub.id!r} is inherited in competency {owner[sub.id]!r}: replace it there or choose another id", "rules.duplicate-criterion")
                        reported.add(sub.id)
                    own_ids[sub.id] = where
                criteria.append(criterion)
            previous = merged.get(raw["id"])
            if previous is None and "name" not in raw and not quiet:
                self.error(doc, path, f"competency {raw['id']!r} needs a name", "rules.missing-name")
            if previous is not None:
                replaced = {c.id: c for c in criteria}
                kept = [replaced.pop(c.id, c) for c in previous.criteria]
                criteria = kept + [c for c in criteria if c.id in replaced]
            merged[raw["id"]] = Competency(
                id=raw["id"],
                name=raw.get("name", previous.name if previous else raw["id"]),
                description=raw.get("description", previous.description if previous else ""),
                group=raw.get("group", previous.group if previous else None),
                criteria=tuple(criteria),
                pos=self.pos(doc, path),
            )
        self._unique_ids(doc, merged.values(), own_ids, reported)
        return tuple(merged.values())

    def _unique_ids(self, doc: Document, competencies, own_ids: dict[str, tuple], reported: set[str]) -> None:
        """After merging with the inherited level, every id (nested ones too) must be unique:
        a replacement only replaces a top-level criterion of the same competency. This finds
        what the checks above cannot see: a collision with a criterion nested in the same
        competency of the level below."""
        seen: dict[str, Criterion] = {}
        for competency in competencies:
            for criterion in walk(competency.criteria):
                first = seen.setdefault(criterion.id, criterion)
                if first is criterion or criterion.id not in own_ids or criterion.id in reported:
                    continue
                inherited = first if first.inherited_from else criterion
                self.error(doc, own_ids[criterion.id], f"criterion id {criterion.id!r} is taken by a criterion inherited from "
                           f"{inherited.inherited_from} (only a top-level criterion of the same competency can be replaced): "
                           "choose another id", "rules.duplicate-criterion")
                reported.add(criterion.id)

    # -------------------------------------------------------------------------------- criteria

    def _criterion(self, doc: Document, raw: dict, path: tuple) -> Criterion | None:
        common: dict[str, Any] = dict(
            id=raw["id"], description=raw.get("description", ""), required=raw.get("required", True),
            blocker=raw.get("blocker", False), points=raw.get("points", 0), points_each=raw.get("points_each", 0),
            max_points=raw.get("max_points"), pos=self.pos(doc, path),
        )
        if common["blocker"] and not common["required"]:
            self.error(doc, path + ("blocker",), "a blocker must be required: drop `required: false` or `blocker: true`", "rules.optional-blocker", key=True)
        if "count" in raw:
            spec = raw["count"]
            match = self._record_match(doc, spec, path + ("count",))
            distinct = spec.get("distinct")
            if match and distinct:
                self._field_of(doc, match.evidence, distinct, path + ("count", "distinct"), ("list",))
            return CountCriterion(match=match, at_least=spec.get("at_least", 1), distinct=distinct, **common) if match else None
        if "sum" in raw:
            spec = raw["sum"]
            match = self._record_match(doc, spec, path + ("sum",))
            if match:
                found = self._field_of(doc, match.evidence, spec["field"], path + ("sum", "field"), ())
                if found and found.type not in ("integer", "number"):
                    self.error(doc, path + ("sum", "field"), f"field {spec['field']!r} is {found.type}: sum needs an integer or number field", "rules.type-mismatch")
            return SumCriterion(match=match, field=spec["field"], at_least=spec["at_least"], **common) if match else None
        if "candidate" in raw:
            terms = self._terms(doc, raw["candidate"], path + ("candidate",), CANDIDATE_FIELDS, "the candidate")
            return CandidateCriterion(terms=terms, **common)
        kind = next(k for k in COMPOSITES if k in raw)
        spec = raw[kind]
        children_raw, k = (spec["of"], spec["k"]) if kind == "k_of" else (spec, 0)
        children_path = path + ((kind, "of") if kind == "k_of" else (kind,))
        if kind == "k_of" and k > len(children_raw):
            self.error(doc, path + (kind, "k"), f"k is {k} but there are only {len(children_raw)} criteria to choose from", "rules.impossible")
        children = [self._criterion(doc, c, children_path + (i,)) for i, c in enumerate(children_raw)]
        for i, child in enumerate(children):
            if child and (child.points or child.points_each):
                self.error(doc, children_path + (i,), "points go on top-level criteria only", "rules.nested-points")
        if any(c is None for c in children):
            return None
        return CompositeCriterion(kind=kind, children=tuple(children), k=k, **common)

    def _record_match(self, doc: Document, spec: dict, path: tuple) -> RecordMatch | None:
        type_id = spec["evidence"]
        evidence = self.evidence.get(type_id)
        if evidence is None:
            self.error(doc, path + ("evidence",), f"unknown evidence type {type_id!r}{validate.did_you_mean(type_id, self.evidence)}", "rules.unknown-evidence")
            return None
        terms = self._terms(doc, spec.get("where", {}), path + ("where",), evidence.fields, f"a {evidence.name}")
        window = None
        if "within" in spec:
            amount, unit = spec["within"].split()
            window = Window(int(amount), unit if unit.endswith("s") else unit + "s")
        link = None
        if "linked" in spec:
            by = spec["linked"]["by"]
            ref = self._field_of(doc, type_id, by, path + ("linked", "by"), ())
            if ref and ref.type != "ref":
                self.error(doc, path + ("linked", "by"), f"field {by!r} of {type_id} is {ref.type}, not a ref to another record", "rules.type-mismatch")
            elif ref and ref.evidence in self.evidence:  # else evidence.yaml's error says why
                target = self.evidence[ref.evidence]
                linked_terms = self._terms(doc, spec["linked"].get("where", {}), path + ("linked", "where"), target.fields, f"a {target.name}")
                link = Link(by, target.id, linked_terms)
        return RecordMatch(type_id, terms, window, link)

    def _field_of(self, doc: Document, type_id: str, name: str, path: tuple, refuse: tuple[str, ...]) -> Field | None:
        fields = self.evidence[type_id].fields
        found = fields.get(name)
        if found is None:
            self.error(doc, path, f"{type_id} has no field {name!r}{validate.did_you_mean(name, fields)}", "rules.unknown-field")
        elif found.type in refuse:
            self.error(doc, path, f"field {name!r} is a {found.type}: it cannot be used here", "rules.type-mismatch")
            return None
        return found

    def _terms(self, doc: Document, where: dict, path: tuple, fields: dict[str, Field], subject: str) -> tuple[Term, ...]:
        terms = []
        for name, spec in where.items():
            field_path = path + (name,)
            declared = fields.get(name)
            if declared is None:
                self.error(doc, field_path, f"{subject} has no field {name!r}{validate.did_you_mean(name, fields)}", "rules.unknown-field", key=True)
                continue
            operations = spec if isinstance(spec, dict) else {"eq": spec}
            for op, value in operations.items():
                at = field_path + (op,) if isinstance(spec, dict) else field_path
                term = self._term(doc, declared, op, value, at)
                if term:
                    terms.append(term)
        if len(terms) > MAX_TERMS_PER_PATTERN:
            self.error(doc, path, f"{len(terms)} conditions on one record; the engine allows {MAX_TERMS_PER_PATTERN}: split the criterion", "rules.too-many-conditions")
        return tuple(terms)

    def _term(self, doc: Document, declared: Field, op: str, value: Any, path: tuple) -> Term | None:
        allowed = OPERATORS_BY_TYPE[declared.type]
        if op not in allowed:
            self.error(doc, path, f"{op!r} does not apply to {declared.type} field {declared.name!r}; use one of {', '.join(allowed)}", "rules.bad-operator")
            return None
        if op in ("present", "absent"):
            return Term(declared.name, op, None, self.pos(doc, path))
        values = value if op in ("in", "not_in") else [value]
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                self.error(doc, path, f"{op} needs a list of values", "rules.type-mismatch")
                return None
        for index, item in enumerate(values):
            problem = _value_problem(declared, op, item)
            if problem:
                self.error(doc, path + ((index,) if op in ("in", "not_in") else ()), problem, "rules.bad-value")
                return None
        stored = tuple(values) if op in ("in", "not_in") else value
        return Term(declared.name, op, stored, self.pos(doc, path))


def _value_problem(declared: Field, op: str, value: Any) -> str | None:
    kind = declared.type
    if op in ("contains", "matches"):
        return None if isinstance(value, str) and value else f"{op} needs non-empty text"
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{declared.name} is a number: {value!r} is not"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{declared.name} is true or false: {value!r} is not"
    if not isinstance(value, str):
        return f"{declared.name} is {kind}: write {value!r} as text"
    if kind == "enum" and value not in declared.values:
        return f"{value!r} is not an allowed value of {declared.name} ({', '.join(declared.values)}){validate.did_you_mean(value, declared.values)}"
    if kind == "date" and parse_date(value) is None:
        return f"{value!r} is not a date: write YYYY-MM-DD"
    return None


def _nearly(raw: dict | None, default: Nearly) -> Nearly:
    if not raw:
        return default
    return Nearly(raw.get("max_unmet", default.max_unmet), raw.get("max_points_short", default.max_points_short))


def _inherit(criterion: Criterion, level_id: str) -> Criterion:
    if criterion.inherited_from:
        return criterion
    if isinstance(criterion, CompositeCriterion):
        return replace(criterion, inherited_from=level_id, children=tuple(_inherit(c, level_id) for c in criterion.children))
    return replace(criterion, inherited_from=level_id)
