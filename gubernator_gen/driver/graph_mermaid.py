"""The Mermaid ``stateDiagram-v2`` of a machine (see :mod:`graph`).

A compound state is a ``state ID { ... }`` block (``state "name" as ID {``
under an alias) with its own start point ``[*] --> initial child`` and end
point for its final children; a parallel state's regions are separated by
``--`` inside its block. A history state is a node labelled ``H`` (shallow)
or ``H*`` (deep) with an unlabelled edge to its default. The blocks are
written with an explicit stack, so any depth of nesting is fine.
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
)
from gubernator_gen.driver.graph_text import (
    fresh,
    mermaid_ids,
    mermaid_text,
    text_lines,
)
from gubernator_gen.model import HistoryDepth, MachineSpec, StateKind

_ERROR_COLOR = "#b91c1c"
_ERROR_FILL = "#fde8e8"
_ERROR_TEXT = "#7f1d1d"
_HISTORY_LABELS = {HistoryDepth.SHALLOW: "H", HistoryDepth.DEEP: "H*"}


@dataclass(frozen=True, slots=True)
class _Open:
    """A task on the writer's stack: write ``block``'s content at ``depth``."""

    block: Block
    depth: int


@dataclass(frozen=True, slots=True)
class _Declare:
    """A task on the writer's stack: declare state ``name`` at ``depth``."""

    name: str
    depth: int


_Task = str | _Open | _Declare


def to_mermaid(spec: MachineSpec) -> str:
    """A Mermaid ``stateDiagram-v2`` of ``spec``."""
    writer = _Writer(spec)
    lines = ["stateDiagram-v2", f"    %% {mermaid_text(spec.name)} {spec.version}"]
    lines.extend(writer.write())
    lines.extend(writer.classes())
    return "\n".join(lines) + "\n"


class _Writer:
    """Writes the blocks of one spec, outermost first, in document order."""

    def __init__(self, spec: MachineSpec) -> None:
        self.spec = spec
        self.ids = mermaid_ids(spec)
        self.nesting = Nesting(spec)
        self.wildcard_id = fresh("any_state", set(self.ids.values()))
        self.has_wildcard = any(t.wildcard for t in spec.transitions)
        self.placed: dict[Block, list[Edge]] = {}
        for edge in edges(spec):
            self.placed.setdefault(self.nesting.edge_block(edge), []).append(edge)

    def write(self) -> list[str]:
        """Every line between the header and the class statements."""
        lines: list[str] = []
        tasks: list[_Task] = [_Open(ROOT, 1)]
        while tasks:
            task = tasks.pop()
            if isinstance(task, str):
                lines.append(task)
            elif isinstance(task, _Open):
                tasks.extend(reversed(self._content(task.block, task.depth)))
            else:
                tasks.extend(reversed(self._declaration(task.name, task.depth)))
        return lines

    def _content(self, block: Block, depth: int) -> list[_Task]:
        """A block's declarations, start point, edges and end points."""
        pad = "    " * depth
        owner, region = block
        tasks: list[_Task] = [_Declare(m, depth) for m in self.nesting.members(block)]
        if block == ROOT and self.has_wildcard:
            tasks.append(f'{pad}state "{mermaid_text(WILDCARD)}" as {self.wildcard_id}')
        if region < 0:
            first = initial_child(self.spec, owner)
            if first is not None:
                tasks.append(f"{pad}[*] --> {self.ids[first]}")
        tasks.extend(self._edge_line(edge, pad) for edge in self.placed.get(block, ()))
        tasks.extend(
            f"{pad}{self.ids[m]} --> [*]"
            for m in self.nesting.members(block)
            if self.spec.state(m).kind is StateKind.TERMINAL
        )
        return tasks

    def _edge_line(self, edge: Edge, pad: str) -> str:
        source = self.wildcard_id if edge.source is None else self.ids[edge.source]
        line = f"{pad}{source} --> {self.ids[edge.dest]}"
        return f"{line} : {mermaid_text(edge.label)}" if edge.label else line

    def _declaration(self, name: str, depth: int) -> list[_Task]:
        """One state: its line (or block) and its description lines.

        A box takes no description: Mermaid refuses one after an alias and
        shows one in place of the name otherwise.
        """
        pad = "    " * depth
        state = self.spec.state(name)
        state_id = self.ids[name]
        if is_container(state):
            alias = f'"{mermaid_text(name)}" as ' if state_id != name else ""
            body = (
                self._regions(name, depth + 1)
                if state.parallel
                else [_Open((name, -1), depth + 1)]
            )
            return [f"{pad}state {alias}{state_id} {{", *body, f"{pad}}}"]
        tasks: list[_Task] = []
        if state.history is not None:
            label = _HISTORY_LABELS[state.history]
            tasks.append(f'{pad}state "{label}" as {state_id}')
        elif state_id != name:
            tasks.append(f'{pad}state "{mermaid_text(name)}" as {state_id}')
        elif not state.description.strip():
            tasks.append(f"{pad}{state_id}")
        # Declaring each state first keeps Mermaid's layout in spec order.
        tasks.extend(
            f"{pad}{state_id} : {mermaid_text(line)}"
            for line in text_lines(state.description)
        )
        return tasks

    def _regions(self, name: str, depth: int) -> list[_Task]:
        """A parallel state's body: its own content, then each region's,
        separated by ``--``."""
        tasks: list[_Task] = [_Open((name, -1), depth)]
        for index in range(len(regions(self.spec, self.spec.state(name)))):
            if index:
                tasks.append("    " * depth + "--")
            tasks.append(_Open((name, index), depth))
        return tasks

    def classes(self) -> list[str]:
        """Error states in red, timed states dashed, the wildcard dotted."""
        states = self.spec.states
        lines = []
        error_ids = [self.ids[s.name] for s in states if s.kind is StateKind.ERROR]
        timed_ids = [
            self.ids[s.name] for s in states if s.timeout is not None or s.after
        ]
        if error_ids:
            lines.append(
                f"    classDef errorState fill:{_ERROR_FILL},stroke:{_ERROR_COLOR},"
                f"color:{_ERROR_TEXT}"
            )
            lines.append(f"    class {','.join(error_ids)} errorState")
        if timed_ids:
            lines.append("    classDef timed stroke-dasharray:5 5")
            lines.append(f"    class {','.join(timed_ids)} timed")
        if self.has_wildcard:
            lines.append("    classDef wildcard fill:none,stroke-dasharray:2 2")
            lines.append(f"    class {self.wildcard_id} wildcard")
        return lines
