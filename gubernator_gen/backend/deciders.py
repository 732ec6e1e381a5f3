"""The decider factories: one small function per guarded cell shape.

For a shape such as "two guards, then one" the module defines::

    def _decide_2_1(cell, guard_0, guard_1, guard_2):
        ...
        def decide(context):
            ...
        return decide

The runtime calls the factory once per machine instance and cell, with the
cell (its prebuilt results and refusals, and how to report a raising guard)
and the cell's guards in call order; ``process`` then calls ``decide``. All
of it is plain closures: no keyword-only defaults (they leave CPython's fast
call path), no ``exec``, no lookups by name while deciding.

A guard's answer is tested as ``ok is True`` first: a guard returning a real
bool costs no call. Anything else goes through ``truth`` (the runtime's
``guard_truth``), which refuses an awaitable (an async guard binding could
not recognise) instead of reading its coroutine as "yes". ``step`` numbers
the guard being asked, so a raising guard is reported by name, and a refused
cell returns the refusal of the last candidate's refusing guard.

Each :class:`~gubernator_gen.backend.decisions.GuardForm` and
:class:`~gubernator_gen.backend.decisions.ResultForm` is written by one
function here (:func:`_test` and :func:`_result`): the seam where negated
guards, fixed keyword parameters, compiled expressions and computed results
will be added.
"""

from __future__ import annotations

from gubernator_gen.backend import naming
from gubernator_gen.backend.decisions import CellShape, GuardForm, ResultForm
from gubernator_gen.backend.emit import Atom, Block, Call

#: Every name bound inside a decider factory besides ``guard_<n>``,
#: ``result_<n>`` (all local: they never meet the module's names).
LOCAL_NAMES = frozenset(
    {
        "cell",
        "empty",
        "truth",
        "refused",
        "decide",
        "context",
        "ctx",
        "step",
        "ok",
        "exc",
    }
)


def _test(form: GuardForm, index: int) -> str:
    """The condition that guard number ``index`` passes."""
    if form is GuardForm.CALL:
        return f"(ok := guard_{index}(ctx)) is True or (ok is not False and truth(ok))"
    raise AssertionError(f"unknown guard form {form}")  # pragma: no cover


def _result(form: ResultForm, index: int) -> str:
    """The expression of candidate number ``index``'s result."""
    if form is ResultForm.PREBUILT:
        return f"result_{index}"
    raise AssertionError(f"unknown result form {form}")  # pragma: no cover


def _names(prefix: str, count: int) -> str:
    """``a_0, a_1`` — or ``(a_0,)`` for one, so it unpacks a 1-tuple."""
    names = ", ".join(f"{prefix}_{i}" for i in range(count))
    return f"({names},)" if count == 1 else names


def decider_factory(shape: CellShape) -> str:
    """The source of the decider factory for cells of ``shape``."""
    candidates = shape.candidates
    total = shape.guard_count
    last_guards = len(candidates[-1].guards)
    first_of_last = total - last_guards
    tracked = total > 1
    out = Block()
    params = (
        (None, Atom("cell: _runtime.Guarded")),
        *((None, Atom(f"guard_{i}: _runtime.GuardCallable")) for i in range(total)),
    )
    # A signature is laid out as black lays out a call.
    out.statement(Call(f"def {shape.name}", params), tail=" -> _runtime.Decider:")
    with out.nested():
        counts = ", then ".join(str(len(c.guards)) for c in candidates)
        out.line(f'"""Decides the cells whose candidates need {counts} guard(s)."""')
        out.line("empty, truth = _runtime.EMPTY_CONTEXT, _runtime.guard_truth")
        out.line(f"{_names('result', len(candidates))} = cell.results")
        if last_guards:
            out.line("refused = cell.refusals")
        out.line()
        out.line(
            f"def decide(ctx: object) -> _runtime.TransitionResult[{naming.STATE}]:"
        )
        with out.nested():
            out.line("if ctx is None:")
            with out.nested():
                out.line("ctx = empty")
            if tracked:
                out.line("step = 0")
            out.line("try:")
            with out.nested():
                _candidates(out, shape, tracked)
            out.line("except Exception as exc:")
            with out.nested():
                step = "step" if tracked else "0"
                out.line(f"raise cell.guard_error({step}, exc) from exc")
            if last_guards:
                index = "step" if tracked else "0"
                offset = f" - {first_of_last}" if first_of_last else ""
                out.line(f"return refused[{index}{offset}]")
        out.line()
        out.line("return decide")
    return out.text


def _candidates(out: Block, shape: CellShape, tracked: bool) -> None:
    """The body of ``try``: each candidate's test and result, in order."""
    index = 0
    for number, candidate in enumerate(shape.candidates):
        result = _result(candidate.result, number)
        if not candidate.guards:
            out.line(f"return {result}")  # unguarded: the last candidate
            return
        if tracked and index:
            out.line(f"step = {index}")
        tests = []
        for offset, form in enumerate(candidate.guards):
            if offset:
                tests.append(f"(step := {index + offset})")
            tests.append(f"({_test(form, index + offset)})")
        index += len(candidate.guards)
        if len(tests) == 1:
            out.line(f"if {tests[0][1:-1]}:")
        else:
            out.line("if (")
            with out.nested():
                out.line(tests[0])
                out.lines(f"and {test}" for test in tests[1:])
            out.line("):")
        with out.nested():
            out.line(f"return {result}")
