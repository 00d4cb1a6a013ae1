"""`core` writes a fact's values for the engine in `_Chunk.encode`, which says the common ones
(text, booleans, 64-bit integers) itself and hands the rest to `_value`: whatever the value,
the engine must be given exactly what `_value` gives it (a number past 64 bits as a float, a
float written so the engine reads it, an object refused)."""
from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st

from engine.matching import core
from engine.matching.encoding import name

ENGINE = core.Engine([core.Rule("r", (core.Pattern("m", "rec", (core.Test("x", "present"),)),))])
scalars = st.one_of(st.booleans(), st.text(max_size=5), st.integers(min_value=-2**70, max_value=2**70),
                    st.sampled_from([2**63 - 1, 2**63, -2**63, -2**63 - 1, 1e-07, 1e22, -0.0]),
                    st.floats(allow_nan=False, allow_infinity=False))
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.tuples(scalars), st.dictionaries(st.text(max_size=2), scalars, max_size=1))


def engine_value(value):
    (message,) = ENGINE._chunks[0].encode("rec", [core.Fact("a", "rec", {"x": value})], {})
    return message[name("x")]


def written(make):
    """The JSON the engine would read, or the kind of error met on the way."""
    try:
        return orjson.dumps(make())
    except (ValueError, TypeError) as error:  # refused by _value, or by orjson (a list of huge integers)
        return type(error)


@given(values)
def test_a_value_goes_to_the_engine_as_value_writes_it(value):
    assert written(lambda: engine_value(value)) == written(lambda: core._value(value))
