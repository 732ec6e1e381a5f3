"""Hypothesis strategies for the diagram tests: random charts, hostile text.

:func:`hostile_charts` draws a chart from the statechart differential
test's strategies, then replaces every state, trigger and description by
text that breaks naive diagram syntax: quotes, braces, ``--``, ``%%``,
``-->``, ``[*]``, ``:``, ``;``, ``#``, backslashes, newlines, Mermaid
keywords and the ids Mermaid and Graphviz output use for their own nodes.
"""

from __future__ import annotations

from graph_charts import mapping_of, renamed
from hypothesis import strategies as st
from statechart_charts import parallel_charts, random_charts

from gubernator_gen.model import MachineSpec

_PIECES = (
    '"',
    "'",
    "{",
    "}",
    "--",
    "-->",
    "%%",
    "%%{init}%%",
    "[*]",
    ":",
    ";",
    "#",
    "#35;",
    "\\",
    "\\N",
    "\n",
    " ",
    "state",
    "end",
    "note",
    "as ",
    "direction TB",
    "TB",
    "class",
    "root",
    "_start",
    "_end",
    "<b>",
    "&amp;",
    "é",
    "∀",
    "cluster_0",
    "__start",
    "subgraph",
    "x",
)
_HOSTILE = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5).map("".join)
# A name holds no control character but newlines (SPEC: none at all, but a
# newline must not break a diagram either); "*" is the wildcard.
_NAME = (
    _HOSTILE
    | st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=8)
).filter(lambda name: name != "*")
_TEXT = _HOSTILE | st.text(max_size=12)


@st.composite
def hostile_charts(draw: st.DrawFn) -> MachineSpec:
    """A random chart whose states, triggers and descriptions are hostile."""
    spec = draw(random_charts() | parallel_charts())
    states = [state.name for state in spec.states]
    names = draw(
        st.lists(_NAME, min_size=len(states), max_size=len(states), unique=True)
    )
    triggers = {t.trigger: draw(_NAME) for t in spec.transitions}
    descriptions = {s: draw(_TEXT) for s in states}
    return renamed(
        spec,
        mapping_of(dict(zip(states, names, strict=True))),
        mapping_of(triggers),
        mapping_of(descriptions),
    )
