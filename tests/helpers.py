"""Small builders shared by tests."""
from __future__ import annotations


def packet(level: str = "senior-developer", track: str = "ic", evidence: list | None = None, **extra) -> dict:
    """A minimal valid packet for the default rulebook; `extra` overrides top-level keys."""
    data = {
        "candidate": {
            "id": "E-1", "name": "Test Candidate", "track": track, "level": level,
            "level_since": "2024-01-01", "manager": "Pat Manager", "team": "payments", "nominated": True,
        },
        "as_of": "2026-11-01",
        "evidence": evidence or [],
    }
    data.update(extra)
    return data


def evaluated(book, data: dict):
    """(evaluation, verdict document) for a packet given as a dict."""
    from engine.explaining.explain import explain
    from engine.matching.evaluate import evaluate
    from engine.reading.load import Document
    from engine.reading.packet import build_packet

    evaluation = evaluate(book, build_packet(Document("packet.yaml", data, {}), book))
    return evaluation, explain(book, evaluation)


def placeable(book, documents):
    """The packets built from `documents` for placing (no target needed), skipping those
    that are not valid packets: a generated cohort holds some."""
    from engine.common.errors import LadderError
    from engine.reading.packet import build_packet

    for document in documents:
        try:
            yield build_packet(document, book, placing=True)
        except LadderError:
            continue


def criteria(document: dict):
    """Every criterion of a verdict document, at any depth: each before its children."""
    def walk(items):
        for item in items:
            yield item
            yield from walk(item.get("children", []))
    for competency in document["competencies"]:
        yield from walk(competency["criteria"])


def criterion(document: dict, criterion_id: str) -> dict:
    """A criterion of a verdict document, found at any depth."""
    for item in criteria(document):
        if item["id"] == criterion_id:
            return item
    raise KeyError(criterion_id)


def project(rid: str, end: str, role: str = "lead", scope: str = "team", outcome: str = "shipped", **extra) -> dict:
    return {"id": rid, "type": "project", "title": f"Project {rid}", "start": "2020-01-01", "end": end,
            "role": role, "scope": scope, "outcome": outcome, "confidence": "verified", **extra}


def record(rid: str, type_: str, date: str, **fields) -> dict:
    return {"id": rid, "type": type_, "title": f"{type_} {rid}", "date": date, "confidence": "verified", **fields}


# What a reader must never get raw from ladder's outputs, stated by Unicode category, apart from
# the sanitiser's own table (engine.common.text): controls, surrogates, line and paragraph
# separators, format characters (bidi, zero-width, ...) but the prepended concatenation marks,
# which draw a sign, and the letters and marks that draw nothing.
PREPENDED_MARKS = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD}
INVISIBLE_LETTERS = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0}


def hidden(char: str, lines: bool = True) -> bool:
    """Would this character act on a terminal, reorder text, or read as nothing? Tab, and with
    `lines` a line feed, are layout."""
    import unicodedata

    if char == "\t" or (lines and char == "\n"):
        return False
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Zl", "Zp"):
        return True
    return (category == "Cf" and ord(char) not in PREPENDED_MARKS) or ord(char) in INVISIBLE_LETTERS


def hidden_in(text: str, lines: bool = True) -> list[str]:
    """The hidden characters in `text`, as code points, for an assertion message."""
    return [f"U+{ord(c):04X}" for c in text if hidden(c, lines)]
