"""A packet's records and an evaluation's results are built by `frozen.stored`'s `__init__` (it
stores each field into the instance's dict, several times faster than a frozen dataclass's
`object.__setattr__` a field): every record and result must be the very value the dataclass's
own `__init__` builds, from the same arguments, with the same defaults, and stay frozen."""
from __future__ import annotations

import dataclasses
import inspect
import pickle
import sys
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.common.frozen import stored
from engine.matching import results
from engine.reading.records import Record

TYPES = [Record, results.Miss, results.Best, results.CriterionResult, results.PointsResult, results.Assessment, results.Evaluation]
values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.tuples(st.text(max_size=3)))


def as_the_dataclass_builds(cls):
    """`cls` as `@dataclass(frozen=True)` alone would have built it."""
    fields = [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


@pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__name__)
def test_a_result_takes_the_arguments_and_defaults_its_dataclass_would(cls):
    ours, theirs = inspect.signature(cls), inspect.signature(as_the_dataclass_builds(cls))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
           [(p.name, p.kind, p.default) for p in theirs.parameters.values()]


@pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_a_result_is_the_value_its_dataclass_would_build(cls, data):
    fields = dataclasses.fields(cls)
    required = [f for f in fields if f.default is dataclasses.MISSING]
    positional = [data.draw(values) for _ in required]
    keywords = {f.name: data.draw(values) for f in fields[len(required):] if data.draw(st.booleans())}
    ours, theirs = cls(*positional, **keywords), as_the_dataclass_builds(cls)(*positional, **keywords)
    assert vars(ours) == vars(theirs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs) and ours == cls(*positional, **keywords)
    if all(isinstance(v, (type(None), bool, int, str, tuple)) for v in vars(ours).values()):
        assert hash(ours) == hash(cls(*positional, **keywords)) and pickle.loads(pickle.dumps(ours)) == ours
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ours, fields[0].name, 1)


@dataclasses.dataclass(frozen=True)
class _Listed:
    items: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class _KeywordOnly:
    name: str = dataclasses.field(default="", kw_only=True)


@dataclasses.dataclass(frozen=True)
class _NamedLikeTheInit:
    store: str


@pytest.mark.parametrize("cls", [_Listed, _KeywordOnly, _NamedLikeTheInit], ids=lambda cls: cls.__name__)
def test_stored_refuses_a_dataclass_whose_init_it_cannot_write(cls):
    with pytest.raises(TypeError):
        stored(cls)


@pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__name__)
def test_an_init_reads_its_hints_in_its_classs_own_module(cls):
    module = {Record: "engine.reading.records"}.get(cls, "engine.matching.results")
    assert cls.__init__.__module__ == module
    assert typing.get_type_hints(cls.__init__) == typing.get_type_hints(as_the_dataclass_builds(cls).__init__,
                                                                      vars(sys.modules[module]))
