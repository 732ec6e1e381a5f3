"""The Graphviz DOT digraph of a machine (see :mod:`graph`).

A compound or parallel state is a cluster (``subgraph "cluster_N"``)
labelled with its name; a compound one holds its own start point, a
parallel one a cluster per region (dashed). DOT has no edges to clusters,
so an edge to or from a compound state ends at a point inside its cluster
(its start point; an invisible one for a parallel state) and is clipped at
the cluster's border (``compound=true`` with ``lhead``/``ltail``), unless
the other end lies inside that cluster. Every edge is written at the top
level, where its nodes already are: an edge inside a cluster would pull a
node of another cluster into it. Pseudo-nodes' ids never equal a state's.
"""

from __future__ import annotations

from dataclasses import dataclass

from gubernator_gen.driver.graph_layout import (
    ROOT,
    WILDCARD,
    Block,
    Edge,
    Nesting,
    edges,
    initial_child,
    is_container,
    regions,
    top_initial,
)
from gubernator_gen.driver.graph_text import dot_attributes, dot_id, dot_string, fresh
from gubernator_gen.model import HistoryDepth, MachineSpec, State, StateKind

_ERROR_COLOR = "#b91c1c"
_ERROR_FILL = "#fde8e8"
_HISTORY_LABELS = {HistoryDepth.SHALLOW: "H", HistoryDepth.DEEP: "H*"}


@dataclass(frozen=True, slots=True)
class _Cluster:
    """A task on the writer's stack: write ``state``'s cluster at ``depth``.

    ``region``: the state is a region of a parallel state (dashed border).
    """

    state: State
    depth: int
    region: bool


_Task = str | _Cluster


def to_dot(spec: MachineSpec) -> str:
    """A Graphviz ``digraph`` of ``spec``."""
    writer = _Writer(spec)
    graph = {"label": f"{spec.name} {spec.version}"}
    # Clusters: edges clipped at their borders, and the ranking that copes
    # with edges between nested clusters (the default one can fail there).
    compound = ", compound=true, newrank=true" if writer.anchors else ""
    lines = [
        f"digraph {dot_string(spec.name)} {{",
        f"    graph [label={dot_string(graph['label'])}, labelloc=t{compound}];",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        f'    {writer.start} [shape=point, width=0.15, label=""];',
    ]
    lines.extend(writer.declarations())
    wildcard = dot_string(WILDCARD)  # never a state's name: the spec reserves it
    if any(t.wildcard for t in spec.transitions):
        attributes = {
            "shape": "circle",
            "style": "dashed",
            "tooltip": "every non-terminal state",
        }
        lines.append(f"    {wildcard}{dot_attributes(attributes)};")
    lines.extend(writer.starts())
    lines.extend(writer.edge_line(edge) for edge in edges(spec))
    lines.append("}")
    return "\n".join(lines) + "\n"


class _Writer:
    """Writes the nodes, clusters and edges of one spec."""

    def __init__(self, spec: MachineSpec) -> None:
        self.spec = spec
        self.nesting = Nesting(spec)
        taken = {state.name for state in spec.states}
        start = fresh("__start", taken)
        taken.add(start)
        self.start = dot_id(start)
        #: A container's anchor: its start point, or an invisible point.
        self.anchors: dict[str, str] = {}
        self.clusters: dict[str, str] = {}
        self.index = {state.name: i for i, state in enumerate(spec.states)}
        for index, state in enumerate(spec.states):
            if is_container(state):
                anchor = fresh(f"__start_{index}", taken)
                taken.add(anchor)
                self.anchors[state.name] = dot_id(anchor)
                self.clusters[state.name] = f"cluster_{index}"

    def declarations(self) -> list[str]:
        """Every state's node or cluster, nested as the states are."""
        lines: list[str] = []
        tasks: list[_Task] = list(reversed(self._block(ROOT, 1)))
        while tasks:
            task = tasks.pop()
            if isinstance(task, str):
                lines.append(task)
            else:
                tasks.extend(reversed(self._cluster(task)))
        return lines

    def _block(self, block: Block, depth: int, region: bool = False) -> list[_Task]:
        tasks: list[_Task] = []
        for name in self.nesting.members(block):
            state = self.spec.state(name)
            if is_container(state):
                tasks.append(_Cluster(state, depth, region))
            elif region:
                tasks.extend(self._region_box(state, depth))
            else:
                tasks.append(self._node(state, depth))
        return tasks

    def _node(self, state: State, depth: int) -> str:
        return f"{'    ' * depth}{dot_id(state.name)}{dot_attributes(_look(state))};"

    def _region_box(self, state: State, depth: int) -> list[_Task]:
        """An atomic region: a dashed cluster around its one node."""
        pad = "    " * depth
        index = self.index[state.name]
        return [
            f'{pad}subgraph "cluster_{index}" {{',
            f'{pad}    graph [label="", style="dashed"];',
            self._node(state, depth + 1),
            f"{pad}}}",
        ]

    def _cluster(self, task: _Cluster) -> list[_Task]:
        state, depth = task.state, task.depth
        pad = "    " * depth
        style = "rounded,dashed" if task.region else "rounded"
        look = {"label": state.name, "style": style}
        if state.description:
            look["tooltip"] = state.description
        if state.kind is StateKind.ERROR:
            look.update(color=_ERROR_COLOR, fontcolor=_ERROR_COLOR)
        point = {"shape": "point", "width": "0.15", "label": ""}
        if state.parallel:
            point.update(style="invis")
        tasks: list[_Task] = [
            f'{pad}subgraph "{self.clusters[state.name]}" {{',
            f"{pad}    graph{dot_attributes(look)};",
            f"{pad}    {self.anchors[state.name]}{dot_attributes(point)};",
        ]
        tasks.extend(self._block((state.name, -1), depth + 1))
        if state.parallel:
            for index in range(len(regions(self.spec, state))):
                tasks.extend(self._block((state.name, index), depth + 1, True))
        tasks.append(f"{pad}}}")
        return tasks

    def starts(self) -> list[str]:
        """The machine's start edge, then each compound state's."""
        first = top_initial(self.spec)
        lines = [self._line(self.start, first, None, {})]
        for state in self.spec.states:
            child = initial_child(self.spec, state.name) if state.children else None
            if child is not None:
                lines.append(
                    self._line(self.anchors[state.name], child, state.name, {})
                )
        return lines

    def edge_line(self, edge: Edge) -> str:
        """One edge: labelled, dashed when delayed, clipped at clusters."""
        attributes = {"label": edge.label} if edge.label else {}
        if edge.kind.delayed:
            attributes["style"] = "dashed"
        if edge.source is None:
            return self._line(dot_string(WILDCARD), edge.dest, None, attributes)
        tail, ltail = self._end(edge.source, edge.dest)
        if ltail is not None:
            attributes["ltail"] = ltail
        return self._line(tail, edge.dest, edge.source, attributes)

    def _line(
        self, tail: str, dest: str, source: str | None, attributes: dict[str, str]
    ) -> str:
        head, lhead = self._end(dest, source)
        if lhead is not None:
            attributes["lhead"] = lhead
        return f"    {tail} -> {head}{dot_attributes(attributes)};"

    def _end(self, name: str, other: str | None) -> tuple[str, str | None]:
        """The node an edge ends at for state ``name``, and the cluster that
        clips it (none when the edge's other end lies inside)."""
        if name not in self.anchors:
            return dot_id(name), None
        inside = other is not None and (
            other == name or self.spec.tree.is_descendant(other, name)
        )
        return self.anchors[name], None if inside else self.clusters[name]


def _look(state: State) -> dict[str, str]:
    attributes: dict[str, str] = {}
    if state.history is not None:
        tooltip = "\n".join(filter(None, (state.name, state.description)))
        return {
            "shape": "circle",
            "label": _HISTORY_LABELS[state.history],
            "tooltip": tooltip,
        }
    if state.description:
        attributes["tooltip"] = state.description
    if state.kind is StateKind.TERMINAL:
        attributes["peripheries"] = "2"
    if state.kind is StateKind.ERROR:
        attributes.update(
            color=_ERROR_COLOR,
            fontcolor=_ERROR_COLOR,
            style="rounded,filled",
            fillcolor=_ERROR_FILL,
        )
    return attributes
