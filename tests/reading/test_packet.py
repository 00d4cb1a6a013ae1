"""Packets as people leave them while writing: what reads as what."""
from __future__ import annotations

import pytest

from engine import api
from engine.common.errors import LadderError
from engine.reading.packet import load_packet

HEAD = """candidate: {id: E-1, name: Test Candidate, track: ic, level: developer, level_since: 2025-01-01}
as_of: 2026-01-01
"""


@pytest.fixture(scope="module")
def book():
    return api.rulebook()


def test_a_packet_whose_records_are_all_commented_out_holds_no_records(book, tmp_path):
    path = tmp_path / "packet.yaml"
    path.write_text(HEAD + "evidence:\n  # - id: P-1\n  #   type: project\n")
    assert load_packet(path, book).records == ()


def test_evidence_that_is_neither_a_list_nor_empty_is_still_an_error(book, tmp_path):
    path = tmp_path / "packet.yaml"
    path.write_text(HEAD + "evidence: P-1\n")
    with pytest.raises(LadderError) as raised:
        load_packet(path, book)
    assert [d.line for d in raised.value.diagnostics] == [3]
