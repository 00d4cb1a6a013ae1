"""Hypothesis strategies for whole, valid rulebooks and packets, as raw dicts.

`scenarios()` draws (ladder, evidence, levels, packet): 1-2 tracks, evidence types with fields
of every type, levels whose criteria use every kind, operator and option of docs/rules.md, and
a packet whose dates sit on the edges that matter and whose values often equal the values the
conditions ask for. Everything it draws passes the engine's validation. Choices shrink towards
"feature absent", so a failing example shrinks to a small rulebook. `features()` says which of
the semantics that random draws rarely reach (RARE_FEATURES) a scenario reaches."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import assume
from hypothesis import strategies as st
from oracle import months_before, window_start

# Text for record values: unicode, spaces, regex and engine-sensitive characters, a newline.
TEXT_ALPHABET = 'aAbé日本 *.("\\%]\n-?+[{|^$)\t\''
STRINGS = ["", "a", "A", "ab", "a b", "é", "日本", "*", "a.b", "(a)", '"q"', "back\\slash", "100%", "x]", "a\nb", "a*b"]
PATTERNS = ["a", "b", "é", "日本", " ", ".", "(", "a b", "*", "**", "a*", "*b", "*a*", "a*b", "é*本", "(*)", "a.*", "*日本*",
            "a?b", "a+", "[a", "{1}", "^a*", "*$", "a|b", "$1", "*\'*",
            "aab", "aaé", "*aaab*", '"q"', "100%", "x]", "back\\slash"]  # repeats broke the engine's regex compiler
ENUM_VALUES = ["lead", "core", "Lead", "x y", "日本", "a*b", "50%"]
LIST_ITEMS = ["go", "rust", "Go", "a b", "é", "*", '"x"', "a]"]
TEAMS = ["payments", "Payments", "core infra", "é日本", "a*b", '"q" (x)']
INTEGERS = [-1, 0, 1, 2, 3, 5, 12]
NUMBERS = [0, 0.5, 1, 1.5, 2, 2.0, 2.25, -0.75, 10]
WINDOWS = ["1 day", "3 days", "1 week", "2 weeks", "1 month", "3 months", "12 months", "24 months", "1 year", "2 years"]
AS_OF = ["2026-11-01", "2026-03-31", "2024-02-29", "2025-12-31", "2026-01-31", "2025-05-31", "2024-03-30"]
FIELD_TYPES = {  # field name -> type; every evidence type may declare any of these
    "txt": "string", "kind": "enum", "qty": "integer", "score": "number",
    "flag": "boolean", "day": "date", "tags": "list", "link": "ref",
}
OPERATORS = {  # docs/rules.md, "Conditions"
    "string": ["eq", "ne", "in", "not_in", "contains", "matches", "present", "absent"],
    "enum": ["eq", "ne", "in", "not_in", "present", "absent"],
    "integer": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "absent"],
    "number": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "absent"],
    "boolean": ["eq", "ne", "present", "absent"],
    "date": ["eq", "ne", "lt", "lte", "gt", "gte", "present", "absent"],
    "list": ["contains", "present", "absent"],
    "ref": ["eq", "ne", "in", "not_in", "present", "absent"],
}
CANDIDATE_FIELDS = {"months_at_level": "integer", "steps_to_target": "integer", "nominated": "boolean",
                    "track": "string", "level": "string", "team": "string"}


@dataclass
class Context:
    """What one scenario has drawn so far, shared by the helpers below."""

    draw: object
    as_of: date
    evidence: dict = field(default_factory=dict)
    record_ids: list = field(default_factory=list)
    level_ids: list = field(default_factory=list)
    track_ids: list = field(default_factory=list)
    windows: set = field(default_factory=set)
    hints: dict = field(default_factory=dict)  # (type or "candidate", field) -> values conditions ask for
    text_hints: dict = field(default_factory=dict)  # the same, for `contains` and `matches` on text
    ladder_nearly: list = field(default_factory=list)  # the settings ladder.yaml's `nearly` has
    favoured: list = field(default_factory=list)  # record types drawn more often, as some criteria need several
    matched: set = field(default_factory=set)  # (type, field) of text that some `matches` tests, nearly always given
    numeric_distinct: dict = field(default_factory=dict)  # type -> numeric fields some criterion counts distinct values of
    counter: int = 0
    months_back: int = 0  # level_since is about this many months before as_of

    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def coin(self, percent: int) -> bool:
        """True with about `percent`% probability; shrinks to False."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def number(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def hint(self, owner: str, name: str, value, text: bool = False) -> None:
        (self.text_hints if text else self.hints).setdefault((owner, name), []).append(value)

    def text(self, alphabet=TEXT_ALPHABET, min_size=0, max_size=5) -> str:
        return self.draw(st.text(alphabet, min_size=min_size, max_size=max_size))

    def dates(self) -> list[str]:
        """Dates around as_of and around the first day of every window in use."""
        edges = [self.as_of, self.as_of - timedelta(days=1), self.as_of + timedelta(days=1),
                 months_before(self.as_of, 1), date(2024, 2, 29), date(2025, 1, 31), date(2023, 12, 31)]
        for within in sorted(self.windows):
            start = window_start(self.as_of, within)
            edges += [start, start - timedelta(days=1)]
        return sorted({d.isoformat() for d in edges})


# ------------------------------------------------------------------------------ values

def value(ctx: Context, kind: str, spec: dict, owner: str, name: str):
    """A value of a field's type, often one some condition asks for."""
    hints, text_hints = ctx.hints.get((owner, name), []), ctx.text_hints.get((owner, name), [])
    if text_hints and ctx.coin(75):
        broken = [h for h in text_hints if "\n" in h]  # line breaks are where `matches` went wrong before
        return ctx.pick(broken if broken and ctx.coin(80) else text_hints)
    if hints and ctx.coin(65):
        return ctx.pick(hints)
    if kind == "string":
        return ctx.pick(STRINGS) if ctx.coin(50) else ctx.text()
    if kind == "enum":
        return ctx.pick(spec["values"])
    if kind == "integer":
        return 2.0 if ctx.coin(5) else ctx.pick(INTEGERS)  # JSON Schema: 2.0 is an integer
    if kind == "number":
        return ctx.pick(NUMBERS)
    if kind == "boolean":
        return ctx.draw(st.booleans())
    if kind == "date":
        return ctx.pick(ctx.dates())
    if kind == "list":
        return ctx.draw(st.lists(st.sampled_from(LIST_ITEMS) | st.text(TEXT_ALPHABET, max_size=3), max_size=3))
    if kind == "ref":
        return ctx.pick(ctx.record_ids + ["nowhere"])
    raise ValueError(kind)


def condition_value(ctx: Context, kind: str, op: str, spec: dict, owner: str, name: str):
    if op in ("present", "absent"):
        return True
    if op in ("in", "not_in"):
        items = [condition_value(ctx, kind, "eq", spec, owner, name) for _ in range(ctx.number(0, 3))]
        return list(dict.fromkeys(items))
    if op == "contains" and kind == "list":
        item = ctx.pick(LIST_ITEMS[:5])
        ctx.hint(owner, name, [ctx.pick(LIST_ITEMS), item])
        return item
    if op in ("contains", "matches"):
        if owner == "candidate" and name in ("track", "level") and ctx.coin(60):
            known = ctx.pick(ctx.track_ids if name == "track" else ctx.level_ids)
            cut = ctx.number(0, len(known))
            text = ctx.pick([known, known[:cut] + "*", "*" + known[cut:], known[:cut] + "*" + known[cut + 1:]])
            text = text if text.strip("*") else known
        else:
            text = ctx.pick(PATTERNS) if ctx.coin(60) else ctx.text(TEXT_ALPHABET, min_size=1, max_size=4)
        if op == "contains":
            ctx.hint(owner, name, ctx.text(max_size=2) + text + ctx.text(max_size=2), text=True)
            ctx.hint(owner, name, text.swapcase(), text=True)
        else:
            parts = text.split("*")  # each `*` replaced by some text, and by none
            filler = (lambda: ctx.pick(["\n", "a\nb", "\n\n"])) if ctx.coin(75) else (lambda: ctx.text(max_size=2))
            fitting = parts[0] + "".join(filler() + p for p in parts[1:])
            ctx.hint(owner, name, fitting, text=True)
            ctx.hint(owner, name, text.replace("*", ctx.pick(["", "\n"])), text=True)
            ctx.hint(owner, name, ctx.pick(["x", "\n", " "]) + fitting, text=True)  # matches only in part
            ctx.hint(owner, name, fitting + "\n", text=True)  # `*` spans line breaks, the rest does not
        return text
    if owner == "candidate":
        wanted = {"months_at_level": lambda: max(0, ctx.months_back + ctx.number(-1, 1)), "steps_to_target": lambda: ctx.number(-2, 3),
                  "nominated": lambda: ctx.draw(st.booleans()),
                  "track": lambda: ctx.pick(ctx.track_ids + ["ic "]), "level": lambda: ctx.pick(ctx.level_ids),
                  "team": lambda: ctx.pick(TEAMS)}[name]()
    else:
        wanted = value(ctx, kind, spec, owner, name)
    if op in ("eq", "ne"):
        ctx.hint(owner, name, wanted)
        if isinstance(wanted, str) and kind == "string" and wanted.swapcase() != wanted:
            ctx.hint(owner, name, wanted.swapcase())  # comparisons are case-sensitive
    return wanted


def where(ctx: Context, fields: dict, owner: str, most: int = 3) -> dict:
    """Conditions on up to `most` fields: `field: value` (eq) or `field: {op: value, ...}`."""
    result = {}
    text_first = sorted(fields, key=lambda n: fields[n]["type"] != "string")  # text has the most operators
    for name in ctx.draw(st.lists(st.sampled_from(text_first + text_first[:1]), min_size=1, max_size=most, unique=True)):
        spec = fields[name]
        kind = spec["type"]
        # (less often on text, whose `matches` with line breaks is rare enough)
        if owner != "candidate" and kind in ("string", "enum", "list") and ctx.coin(25 if kind == "string" else 40):
            result[name] = candidate_condition(ctx, kind, owner, name)
            continue
        if "eq" in OPERATORS[kind] and ctx.coin(30):
            result[name] = condition_value(ctx, kind, "eq", spec, owner, name)
            continue
        operators = OPERATORS[kind] + (["contains", "matches"] if kind == "string" else [])
        if kind == "string" and ctx.coin(60):  # `*` across line breaks, and text around them
            ops = ["matches"]
            if owner in ctx.evidence:
                ctx.favoured.append(owner)
                ctx.matched.add((owner, name))
        else:
            ops = ctx.draw(st.lists(st.sampled_from(operators), min_size=1, max_size=2, unique=True))
        result[name] = {op: condition_value(ctx, kind, op, spec, owner, name) for op in ops}
    return result


CANDIDATE_NAME = "Candidate é"
CANDIDATE_VALUES = ("id", "name", "team", "manager", "track", "level")


def candidate_condition(ctx: Context, kind: str, owner: str, name: str):
    """A condition comparing the field with the candidate's own (`{candidate: FIELD}`), and
    record values that meet it: eq/ne on text and enums, contains on lists and text."""
    op = ctx.pick(["contains"] if kind == "list" else ["eq", "ne"] + (["contains"] if kind == "string" else []))
    theirs = ctx.pick(CANDIDATE_VALUES)
    known = {"id": ["E-1"], "name": [CANDIDATE_NAME], "manager": ["Pat"], "track": ctx.track_ids, "level": ctx.level_ids,
             "team": TEAMS}[theirs]
    mine = ctx.pick(known)
    if kind == "list":
        ctx.hint(owner, name, [ctx.pick(LIST_ITEMS), mine])
    elif op == "contains":
        ctx.hint(owner, name, ctx.text(max_size=2) + mine + ctx.text(max_size=2), text=True)
    elif kind == "string":  # an enum's values are its own: other conditions draw from hints
        ctx.hint(owner, name, mine)
    wanted = {"candidate": theirs}
    return wanted if op == "eq" and ctx.coin(50) else {op: wanted}


# ---------------------------------------------------------------------------- criteria

CONFIDENCES = ["verified", "self-reported", "disputed"]


def confidence_condition(ctx: Context):
    """A condition on a record's confidence (docs/rules.md, "Confidence"): it also decides for
    its criterion how disputed records count, whatever the rulebook's policy."""
    return ctx.pick([ctx.pick(CONFIDENCES), {"ne": ctx.pick(CONFIDENCES)}, {"in": ctx.draw(st.lists(
        st.sampled_from(CONFIDENCES), max_size=3, unique=True))}, {"not_in": [ctx.pick(CONFIDENCES)]}])


def record_match(ctx: Context, type_id: str, lenient: bool = False, also: tuple[str, ...] = ()) -> dict:
    """Which records of the type count; `lenient` asks for fewer conditions, so that several
    records often match (points per record, distinct values). With `also`, records of those
    types count too: conditions only on fields every one of them declares alike, and no link."""
    declared = ctx.evidence[type_id]
    spec = {"evidence": [type_id, *also] if also else type_id}
    fields = {n: f for n, f in declared["fields"].items() if all(ctx.evidence[t]["fields"].get(n) == f for t in also)}
    if fields and ctx.coin(30 if lenient else 70):
        spec["where"] = where(ctx, fields, type_id, most=1 if lenient else 3)
    if ctx.coin(9):
        spec.setdefault("where", {})["confidence"] = confidence_condition(ctx)
    if ctx.coin(25 if lenient else 50):
        spec["within"] = ctx.pick(WINDOWS)
        ctx.windows.add(spec["within"])
    if "link" in declared["fields"] and not also and ctx.coin(15 if lenient else 40):
        spec["linked"] = {"by": "link"}
        linked_type = declared["fields"]["link"]["evidence"]
        if ctx.evidence[linked_type]["fields"] and ctx.coin(70):
            spec["linked"]["where"] = where(ctx, ctx.evidence[linked_type]["fields"], linked_type, most=2)
        if ctx.coin(10):
            spec["linked"].setdefault("where", {})["confidence"] = confidence_condition(ctx)
    return spec


def no_disputed(ctx: Context):
    """`no_disputed: true`, or limited to some types and a window."""
    if ctx.coin(40):
        return True
    spec = {}
    if ctx.coin(70):
        named = ctx.draw(st.lists(st.sampled_from(sorted(ctx.evidence)), min_size=1, max_size=2, unique=True))
        spec["evidence"] = named[0] if len(named) == 1 and ctx.coin(50) else named
    if ctx.coin(50):
        spec["within"] = ctx.pick(WINDOWS)
        ctx.windows.add(spec["within"])
    return spec


def criterion(ctx: Context, prefix: str, depth: int, top: bool) -> dict:
    result: dict = {"id": ctx.new_id(prefix)}
    numeric = [t for t, d in ctx.evidence.items() if any(f["type"] in ("integer", "number") for f in d["fields"].values())]
    spans = [t for t, d in ctx.evidence.items() if d["dates"] == "span"]
    kinds = ["count", "candidate"] + (["sum"] if numeric or spans else []) + (["all_of", "any_of", "none_of", "k_of"] if depth < 2 else [])
    per_record = top and ctx.coin(25)  # points per record (or per distinct value)
    kind = "count" if per_record else "no_disputed" if ctx.coin(5) else ctx.pick(kinds)
    if kind == "count":
        type_id = ctx.pick(sorted(ctx.evidence))
        fields = ctx.evidence[type_id]["fields"]
        numbers = [n for n, f in fields.items() if f["type"] in ("integer", "number")]
        if numbers and ctx.coin(45):  # distinct numbers: are 2 and 2.0 one value? (see twins below)
            distinct = ctx.pick(numbers)
            ctx.numeric_distinct.setdefault(type_id, set()).add(distinct)
        elif ctx.coin(25):
            distinct = ctx.pick([n for n, f in fields.items() if f["type"] != "list"] or [None])
        else:
            distinct = None
        if per_record or distinct in numbers:  # these need several records of the type to show
            ctx.favoured.append(type_id)
        # Several types counted together, which must declare the distinct field alike.
        others = [t for t in sorted(ctx.evidence) if t != type_id and (distinct is None or ctx.evidence[t]["fields"].get(distinct) == fields[distinct])]
        # (not with distinct numbers: those want the twins below, of one type)
        also = tuple(ctx.draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))) \
            if others and distinct not in numbers and ctx.coin(15) else ()
        spec = record_match(ctx, type_id, lenient=per_record or distinct in numbers, also=also)
        if distinct:
            spec["distinct"] = distinct
        if ctx.coin(60):
            spec["at_least"] = ctx.number(0, 4)
        result["count"] = spec
    elif kind == "sum":
        by_span = not numeric or (spans and ctx.coin(35 if top else 50))  # the length of each span inside the window
        type_id = ctx.pick(spans if by_span else numeric)
        spec = record_match(ctx, type_id)
        if by_span:
            spec["span"] = ctx.pick(["months", "weeks"])
        else:
            fields = ctx.evidence[type_id]["fields"]
            whole = [n for n, f in fields.items() if f["type"] == "integer"]  # points_each needs one
            spec["field"] = ctx.pick(whole) if whole and ctx.coin(80) else \
                ctx.pick([n for n, f in fields.items() if f["type"] in ("integer", "number")])
        spec["at_least"] = ctx.pick([0, 0.5, 1, 2, 3.5, 5, 10])
        keys = [n for n, f in ctx.evidence[type_id]["fields"].items() if f["type"] != "list"]
        if keys and ctx.coin(50):  # the highest value per key; keys are often spelled two ways
            spec["best_per"] = ctx.pick(keys)
        result["sum"] = spec
    elif kind == "no_disputed":
        result["no_disputed"] = no_disputed(ctx)
    elif kind == "candidate":
        result["candidate"] = where(ctx, {n: {"type": t} for n, t in CANDIDATE_FIELDS.items()}, "candidate", most=2) if ctx.coin(90) else {}
        if ctx.coin(25):  # steps_to_target needs the equivalence table when tracks differ
            result["candidate"].update(where(ctx, {"steps_to_target": {"type": "integer"}}, "candidate", most=1))
    else:
        children = [criterion(ctx, prefix, depth + 1, False) for _ in range(ctx.number(1, 3))]
        result[kind] = {"k": ctx.number(1, len(children)), "of": children} if kind == "k_of" else children
    if ctx.coin(15):
        result["description"] = "Does the thing, é 日本"
    if ctx.coin(15):
        result["required"] = False
    elif ctx.coin(20):
        result["blocker"] = True
    integer_sum = kind == "sum" and "field" in result["sum"] and \
        ctx.evidence[result["sum"]["evidence"]]["fields"][result["sum"]["field"]]["type"] == "integer"
    if (kind == "count" and per_record) or (top and integer_sum and ctx.coin(95)):
        result["points_each"] = ctx.number(1, 3)
        if kind == "count" and ctx.coin(80):  # points per record even when fewer than at_least are counted?
            result["count"]["at_least"] = ctx.number(2, 4)
        if ctx.coin(50):
            result["max_points"] = ctx.number(1, 6)
    elif top and ctx.coin(45):
        result["points"] = ctx.number(1, 5)
    return result


# ------------------------------------------------------------------------------ levels

def level_rules(ctx: Context, level_id: str, prefix: str, base: dict | None, resolved_base: list | None) -> dict:
    """One level's rules; with `base`, it builds on it, extending and replacing some of it."""
    competencies = []
    if base is not None:
        for inherited in resolved_base:
            if not ctx.coin(50):
                continue
            own = {"id": inherited["id"], "criteria": []}
            if ctx.coin(30):
                own["name"] = "Renamed"
            if ctx.coin(50):
                own["group"] = ctx.pick(["ga", "gb"])
            for old in inherited["criteria"]:
                if ctx.coin(40):  # replace it in place
                    own["criteria"].append(dict(criterion(ctx, prefix, 0, True), id=old["id"]))
            if ctx.coin(40):
                own["criteria"].append(criterion(ctx, prefix, 0, True))
            competencies.append(own)
    for _ in range(ctx.number(0 if base is not None else 1, 2)):
        own = {"id": ctx.new_id(prefix + "c"), "name": "Competency é", "criteria": []}
        if ctx.coin(60):
            own["group"] = ctx.pick(["ga", "gb"])
        own["criteria"] = [criterion(ctx, prefix, 0, True) for _ in range(ctx.number(1, 2))]
        competencies.append(own)
    rules = {"level": level_id, "competencies": competencies}
    if base is not None:
        rules["builds_on"] = base["level"]
    if ctx.coin(70):  # a level's `nearly` may leave one setting (or both) to ladder.yaml's
        settings = ["max_unmet", "max_points_short"]
        if ctx.ladder_nearly and ctx.coin(60):  # set the other one, merged key by key
            settings.remove(ctx.pick(ctx.ladder_nearly))
        else:
            settings = ctx.pick([settings[:1], settings[1:], settings, []])
        rules["nearly"] = {name: ctx.number(0, 2) if name == "max_unmet" else points_allowance(ctx) for name in settings}
    return rules


def points_allowance(ctx: Context) -> int | str:
    """How short of a points requirement nearly ready may be: points, or a share of it."""
    return ctx.number(0, 3) if ctx.coin(50) else f"{ctx.pick([0, 10, 25, 50, 100])}%"


def add_points(ctx: Context, rules: dict, resolved: list) -> None:
    groups = sorted({c["group"] for c in resolved if c.get("group")})
    points = {}
    if ctx.coin(35):
        points["at_least"] = ctx.number(1, 8)
    for group in groups:
        if ctx.coin(50):
            points.setdefault("groups", {})[group] = ctx.number(1, 5)
    if points:
        rules["points"] = points


# ----------------------------------------------------------------------------- scenario

@st.composite
def scenarios(draw):
    """(ladder, evidence, levels, packet) as raw dicts, valid for the engine."""
    from oracle import resolve

    ctx = Context(draw, date.fromisoformat(draw(st.sampled_from(AS_OF))))
    ctx.months_back = ctx.number(0, 30)
    # ladder.yaml
    tracks = {}
    for track_id in ["ic", "mgmt"][: ctx.number(1, 2)]:
        levels = [{"id": f"{track_id}-{i}", "name": f"{track_id} {i}", "band": f"B{i}"} for i in range(ctx.number(2, 3))]
        tracks[track_id] = {"name": track_id.upper(), "levels": levels}
        ctx.track_ids.append(track_id)
        ctx.level_ids += [lv["id"] for lv in levels]
    equivalence = []
    if len(tracks) == 2:
        ic, mg = ([lv["id"] for lv in tracks[t]["levels"]] for t in ("ic", "mgmt"))
        pairs = ctx.draw(st.lists(st.tuples(st.sampled_from(ic), st.sampled_from(mg)), min_size=1, max_size=2,
                                  unique_by=(lambda p: p[0], lambda p: p[1])))
        equivalence = [{"ic": a, "mgmt": b} for a, b in pairs]
    ladder = {"name": "Generated ladder", "tracks": tracks, "equivalence": equivalence}
    if ctx.coin(70):  # how disputed records count; absent: ignore
        ladder["disputed"] = ctx.pick(["ignore", "hold", "count"])
    if ctx.coin(60):
        ladder["nearly"] = {k: ctx.number(0, 2) if k == "max_unmet" else points_allowance(ctx)
                            for k in ("max_unmet", "max_points_short") if ctx.coin(70)}
        ctx.ladder_nearly = sorted(ladder["nearly"])

    # evidence.yaml
    type_ids = ["alpha", "beta", "gamma"][: ctx.number(2, 3)]
    for i, type_id in enumerate(type_ids):
        fields = {}
        for name, kind in FIELD_TYPES.items():
            if not ctx.coin(80):
                continue
            spec = {"type": kind}
            if kind == "enum":
                spec["values"] = ctx.draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=3, unique=True))
            if kind == "ref":
                spec["evidence"] = ctx.pick(type_ids)
            elif ctx.coin(30):
                spec["required"] = True
            if kind in ("integer", "number") and ctx.coin(20):
                spec.update(minimum=-10, maximum=1000)
            fields[name] = spec
        dates = ["point", "span"][i] if i < 2 else ctx.pick(["point", "span"])
        ctx.evidence[type_id] = {"name": type_id, "dates": dates, "fields": fields}
    evidence = {"types": ctx.evidence}

    # records' ids come first, so conditions on ref fields can name them
    prefixes = ctx.draw(st.lists(st.sampled_from(["R", "r.", "A:", "Z-", "9_"]), max_size=12))
    ctx.record_ids = [f"{prefix}{i}" for i, prefix in enumerate(prefixes)]

    # levels/*.yaml: a base level, maybe one building on it, maybe a third on that
    # With one track its first level cannot be a target (no level below it): such draws were a
    # quarter of all, thrown away by the assume() below.
    firsts = {track["levels"][0]["id"] for track in tracks.values()} if len(tracks) == 1 else set()
    chain = ctx.draw(st.lists(st.sampled_from([i for i in ctx.level_ids if i not in firsts]), min_size=1, max_size=3, unique=True))
    levels, by_id, resolved = [], {}, None
    for n, level_id in enumerate(chain):
        rules = level_rules(ctx, level_id, "abc"[n], levels[-1] if levels else None, resolved)
        by_id[level_id] = rules
        resolved = resolve(by_id, level_id)
        add_points(ctx, rules, resolved)
        levels.append(rules)
    levels = [levels[i] for i in ctx.draw(st.permutations(range(len(levels))))]
    kinds_of = [ctx.pick(type_ids + ctx.favoured) for _ in ctx.record_ids]  # types some criteria need more of

    # the packet
    target = ctx.pick(chain)
    if equivalence and ctx.coin(50):  # a level with an equivalent on the other track
        track, current = ctx.pick(sorted(ctx.pick(equivalence).items()))
    else:
        track = ctx.pick(ctx.track_ids)
        current = ctx.pick([lv["id"] for lv in tracks[track]["levels"]])
    own_levels = [lv["id"] for lv in tracks[track]["levels"]]
    if target in own_levels and own_levels.index(current) >= own_levels.index(target):  # not a promotion: refused
        below = own_levels[:own_levels.index(target)]
        if not below:
            track = ctx.pick([t for t in ctx.track_ids if t != track] or [None])
            assume(track is not None)
            below = [lv["id"] for lv in tracks[track]["levels"]]
        current = ctx.pick(below)
        own_levels = [lv["id"] for lv in tracks[track]["levels"]]
    since = months_before(ctx.as_of, ctx.months_back)
    since += timedelta(days=ctx.pick([0, -1, 1, 27]))
    if ctx.coin(20):  # a month end
        since = since.replace(day=calendar.monthrange(since.year, since.month)[1])
    since = min(since, ctx.as_of)
    candidate = {"id": "E-1", "name": CANDIDATE_NAME, "track": track, "level": current, "level_since": since.isoformat()}
    if ctx.coin(60):
        hinted = [t for t in ctx.text_hints.get(("candidate", "team"), []) if t]
        broken = [t for t in hinted if "\n" in t]
        candidate["team"] = ctx.pick(broken if broken and ctx.coin(50) else TEAMS + hinted)
    if ctx.coin(60):
        candidate["nominated"] = ctx.draw(st.booleans())
    if ctx.coin(20):
        candidate.update(manager="Pat", attributes={"location": "Berlin"})
    packet = {"candidate": candidate, "as_of": ctx.as_of.isoformat(), "evidence": []}
    next_level = own_levels[own_levels.index(current) + 1] if current != own_levels[-1] else None
    if next_level != target or ctx.coin(50):
        packet["target"] = target

    dates = ctx.dates()
    for rid, type_id in zip(ctx.record_ids, kinds_of):
        declared = ctx.evidence[type_id]
        earlier = [r for r in packet["evidence"] if r["type"] == type_id]
        if earlier and type_id in ctx.numeric_distinct and ctx.coin(80):
            packet["evidence"].append(twin(ctx, ctx.pick(earlier), rid, sorted(ctx.numeric_distinct[type_id]), declared))
            continue
        record = {"id": rid, "type": type_id, "title": ctx.text(min_size=1, max_size=4)}
        if declared["dates"] == "point":
            record["date"] = ctx.pick(dates)
        else:
            record["start"] = ctx.pick(dates)
            if ctx.coin(70):
                record["end"] = max(record["start"], ctx.pick(dates))
        if ctx.coin(75):
            record["confidence"] = ctx.pick(["verified", "self-reported", "disputed"])
        for name, spec in declared["fields"].items():
            if not spec.get("required") and not ctx.coin(95 if (type_id, name) in ctx.matched else 75):
                continue
            if spec["type"] == "ref":
                targets = [r for r, t in zip(ctx.record_ids, kinds_of) if t == spec["evidence"] and r != rid]
                if targets:
                    record[name] = ctx.pick(targets)
                continue
            got = value(ctx, spec["type"], spec, type_id, name)
            if spec["type"] == "enum" and got not in spec["values"]:
                got = spec["values"][0]
            record[name] = got
        if ctx.coin(10):
            record["notes"] = "note"
        packet["evidence"].append(record)
    return ladder, evidence, levels, packet


def twin(ctx: Context, record: dict, rid: str, numeric: list[str], declared: dict) -> dict:
    """A copy of `record` under a new id: one of its numeric fields is set to 2 in one of the
    two and 2.0 in the other, one distinct value spelled two ways."""
    name = ctx.pick(numeric)
    record[name] = ctx.pick([2, 2.0])
    copy = dict(record, id=rid, **{name: 2.0 if type(record[name]) is int else 2})
    links_to_itself = [n for n, spec in declared["fields"].items() if spec["type"] == "ref" and copy.get(n) == rid]
    for field_name in links_to_itself:  # a record may not link to itself
        del copy[field_name]
    return copy


# ------------------------------------------------------------------------------ features

# Semantics a random rulebook and packet rarely reach by chance, which the generator steers
# towards; tests/matching/test_generator_reach.py requires each in at least 5% of scenarios.
RARE_FEATURES = (
    "distinct numbers equal as numbers (2 and 2.0)",
    "a level's nearly merged key by key with the ladder's",
    "a line break in text under matches",
    "a window in days",
    "a window in weeks",
    "a date inside a condition",
    "points on a criterion below its at_least",
)


def _criteria(criteria: list[dict]):
    """Every criterion, nested ones included."""
    for c in criteria:
        yield c
        yield from _criteria(c.get("k_of", {}).get("of", []) + c.get("all_of", []) + c.get("any_of", []) + c.get("none_of", []))


def _conditions(where: dict):
    """(field, operator, value) for every condition of a `where`."""
    for name, spec in where.items():
        for op, wanted in (spec.items() if isinstance(spec, dict) else [("eq", spec)]):
            yield name, op, wanted


def features(scenario: tuple) -> set[str]:
    """Which of RARE_FEATURES the scenario reaches in what its target level evaluates."""
    from oracle import evaluate, resolve

    ladder, evidence, levels, packet = scenario
    types = evidence["types"]
    expected = evaluate(*scenario)
    by_level = {level["level"]: level for level in levels}
    top = [c for competency in resolve(by_level, expected.target) for c in competency["criteria"]]
    found = set()
    level_nearly, ladder_nearly = by_level[expected.target].get("nearly") or {}, ladder.get("nearly") or {}
    if level_nearly and set(ladder_nearly) - set(level_nearly):
        found.add(RARE_FEATURES[1])
    outcomes = [expected.all_evidence.results, expected.verified_only.results]
    if any("points_each" in c and not o[c["id"]].met and o[c["id"]].points > 0 for c in top for o in outcomes):
        found.add(RARE_FEATURES[6])
    records = packet["evidence"]
    for c in _criteria(top):
        if "candidate" in c:
            team = packet["candidate"].get("team", "")
            if any(op == "matches" and name == "team" for name, op, _ in _conditions(c["candidate"])) and "\n" in team:
                found.add(RARE_FEATURES[2])
            continue
        spec = c.get("count") or c.get("sum")
        if spec is None:
            continue
        first = spec["evidence"] if isinstance(spec["evidence"], str) else spec["evidence"][0]
        wheres = [(first, spec.get("where", {}))]
        if "linked" in spec:
            wheres.append((types[first]["fields"][spec["linked"]["by"]]["evidence"], spec["linked"].get("where", {})))
        for type_id, where in wheres:
            for name, op, _ in _conditions(where):
                if name == "confidence":  # every record's own, no declared field
                    continue
                if op == "matches" and any(r["type"] == type_id and "\n" in str(r.get(name, "")) for r in records):
                    found.add(RARE_FEATURES[2])
                if types[type_id]["fields"][name]["type"] == "date" and op not in ("present", "absent"):
                    found.add(RARE_FEATURES[5])
        unit = spec.get("within", "0 none").split()[-1].rstrip("s")
        if unit in ("day", "week"):
            found.add(RARE_FEATURES[3] if unit == "day" else RARE_FEATURES[4])
        distinct = spec.get("distinct")
        if distinct and types[first]["fields"][distinct]["type"] in ("integer", "number"):
            values = [r[distinct] for r in records if r["id"] in expected.all_evidence.results[c["id"]].counted]
            if any(a == b and type(a) is not type(b) for a in values for b in values):
                found.add(RARE_FEATURES[0])
    return found
