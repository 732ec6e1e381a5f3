"""Structural checks of the diagrams: what a reader of the syntax would see.

:func:`read_mermaid` parses the Mermaid text the way Mermaid's state-diagram
lexer splits it (one statement per line, ``{``/``}`` blocks, ``--``
separators, labels after `` : ``) and refuses any line that is not one of
the statements ``graph`` writes, so hostile text that broke out of its
place would fail here. :func:`dot_problems` asks Graphviz itself (when
installed) and reads back which clusters hold each node.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

import pytest

#: Mermaid's lexer stops a label or description at these (after entity
#: codes are swapped out) and reads braces as blocks.
_LABEL_BREAKERS = re.compile(r"[:;\n%#{}\"]")
_ENTITY = re.compile(r"#\d+;")
# Mermaid's ".*direction\s+TB" and "as " match across a line break.
_RISKY_START = re.compile(r"(?i)(tb|bt|rl|lr|as\s)")

_OPEN_ALIAS = re.compile(r'state "([^"]*)" as (\w+) \{\Z')
_OPEN = re.compile(r"state (\w+) \{\Z")
_ALIAS = re.compile(r'state "([^"]*)" as (\w+)\Z')
_BARE = re.compile(r"(\w+)\Z")
_DESCRIPTION = re.compile(r"(\w+) : (.+)\Z")
_EDGE = re.compile(r"(\[\*\]|\w+) --> (\[\*\]|\w+)(?: : (.+))?\Z")
_CLASS_DEF = re.compile(r"classDef \w+ [\w:#,.\- ]+\Z")
_CLASS = re.compile(r"class ([\w,]+) \w+\Z")


@dataclass
class MermaidBlock:
    """One ``{ ... }`` block: its id, its areas (split by ``--``)."""

    state_id: str | None
    areas: int = 1
    starts: list[str] = field(default_factory=list)
    ends: list[str] = field(default_factory=list)


#: Where a statement stands: (block id, area) pairs, outermost first.
Place = tuple[tuple[str, int], ...]


@dataclass
class MermaidShape:
    """What a Mermaid diagram declares, and where."""

    #: id -> the blocks around its declaration, outermost first, each as
    #: (block id, area): the area counts the ``--`` before it in that block.
    declared: dict[str, Place] = field(default_factory=dict)
    #: id -> the label it is shown with (the alias text, or the id).
    labels: dict[str, str] = field(default_factory=dict)
    #: (source, dest, label or None, where the edge is written)
    edges: list[tuple[str, str, str | None, Place]] = field(default_factory=list)
    blocks: dict[str | None, MermaidBlock] = field(default_factory=dict)
    classes: list[tuple[str, ...]] = field(default_factory=list)


def plain_label(text: str) -> str:
    """``text`` as Mermaid's lexer sees it: entity codes are swapped out first."""
    return _ENTITY.sub("", text)


def read_mermaid(text: str) -> MermaidShape:
    """Parse ``text``; ``AssertionError`` naming the line at the first fault."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert lines[0] == "stateDiagram-v2"
    assert lines[1].startswith("    %% ")
    assert not re.search(r"[\n%#]", plain_label(lines[1][7:]))
    shape = MermaidShape()
    shape.blocks[None] = MermaidBlock(None)
    stack: list[str | None] = [None]
    for number, line in enumerate(lines[2:], start=3):
        where = f"line {number}: {line!r}"
        depth = len(stack)
        if line.strip() == "}":
            assert depth > 1 and line == "    " * (depth - 1) + "}", where
            stack.pop()
            continue
        statement = line.removeprefix("    " * depth)
        assert line == "    " * depth + statement, where
        assert statement and not statement[0].isspace(), where
        assert not _RISKY_START.match(statement), where
        _statement(shape, stack, statement, where)
    assert stack == [None], "unclosed block"
    for source, dest, _label, _at in shape.edges:
        for end in (source, dest):
            assert end == "[*]" or end in shape.declared, f"undeclared {end}"
    for ids in shape.classes:
        assert all(state_id in shape.declared for state_id in ids), ids
    return shape


def _statement(
    shape: MermaidShape, stack: list[str | None], statement: str, where: str
) -> None:
    path = tuple((s, shape.blocks[s].areas - 1) for s in stack if s is not None)
    block = shape.blocks[stack[-1]]
    opened = _OPEN_ALIAS.match(statement) or _OPEN.match(statement)
    declared = _ALIAS.match(statement) or _BARE.match(statement)
    if opened or declared:
        match = opened or declared
        assert match is not None
        label, state_id = match.group(1), match.groups()[-1]
        assert state_id not in shape.declared, f"{where}: declared twice"
        assert not _LABEL_BREAKERS.search(plain_label(label)), where
        shape.declared[state_id] = path
        shape.labels[state_id] = label
        if opened:
            shape.blocks[state_id] = MermaidBlock(state_id)
            stack.append(state_id)
    elif statement == "--":
        assert len(stack) > 1, f"{where}: a separator outside any block"
        block.areas += 1
    elif edge := _EDGE.match(statement):
        source, dest, label = edge.groups()
        if label is not None:
            assert not _LABEL_BREAKERS.search(plain_label(label)), where
        # Mermaid moves a state named by an edge into the block area the
        # edge is written in, except at the top level: an edge inside a
        # block must name states declared right there.
        for end in (source, dest):
            assert not path or end == "[*]" or shape.declared.get(end) == path, where
        if source == "[*]":
            block.starts.append(dest)
        elif dest == "[*]":
            block.ends.append(source)
        else:
            shape.edges.append((source, dest, label, path))
    elif description := _DESCRIPTION.match(statement):
        # "ID : text" declares ID too (a plain state with a description).
        state_id = description.group(1)
        assert state_id not in shape.blocks, f"{where}: a box takes no description"
        assert shape.declared.setdefault(state_id, path) == path, where
        shape.labels.setdefault(state_id, state_id)
        assert not _LABEL_BREAKERS.search(plain_label(description.group(2))), where
    elif _CLASS_DEF.match(statement):
        assert len(stack) == 1, where
    elif classes := _CLASS.match(statement):
        assert len(stack) == 1, where
        shape.classes.append(tuple(classes.group(1).split(",")))
    else:
        raise AssertionError(f"{where}: not a statement graph writes")


#: Set to 1 (as CI does) to fail, not skip, the tests that need Graphviz.
REQUIRED_VARIABLE = "GUBERNATOR_GRAPHVIZ_REQUIRED"


def has_graphviz() -> bool:
    """True when Graphviz's ``dot`` is on the path."""
    return shutil.which("dot") is not None


#: Marks a test that runs Graphviz: skipped without it, unless required.
needs_graphviz = pytest.mark.skipif(
    not has_graphviz() and os.environ.get(REQUIRED_VARIABLE) != "1",
    reason="Graphviz's dot is not installed (apt-get install graphviz)",
)


def _dot(*arguments: str, text: str) -> subprocess.CompletedProcess[bytes]:
    if not has_graphviz():
        pytest.fail(f"{REQUIRED_VARIABLE}=1 but Graphviz's dot is not installed")
    return subprocess.run(
        ["dot", *arguments], input=text.encode(), capture_output=True, check=False
    )


# Graphviz 2.43 sometimes says this while routing splines around clusters
# with edges clipped at a cluster's border; it still draws every edge.
_LAYOUT_NOTES = re.compile(r"Warning: Unable to reclaim box space in spline routing ")


def dot_problems(text: str) -> list[str]:
    """What ``dot -Tsvg`` said on standard error (nothing when it drew
    quietly), known layout notes left out; ``AssertionError`` when it failed."""
    run = _dot("-Tsvg", text=text)
    said = run.stderr.decode(errors="replace")
    assert run.returncode == 0, said
    assert run.stdout.rstrip().endswith(b"</svg>")
    return [line for line in said.splitlines() if not _LAYOUT_NOTES.match(line)]


def dot_clusters(text: str) -> dict[str, set[str]]:
    """Each node, as its quoted id is written in ``text`` -> the clusters that
    Graphviz put it in.

    Graphviz's JSON output mangles names holding ``%``, so nodes are matched
    by creation order (their ``_gvid``): the order of the node statements,
    since ``graph`` declares every node before any edge.
    """
    run = _dot("-Tjson0", text=text)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    drawing = json.loads(run.stdout)
    objects = drawing["objects"]
    count = drawing["_subgraph_cnt"]  # subgraphs come first, then the nodes
    written = [
        match.group(1)
        for line in text.split("\n")
        if (match := _NODE_STATEMENT.match(line))
    ]
    assert len(written) == len(objects) - count
    # "_gvid" is the position among all objects, subgraphs first.
    by_id = {o["_gvid"]: written[o["_gvid"] - count] for o in objects[count:]}
    found: dict[str, set[str]] = {name: set() for name in written}
    for cluster in objects[:count]:
        for node in cluster.get("nodes", ()):
            found[by_id[node]].add(cluster["name"])
    return found


# A node statement: a quoted id, attributes perhaps, no edge.
_NODE_STATEMENT = re.compile(r'\s*("(?:[^"\\]|\\.)*")(?: \[.*\])?;\Z')
