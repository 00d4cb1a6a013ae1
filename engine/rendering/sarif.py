"""SARIF 2.1.0: diagnostics in the format code-scanning tools show on a pull request.

A result's message is text those tools show to people, so its hidden characters are shown
(`visible`), as in `Diagnostic.format`; the file's URI stays verbatim, to find the file by."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath

from engine.common.errors import Diagnostic
from engine.common.text import visible

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def sarif(diagnostics: list[Diagnostic], rules: dict[str, tuple[str, str]], fallback: tuple[str, str]) -> dict:
    """A SARIF log with one run; `rules` maps a code to (default level, description)."""
    codes = sorted({d.code for d in diagnostics} | set(rules))
    index = {code: i for i, code in enumerate(codes)}
    try:
        tool_version = version("ladder")
    except PackageNotFoundError:
        tool_version = "0"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ladder",
                "version": tool_version,
                "informationUri": "https://github.com/ladder-rules/ladder",
                "rules": [{
                    "id": code,
                    "shortDescription": {"text": rules.get(code, fallback)[1]},
                    "defaultConfiguration": {"level": _LEVELS[rules.get(code, fallback)[0]]},
                } for code in codes],
            }},
            "results": [_result(d, index) for d in diagnostics],
        }],
    }


def _result(d: Diagnostic, index: dict[str, int]) -> dict:
    result = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": _LEVELS[d.level],
        "message": {"text": visible(d.message)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": PurePosixPath(d.file).as_posix(), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": d.line, "startColumn": d.col},
        }}],
    }
    if d.accepted:  # accepted in the rulebook itself: code scanning shows it as suppressed, with the reason
        result["suppressions"] = [{"kind": "inSource", "justification": visible(d.accepted)}]
    return result
