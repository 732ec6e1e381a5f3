"""Generated modules pass mypy --strict (3.10 and current), ruff and black,
and mypy rejects code that misuses them.

All files go through each tool in one batch (mypy is slow to start): the
fixture writes every module and the user files, runs the tools once, and the
tests read the reports.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gubernator_runtime
import pytest
from backend_factory import S, T, feature_rich_spec, hostile_spec, machine
from backend_support import EXAMPLES, generate, run_mypy

from gubernator_gen.compiler import CompileOptions, compile_path

MISUSE = """\
from order_fsm import Context, Guards, OrderManagement, State, Trigger


class IncompleteGuards:
    def payment_covers_amount(self, ctx: Context) -> bool:
        return True


def persist(state: State) -> None:
    print(state)


machine = OrderManagement(guards=IncompleteGuards())  # E: lacks items_in_stock
guards: Guards = IncompleteGuards()  # E: not a Guards
print(State.PENDNG)  # E: misspelled member
persist(Trigger.PAY)  # E: a Trigger where a State is expected
persist(State.PAID)
OrderManagement(guards={"payment_covers_amount": 42})  # E: not callable
result = OrderManagement().process(State.PENDING, Trigger.PAY)
persist(result.target_state)  # E: may be None
bad_context: Context = {"order_id": 1}  # E: wrong type, missing keys
"""

GOOD_USAGE = """\
from decimal import Decimal

from order_fsm import (
    INITIAL_STATE,
    TERMINAL_STATES,
    TIMEOUTS,
    Actions,
    Context,
    Guards,
    Machine,
    OrderManagement,
    State,
    Trigger,
)


class MyGuards:
    def payment_covers_amount(self, ctx: Context) -> bool:
        return ctx.get("paid_amount", Decimal(0)) >= ctx["amount"]

    def items_in_stock(self, ctx: Context) -> bool:
        return ctx["items_in_stock"]


class MyActions:
    def confirm_order(self, ctx: Context) -> None:
        pass

    def audit_exit(self, ctx: Context) -> None:
        pass

    def send_payment_reminder(self, ctx: Context) -> None:
        pass

    async def send_receipt(self, ctx: Context) -> None:
        pass

    def notify_customer(self, ctx: Context) -> str:
        return ctx["order_id"]

    def capture_payment(self, ctx: Context) -> None:
        pass

    def book_carrier(self, ctx: Context) -> None:
        pass

    def refund_payment(self, ctx: Context) -> None:
        pass


guards: Guards = MyGuards()
actions: Actions = MyActions()
machine: OrderManagement = Machine(guards=guards)
ctx: Context = {"order_id": "o-1", "amount": Decimal("10"), "items_in_stock": True}
result = machine.process(State.PENDING, Trigger.PAY, ctx)
target: State | None = result.target_state
machine.process("PENDING", "pay", ctx)
by_mapping = OrderManagement(
    guards={"payment_covers_amount": lambda c: True, "items_in_stock": lambda c: True}
)
run = machine.executor(actions).execute(result, ctx)
first: State = INITIAL_STATE
done: frozenset[State] = TERMINAL_STATES
seconds: float = TIMEOUTS[State.PAID].seconds
"""


@dataclass(frozen=True)
class ToolReports:
    """Where the files are and what each tool said."""

    directory: Path
    modules: tuple[str, ...]
    mypy: dict[str, str]  # python version -> report
    ruff: subprocess.CompletedProcess[str]
    black: subprocess.CompletedProcess[str]


def _write_modules(directory: Path) -> tuple[str, ...]:
    sources = {}
    for stem, spec_path in EXAMPLES.items():
        result = compile_path(spec_path, CompileOptions(environ={}))
        assert result.source is not None
        sources[stem] = result.source
    sources["hostile_fsm"] = generate(hostile_spec())
    sources["features_fsm"] = generate(feature_rich_spec())
    sources["minimal_fsm"] = generate(machine([S("ONLY", "initial")]))
    sources["optional_fsm"] = generate(
        machine(
            [S("A", "initial"), S("B", "terminal")],
            [T("go", "A", "B", guards=["g"])],
            context={"maybe": "int?"},
            class_name="I",
        )
    )
    sources["empty_context_fsm"] = generate(machine([S("A", "initial")], context={}))
    for stem, source in sources.items():
        (directory / f"{stem}.py").write_text(source, encoding="utf-8")
    return tuple(sorted(sources))


@pytest.fixture(scope="module")
def reports(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ToolReports]:
    directory = tmp_path_factory.mktemp("generated")
    modules = _write_modules(directory)
    (directory / "misuse.py").write_text(MISUSE, encoding="utf-8")
    (directory / "good_usage.py").write_text(GOOD_USAGE, encoding="utf-8")
    runtime_root = Path(gubernator_runtime.__file__).resolve().parents[1]
    config = directory / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {runtime_root}\n", encoding="utf-8")
    # Without the cache plugin (-p no:cacheprovider) mypy starts cold.
    cache = getattr(request.config, "cache", None)
    cache_dir = cache.mkdir("gubernator-backend-mypy") if cache else directory / ".mypy"
    files = [str(directory / f"{stem}.py") for stem in modules]
    files += [str(directory / "misuse.py"), str(directory / "good_usage.py")]
    common = [
        "--strict",
        "--config-file",
        str(config),
        "--cache-dir",
        str(cache_dir),
        "--no-error-summary",
        "--show-error-codes",
        "--hide-error-context",
        "--no-pretty",
    ]
    # mypy for Python 3.10 runs in a second process while this one checks
    # for the current Python: the two cores are used at once.
    py310 = subprocess.Popen(
        [sys.executable, "-m", "mypy", "--python-version", "3.10", *common, *files],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    current, current_errors, _ = run_mypy([*common, *files])
    py310_out, _ = py310.communicate()
    generated = [str(directory / f"{stem}.py") for stem in modules]
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--no-cache",
            "--output-format",
            "concise",
            *generated,
        ],
        capture_output=True,
        text=True,
        cwd=directory,
    )
    black = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--diff", *generated],
        capture_output=True,
        text=True,
        cwd=directory,
    )
    yield ToolReports(
        directory,
        modules,
        {"current": current + current_errors, "3.10": py310_out},
        ruff,
        black,
    )


def _errors(report: str, file_name: str) -> list[int]:
    pattern = re.compile(rf"^.*{re.escape(file_name)}:(\d+): error:", re.MULTILINE)
    return sorted(int(line) for line in pattern.findall(report))


@pytest.mark.parametrize("version", ["current", "3.10"])
def test_generated_modules_pass_mypy_strict(reports: ToolReports, version: str) -> None:
    report = reports.mypy[version]
    for stem in reports.modules:
        assert _errors(report, f"{stem}.py") == [], report
    assert _errors(report, "good_usage.py") == [], report


@pytest.mark.parametrize("version", ["current", "3.10"])
def test_mypy_rejects_misuse_of_a_generated_module(
    reports: ToolReports, version: str
) -> None:
    report = reports.mypy[version]
    marked = [
        number
        for number, line in enumerate(MISUSE.splitlines(), start=1)
        if "# E:" in line
    ]
    assert sorted(set(_errors(report, "misuse.py"))) == marked, report
    assert 'has no attribute "PENDNG"' in report
    assert "items_in_stock" in report


def test_generated_modules_pass_ruff_without_configuration(
    reports: ToolReports,
) -> None:
    assert reports.ruff.returncode == 0, reports.ruff.stdout + reports.ruff.stderr


def test_generated_modules_pass_black_check(reports: ToolReports) -> None:
    assert reports.black.returncode == 0, reports.black.stdout + reports.black.stderr
