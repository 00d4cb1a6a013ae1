"""Rulebook: load `ladder.yaml`, `evidence.yaml` and `levels/*.yaml`, validate, build the model.

Schema errors stop the build (the shapes below rely on them); cross-reference errors are all
collected and reported together, each at the place it was written. This module reads the
ladder (tracks, equivalence), the evidence types and calibration settings; `levels` reads the
level files and `criteria` the criteria in them."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from engine.common.errors import Diagnostic, LadderError, raise_if_errors
from engine.reading import cache, validate
from engine.reading.files import (
    CALIBRATION_FILE,
    EVIDENCE_FILE,
    LADDER_FILE,
    LEVELS_DIR,
    content_digest,
    directory_digest,
    display_path,
    rule_files,
)
from engine.reading.criteria import CriteriaReader
from engine.reading.levels import LevelsReader, nearly_rule
from engine.reading.load import Document, load_file
from engine.reading.model import (
    Acceptance,
    Calibration,
    EvidenceType,
    Field,
    Level,
    Nearly,
    Rulebook,
    Track,
)
from engine.reading.problems import Problems

# Re-exported: where the files are and the digest live in `files`, light enough for a command's start.
__all__ = ["CALIBRATION_FILE", "EVIDENCE_FILE", "LADDER_FILE", "LEVELS_DIR", "content_digest", "display_path", "load_rulebook",
           "rule_files", "rulebook_from_data"]


def load_rulebook(directory: str | Path, shown_as: str | None = None, use_cache: bool = True) -> Rulebook:
    """Read and check a rulebook directory; raise LadderError listing every problem found.

    `shown_as` names the directory in messages (e.g. `git:HEAD:rules` for a checkout in a
    temporary directory); `use_cache=False` neither reads nor writes the rulebook cache."""
    directory = Path(directory)
    shown = shown_as or display_path(directory)
    if not directory.is_dir():
        raise LadderError.one(shown, 1, 1, "is not a rulebook directory (expected ladder.yaml, evidence.yaml, levels/)", "rules.missing")
    if not (directory / LADDER_FILE).is_file():
        raise LadderError.one(shown, 1, 1, f"has no {LADDER_FILE}: is this a rulebook directory?", "rules.missing")
    files = rule_files(directory)
    digest = directory_digest(directory)
    cached = cache.get(digest, shown) if use_cache else None
    if cached is not None:
        return cached
    docs, problems = [], []
    for path, schema in files:
        try:
            name = f"{shown_as}/{path.relative_to(directory).as_posix()}" if shown_as else display_path(path)
            docs.append((load_file(path, name), schema))
        except LadderError as e:
            problems.extend(e.diagnostics)
    book = _build(docs, problems, shown, digest)
    if use_cache:
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
    return _assemble(source, digest, by_schema["ladder"][0], by_schema["evidence"][0], by_schema.get("level", []), calibration)


def _assemble(source: str, digest: str, ladder: Document, evidence: Document, level_docs: list[Document],
              calibration: Document | None) -> Rulebook:
    problems = Problems()
    tracks, levels = _tracks(ladder, problems)
    equivalence = _equivalence(ladder, tracks, levels, problems)
    accepted = _accepted(ladder, tracks, problems)
    nearly = nearly_rule(ladder.data.get("nearly"), Nearly())
    types = _evidence(evidence, problems)
    criteria = CriteriaReader(types, problems)
    rules = LevelsReader(levels, criteria, problems, nearly).read(level_docs)
    settings = _calibration(calibration, criteria) if calibration else Calibration()
    raise_if_errors(problems.found)
    data = ladder.data
    return Rulebook(
        name=data["name"], description=data.get("description", ""), source=source, digest=digest,
        tracks=tracks, levels=levels, equivalence=equivalence, evidence=types,
        rules={lid: rules[lid] for lid in levels if lid in rules}, nearly=nearly, calibration=settings,
        standing=data.get("standing", ""), accepted=accepted, disputed=data.get("disputed", "ignore"),
    )


def _tracks(doc: Document, problems: Problems) -> tuple[dict[str, Track], dict[str, Level]]:
    tracks, levels = {}, {}
    for track_id, track in doc.data["tracks"].items():
        track_levels = []
        for rank, raw in enumerate(track["levels"]):
            path = ("tracks", track_id, "levels", rank, "id")
            if raw["id"] in levels:
                other = levels[raw["id"]]
                problems.error(doc, path, f"level {raw['id']!r} is already declared (line {other.pos.line}): level ids must be unique across tracks", "rules.duplicate-level")
                continue
            level = Level(raw["id"], raw["name"], raw["band"], track_id, rank, problems.pos(doc, path))
            levels[level.id] = level
            track_levels.append(level)
        tracks[track_id] = Track(track_id, track["name"], track.get("description", ""), tuple(track_levels))
    return tracks, levels


def _equivalence(doc: Document, tracks: dict, levels: dict, problems: Problems) -> tuple[dict[str, str], ...]:
    rows, seen = [], {}
    for index, row in enumerate(doc.data["equivalence"]):
        good = True
        for track_id, level_id in row.items():
            path = ("equivalence", index, track_id)
            if track_id not in tracks:
                problems.error(doc, path, f"unknown track {track_id!r}{validate.did_you_mean(track_id, tracks)}", "rules.unknown-track", key=True)
                good = False
            elif level_id not in levels or levels[level_id].track != track_id:
                known = [lv.id for lv in tracks[track_id].levels]
                hint = validate.did_you_mean(level_id, known) if level_id not in levels else ""
                problems.error(doc, path, f"{level_id!r} is not a level of track {track_id!r}{hint}", "rules.unknown-level")
                good = False
            elif level_id in seen:
                problems.error(doc, path, f"{level_id!r} already appears in equivalence row {seen[level_id] + 1}: a level has one equivalent per track", "rules.duplicate-equivalence")
                good = False
            else:
                seen[level_id] = index
        if good:
            rows.append(dict(row))
    return tuple(rows)


def _accepted(doc: Document, tracks: dict[str, Track], problems: Problems) -> tuple[Acceptance, ...]:
    """The lint findings the rulebook accepts; each must name a track of the ladder."""
    accepted = []
    for index, raw in enumerate(doc.data.get("accepted", [])):
        if raw["track"] not in tracks:
            problems.error(doc, ("accepted", index, "track"),
                           f"unknown track {raw['track']!r}{validate.did_you_mean(raw['track'], tracks)}", "rules.unknown-track")
            continue
        accepted.append(Acceptance(raw["finding"], raw["track"], raw["reason"], problems.pos(doc, ("accepted", index))))
    return tuple(accepted)


def _evidence(doc: Document, problems: Problems) -> dict[str, EvidenceType]:
    types = {}
    declared = doc.data["types"]
    for type_id, raw in declared.items():
        fields = {}
        for name, spec in raw["fields"].items():
            if spec["type"] == "ref" and spec["evidence"] not in declared:
                problems.error(doc, ("types", type_id, "fields", name, "evidence"),
                           f"unknown evidence type {spec['evidence']!r}{validate.did_you_mean(spec['evidence'], declared)}", "rules.unknown-evidence")
            low, high = spec.get("minimum"), spec.get("maximum")
            if low is not None and high is not None and low > high:
                problems.error(doc, ("types", type_id, "fields", name), f"minimum {low} is above maximum {high}", "rules.bad-range")
            fields[name] = Field(
                name, spec["type"], spec.get("required", False), tuple(spec.get("values", ())), spec.get("evidence"),
                low, high, spec.get("description", ""),
            )
        types[type_id] = EvidenceType(
            type_id, raw["name"], raw.get("plural", raw["name"] + "s"), raw.get("description", ""), raw["dates"],
            fields, problems.pos(doc, ("types", type_id)),
        )
    return types


def _calibration(doc: Document, criteria: CriteriaReader) -> Calibration:
    data = doc.data
    parity, managers, fairness = (data.get(k, {}) for k in ("parity", "managers", "fairness"))
    default = Calibration()
    opportunities = []
    for index, raw in enumerate(fairness.get("opportunities", [])):
        criterion = criteria.criterion(doc, {"id": raw["id"], "description": raw["description"], "count": raw["count"]},
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
