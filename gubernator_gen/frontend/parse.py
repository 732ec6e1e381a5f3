"""Parsing prepared spec text into the positioned tree: one YAML document.

The parser is PyYAML's event stream (libyaml when available, else the pure
Python parser). This module runs it, hands node events to the
:class:`~gubernator_gen.frontend.assemble.TreeAssembler`, turns syntax
errors into located diagnostics (:mod:`gubernator_gen.frontend.syntax`),
checks where rewritten characters were
(:mod:`gubernator_gen.frontend.places`), and insists on exactly one
document whose root is a mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from gubernator_gen import collector
from gubernator_gen.diagnostics import SourcePos
from gubernator_gen.frontend import codes, syntax, yaml12
from gubernator_gen.frontend.assemble import TreeAssembler
from gubernator_gen.frontend.limits import LimitExceeded
from gubernator_gen.frontend.places import QuotedPlaces
from gubernator_gen.frontend.positions import Locator
from gubernator_gen.frontend.problems import Problems
from gubernator_gen.frontend.tree import MapNode, ScalarNode, SeqNode, quoted, shorten

#: The PyYAML loader class whose event stream is read: libyaml's when present.
Loader: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

# An escape of a UTF-16 surrogate: only a text holding one needs its
# scalars searched for lone surrogates.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one parse produced.

    ``root`` is ``None`` when there is no usable document (reported in
    ``problems``). ``misplaced_escape`` means a rewritten escape was outside
    a double-quoted scalar, so the text must be parsed again without
    rewriting the escapes other than ``escapes_in_place``.
    """

    root: MapNode | None
    problems: Problems
    misplaced_escape: bool = False
    escapes_in_place: frozenset[int] = frozenset()


class _Abort(Exception):
    """Stops parsing after a diagnostic that leaves no usable document."""


def parse(
    prepared: yaml12.Prepared, locator: Locator, *, path: str, is_json: bool
) -> Parsed:
    """Parse ``prepared.text``; positions are placed with ``locator``."""
    # The tree is acyclic and built in one go; collecting while millions
    # of fresh objects appear only costs time.
    with collector.paused():
        return _Parser(prepared, locator, path=path, is_json=is_json).run()


class _Parser:
    """One run of the event stream over one prepared text."""

    def __init__(
        self,
        prepared: yaml12.Prepared,
        locator: Locator,
        *,
        path: str,
        is_json: bool,
    ) -> None:
        self._prepared = prepared
        self._locator = locator
        self._path = path
        self._is_json = is_json
        self._problems = Problems()
        self._assembler = TreeAssembler(
            self._problems,
            restore=prepared.restore if prepared.table else None,
            surrogate_escapes=_SURROGATE_ESCAPE.search(prepared.text) is not None,
        )
        # Quoted scalars are recorded only when the rewriting left
        # characters whose place must be checked.
        needs_places = bool(prepared.quoted_only or prepared.escapes)
        self._places = (
            QuotedPlaces(prepared, locator, self._problems) if needs_places else None
        )
        self._complete = False  # the scanner reached the end of the text

    def run(self) -> Parsed:
        """Parse, then check the places of rewritten characters and the root."""
        try:
            documents = self._stream()
        except _Abort:
            self._check_places()
            return self._result(None)
        if self._check_places():
            return self._result(None)
        return self._result(self._root(documents))

    def _result(self, root: MapNode | None) -> Parsed:
        places = self._places
        if places is None:
            return Parsed(root, self._problems)
        return Parsed(
            root, self._problems, places.misplaced_escape, places.escapes_in_place
        )

    def _check_places(self) -> bool:
        return self._places is not None and self._places.check(complete=self._complete)

    def _root(self, documents: int) -> MapNode | None:
        """The root of the one document, if it is a mapping."""
        root = self._assembler.root
        if root is None or (isinstance(root, ScalarNode) and root.value is None):
            if documents <= 1 and not self._problems.diagnostics:
                self._problems.error(
                    codes.EMPTY_DOCUMENT,
                    "the spec is empty; it needs at least 'states' and 'transitions'",
                    SourcePos(self._path, 1, 1) if root is None else root.pos,
                )
            return None
        if isinstance(root, MapNode):
            return root
        if isinstance(root, SeqNode):
            what = "a list"
        elif root.value is None:
            what = "an empty value"
        elif isinstance(root.value, str):
            what = f"the string {quoted(root.value, 40)}"
        else:
            what = f"the value {quoted(root.value, 40)}"
        self._problems.error(
            codes.ROOT_NOT_MAPPING,
            f"the spec must be a mapping of top-level keys (states, transitions, "
            f"...), not {what}",
            root.pos,
        )
        return None

    def _stream(self) -> int:
        """Build from the event stream; the number of documents seen."""
        documents = 0
        loader = Loader(self._prepared.text)
        # This loop runs once per event of files up to tens of megabytes, so
        # it keeps lookups local and dispatches on the exact event type.
        get_event = loader.get_event
        mark = self._locator.mark
        assembler = self._assembler
        budget = assembler.budget
        places = self._places
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        try:
            while True:
                event = get_event()
                if event is None:
                    self._complete = True
                    return documents
                kind = type(event)
                if kind is scalar_event:
                    pos = mark(event.start_mark)
                    budget.node(pos)
                    assembler.scalar(event, pos)
                    if places is not None:
                        places.note(event)
                elif kind in starts:
                    pos = mark(event.start_mark)
                    budget.node(pos)
                    assembler.open(event, pos)
                elif kind in ends:
                    assembler.close()
                elif kind is alias_event:
                    pos = mark(event.start_mark)
                    budget.node(pos)
                    assembler.alias(event, pos)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self._problems.error(
                            codes.SEVERAL_DOCUMENTS,
                            "a spec file holds exactly one YAML document; "
                            "this is a second one",
                            mark(event.start_mark),
                        )
                        return documents
        except LimitExceeded as exc:
            self._problems.add(exc.diagnostic)
            raise _Abort from None
        except yaml.MarkedYAMLError as exc:
            self._syntax_error(exc)
            raise _Abort from None
        except yaml.YAMLError as exc:
            message = f"invalid YAML: {shorten(str(exc), 200)}"
            self._problems.error(
                codes.YAML_SYNTAX, message, SourcePos(self._path, 1, 1)
            )
            raise _Abort from None
        finally:
            loader.dispose()

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and mark.index in self._prepared.quoted_only:
            # The scanner stopped at a control character outside quotes
            # (which it took for a letter): that character is the problem.
            assert self._places is not None  # quoted_only makes places
            self._places.misplaced_character(mark.index)
            return
        self._problems.add(
            syntax.explain(
                exc,
                prepared=self._prepared,
                locator=self._locator,
                path=self._path,
                is_json=self._is_json,
            )
        )
