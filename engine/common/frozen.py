"""A faster `__init__` for frozen dataclasses built in bulk: a packet's records (reading) and an
evaluation's results (matching). Here, at the bottom layer, so both use the one tested writer
instead of each hand-writing its own."""
from __future__ import annotations

import dataclasses
import sys
from typing import TypeVar

T = TypeVar("T")


def stored(cls: type[T]) -> type[T]:
    """`cls`, a frozen dataclass, with an `__init__` that stores each field straight into the
    new instance's dict. A frozen dataclass's own `__init__` calls `object.__setattr__` once a
    field, which made building results a fifth of assessing a packet (an evaluation builds a
    result per criterion and a `Miss` per record that did not count, for every packet) and
    building its records most of what building a valid packet costs. The same
    signature and defaults, so the same instances; equality, hash, repr, `replace` and pickling
    are still the dataclass's (they read the fields, not `__init__`). Fields with a default
    factory, `init=False` or `kw_only`, fields named `self` or `store`, and `__post_init__` are
    refused (none of ours has them)."""
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or any(not f.init or f.kw_only or f.name in ("self", "store")
                                            or f.default_factory is not dataclasses.MISSING for f in fields):
        raise TypeError(f"stored() cannot build {cls.__name__}'s __init__")
    defaults = {f"_default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_default_{f.name}" for f in fields)
    body = "".join(f"\n    store[{f.name!r}] = {f.name}" for f in fields)
    namespace: dict = {}
    # The class's module as globals, as the dataclass's own __init__ has (its hints resolve); the
    # defaults are the maker's arguments, so nothing is added to the module.
    source = f"def make({', '.join(defaults)}):\n  def __init__(self, {params}):\n    store = self.__dict__{body}\n  return __init__"
    exec(source, vars(sys.modules[cls.__module__]), namespace)  # noqa: S102 - from field names
    init = namespace["make"](**defaults)
    init.__module__ = cls.__module__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init
    return cls
