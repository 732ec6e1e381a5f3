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
function here (:func:`_test` and :func:`_result`):

* a plain call: ``(ok := guard_0(ctx)) is True or (...)``;
* a negated guard (``{not: g}``) passes on ``False``:
  ``(ok := guard_0(ctx)) is False or (ok is not True and not truth(ok))``;
* a guard with parameters gets them as keyword arguments, their values
  read from the cell once, when the decider is made:
  ``guard_0(ctx, limit=arg_0_0)``;
* a compiled guard expression is a module-level function that returns a
  real ``bool``: ``guard_0(ctx)`` is the test itself;
* a result with ``assign`` is ``updated(result_0, effect_0, ctx)``, the
  runtime's ``with_updates``, once the guards passed; an ``AssignError``
  it raises is not a guard's error and passes through.

No wrapper is put around any guard: each form is its own call in the
decider.
"""

from __future__ import annotations

from gubernator_gen.backend import naming
from gubernator_gen.backend.decisions import (
    CellShape,
    GuardCall,
    GuardForm,
    ResultForm,
)
from gubernator_gen.backend.emit import Atom, Block, Call, TupleOf, fits

#: Every name bound inside a decider factory besides ``guard_<n>``,
#: ``result_<n>``, ``effect_<n>`` and ``arg_<n>_<k>`` (all local: they never
#: meet the module's names).
LOCAL_NAMES = frozenset(
    {
        "cell",
        "empty",
        "truth",
        "updated",
        "refused",
        "decide",
        "context",
        "ctx",
        "step",
        "ok",
        "exc",
    }
)


def _test(call: GuardCall, index: int) -> str:
    """The condition that guard number ``index`` passes."""
    form = call.form
    if form is GuardForm.EXPRESSION:
        return f"guard_{index}(ctx)"
    arguments = "".join(
        f", {keyword}=arg_{index}_{number}"
        for number, keyword in enumerate(call.keywords)
    )
    answer = f"(ok := guard_{index}(ctx{arguments}))"
    if form is GuardForm.NEGATED:
        return f"{answer} is False or (ok is not True and not truth(ok))"
    if form in (GuardForm.CALL, GuardForm.KEYWORDS):
        return f"{answer} is True or (ok is not False and truth(ok))"
    raise AssertionError(f"unknown guard form {form}")  # pragma: no cover


def _result(form: ResultForm, index: int) -> str:
    """The expression of candidate number ``index``'s result."""
    if form is ResultForm.PREBUILT:
        return f"result_{index}"
    if form is ResultForm.COMPUTED:
        return f"updated(result_{index}, effect_{index}, ctx)"
    raise AssertionError(f"unknown result form {form}")  # pragma: no cover


def _callable_type(call: GuardCall) -> str:
    """The runtime's type of what is called for a guard."""
    return "KeywordGuardCallable" if call.keywords else "GuardCallable"


def _unpack(prefix: str, used: list[bool], source: str) -> str:
    """``a_0, _ = source``: the used items of a tuple, the others ignored."""
    names = [f"{prefix}_{i}" if wanted else "_" for i, wanted in enumerate(used)]
    if len(names) == 1:
        return f"({names[0]},) = {source}"
    return f"{', '.join(names)} = {source}"


def _names(prefix: str, count: int) -> str:
    """``a_0, a_1`` — or ``(a_0,)`` for one, so it unpacks a 1-tuple."""
    names = ", ".join(f"{prefix}_{i}" for i in range(count))
    return f"({names},)" if count == 1 else names


def decider_factory(shape: CellShape, name: str | None = None) -> str:
    """The source of the decider factory for cells of ``shape``.

    ``name`` is the factory's name (:func:`~gubernator_gen.backend.decisions.
    shape_names`); it defaults to the shape's own.
    """
    candidates = shape.candidates
    total = shape.guard_count
    out = Block()
    calls = [call for candidate in candidates for call in candidate.guards]
    params = (
        (None, Atom("cell: _runtime.Guarded")),
        *(
            (None, Atom(f"guard_{i}: _runtime.{_callable_type(call)}"))
            for i, call in enumerate(calls)
        ),
    )
    # A signature is laid out as black lays out a call.
    out.statement(
        Call(f"def {name or shape.name}", params), tail=" -> _runtime.Decider:"
    )
    with out.nested():
        _docstring(out, _summary(shape))
        _prologue(out, shape)
        out.line()
        out.line(
            f"def decide(ctx: object) -> _runtime.TransitionResult[{naming.STATE}]:"
        )
        with out.nested():
            out.line("if ctx is None:")
            with out.nested():
                out.line("ctx = empty")
            if total:
                _guarded_body(out, shape)
            else:  # one unguarded candidate whose result is computed
                out.line(f"return {_result(candidates[0].result, 0)}")
        out.line()
        out.line("return decide")
    return out.text


def _summary(shape: CellShape) -> str:
    counts = ", then ".join(str(len(c.guards)) for c in shape.candidates)
    text = f"Decides the cells whose candidates need {counts} guard(s)"
    forms = {call.form for c in shape.candidates for call in c.guards}
    kinds = [
        what
        for form, what in (
            (GuardForm.NEGATED, "negated"),
            (GuardForm.KEYWORDS, "given parameters"),
            (GuardForm.EXPRESSION, "compiled"),
        )
        if form in forms
    ]
    details = []
    if kinds:
        details.append(f"Guards {', '.join(kinds)}.")
    if shape.computes:
        details.append("Results with assign updates.")
    if details:
        return f"{text}.\n\n" + " ".join(details)
    return text + "."


def _docstring(out: Block, text: str) -> None:
    """``text`` as a docstring at the block's depth, laid out as black does."""
    first, *rest = text.split("\n")
    if not rest:
        out.line(f'"""{first}"""')
        return
    out.line(f'"""{first}')
    out.lines(rest)
    out.line('"""')


def _prologue(out: Block, shape: CellShape) -> None:
    """What the factory reads from the cell once, before deciding."""
    candidates = shape.candidates
    names = ["empty"]
    values = ["_runtime.EMPTY_CONTEXT"]
    calls = [call for c in candidates for call in c.guards]
    if any(call.form is not GuardForm.EXPRESSION for call in calls):
        names.append("truth")
        values.append("_runtime.guard_truth")
    if shape.computes:
        names.append("updated")
        values.append("_runtime.with_updates")
    line = f"{', '.join(names)} = {', '.join(values)}"
    if fits(line, out.depth):
        out.line(line)
    else:  # black wraps the right-hand side in parentheses and splits it
        out.statement(
            TupleOf(tuple(Atom(value) for value in values)),
            lead=f"{', '.join(names)} = ",
        )
    out.line(f"{_names('result', len(candidates))} = cell.results")
    for number, candidate in enumerate(candidates):
        if candidate.result is ResultForm.COMPUTED:
            out.line(f"effect_{number} = cell.effect({number})")
    for index, call in enumerate(calls):
        if call.keywords:
            out.line(
                _unpack(
                    f"arg_{index}",
                    [True] * len(call.keywords),
                    f"cell.arguments[{index}]",
                )
            )
    if candidates[-1].guards:
        out.line("refused = cell.refusals")


def _guarded_body(out: Block, shape: CellShape) -> None:
    """The guards' ``try``, and the refusal when every candidate refused."""
    candidates = shape.candidates
    total = shape.guard_count
    last_guards = len(candidates[-1].guards)
    first_of_last = total - last_guards
    tracked = total > 1
    if tracked:
        out.line("step = 0")
    out.line("try:")
    with out.nested():
        _candidates(out, shape, tracked)
    if shape.computes:
        out.line("except _runtime.AssignError:")
        with out.nested():
            out.line("raise  # the guards passed: not a guard's error")
    out.line("except Exception as exc:")
    with out.nested():
        step = "step" if tracked else "0"
        out.line(f"raise cell.guard_error({step}, exc) from exc")
    if last_guards:
        index = "step" if tracked else "0"
        offset = f" - {first_of_last}" if first_of_last else ""
        out.line(f"return refused[{index}{offset}]")


def _single_test(out: Block, test: str) -> None:
    """``if test:``; too long, split as black splits it: at the bracket of
    the truth test's last part."""
    line = f"if {test}:"
    head, bracket, inner = test.rpartition(" or (")
    if fits(line, out.depth) or not bracket:
        out.line(line)
        return
    out.line(f"if {head} or (")
    with out.nested():
        out.line(inner[:-1])
    out.line("):")


def _joined_tests(out: Block, tests: list[str], index: int) -> None:
    """``if a and (step := n) and b:``, on one line when it fits, else one
    operand per line inside parentheses (black's layout either way)."""
    operands = [tests[0]]
    for offset, test in enumerate(tests[1:], start=1):
        operands.append(f"(step := {index + offset})")
        operands.append(test)
    line = "if " + " and ".join(f"({o})" if " or " in o else o for o in operands)
    if fits(line + ":", out.depth):
        out.line(line + ":")
        return
    out.line("if (")
    with out.nested():
        for position, operand in enumerate(operands):
            _operand(out, "and " if position else "", operand)
    out.line("):")


def _operand(out: Block, lead: str, test: str) -> None:
    """One operand of a candidate's ``and``; too long, its parentheses hold
    it on a line of its own, as black lays it out."""
    if " or " not in test:
        out.line(lead + test)
        return
    # An operand holding `or` (the two-part truth test of a guard's answer)
    # keeps its parentheses.
    line = f"{lead}({test})"
    if fits(line, out.depth):
        out.line(line)
        return
    out.line(f"{lead}(")
    with out.nested():
        out.line(test)
    out.line(")")


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
        tests = [_test(call, index + i) for i, call in enumerate(candidate.guards)]
        if len(tests) == 1:
            _single_test(out, tests[0])
        else:
            _joined_tests(out, tests, index)
        index += len(candidate.guards)
        with out.nested():
            out.line(f"return {result}")
