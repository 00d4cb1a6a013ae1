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


def criterion(document: dict, criterion_id: str) -> dict:
    """A criterion of a verdict document, found at any depth."""
    def walk(items):
        for item in items:
            yield item
            yield from walk(item.get("children", []))
    for competency in document["competencies"]:
        for item in walk(competency["criteria"]):
            if item["id"] == criterion_id:
                return item
    raise KeyError(criterion_id)


def project(rid: str, end: str, role: str = "lead", scope: str = "team", outcome: str = "shipped", **extra) -> dict:
    return {"id": rid, "type": "project", "title": f"Project {rid}", "start": "2020-01-01", "end": end,
            "role": role, "scope": scope, "outcome": outcome, "confidence": "verified", **extra}


def record(rid: str, type_: str, date: str, **fields) -> dict:
    return {"id": rid, "type": type_, "title": f"{type_} {rid}", "date": date, "confidence": "verified", **fields}
