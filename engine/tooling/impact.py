"""Impact of a rule change: evaluate the same packets under two rulebooks and compare.

A rulebook is a directory, or `git:REV[:PATH]` (PATH defaults to `rules`), read with `git show`
into a temporary directory so that the work tree is never touched."""
from __future__ import annotations

import posixpath
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Mapping, Sequence

from engine.caching import dependencies
from engine.caching.verdicts import VerdictCache
from engine.cohorts import cohort, pool
from engine.cohorts.reuse import Reuse
from engine.common.errors import LadderError
from engine.common.text import json_text, md_code, md_escape, visible_in
from engine.reading.load import Document
from engine.reading.model import Rulebook
from engine.reading.packet import build_packet
from engine.reading.rulebook import load_rulebook
from engine.rendering.report import Invalid, Result
from engine.tooling import impact_fairness

VERDICT_RANK = {"not_ready": 0, "nearly": 1, "ready": 2}
GIT_PREFIX = "git:"


def resolve(spec: str, use_cache: bool = True) -> Rulebook:
    """The rulebook a `--base`/`--head` value names; LadderError if it cannot be read."""
    if not spec.startswith(GIT_PREFIX):
        return load_rulebook(spec, use_cache=use_cache)
    rev, _, path = spec[len(GIT_PREFIX):].partition(":")
    path = path or "rules"
    if not rev:
        raise LadderError.one(spec, 1, 1, "name a revision: git:REV or git:REV:PATH (e.g. git:main, git:HEAD~1:rules)", "impact.bad-spec")

    def git(*args: str) -> bytes:
        try:
            done = subprocess.run(["git", *args], capture_output=True)
        except OSError as e:  # no git on PATH, or it cannot run
            raise LadderError.one(spec, 1, 1, f"cannot run git to read it ({e.strerror}): install git, or give a directory", "impact.git") from None
        if done.returncode:
            message = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["git failed"]
            raise LadderError.one(spec, 1, 1, f"cannot read it from git: {message[0]}", "impact.git")
        return done.stdout

    # PATH is relative to the working directory, as on the command line; git wants it from the top.
    root = posixpath.normpath(posixpath.join(git("rev-parse", "--show-prefix").decode().strip(), path))
    if root == ".." or root.startswith("../"):
        raise LadderError.one(spec, 1, 1, f"{path} is outside the git repository", "impact.git")
    top = git("rev-parse", "--show-toplevel").decode().strip()
    names = [n for n in git("-C", top, "ls-tree", "-r", "--name-only", rev, "--", "." if root == "." else root + "/").decode().splitlines() if n]
    if not names:
        raise LadderError.one(spec, 1, 1, f"revision {rev} has no files under {root}/ (from the top of the repository)", "impact.git")
    with tempfile.TemporaryDirectory(prefix="ladder-rules-") as temporary:
        for name in names:
            target = Path(temporary) / PurePosixPath(name).relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git("show", f"{rev}:{name}"))
        return load_rulebook(temporary, shown_as=f"{GIT_PREFIX}{rev}:{path}", use_cache=use_cache)


@dataclass(frozen=True)
class Flip:
    criterion: str
    before: bool | None  # None: the criterion does not exist on that side
    after: bool | None
    before_statement: str
    after_statement: str


@dataclass(frozen=True)
class Change:
    packet: str
    candidate: str
    track: str
    level: str  # the target level under the head rulebook (else the base one)
    before: str  # a verdict, or "invalid"
    after: str
    flips: tuple[Flip, ...]

    @property
    def direction(self) -> str:
        if self.before == self.after:
            return "same"
        if "invalid" in (self.before, self.after):
            return "invalid"
        return "gain" if VERDICT_RANK[self.after] > VERDICT_RANK[self.before] else "downgrade"


@dataclass
class Impact:
    base: str
    head: str
    packets: int = 0
    changes: list[Change] = field(default_factory=list)
    invalid: list[Invalid] = field(default_factory=list)  # invalid under both rulebooks
    # With `by`: each candidate with a verdict under both rulebooks, as (attributes, before,
    # after), for the fairness figures; and those figures (`calibration.change.rule_change`,
    # plain data added by the API: this layer renders them, never works them out).
    outcomes: list[tuple[Mapping[str, Any], str, str]] = field(default_factory=list)
    fairness: dict[str, Any] | None = None

    def summary(self) -> dict[tuple[str, str], dict[str, int]]:
        """(track, level) -> how many gain readiness, lose it, or change criteria only."""
        table: dict[tuple[str, str], dict[str, int]] = {}
        for change in self.changes:
            row = table.setdefault((change.track, change.level), {"gain": 0, "downgrade": 0, "same": 0, "invalid": 0})
            row[change.direction] += 1
        return dict(sorted(table.items()))

    def fails(self, fail_on: str) -> bool:
        """`--fail-on`: `downgrade` is a lost verdict level or a packet the head rulebook no longer
        accepts; a packet that becomes valid loses nothing. `fairness`: the change widens the gap
        between two groups of some attribute beyond the threshold (`flagged`)."""
        if fail_on == "any":
            return bool(self.changes)
        if fail_on == "fairness":
            return bool(self.flagged())
        return fail_on == "downgrade" and any(c.direction == "downgrade" or c.after == "invalid" for c in self.changes)

    def flagged(self) -> list[dict[str, Any]]:
        """The attributes whose gap between groups the change widens beyond the threshold."""
        return [a for a in (self.fairness or {}).get("attributes", []) if a["flag"]]


@dataclass(frozen=True)
class Reading:
    """How impact reads the packets it is given: cohort items (files, lines of a .jsonl) by
    default; a stored cycle's frozen packets as `engine.api` reads them (impact never imports
    the store), judged as of the cycle's date. `fault`: a packet whose evaluation failed.
    `why_not`: whether verdicts carry why records did not count; impact never shows it."""

    read: Callable[[Any], Document] | None = None  # None: cohort items, through `cohort.evaluate_item`
    fault: Callable[[Any, str], cohort.Evaluated] = cohort.fault
    as_of: date | None = None
    why_not: bool = False

    def evaluate(self, book: Rulebook, item: Any) -> cohort.Evaluated:
        if self.read is None:
            return cohort.evaluate_item(book, item, why_not=self.why_not)
        return cohort.evaluate_read(book, item.label, lambda: self.read(item), as_of=self.as_of, why_not=self.why_not)

    def check(self, book: Rulebook, item: Any) -> None:
        """Read and check the packet (LadderError if it is invalid), without evaluating it."""
        if self.read is None:
            cohort.load(book, item)
        else:
            build_packet(self.read(item), book, self.as_of)


COHORT = Reading()


def impact(base: str, head: str, base_book: Rulebook, head_book: Rulebook, packets: Iterable[str | Path],
           jobs: int = 1, timeout: float = pool.DEFAULT_TIMEOUT, cache: VerdictCache | None = None,
           selective: bool = True, by: Sequence[str] = ()) -> Impact:
    """Every packet (files, directories, or a .jsonl cohort) judged under both rulebooks (see
    `compare`)."""
    tasks = (item for spec in packets for item in cohort.items(spec))
    return compare(base, head, base_book, head_book, tasks, jobs, timeout, cache, selective, by)


def compare(base: str, head: str, base_book: Rulebook, head_book: Rulebook, tasks: Iterable[Any],
            jobs: int = 1, timeout: float = pool.DEFAULT_TIMEOUT, cache: VerdictCache | None = None,
            selective: bool = True, by: Sequence[str] = (), reading: Reading = COHORT) -> Impact:
    """Every task (a packet, read by `reading`) judged under both rulebooks.

    Only what can change is evaluated (`selective`; False evaluates every packet twice, the
    reference the tests hold it to): with the same rules on both sides (`changed_levels` empty)
    nothing is, packets are only checked; with a change confined to some levels' rules, a
    packet is evaluated under `head` only when its target's closure (`dependencies.closure`)
    meets a changed level (the target, or a level it builds on), its verdict under `base`
    standing for the other side otherwise. With `cache` (cohort items only), verdicts come from
    it where they can (`base`'s from a calibration's too). With `by`, every candidate's verdicts
    and attributes are kept (`Impact.outcomes`): the same rules on both sides are then evaluated
    once, for the rates."""
    result = Impact(base, head)
    changed = dependencies.changed_levels(base_book, head_book) if selective else dependencies.EVERYTHING
    # Impact's own answers (kept apart when brief), or a calibration's (placed too) for `base`:
    # whole ones are as good.
    options, also = ((), ()) if reading.why_not else ((BRIEF,), ((),))
    before = Reuse(cache, IMPACT, base_book, options, also=(*also, cohort.CALIBRATION))
    after = Reuse(cache, IMPACT, head_book, options, also)
    only_checked = changed == set() and not by  # nothing to evaluate, only invalid packets to list

    def judged(book: Rulebook, reuse: Reuse, item: Any) -> cohort.Evaluated:
        return reuse.obtain(item, lambda i: reading.evaluate(book, i), cohort.evaluated)

    def same_either_side(first: Result) -> bool:
        """A verdict (or invalidity) under `base` that `head` cannot change."""
        if changed is dependencies.EVERYTHING or cohort.is_fault(first):
            return False
        return isinstance(first, Invalid) or not dependencies.affected(base_book, head_book, changed, first["target"]["level"])

    def pair(first: cohort.Evaluated, second: cohort.Evaluated | None = None) -> tuple[Result, Result, Mapping[str, Any]]:
        """Both sides' results (one object for both when `head` cannot change it), and the
        candidate's attributes when `by` asks for them."""
        return first.result, (first if second is None else second).result, first.attributes if by else {}

    def both(item: Any) -> tuple[Result, Result, Mapping[str, Any]]:
        if only_checked:
            checked = _checked(base_book, item, reading)
            return checked, checked, {}
        first = judged(base_book, before, item)
        return pair(first) if same_either_side(first.result) else pair(first, judged(head_book, after, item))

    def known(item: Any) -> tuple[Result, Result, Mapping[str, Any]] | None:
        first = before.known(item)
        if first is None:
            return None
        if only_checked or same_either_side(first.result):
            return pair(first)
        second = after.known(item)
        return None if second is None else pair(first, second)

    def failed(item: Any, reason: str) -> tuple[Result, Result, Mapping[str, Any]]:
        broken = reading.fault(item, reason).result
        return broken, broken, {}

    for first, second, attributes in pool.run(tasks, both, failed, jobs, timeout, known):
        result.packets += 1
        if isinstance(first, Invalid) and isinstance(second, Invalid):
            result.invalid.append(second)
            continue
        if by and not isinstance(first, Invalid) and not isinstance(second, Invalid):
            result.outcomes.append((attributes, first["verdict"], second["verdict"]))
        change = _compare(first, second) if first is not second else None
        if change:
            result.changes.append(change)
    if cache is not None:
        cache.close()
    return result


IMPACT = cohort.CALIBRATED  # the verdict cache's kind: the same answers as a calibration's, without placement
# In an impact answer's options: its criteria leave out the why-not (`Reading.why_not` False).
# Such an answer is kept apart, and only a run that shows no why-not looks it up; such a run
# takes a whole answer as well.
BRIEF = "no why-not"


def _checked(book: Rulebook, item: Any, reading: Reading) -> Result | None:
    """The packet's errors if it is invalid, else None: it is read and checked, not evaluated."""
    try:
        reading.check(book, item)
    except LadderError as e:
        return Invalid(item.label, tuple(e.diagnostics))
    return None


def _compare(before: Result, after: Result) -> Change | None:
    def statuses(doc: Result) -> dict[str, tuple[bool, str]]:
        if isinstance(doc, Invalid):
            return {}
        found = {}

        def visit(items):
            for item in items:
                found[item["id"]] = (item["met"], item["statement"])
                visit(item.get("children", []))
        for competency in doc["competencies"]:
            visit(competency["criteria"])
        for points in doc["points"]:
            found[f"points:{points['group']}" if points["group"] else "points"] = (points["met"], f"{points['observed']} of {points['needed']}")
        return found

    old, new = statuses(before), statuses(after)
    if not (old and new):  # one side invalid: its criteria were never evaluated, nothing flipped
        old = new = {}
    flips = tuple(
        Flip(cid, old.get(cid, (None, ""))[0], new.get(cid, (None, ""))[0], old.get(cid, (None, ""))[1], new.get(cid, (None, ""))[1])
        for cid in sorted(set(old) | set(new))
        if old.get(cid, (None,))[0] != new.get(cid, (None,))[0]
    )
    verdicts = [doc["verdict"] if not isinstance(doc, Invalid) else "invalid" for doc in (before, after)]
    if verdicts[0] == verdicts[1] and not flips:
        return None
    known = after if not isinstance(after, Invalid) else before
    return Change(known["packet"], f"{known['candidate']['name']} ({known['candidate']['id']})", known["target"]["track"],
                  known["target"]["level"], verdicts[0], verdicts[1], flips)


# ----------------------------------------------------------------------------------- rendering
# Text and Markdown from the report with its hidden characters shown (`visible_in`): packet,
# candidate and statement come from packets and rulebooks. JSON keeps them verbatim (`json_text`).

def _word(status: bool | None) -> str:
    return {True: "met", False: "unmet", None: "absent"}[status]


def render_text(report: Impact) -> str:
    report = visible_in(report)
    lines = [f"Impact of {report.head} against {report.base} on {report.packets} packet(s): {len(report.changes)} changed"]
    for change in report.changes:
        mark = {"downgrade": "  (loses readiness)", "gain": "  (gains readiness)", "invalid": "  (validity changed)"}.get(change.direction, "")
        lines.append(f"  {change.packet}: {change.candidate}, {change.level}: {change.before} -> {change.after}{mark}")
        for flip in change.flips:
            lines.append(f"      {flip.criterion}: {_word(flip.before)} -> {_word(flip.after)}: {flip.after_statement or flip.before_statement}"
                         + (f" (was: {flip.before_statement})" if flip.before_statement and flip.after_statement else ""))
    summary = report.summary()
    if summary:
        lines += ["", "By track and level:"]
        for (track, level), row in summary.items():
            lines.append(f"  {track} / {level}: {row['gain']} gain readiness, {row['downgrade']} lose it, "
                         f"{row['same']} change criteria only" + (f", {row['invalid']} change validity" if row["invalid"] else ""))
    if report.fairness is not None:
        lines += impact_fairness.text(report.fairness)
    if report.invalid:
        lines += ["", f"{len(report.invalid)} packet(s) invalid under both rulebooks: " + ", ".join(i.source for i in report.invalid)]
    return "\n".join(lines) + "\n"


def render_markdown(report: Impact) -> str:
    report = visible_in(report)
    lines = [f"### Rule change impact: {len(report.changes)} of {report.packets} packet(s) change",
             "", f"{md_code(report.head)} against {md_code(report.base)}.", ""]
    lines += impact_fairness.markdown_flags(report.fairness) if report.fairness is not None else []
    if report.changes:
        lines += ["| Packet | Candidate | Level | Before | After | Criteria that flipped |", "|---|---|---|---|---|---|"]
        for change in report.changes:
            flips = "<br>".join(f"`{f.criterion}`: {_word(f.before)} → {_word(f.after)} ({md_escape(f.after_statement or f.before_statement)})"
                                for f in change.flips)
            arrow = {"downgrade": " ⬇", "gain": " ⬆"}.get(change.direction, "")
            lines.append(f"| {md_code(change.packet, in_table=True)} | {md_escape(change.candidate)} | {change.level} | {change.before} | "
                         f"{change.after}{arrow} | {flips} |")
        lines += ["", "| Track | Level | Gain readiness | Lose readiness | Criteria only | Change validity |", "|---|---|---|---|---|---|"]
        lines += [f"| {t} | {lv} | {r['gain']} | {r['downgrade']} | {r['same']} | {r['invalid']} |" for (t, lv), r in report.summary().items()]
    if report.fairness is not None:
        lines += impact_fairness.markdown(report.fairness)
    return "\n".join(lines) + "\n"


def render_json(report: Impact) -> str:
    document = {
        "format": "ladder.impact/1", "base": report.base, "head": report.head, "packets": report.packets,
        "changes": [{
            "packet": c.packet, "candidate": c.candidate, "track": c.track, "level": c.level,
            "before": c.before, "after": c.after, "direction": c.direction,
            "flipped": [{"criterion": f.criterion, "before": f.before, "after": f.after,
                         "before_statement": f.before_statement, "after_statement": f.after_statement} for f in c.flips],
        } for c in report.changes],
        "summary": [{"track": t, "level": lv, **row} for (t, lv), row in report.summary().items()],
        "invalid": [i.source for i in report.invalid],
    }
    if report.fairness is not None:  # only with --by: a report without it reads as it always has
        document["fairness"] = report.fairness
    return json_text(document, indent=2, sort_keys=True) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
