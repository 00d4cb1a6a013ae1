"""Stage 2, validate: check loaded documents against the JSON Schemas in `schemas/`.

Two validators per schema: jsonschema-rs (Rust) answers "is it valid?" in microseconds, which is
all a valid document needs; only an invalid one goes through jsonschema (Python), whose errors
are rewritten for people and mapped back to the line and column where the offending value (or
unknown key) was written. Cross-references (does this level exist? is this a field of that
evidence type?) are checked by `rulebook` and `packet`, which build the model."""
from __future__ import annotations

import difflib
import functools
import json
import re
from typing import Any, Iterable

import jsonschema_rs

from engine.common.errors import Diagnostic
from engine.reading.files import data_dir  # noqa: F401 - re-exported: where the schemas and rules are
from engine.reading.load import Document

BASE_URI = "https://ladder.example/schemas/"


@functools.cache
def schemas_by_uri() -> dict[str, dict]:
    """Every schema in `schemas/`, by its `$id`."""
    return {BASE_URI + path.name: json.loads(path.read_text()) for path in sorted(data_dir("schemas").glob("*.schema.json"))}


@functools.cache
def _registry():
    """The schemas for jsonschema (imported only when a document has errors to explain)."""
    import referencing
    return referencing.Registry().with_resources(
        (uri, referencing.Resource.from_contents(contents)) for uri, contents in schemas_by_uri().items())


def schema(name: str) -> dict:
    return schemas_by_uri()[BASE_URI + f"{name}.schema.json"]


class Checker:
    """One schema, checked fast; explained slowly, and only when something is wrong."""

    def __init__(self, contents: dict):
        self.contents = contents
        self.fast = jsonschema_rs.validator_for(contents, retriever=schema_by_uri)

    @functools.cached_property
    def slow(self):
        import jsonschema
        return jsonschema.Draft202012Validator(self.contents, registry=_registry())

    def errors(self, doc: Document, data: Any, at: tuple = ()) -> list[tuple[tuple, Diagnostic]]:
        """Each error in `data` (found at path `at` inside `doc`) with its path and place."""
        if self.fast.is_valid(data):
            return []
        return explain_errors(doc, self.slow, data, at)


def schema_by_uri(uri: str) -> dict:
    return schemas_by_uri()[uri.split("#", 1)[0]]


@functools.cache
def checker(name: str) -> Checker:
    return Checker(schema(name))


def check(doc: Document, name: str) -> list[Diagnostic]:
    """Diagnostics for `doc` against `schemas/<name>.schema.json`, in file order."""
    return list(dict.fromkeys(d for _, d in located(doc, name)))


def located(doc: Document, name: str) -> list[tuple[tuple, Diagnostic]]:
    """(path, diagnostic) pairs, for callers that check further what the schema let through."""
    return checker(name).errors(doc, doc.data)


def explain_errors(doc: Document, validator, data: Any, at: tuple = ()) -> list[tuple[tuple, Diagnostic]]:
    """Every jsonschema error in `data`, rewritten for people, with its path and place.

    Two errors may read the same at the same place (a document without marks puts every one
    at 1:1): each keeps its path, so a caller skipping the broken parts skips them all."""
    found = {}
    for error in validator.iter_errors(data):
        path, message, on_key = explain(error)
        diagnostic = doc.diag(at + path, message, "schema." + str(error.validator), key=on_key)
        found[(at + path, diagnostic)] = None
    return sorted(found, key=lambda item: (item[1], repr(item[0])))


def explain(error) -> tuple[tuple, str, bool]:
    """(path, message, whether to point at the key) for one jsonschema error."""
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    if "propertyNames" in error.absolute_schema_path and isinstance(value, str):
        path += (value,)  # a key's own error (its name): at the key, not at the mapping holding it
    if kind in ("anyOf", "oneOf") and _all_required_alternatives(error):
        options = [s["required"][0] for s in error.validator_value]
        present = [o for o in options if isinstance(value, dict) and o in value]
        if present:
            return path, f"has {' and '.join(present)}: give exactly one of {', '.join(options)}", False
        return path, f"needs one of {', '.join(options)}", False
    if kind in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match
        # A branch for another type of value says less than one for this type: `evidence: []`
        # is an empty list (needs a type), not "expected text" from the one-type branch.
        fitting = [e for e in error.context if e.validator != "type"]
        best = best_match(fitting or error.context)
        rest = len({tuple(e.absolute_path) + (e.validator,) for e in error.context}) - 1
        inner_path, message, on_key = explain(best)
        if rest > 0 and not message.startswith(("unknown key", "expected")):
            message += f" (or {rest} other way{'s' if rest > 1 else ''} to fix it)"
        return inner_path, message, on_key
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in value if k not in error.schema.get("properties", {}))
        key = extra[0] if extra else "?"
        return path + (key,), f"unknown key {key!r}{did_you_mean(key, allowed)}", True
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return path, f"missing required key {missing!r}", False
    if kind == "enum":
        return path, f"{value!r} is not one of {', '.join(map(str, error.validator_value))}{did_you_mean(str(value), error.validator_value)}", False
    if kind == "const":
        return path, f"must be {json.dumps(error.validator_value)}", False
    if kind == "type":
        return path, _type_message(value, error.validator_value), False
    if kind == "pattern":
        return path, _pattern_message(value, error.schema), False
    if kind == "not" and isinstance(value, str):
        keys = error.validator_value.get("enum", []) if isinstance(error.validator_value, dict) else []
        return path, (f"{value!r} is reserved: every record has its own keys ({', '.join(keys)}), which are not fields "
                      "of its type; choose another name"), True
    if kind == "propertyNames":
        return path, f"{error.message}", True
    if kind == "minItems" and isinstance(value, list):
        n = error.validator_value
        return path, f"needs at least {n} {'entry' if n == 1 else 'entries'}", False
    if kind in ("maxProperties", "maxItems", "maxLength"):
        return path, f"too many entries or characters: the limit is {error.validator_value}", False
    return path, error.message, False


def _all_required_alternatives(error) -> bool:
    return all(set(s) == {"required"} and len(s["required"]) == 1 for s in error.validator_value)


_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping (key: value)", "array": "a list", "null": "nothing"}
_YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}


def _type_message(value: Any, expected: str | list[str]) -> str:
    names = [_TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)]
    message = f"expected {' or '.join(names)}, got {json.dumps(value) if not isinstance(value, (dict, list)) else type(value).__name__}"
    if isinstance(value, str) and value.lower() in _YAML11_BOOLEANS and "boolean" in str(expected):
        message += " (write true or false: yes/no/on/off are text here)"
    return message


def _pattern_message(value: Any, schema_part: dict) -> str:
    pattern = schema_part.get("pattern", "")
    if "[0-9]{4}-" in pattern:
        return f"{value!r} is not an ISO date: write YYYY-MM-DD, e.g. 2026-11-01"
    if "(day|days" in pattern:
        return f"{value!r} is not a window: write a number and a unit, e.g. '24 months' or '90 days'"
    if pattern.startswith("^[a-z][a-z0-9]*(-"):
        return f"{value!r} is not an id: use lowercase words joined by hyphens, e.g. staff-engineer"
    if pattern.startswith("^[a-z][a-z0-9_]*$"):
        return f"{value!r} is not a field name: use lowercase snake_case, e.g. duration_months"
    if pattern.endswith("%$"):
        return f"{value!r} is not a share from 0% to 100%: write a whole percentage such as \"10%\", or a number of points"
    return f"{value!r} does not match {pattern}"


MAX_SUGGESTION_OPTIONS = 200  # beyond this many names, a suggestion costs more than it helps


def did_you_mean(word: str, options: Iterable[Any]) -> str:
    """' (did you mean 'x'?)' for the closest option (`closest`), or ''."""
    close = closest(word, options)
    return f" (did you mean {close!r}?)" if close is not None else ""


def closest(word: str, options: Iterable[Any]) -> str | None:
    """The option `word` most likely means, if any is close.

    An option spelt the same but for case and separators comes first ('Not Ready' -> 'not_ready'),
    then the longest option the word starts with as a whole word ('nearly_ready' -> 'nearly',
    where letters alone would point at 'not_ready'), then the closest by letters."""
    options = [str(o) for o in options]
    if len(options) > MAX_SUGGESTION_OPTIONS:
        return None  # comparing by letters with thousands of names, for every error, is quadratic
    key = loose_spelling(str(word))
    same = [o for o in options if loose_spelling(o) == key]
    starts = sorted((o for o in options if loose_spelling(o) and key.startswith(loose_spelling(o) + " ")), key=len, reverse=True)
    close = same or starts or difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    return close[0] if close else None


def same_spelling(word: str, option: str) -> bool:
    """`word` is `option` but for case and separators: 'Individual contributor' and 'individual-contributor'."""
    return loose_spelling(word) == loose_spelling(option)


def loose_spelling(word: str) -> str:
    """`word` as compared when case, spaces, hyphens and underscores do not matter: lower case,
    each run of them one space ('Record_ID ' and 'record id' are both 'record id')."""
    return " ".join(re.split(r"[\s_-]+", word.strip().lower()))
