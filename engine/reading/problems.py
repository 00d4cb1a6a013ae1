"""Problems found while building the model, each at the place it was written: collected, so
that every one of them is reported together."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.common.errors import Diagnostic
from engine.reading.load import Document
from engine.reading.model import Pos


@dataclass
class Problems:
    found: list[Diagnostic] = field(default_factory=list)

    def error(self, doc: Document, path: tuple, message: str, code: str, key: bool = False) -> None:
        found = doc.diag(path, message, code, key=key)
        if found not in self.found:  # a condition checked once per evidence type counted together
            self.found.append(found)

    @staticmethod
    def pos(doc: Document, path: tuple) -> Pos:
        return Pos(doc.source, *doc.at(path))
