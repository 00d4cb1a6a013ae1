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
    _seen: set[Diagnostic] = field(default_factory=set)  # `found`'s, for a look-up that does not scan it

    def error(self, doc: Document, path: tuple, message: str, code: str, key: bool = False) -> None:
        found = doc.diag(path, message, code, key=key)
        if found not in self._seen:  # a condition checked once per evidence type counted together
            self._seen.add(found)
            self.found.append(found)

    @staticmethod
    def pos(doc: Document, path: tuple) -> Pos:
        return Pos(doc.source, *doc.at(path))
