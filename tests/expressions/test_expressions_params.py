"""Guard parameters: types inferred from the literals, all uses agreeing."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from expressions_support import located
from hypothesis import given
from hypothesis import strategies as st

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.expressions import (
    BOOL,
    FLOAT,
    INT,
    NEVER,
    NONE,
    STR,
    OptionalType,
    TupleType,
)
from gubernator_gen.frontend import codes
from gubernator_gen.frontend.expressions.params import (
    GuardSignature,
    bad_param_name,
    guard_signatures,
    param_problem,
    param_type,
)
from gubernator_gen.model import GuardParam, NamedGuard, PlainData


def at(line: int, column: int = 5) -> SourcePos:
    return SourcePos("spec.yaml", line, column)


def use(name: str, line: int, **params: PlainData) -> NamedGuard:
    return NamedGuard(
        name,
        params=tuple(
            GuardParam(key, value, at(line, 20 + i))
            for i, (key, value) in enumerate(params.items())
        ),
        pos=at(line),
    )


def test_types_come_from_the_literals() -> None:
    assert param_type(1) == INT
    assert param_type(2.5) == FLOAT
    assert param_type(True) == BOOL
    assert param_type("EUR") == STR
    assert param_type(None) == NONE
    assert param_type((1, 2)) == TupleType(INT)
    assert param_type((1, 2.5)) == TupleType(FLOAT)
    assert param_type(()) == TupleType(NEVER)
    assert param_type(((1,), ())) == TupleType(TupleType(INT))
    assert param_problem((1, "a")) == "the list mixes values of different types"
    assert "mapping" in str(param_problem(MappingProxyType({"a": 1})))
    assert param_problem((1, (2, 3))) is not None
    assert param_problem((1, 2)) is None
    with pytest.raises(ValueError, match="mixes"):
        param_type((1, "a"))


def test_uses_that_agree_join_their_types() -> None:
    signatures, diagnostics = guard_signatures(
        [
            use("within", 3, limit=100, currency="EUR"),
            use("within", 7, limit=99.5, currency="USD"),
            use("tier", 9, levels=(1, 2)),
            use("tier", 11, levels=()),
            use("maybe", 12, cap=None),
            use("maybe", 13, cap=3),
            NamedGuard("paid", pos=at(14)),
            NamedGuard("paid", negated=True, pos=at(15)),
        ]
    )
    assert diagnostics == ()
    assert signatures == (
        GuardSignature("within", (("limit", FLOAT), ("currency", STR))),
        GuardSignature("tier", (("levels", TupleType(INT)),)),
        GuardSignature("maybe", (("cap", OptionalType(INT)),)),
        GuardSignature("paid", ()),
    )


def test_disagreeing_uses_are_located_errors_naming_both_places() -> None:
    signatures, diagnostics = guard_signatures(
        [
            use("within", 3, limit=100),
            use("within", 7, limit="100"),
            use("within", 9),
            use("within", 11, limit=1, extra=2),
            use("flag", 12, on=True),
            use("flag", 13, on=1),
        ]
    )
    assert located(diagnostics) == [
        (codes.GUARD_PARAMS_CONFLICT, 7, 20),
        (codes.GUARD_PARAMS_CONFLICT, 9, 5),
        (codes.GUARD_PARAMS_CONFLICT, 11, 5),
        (codes.GUARD_PARAMS_CONFLICT, 13, 20),
    ]
    assert "is a str here but an int at line 3, column 20" in diagnostics[0].message
    assert "parameters (limit: int)" in diagnostics[1].message
    assert "no parameters" in diagnostics[1].message
    assert "at line 3, column 5" in diagnostics[1].message
    # The signature keeps what the uses before the conflicts said.
    assert signatures[0] == GuardSignature("within", (("limit", INT),))


def test_bad_names_and_values_are_reported_at_the_parameter() -> None:
    _, diagnostics = guard_signatures(
        [
            use("g", 3, **{"not-a-name": 1}),
            use("g", 4, **{"class": 1}),
            use("g", 5, __x=1),
            use("g", 6, ctx=1),
            use("g", 7, table=MappingProxyType({"a": 1})),
            use("g", 8, mixed=(1, "a")),
        ]
    )
    assert [(code, line) for code, line, _ in located(diagnostics)] == [
        (codes.BAD_GUARD_PARAM, line) for line in range(3, 9)
    ]
    assert "mapping" in diagnostics[4].message
    assert "mixes" in diagnostics[5].message
    assert bad_param_name("limit") is None
    assert bad_param_name("self") is not None


LITERALS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3).map(tuple),
    max_leaves=6,
)


@given(st.lists(st.tuples(st.sampled_from(["g", "h"]), LITERALS), max_size=6))
def test_agreement_is_order_independent_in_outcome(
    uses: list[tuple[str, PlainData]],
) -> None:
    items = [use(name, i + 1, value=value) for i, (name, value) in enumerate(uses)]
    forward = guard_signatures(items)
    backward = guard_signatures(list(reversed(items)))
    # Either order accepts exactly when every pair of uses of a guard joins.
    assert (forward[1] == ()) == (backward[1] == ())
    if forward[1] == ():
        assert sorted(forward[0], key=lambda s: s.name) == sorted(
            backward[0], key=lambda s: s.name
        )
