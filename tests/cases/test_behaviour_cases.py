"""Each statechart in tests/cases/behaviour/ behaves as its comment lines say.

A case is a spec with ``# start:`` and ``# send:`` lines (format in
``tests/cases/README.md``). The runner generates the module, imports it,
calls ``start()`` and ``process`` for each event, storing what an
application stores, and requires for each call the written target (atomic
state or configuration) and the exact ``all_actions`` order. The same chart,
as the front end built it, also runs on python-statemachine (the oracle of
``tests/statechart``), which must agree with the module whatever the
expectations say. ``--update-goldens`` rewrites the outcomes from the
module (never past an oracle disagreement).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from behaviour_support import (
    BEHAVIOUR_DIR,
    BehaviourFileError,
    Directive,
    Outcome,
    mismatch_report,
    oracle_problems,
    parse_behaviour,
    read_behaviour,
    rewrite_behaviour,
    run_module,
)
from cases_support import UPDATE_HINT, check_diagnostics, compile_case
from hypothesis import given
from hypothesis import strategies as st

CASE_PATHS = sorted(BEHAVIOUR_DIR.glob("*.yaml"))


def check_behaviour(
    path: Path, *, update: bool, record: Callable[[Path], None]
) -> None:
    """Fail the test unless the case at ``path`` behaves as written and the
    oracle agrees (after rewriting the outcomes when ``update``)."""
    result = check_diagnostics(path, update=update, record=record)
    if result.source is None or len(result.specs) != 1:
        pytest.fail(
            f"{path.name}: generates no single module (a behaviour case is one "
            "machine that the generator compiles)",
            pytrace=False,
        )
    try:
        case = read_behaviour(path)
    except BehaviourFileError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        pytest.fail(problem, pytrace=False)
    outcomes, kept = run_module(result.source, case)
    disagreements = oracle_problems(result.specs[0], case, outcomes, kept)
    if disagreements:
        pytest.fail(
            f"{path.name}: the generated module and the oracle disagree\n"
            + "\n".join(disagreements),
            pytrace=False,
        )
    report = mismatch_report(case, outcomes)
    if report is not None and update:
        path.write_bytes(rewrite_behaviour(case, outcomes))
        record(path)
        report = mismatch_report(read_behaviour(path), outcomes)
    if report is not None:
        pytest.fail(
            f"{path.name}: the module does not behave as written\n{report}\n"
            f"{UPDATE_HINT}",
            pytrace=False,
        )


@pytest.mark.parametrize("case_path", CASE_PATHS, ids=lambda path: path.stem)
def test_behaviour_case(
    case_path: Path,
    update_goldens: bool,
    record_golden_update: Callable[[Path], None],
) -> None:
    check_behaviour(case_path, update=update_goldens, record=record_golden_update)


def test_there_are_cases() -> None:
    assert len(CASE_PATHS) >= 10


# -- the runner itself ---------------------------------------------------------

_CHART = """\
# {header}
# guards: ok=true
# start: {start}
# send: go -> {go}
# send: "come back" -> {back}
# send: nothing -> {nothing}
states:
  - name: outer
    on_enter: [in_outer]
    on_exit: [out_outer]
    states:
      - name: a
        on_enter: [in_a]
        on_exit: [out_a]
      - name: b c
        on_enter: [in_b]
  - name: z
transitions:
  - trigger: go
    source: a
    dest: b c
    actions: [step]
    guards: [ok]
  - trigger: come back
    source: outer
    dest: z
  - trigger: nothing
    source: z
    dest: z
"""

_RIGHT = {
    "start": "a | in_outer, in_a",
    "go": '"b c" | out_a, step, in_b',
    "back": "z | out_outer",
    "nothing": "z | (none)",
}


def _write(tmp_path: Path, **outcomes: str) -> Path:
    path = tmp_path / "chart.yaml"
    fields = {**_RIGHT, **outcomes}
    path.write_text(_CHART.format(header="A runner test.", **fields), "utf-8")
    return path


def _never(path: Path) -> None:
    raise AssertionError(f"nothing may be rewritten without --update-goldens: {path}")


def test_a_right_case_passes(tmp_path: Path) -> None:
    check_behaviour(_write(tmp_path), update=False, record=_never)


@pytest.mark.parametrize(
    ("field", "wrong", "shown"),
    [
        ("start", "a | in_a, in_outer", "actual   # start: a | in_outer, in_a"),
        ("go", '"b c" | out_a, in_b', 'actual   # send: go -> "b c" | out_a, step'),
        ("back", "a | out_outer", 'actual   # send: "come back" -> z | out_outer'),
        ("nothing", "!InvalidTransitionError", "actual   # send: nothing -> z |"),
    ],
)
def test_a_wrong_expectation_fails_and_shows_the_actual_line(
    tmp_path: Path, field: str, wrong: str, shown: str
) -> None:
    path = _write(tmp_path, **{field: wrong})
    with pytest.raises(pytest.fail.Exception) as failed:
        check_behaviour(path, update=False, record=_never)
    assert "does not behave as written" in str(failed.value)
    assert shown in str(failed.value)
    assert "--update-goldens" in str(failed.value)


def test_update_rewrites_only_the_outcomes(tmp_path: Path) -> None:
    path = _write(tmp_path, go="a | (none)", back="!UndefinedTriggerError")
    recorded: list[Path] = []
    check_behaviour(path, update=True, record=recorded.append)
    assert recorded == [path]
    assert path.read_text("utf-8") == _write(tmp_path).read_text("utf-8")
    check_behaviour(path, update=False, record=_never)  # now it agrees
    unchanged = path.read_bytes()
    check_behaviour(path, update=True, record=_never)  # nothing to rewrite
    assert path.read_bytes() == unchanged


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("# send: go -> a", "expected ' | '"),
        ("# send: go => a | (none)", "expected ' -> '"),
        ("# send: go -> a | step,in_b", "actions are"),
        ("#send: go -> a | (none)", "malformed directive"),
        ("# Start: a | (none)", "malformed directive"),
        ("# send : go -> a | (none)", "malformed directive"),
        ("# guards: ok=yes", "name=true|false"),
        ("# send: b c -> a | (none)", "expected ' -> '"),
        ("# send: go -> {bad | (none)", "bad configuration"),
    ],
)
def test_malformed_directives_are_errors(line: str, message: str) -> None:
    data = f"# start: a | (none)\n{line}\nstates: []\n".encode()
    with pytest.raises(BehaviourFileError, match=message.replace("|", r"\|")):
        parse_behaviour(Path("case.yaml"), data)


def test_start_comes_first_and_once() -> None:
    with pytest.raises(BehaviourFileError, match="must come first"):
        parse_behaviour(Path("x.yaml"), b"# send: go -> a | (none)\n")
    with pytest.raises(BehaviourFileError, match="only one"):
        parse_behaviour(Path("x.yaml"), b"# start: a | (none)\n# start: a | (none)\n")
    with pytest.raises(BehaviourFileError, match="no `# start:`"):
        parse_behaviour(Path("x.yaml"), b"states: []\n")


def test_the_oracle_check_catches_a_wrong_module_outcome(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = compile_case(path)
    assert result.source is not None
    case = read_behaviour(path)
    outcomes, kept = run_module(result.source, case)
    assert oracle_problems(result.specs[0], case, outcomes, kept) == []
    swapped = list(outcomes)
    swapped[1] = replace(outcomes[1], actions=outcomes[1].actions[::-1])
    problems = oracle_problems(result.specs[0], case, swapped, kept)
    assert len(problems) == 1 and "line 4 (send 'go')" in problems[0]
    moved = [*kept[:2], kept[0], *kept[3:]]  # "come back" left in a
    problems = oracle_problems(result.specs[0], case, outcomes, moved)
    assert len(problems) == 1 and "line 5 (send 'come back')" in problems[0]


def test_an_oracle_disagreement_fails_and_rewrites_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, go="a | (none)")
    before = path.read_bytes()
    monkeypatch.setattr(
        sys.modules[__name__], "oracle_problems", lambda *args: ["line 4: differs"]
    )
    with pytest.raises(pytest.fail.Exception, match="the oracle disagree"):
        check_behaviour(path, update=True, record=_never)
    assert path.read_bytes() == before


@pytest.mark.parametrize("case_path", CASE_PATHS, ids=lambda path: path.stem)
def test_every_case_says_why_by_hand(case_path: Path) -> None:
    text = case_path.read_text("utf-8")
    header = text[: text.index("# start:")]
    assert "# By hand (SCXML): " in header, (
        f"{case_path.name}: the header must say, on a `By hand (SCXML):` line, "
        "why the outcomes are what the SCXML rules give"
    )


#: Names as the language allows them: no control characters, no spaces at
#: either end (the rest is any text, directive syntax included).
NAMES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(lambda name: name == name.strip(" "))
ACTIONS = st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), max_size=4)


@given(NAMES, NAMES, ACTIONS, st.booleans())
def test_any_names_survive_a_written_line(
    event: str, target: str, actions: list[str], configured: bool
) -> None:
    text = (
        json.dumps({"active": [target], "history": {event: [target]}})
        if configured
        else target
    )
    written = Outcome(text, configured, tuple(actions))
    if configured:  # as parse_outcome keeps it: compact JSON
        written = replace(
            written, target=json.dumps(json.loads(text), separators=(",", ":"))
        )
    lines = [Directive(0, None, written), Directive(1, event, written)]
    data = "".join(f"{line.render()}\n" for line in lines).encode("utf-8")
    case = parse_behaviour(Path("case.yaml"), data)
    assert case.directives == tuple(lines)
    assert [d.outcome.key() for d in case.directives] == [written.key()] * 2
