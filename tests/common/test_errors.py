"""Diagnostics and engine faults as people read them: a path or a value they quote shows its
hidden characters; the JSON form keeps them verbatim, for programs."""
from __future__ import annotations

from engine.common.errors import Diagnostic, EngineFault, LadderError

PATH = "cycle/bad\x1b]0;pwned\x07\u202e.yaml"


def test_a_diagnostic_shows_the_hidden_characters_of_its_path_and_message_and_its_json_keeps_them():
    diagnostic = Diagnostic(PATH, 3, 9, "expected true or false, got yes\u200b\r\nno", "schema.type")
    assert diagnostic.format() == ("cycle/bad<U+001B>]0;pwned<U+0007><U+202E>.yaml:3:9: error: "
                                   "expected true or false, got yes<U+200B> no [schema.type]")
    assert str(LadderError([diagnostic])) == diagnostic.format()
    assert (diagnostic.to_json()["file"], diagnostic.to_json()["message"]) == (PATH, "expected true or false, got yes\u200b\r\nno")


def test_an_engine_fault_naming_a_packet_shows_its_hidden_characters():
    assert str(EngineFault(f"{PATH}: the engine counted P-1 although a condition fails")) == \
        "cycle/bad<U+001B>]0;pwned<U+0007><U+202E>.yaml: the engine counted P-1 although a condition fails"
