"""State diagrams of a machine: Mermaid ``stateDiagram-v2`` and Graphviz DOT.

Both show the same things, in spec order so the output is deterministic:

* the initial state, entered from a start point (``[*]`` in Mermaid);
* every transition as an edge labelled ``trigger [guard and guard] / action, action``
  (UML's event [guard] / effect; negated guards, parameters, expressions and
  ``assign`` as written; ``done.state.X`` triggers like any other), one edge
  per source state; a wildcard transition (``source: "*"``) is one edge from
  a dashed pseudo-state ``*`` that stands for every non-terminal state
  (named sources win over it);
* every timeout and ``after`` transition as an edge labelled ``after Ns``
  (with its guards and actions): dashed in DOT; Mermaid has no dashed
  transitions, so there the state gets the dashed border of the ``timed``
  class; every ``always`` transition as an edge labelled ``always``; an
  internal transition's label ends in ``(internal)``;
* terminal states: an edge to the end point ``[*]`` in Mermaid, a double
  border in DOT; error states drawn in red (class ``errorState`` in Mermaid);
* state descriptions: description lines in Mermaid, tooltips in DOT;
* statecharts nested: a compound state is a block (Mermaid) or a cluster
  (DOT) around its children, with its own start point; a parallel state's
  regions are separated by ``--`` (Mermaid) or are dashed clusters (DOT); a
  history state is a node ``H`` (shallow) or ``H*`` (deep) with an edge to
  its default. See :mod:`graph_layout` for where edges are drawn.

Names and descriptions are arbitrary user text, and every label goes
through the escaping of its format (:mod:`graph_text`). A flat machine's
diagram is exactly what it was before statecharts.
"""

from __future__ import annotations

from collections.abc import Callable

from gubernator_gen.driver.graph_dot import to_dot
from gubernator_gen.driver.graph_layout import WILDCARD, delay_label
from gubernator_gen.driver.graph_mermaid import to_mermaid
from gubernator_gen.driver.graph_text import guard_text, transition_label
from gubernator_gen.model import MachineSpec, Timeout

__all__ = [
    "FORMATS",
    "WILDCARD",
    "guard_text",
    "render_graph",
    "timeout_label",
    "to_dot",
    "to_mermaid",
    "transition_label",
]

#: The formats :func:`render_graph` knows, the default first.
FORMATS = ("mermaid", "dot")


def render_graph(spec: MachineSpec, graph_format: str = "mermaid") -> str:
    """The diagram of ``spec`` in ``graph_format`` (one of :data:`FORMATS`)."""
    renderers: dict[str, Callable[[MachineSpec], str]] = {
        "mermaid": to_mermaid,
        "dot": to_dot,
    }
    try:
        renderer = renderers[graph_format]
    except KeyError:
        raise ValueError(f"unknown graph format {graph_format!r}") from None
    return renderer(spec)


def timeout_label(timeout: Timeout) -> str:
    """``after 3600s`` (fractions kept, ``3600.0`` written ``3600``)."""
    return delay_label(timeout.seconds)
