"""Each level's rules from `levels/*.yaml`, merged with the level it builds on: inherited
competencies and criteria, replacements by id, points groups, and every id unique after the
merge."""
from __future__ import annotations

from dataclasses import dataclass, replace

from engine.reading import validate
from engine.reading.criteria import CriteriaReader
from engine.reading.load import Document
from engine.reading.model import Competency, CompositeCriterion, Criterion, Level, LevelRules, Nearly, PointsRule, walk
from engine.reading.problems import Problems


@dataclass
class _RawLevel:
    doc: Document
    level: Level
    data: dict


@dataclass
class LevelsReader:
    """Reads level files against the ladder's levels, reporting to `problems`."""

    levels: dict[str, Level]
    criteria: CriteriaReader
    problems: Problems
    nearly: Nearly  # the ladder's own rule, which a level's `nearly` overrides key by key

    def read(self, docs: list[Document]) -> dict[str, LevelRules]:
        raw = self._raw_levels(docs, self.levels)
        rules: dict[str, LevelRules] = {}
        for level_id in raw:
            self._resolve(level_id, raw, rules, ())
        return rules

    def _raw_levels(self, docs: list[Document], levels: dict[str, Level]) -> dict[str, _RawLevel]:
        raw: dict[str, _RawLevel] = {}
        for doc in docs:
            level_id = doc.data["level"]
            if level_id not in levels:
                self.problems.error(doc, ("level",), f"unknown level {level_id!r}{validate.did_you_mean(level_id, levels)}: declare it in ladder.yaml", "rules.unknown-level")
            elif level_id in raw:
                self.problems.error(doc, ("level",), f"level {level_id!r} already has rules in {raw[level_id].doc.source}: keep one file per level", "rules.duplicate-level")
            else:
                raw[level_id] = _RawLevel(doc, levels[level_id], doc.data)
        return raw

    def _resolve(self, level_id: str, raw: dict[str, _RawLevel], done: dict[str, LevelRules],
                 chain: tuple[str, ...]) -> LevelRules | None:
        if level_id in done:
            return done[level_id]
        item = raw[level_id]
        doc, data = item.doc, item.data
        base: LevelRules | None = None
        builds_on = data.get("builds_on")
        if builds_on:
            if builds_on in chain + (level_id,):
                self.problems.error(doc, ("builds_on",), f"builds_on makes a cycle: {' -> '.join(chain + (level_id, builds_on))}", "rules.builds-on-cycle")
            elif builds_on not in raw:
                self.problems.error(doc, ("builds_on",), f"level {builds_on!r} has no rules to build on", "rules.unknown-level")
            else:
                base = self._resolve(builds_on, raw, done, chain + (level_id,))
        competencies = self._competencies(doc, data, base, quiet=bool(builds_on) and base is None)
        groups = {c.group for c in competencies if c.group}
        points = None
        if "points" in data:
            for group in data["points"].get("groups", {}):
                if group not in groups:
                    self.problems.error(doc, ("points", "groups", group), f"no competency of this level is in group {group!r}{validate.did_you_mean(group, groups)}", "rules.unknown-group", key=True)
            points = PointsRule(data["points"].get("at_least"), dict(data["points"].get("groups", {})), self.problems.pos(doc, ("points",)))
        result = LevelRules(
            level=item.level, summary=data.get("summary", ""), builds_on=builds_on if base else None,
            nearly=nearly_rule(data.get("nearly"), self.nearly), points=points, competencies=competencies,
            pos=self.problems.pos(doc, ("level",)),
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
            for ki, raw_criterion in enumerate(raw.get("criteria", ())):
                criterion = self.criteria.criterion(doc, raw_criterion, path + ("criteria", ki))
                if criterion is None:
                    continue
                for sub in walk((criterion,)):
                    where = path + ("criteria", ki)
                    if sub.id in own_ids:
                        self.problems.error(doc, where, f"criterion id {sub.id!r} is used twice in this level", "rules.duplicate-criterion")
                        reported.add(sub.id)
                    elif sub.id in owner and owner[sub.id] != raw["id"]:
                        self.problems.error(doc, where, f"criterion id {sub.id!r} is inherited in competency {owner[sub.id]!r}: replace it there or choose another id", "rules.duplicate-criterion")
                        reported.add(sub.id)
                    own_ids[sub.id] = where
                criteria.append(criterion)
            previous = merged.get(raw["id"])
            if previous is None and "criteria" not in raw and not quiet:
                # only an inherited competency can go without criteria (reworded for this level):
                # a new one without them is most likely a misspelt id
                why = (f"and {base.level.id} has no competency of that id to reword{validate.did_you_mean(raw['id'], merged)}" if base
                       else "and only a competency inherited through builds_on can go without them")
                self.problems.error(doc, path + ("id",), f"competency {raw['id']!r} has no criteria, {why}", "rules.missing-criteria")
            elif previous is None and "name" not in raw and not quiet:
                self.problems.error(doc, path, f"competency {raw['id']!r} needs a name", "rules.missing-name")
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
                pos=self.problems.pos(doc, path),
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
                self.problems.error(doc, own_ids[criterion.id], f"criterion id {criterion.id!r} is taken by a criterion inherited from "
                           f"{inherited.inherited_from} (only a top-level criterion of the same competency can be replaced): "
                           "choose another id", "rules.duplicate-criterion")
                reported.add(criterion.id)


def nearly_rule(raw: dict | None, default: Nearly) -> Nearly:
    if not raw:
        return default
    return Nearly(raw.get("max_unmet", default.max_unmet), raw.get("max_points_short", default.max_points_short))


def _inherit(criterion: Criterion, level_id: str) -> Criterion:
    if criterion.inherited_from:
        return criterion
    if isinstance(criterion, CompositeCriterion):
        return replace(criterion, inherited_from=level_id, children=tuple(_inherit(c, level_id) for c in criterion.children))
    return replace(criterion, inherited_from=level_id)
