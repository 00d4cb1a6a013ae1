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
