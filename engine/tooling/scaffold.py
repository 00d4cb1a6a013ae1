"""A new promotion packet to fill in (`ladder new`): the candidate written out, the target named,
and under `evidence:` a commented template of every kind of record the target level asks for
(its own criteria and those of the levels it builds on), from `record_templates`.

As written it is a valid packet with no records yet (`evidence:` holds only comments), and it
is checked as such before it is handed back; each template, uncommented and filled in, is a
valid record. A JSON packet cannot hold comments: it is the same packet without templates.

Tracks and levels are named by id, as packets name them, or by their names in the rulebook
('Individual contributor', 'senior developer'); a name that is neither gets the closest one."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.caching import dependencies
from engine.common.text import json_text
from engine.explaining.phrasing import in_sentence, join_words
from engine.reading import validate
from engine.reading.load import Document, load_json_text, load_yaml_text
from engine.reading.model import Level, Rulebook, Track
from engine.reading.packet import build_packet
from engine.tooling.example_packet import record_ids
from engine.tooling.record_templates import INDENT, Asked, asked, criterion_line, one_line, scalar, template, wrapped

# Where each candidate value comes from, to name the option a bad one was given by.
_OPTIONS = {"id": "--candidate", "name": "--name", "manager": "--manager", "team": "--team", "level_since": "--since"}


@dataclass(frozen=True)
class NewCandidate:
    """Who the packet is for, as given on the command line."""

    id: str
    name: str
    track: str  # an id or a name
    level: str  # an id or a name, on `track`
    as_of: date
    since: date | None = None  # when they reached `level`; default `as_of`
    target: str | None = None  # default the next level on `track`
    manager: str | None = None
    team: str | None = None


class BadOption(ValueError):
    """A value the rulebook cannot take, with the option that gave it ('--track')."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Scaffold:
    text: str
    level: Level
    target: Level
    templates: tuple[str, ...]  # the evidence types with a template, in the packet's order


def scaffold(book: Rulebook, wanted: NewCandidate, fmt: str = "yaml", source: str = "PACKET") -> Scaffold:
    """The new packet's text in `fmt`; BadOption for a track or level the rulebook lacks, a
    target that is no promotion, or a candidate value a packet cannot hold."""
    track = find_track(book, wanted.track)
    level = find_level(book, wanted.level, "--level", track)
    target = _target(book, level, wanted.target)
    since = wanted.since or wanted.as_of
    if since > wanted.as_of:
        raise BadOption("--since", f"{since} is after the as-of date {wanted.as_of}: they cannot have reached the level later")
    candidate = {"id": wanted.id, "name": wanted.name, "track": track.id, "level": level.id, "level_since": since}
    candidate.update({key: value for key, value in (("manager", wanted.manager), ("team", wanted.team)) if value is not None})
    _check_candidate(book, candidate)
    packet = {"candidate": candidate, "target": target.id, "as_of": wanted.as_of}
    if fmt == "json":
        text = json_text({**packet, "candidate": {**candidate, "level_since": since.isoformat()}, "as_of": wanted.as_of.isoformat(),
                          "evidence": []}, indent=2) + "\n"
        kinds: tuple[str, ...] = ()
    else:
        text, kinds = _yaml(book, packet, level, target, wanted)
    build_packet((load_json_text if fmt == "json" else load_yaml_text)(text, source), book)  # never hand back an invalid packet
    return Scaffold(text, level, target, kinds)


def find_track(book: Rulebook, given: str) -> Track:
    """The track `given` names, by id or by name."""
    named = {track.id: track.id for track in book.tracks.values()} | {track.name: track.id for track in book.tracks.values()}
    found = _named(given, named)
    if found is None:
        listed = ", ".join(f"{track.id} ({track.name})" if track.name != track.id else track.id for track in book.tracks.values())
        raise BadOption("--track", f"unknown track {given!r}; this rulebook has {listed}{_suggestion(given, named)}")
    return book.tracks[found]


def find_level(book: Rulebook, given: str, option: str, track: Track | None = None) -> Level:
    """The level `given` names, by id or by name: on `track`, or on any track without one."""
    levels = track.levels if track else tuple(book.levels.values())
    named = {level.id: level.id for level in levels} | {level.name: level.id for level in levels}
    found = _named(given, named)
    if found is not None:
        return book.levels[found]
    elsewhere = _named(given, {level.id: level.id for level in book.levels.values()} | {level.name: level.id for level in book.levels.values()})
    if track and elsewhere:
        level = book.levels[elsewhere]
        raise BadOption(option, f"{level.id} is a level of the {in_sentence(book.tracks[level.track].name)} track, not of the "
                                f"{in_sentence(track.name)} track: give --track {level.track}, or a level of {track.id}: "
                                + ", ".join(lv.id for lv in track.levels))
    where = f" on the {in_sentence(track.name)} track" if track else ""
    raise BadOption(option, f"unknown level {given!r}{where}{_suggestion(given, named)}; levels: {', '.join(lv.id for lv in levels)}")


def _named(given: str, named: dict[str, str]) -> str | None:
    """The id `given` names: an id or a name, spelt the same but for case and separators."""
    if given in named:
        return named[given]
    return next((named[key] for key in named if validate.same_spelling(given, key)), None)


def _suggestion(given: str, named: dict[str, str]) -> str:
    """' (did you mean 'x'?)', always naming one: a name close by letters, else one that starts
    with what was given ('individual' for 'Individual contributor'), else the least far off."""
    close = validate.closest(given, named)
    if close is None:
        spelt = {" ".join(name.lower().replace("-", " ").replace("_", " ").split()): name for name in named}
        word = " ".join(given.lower().replace("-", " ").replace("_", " ").split())
        starts = [name for key, name in spelt.items() if word and key.startswith(word)]
        close = starts[0] if starts else max(named, key=lambda name: difflib.SequenceMatcher(None, word, name.lower()).ratio(), default=None)
    return f" (did you mean {named[close]!r}?)" if close is not None else ""


def _target(book: Rulebook, level: Level, given: str | None) -> Level:
    """The level the packet goes for: `given`, else the next on the candidate's track."""
    if given is None:
        target = book.next_level(level)
        if target is None:
            track = book.tracks[level.track]
            others = [t.id for t in book.tracks.values() if t.id != track.id]
            where = f", a level of the {join_words(others, 'or')} track" if others else ""
            raise BadOption("--target", f"{level.name} is the top of the {in_sentence(track.name)} track: give --target{where}")
    else:
        target = find_level(book, given, "--target")
        if target.track == level.track and target.rank <= level.rank:
            above = book.next_level(level)
            hint = f"give a level above it (the next is {above.id})" if above else "it is the top of its track"
            raise BadOption("--target", f"{target.id} is not above the candidate's current level {level.id}: {hint}")
    if target.id not in book.rules:
        raise BadOption("--target" if given else "--level", f"the rulebook has no promotion rules for {target.id}"
                        + ("" if given else f", the next level after {level.id}: give a --target it has rules for"))
    return target


def _check_candidate(book: Rulebook, candidate: dict[str, Any]) -> None:
    """The candidate's values against the packet schema: a bad one is the option's fault."""
    for key, value in candidate.items():
        try:
            str(value).encode("utf-8")
        except UnicodeEncodeError:  # bytes of another encoding on the command line, as Python keeps them
            shown = str(value).encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            raise BadOption(_OPTIONS.get(key, "--candidate"), f"{shown!r} is not UTF-8 text: give it in UTF-8") from None
    data = {"candidate": {**candidate, "level_since": candidate["level_since"].isoformat()}, "evidence": []}
    for path, diagnostic in validate.located(Document("PACKET", data, {}), "packet"):
        key = path[1] if len(path) > 1 else "id"
        raise BadOption(_OPTIONS.get(key, "--candidate"), diagnostic.message)


def _yaml(book: Rulebook, packet: dict[str, Any], level: Level, target: Level, wanted: NewCandidate) -> tuple[str, tuple[str, ...]]:
    found = asked(book, book.rules[target.id])
    track = book.tracks[level.track]
    lines = _heading(book, found, level, target, wanted) + ["candidate:"]
    notes = {"level_since": f"when they reached {level.name}" + ("" if wanted.since else ": the as-of date, change it if earlier"),
             "track": track.name, "level": level.name}
    for key, value in packet["candidate"].items():
        note = notes.get(key) if not validate.same_spelling(str(value), notes.get(key, "")) else None  # not 'management  # Management'
        lines.append(f"  {key}: {scalar(value)}" + (f"  # {one_line(note)}" if note else ""))
    default = book.next_level(level)
    is_default = default is not None and default.id == target.id
    lines.append(f"target: {target.id}  # {one_line(target.name)}" + (", the next level (the default)" if is_default else ""))
    lines.append(f"as_of: {scalar(packet['as_of'])}  # the day the evidence is judged at: windows count back from it")
    lines.append("evidence:")
    kinds = list(found.wants) + [kind for kind in found.referred if kind not in found.wants]
    ids = record_ids(book)
    for kind in kinds:
        lines.append("")
        lines += template(book, book.evidence[kind], ids[kind], found.wants.get(kind, []), found.referred.get(kind, []))
    others = [e.name for e in book.evidence.values() if e.id not in kinds]
    if others:
        lines += [""] + wrapped(f"Records of other kinds count for nothing at {target.name}: {join_words(others, 'and')}.", INDENT)
    return "\n".join(lines) + "\n", tuple(kinds)


def _heading(book: Rulebook, found: Asked, level: Level, target: Level, wanted: NewCandidate) -> list[str]:
    """Whose packet it is, what the target level is, what it asks of the candidate, and how to
    use the templates."""
    rules = book.rules[target.id]
    lines = wrapped(f"A promotion packet: {wanted.name} ({wanted.id}), {level.name} on the "
                    f"{in_sentence(book.tracks[level.track].name)} track, going for {target.name}. Written by `ladder new`; "
                    "check it with `ladder validate PACKET` and judge it with `ladder evaluate PACKET`.")
    if rules.summary:
        lines += ["#"] + wrapped(f"{target.name}: {rules.summary}")
    if found.of_candidate:
        lines += ["#", "# Asked of the candidate, not of records:"]
        lines += [line for criterion in found.of_candidate for line in wrapped(criterion_line(book, criterion), "", "  ", "    ")]
    bases = [book.levels[base].name for base in dependencies.lineage(book, target.id)[1:]]
    also = ""
    if bases:
        also = f", with what {join_words(bases, 'and')} ask{'s' if len(bases) == 1 else ''} (it builds on {'it' if len(bases) == 1 else 'them'})"
    return lines + ["#"] + wrapped(
        f"Under `evidence:` is a commented-out template of each kind of record {target.name} asks for{also}. To add a "
        "record, uncomment its lines (remove the `# ` after the indent), replace each <placeholder>, and give it an id "
        "of its own; copy it again for another. A line still commented after that is an optional field.")
