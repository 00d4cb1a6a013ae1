"""One self-contained schema per kind of document, for tools other than ladder.

The schemas in `schemas/` refer to each other by relative references under an `$id` no server
answers (`https://ladder.example/schemas/`), which only ladder's own registry resolves: a
third-party validator (check-jsonschema) or an editor (yaml-language-server) would try to fetch
them. A bundle copies every schema a kind refers to into its `$defs` and rewrites each reference
into a plain JSON Pointer inside the one document, so it validates the same way offline, with
any draft 2020-12 implementation."""
from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from engine.reading import validate

SUFFIX = ".schema.json"
# Documents people write, then what ladder writes as JSON (a test keeps this in step with schemas/).
KINDS = ("packet", "ladder", "evidence", "level", "calibration", "rule-test", "mapping", "verdict", "placement", "calibration-report")


def kinds() -> list[str]:
    """The kinds of document with a schema in `schemas/`."""
    return sorted(uri.rsplit("/", 1)[1].removesuffix(SUFFIX) for uri in validate.schemas_by_uri())


def bundle(kind: str) -> dict[str, Any]:
    """The schema of `kind` with every schema it refers to inside it. KeyError for an unknown kind."""
    schemas = validate.schemas_by_uri()
    root = validate.BASE_URI + kind + SUFFIX
    if root not in schemas:
        raise KeyError(kind)
    needed, queue = [], [root]
    while queue:
        uri = queue.pop()
        for target in _references(schemas[uri], uri):
            if target != root and target not in needed:
                needed.append(target)
                queue.append(target)
    document = {k: v for k, v in _rewritten(schemas[root], root, root).items() if k != "$id"}
    definitions = document.setdefault("$defs", {})
    for uri in sorted(needed):
        embedded = _rewritten(schemas[uri], uri, root)
        definitions[_key(uri)] = {k: v for k, v in embedded.items() if k not in ("$id", "$schema")}
    document["$comment"] = f"Bundled by `ladder schema {kind}`: every schema it refers to is inside it, under $defs."
    return document


def _references(node: Any, base: str) -> list[str]:
    """The documents `node` refers to, as absolute URIs."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                target = urljoin(base, value).split("#", 1)[0]
                if target != base:
                    found.append(target)
            else:
                found += _references(value, base)
    elif isinstance(node, list):
        for value in node:
            found += _references(value, base)
    return found


def _rewritten(node: Any, base: str, root: str) -> Any:
    """`node` (from the schema at `base`) with each reference pointing inside the bundle."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                target, _, fragment = urljoin(base, value).partition("#")
                result[key] = "#" + fragment if target == root else f"#/$defs/{_key(target)}{fragment}"
            else:
                result[key] = _rewritten(value, base, root)
        return result
    if isinstance(node, list):
        return [_rewritten(value, base, root) for value in node]
    return node


def _key(uri: str) -> str:
    """Where the schema at `uri` sits in a bundle's `$defs` (a name no schema of ours uses)."""
    return uri.rsplit("/", 1)[1]
