"""Issue 10 front-end items: the retry bound, GG353 on the initial state,
suggestions for names with ligatures and other compatibility characters
(written as escapes below, so that the test text shows what they are)."""

from __future__ import annotations

import json
import keyword
import re

import pytest
from frontend_support import BASE, codes_of, located, run
from gubernator_runtime import MAX_RETRY_ATTEMPTS
from hypothesis import given, settings
from hypothesis import strategies as st

from gubernator_gen.frontend.schema import schema
from gubernator_gen.frontend.suggest import Suggester, closest, name_repairs

# -- retry_attempts has a maximum ---------------------------------------------


def test_the_schema_and_the_runtime_agree_on_the_retry_maximum() -> None:
    machine = schema()["definitions"]["machine"]
    policy = machine["properties"]["error_policy"]["properties"]
    assert policy["retry_attempts"]["maximum"] == MAX_RETRY_ATTEMPTS == 100
    assert "100" in policy["retry_attempts"]["description"]


@pytest.mark.parametrize("count", ["101", "10000000000000000000000", "1e30"])
def test_a_retry_count_over_the_maximum_is_a_located_error(count: str) -> None:
    result = run(BASE + f"error_policy:\n  retry_attempts: {count}\n")
    assert located(result.diagnostics) == [("GG207", 11, 19)]
    assert "retry count must be <= 100" in result.diagnostics[0].message
    assert result.spec is None


def test_the_maximum_itself_is_accepted() -> None:
    result = run(BASE + "error_policy:\n  retry_attempts: 100\n")
    assert result.diagnostics == ()
    assert result.spec is not None
    assert result.spec.error_policy.retry_attempts == 100


# -- GG353: the initial state's entry actions are used -------------------------

ENTRY = """\
states:
  - name: A
    type: initial
    on_enter: [greet]
    on_exit: [leave]
  - name: B
    type: terminal
    on_enter: [finish]
  - name: C
    on_enter: [lost]
transitions:
  - trigger: go
    source: A
    dest: B
  - trigger: back
    source: C
    dest: A
"""


def test_entry_actions_of_the_initial_state_are_not_reported() -> None:
    result = run(ENTRY)
    unused = [d for d in result.diagnostics if d.code == "GG353"]
    # Only C's entry action is never run: C cannot be reached.
    assert [(d.pos.line, d.message.split("'")[1]) for d in unused] == [(10, "lost")]
    assert "GG350" in codes_of(result)  # C is unreachable


def test_exit_actions_of_an_initial_dead_end_are_still_reported() -> None:
    text = """\
states:
  - name: A
    type: initial
    on_enter: [greet]
    on_exit: [leave]
transitions: []
"""
    unused = [d for d in run(text).diagnostics if d.code == "GG353"]
    assert [d.message.split("'")[1] for d in unused] == ["leave"]


# -- suggestions: compare on a normalised form, suggest real names ------------


def _hint(message: str) -> str | None:
    found = re.search(r"\(did you mean '(.*?)'\?\)", message)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("where", "name", "suggested"),
    [
        ("guards: [{}]", "\ufb01ll", "fill"),  # the ligature fi: not 'FILL'
        ("guards: [{}]", "\uff50\uff41\uff59", "pay"),  # full-width letters
        ("guards: [{}]", "café", "cafe"),
        ("guards: [{}]", "\uff43lass", "CLASS"),  # never the keyword 'class'
        ("guards: [{}]", "__\uff49nit__", None),  # never a __dunder__ name
        ("guards: [{}]", "заказ", None),  # no mangled '_____'
    ],
)
def test_repair_suggestions_for_malformed_names(
    where: str, name: str, suggested: str | None
) -> None:
    item = where.format(json.dumps(name, ensure_ascii=False))
    if where.startswith("guards"):
        text = BASE + f"    {item}\n"
    else:
        text = BASE.replace("  - trigger: go\n", f"  - {item}\n")
    (diagnostic,) = [d for d in run(text).diagnostics if d.code == "GG202"]
    assert _hint(diagnostic.message) == suggested


def test_a_full_width_state_name_suggests_the_upper_case_plain_name() -> None:
    # Any text is a state name (docs/language.md#names): a full-width one that names no
    # state is an undefined reference, and the suggestion is the plain name.
    text = BASE.replace("dest: B", 'dest: "\uff42"')
    (diagnostic,) = run(text).diagnostics
    assert diagnostic.code == "GG304"
    assert _hint(diagnostic.message) == "B"


@pytest.mark.parametrize("name", ["\ufb01ll", "order-paid", "Order Paid"])
def test_trigger_names_are_free_text(name: str) -> None:
    text = BASE.replace("  - trigger: go\n", f"  - trigger: {json.dumps(name)}\n")
    result = run(text)
    assert [d for d in result.diagnostics if d.is_error] == []


def test_suggester_prefers_the_compatibility_twin_over_a_case_twin() -> None:
    assert closest("\ufb01ll", ["FILL", "fill"]) == "fill"
    assert closest("\ufb01ll", ["FILL"]) == "FILL"
    assert closest("\uff50\uff41\uff49\uff44", ["PAID"]) == "PAID"
    assert closest("paid", ["paid"]) is None  # never the word itself


GUARD_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*\Z"
names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(word=names, candidates=st.lists(names, max_size=8))
def test_a_suggestion_is_always_a_real_candidate(
    word: str, candidates: list[str]
) -> None:
    match = Suggester(candidates, limit=None).closest(word)
    assert match is None or (match in candidates and match != word)


@settings(max_examples=150, deadline=None)
@given(word=names)
def test_repairs_are_other_spellings(word: str) -> None:
    repairs = name_repairs(word)
    assert word not in repairs
    assert len(repairs) == len(set(repairs))


@settings(max_examples=100, deadline=None)
@given(word=names)
def test_a_suggested_guard_name_is_always_usable(word: str) -> None:
    quoted = json.dumps(word, ensure_ascii=False)
    result = run(BASE + f"    guards: [{quoted}]\n")
    for diagnostic in result.diagnostics:
        hint = _hint(diagnostic.message)
        if diagnostic.code != "GG202" or hint is None:
            continue
        assert hint != word
        assert re.match(GUARD_PATTERN, hint)
        assert not keyword.iskeyword(hint) and not hint.startswith("__")
