"""The bulk's shared metadata: equal mappings printed once, told apart exactly."""

from __future__ import annotations

from backend_strategies import PLAIN
from hypothesis import given, settings
from hypothesis import strategies as st

from gubernator_gen.backend import bulk, emit, literals, naming
from gubernator_gen.model import PlainData, freeze


@given(st.dictionaries(st.text(max_size=8), PLAIN, max_size=4).map(freeze))
@settings(max_examples=200, deadline=None)
def test_metadata_is_told_apart_by_its_printed_form(metadata: PlainData) -> None:
    # Metadata keys its mappings by data_literal, read in one pass: it must
    # be exactly the text the emitter prints for the expression.
    proxy = naming.MAPPING_PROXY.alias
    printed = emit.inline(bulk.data(metadata))
    assert literals.data_literal(metadata, mapping_type=proxy) == printed


def test_metadata_shares_equal_mappings_and_tells_1_from_true() -> None:
    shared = bulk.Metadata()
    first = {"k": 1}
    assert shared.reference(first).text == shared.reference(first).text
    assert shared.reference({"k": 1}).text == f"{naming.METADATA}[0]"
    assert shared.reference({"k": True}).text == f"{naming.METADATA}[1]"
    assert shared.reference({"k": 1.0}).text == f"{naming.METADATA}[2]"
    assert len(shared.table().items) == 3
