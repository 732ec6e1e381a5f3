"""Build :class:`MachineSpec` models directly, without the front end.

The back end's tests describe machines in compact Python and get the same
immutable model the front end would build, so they do not depend on YAML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.model import (
    ContextField,
    ContextType,
    ErrorPolicy,
    MachineSpec,
    PlainData,
    State,
    StateKind,
    Timeout,
    Transition,
    freeze,
    simple_type,
)


def pos(line: int = 1, column: int = 1, path: str = "spec.yaml") -> SourcePos:
    """A source position in the (imaginary) spec file."""
    return SourcePos(path, line, column)


@dataclass(frozen=True)
class S:
    """A state in compact form; ``timeout`` is ``(seconds, destination)``."""

    name: str
    kind: str = "stable"
    description: str = ""
    on_enter: Sequence[str] = ()
    on_exit: Sequence[str] = ()
    timeout: tuple[float, str] | None = None
    metadata: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class T:
    """A transition in compact form; ``sources`` may be one name."""

    trigger: str
    sources: str | Sequence[str]
    dest: str
    guards: Sequence[str] = ()
    actions: Sequence[str] = ()
    description: str = ""
    metadata: Mapping[str, object] = field(default_factory=dict)


def _metadata(value: Mapping[str, object]) -> Mapping[str, PlainData]:
    frozen = freeze(dict(value))
    assert isinstance(frozen, Mapping)
    return frozen


def machine(
    states: Sequence[S],
    transitions: Sequence[T] = (),
    *,
    name: str = "test_machine",
    source_name: str = "test_fsm.yaml",
    version: str = "1.0.0",
    strict_mode: bool = True,
    description: str = "",
    class_name: str | None = None,
    context: Mapping[str, str] | None = None,
    default_fallback: str | None = None,
    retry_attempts: int = 0,
) -> MachineSpec:
    """A :class:`MachineSpec`; ``context`` maps field names to ``"int"``,
    ``"str?"`` and so on, as in a spec file."""
    built_states = tuple(
        State(
            name=s.name,
            kind=StateKind(s.kind),
            description=s.description,
            on_enter=tuple(s.on_enter),
            on_exit=tuple(s.on_exit),
            timeout=(
                None
                if s.timeout is None
                else Timeout(s.timeout[0], s.timeout[1], pos(10 + i, 5))
            ),
            metadata=_metadata(s.metadata),
            pos=pos(10 + i, 3),
        )
        for i, s in enumerate(states)
    )
    built_transitions = tuple(
        Transition(
            index=i,
            trigger=t.trigger,
            sources=(t.sources,) if isinstance(t.sources, str) else tuple(t.sources),
            dest=t.dest,
            guards=tuple(t.guards),
            actions=tuple(t.actions),
            description=t.description,
            metadata=_metadata(t.metadata),
            pos=pos(1000 + i, 3),
        )
        for i, t in enumerate(transitions)
    )
    fields = None
    if context is not None:
        fields = tuple(
            ContextField(
                name=key,
                type=simple_type(ContextType(kind.rstrip("?"))),
                optional=kind.endswith("?"),
                pos=pos(5, 3),
            )
            for key, kind in context.items()
        )
    digest = hashlib.sha256(repr((name, states, transitions)).encode()).hexdigest()
    return MachineSpec(
        source_name=source_name,
        name=name,
        version=version,
        strict_mode=strict_mode,
        description=description,
        class_name=class_name,
        context=fields,
        states=built_states,
        transitions=built_transitions,
        error_policy=ErrorPolicy(default_fallback, retry_attempts),
        spec_sha256=digest,
        pos=pos(1, 1),
        name_pos=pos(3, 17),
    )


HOSTILE_TEXT = (
    "q\"uo'te \"\"\" triple ''' \\ back\\ {{ x }} {% y %} {# z #} nl\n"
    'NUL\x00 cr\r tab\t ру́сский 中文 🙂 \u202e bidi \u2028 end"'  # noqa: RUF001 - non-Latin text on purpose
)


def hostile_spec() -> MachineSpec:
    """Hostile but valid names and text everywhere they can go."""
    return machine(
        [
            S(
                "NO",
                "initial",
                HOSTILE_TEXT,
                on_enter=["Context", "bool"],
                on_exit=["object", "_Context"],
                timeout=(float("inf"), "TRUE"),
                metadata={
                    "text": HOSTILE_TEXT,
                    "list": [1, 2.5, None, True, {"inf": float("-inf")}],
                    HOSTILE_TEXT: 2**200,
                },
            ),
            S("TRUE", description='"""'),
            S("NONE", "terminal", description="\\"),
            S("NAME"),
            S("VALUE"),
            S("MRO", "error"),
        ],
        [
            T(
                "import",
                "NO",
                "TRUE",
                ["match", "case", "type", "_", "self", "ctx", "Context", "bool"],
                ["match", "self"],
                HOSTILE_TEXT,
                {"nested": {"deeper": [HOSTILE_TEXT]}},
            ),
            T("class_", ["TRUE", "NAME", "VALUE"], "NONE", ["object", "Mapping"]),
            T("on", "NO", "NO", description="self-transition"),
            T("on", "MRO", "NAME"),
        ],
        name="state_info",
        description=HOSTILE_TEXT,
        context={"class": "int", "str": "str?", "Context": "any", HOSTILE_TEXT: "date"},
        source_name='we"ird {name}\n.yaml',
        strict_mode=False,
        default_fallback="MRO",
    )


def feature_rich_spec() -> MachineSpec:
    """Every kind of context type, timeouts, metadata and shadowed annotations."""
    return machine(
        [
            S("A", "initial", timeout=(5, "B"), metadata={"x": [1, {"y": 2.5}]}),
            S("B", on_enter=["object"]),
            S("END", "terminal"),
        ],
        [T("go", ["A", "B"], "END", guards=["bool", "Context"], actions=["act"])],
        context={
            "d": "decimal",
            "t": "datetime?",
            "day": "date",
            "l": "list",
            "m": "dict",
            "a": "any",
        },
    )
