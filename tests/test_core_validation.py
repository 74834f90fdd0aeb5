"""The declared-constraints mechanism (simtrial._core.validation)."""

import math

import pytest

from simtrial._core.validation import (
    Boolean,
    Interval,
    Optional,
    Options,
    Sequence,
    ValidationError,
    check,
    check_value,
)


@pytest.mark.parametrize("bad", [-1, 0, math.inf, math.nan, 1e300, "3", True, None, 2.5])
def test_interval_int_rejects_and_names_field(bad):
    with pytest.raises(ValidationError) as info:
        check_value("n", bad, Interval(int, 1, 10_000))
    assert info.value.field == "n"
    assert str(info.value).startswith("n: must be an integer in [1, 10000]")


def test_interval_accepts_whole_floats_as_int_and_bounds():
    assert check_value("n", 3.0, Interval(int, 1, 10)) == 3
    assert check_value("p", 0.5, Interval(float, 0, 1, "neither")) == 0.5
    for bad in (0.0, 1.0, math.nan, -math.inf):
        with pytest.raises(ValidationError, match=r"in \(0, 1\)"):
            check_value("p", bad, Interval(float, 0, 1, "neither"))


def test_options_boolean_sequence_optional():
    assert check_value("k", "a", Options("a", "b")) == "a"
    with pytest.raises(ValidationError, match=r"must be one of \['a', 'b'\]; got 'c'"):
        check_value("k", "c", Options("a", "b"))
    with pytest.raises(ValidationError):
        check_value("flag", 1, Boolean())
    frac = Sequence(Interval(float, 0, 1, "neither"), increasing=True)
    assert check_value("f", [0.25, 0.5], frac) == (0.25, 0.5)
    for bad in ([0.5, 0.25], [0.5, 1.0], "0.5", 0.5):
        with pytest.raises(ValidationError, match="strictly increasing"):
            check_value("f", bad, frac)
    assert check_value("n", None, Optional(Interval(int, 2))) is None


def test_under_prefixes_path_and_check_orders():
    err = ValidationError("n", "must be an integer >= 1", 0).under("design")
    assert str(err) == "design.n: must be an integer >= 1; got 0"
    assert check({"a": 1, "b": "x"}, {"a": Interval(int, 0)}) == {"a": 1, "b": "x"}
    import pickle

    again = pickle.loads(pickle.dumps(err))
    assert (again.field, again.problem, again.value) == ("design.n", "must be an integer >= 1", 0)
