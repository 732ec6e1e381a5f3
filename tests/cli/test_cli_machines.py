"""Files of several machines (``machines:``) on the command line.

Each machine is its own module, named after its ``machine_name``: beside
the file or in ``--out-dir``; ``check`` covers every module (a stale or
missing one fails); ``-o`` cannot name several modules; ``graph`` needs
``--machine`` to pick one; ``[tool.gubernator-gen]`` and the pre-commit
hooks (which run ``check`` and ``generate`` on it) handle them too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import write_text

from gubernator_gen.driver import cli
from gubernator_gen.driver.write import generated_header

MACHINES = """\
machines:
  - meta:
      machine_name: Order Flow
    states:
      - name: new
        type: initial
      - name: in review
      - name: done
        type: terminal
    transitions:
      - trigger: submit
        source: new
        dest: in review
      - trigger: finish
        source: "*"
        dest: done
  - meta:
      machine_name: payment
    states:
      - name: open
        type: initial
      - name: paid
        type: terminal
    transitions:
      - trigger: pay
        source: open
        dest: paid
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "shop.yaml", MACHINES)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_generate_writes_one_module_per_machine_beside_the_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "generate", "-v", "shop.yaml")
    assert (status, out) == (0, "")
    assert err.splitlines() == [
        "[1/1] shop.yaml -> order_flow.py: created",
        "[1/1] shop.yaml -> payment.py: created",
    ]
    for module in ("order_flow.py", "payment.py"):
        first = (workdir / module).read_text("utf-8").splitlines()[0]
        assert first == generated_header("shop.yaml")
    assert not (workdir / "shop.py").exists()
    assert _run(capsys, "check", "shop.yaml")[0] == 0


def test_check_fails_on_any_stale_or_missing_module(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "generate", "shop.yaml")[0] == 0
    payment = workdir / "payment.py"
    payment.write_text(payment.read_text("utf-8") + "# edited\n", "utf-8")
    status, out, err = _run(capsys, "check", "shop.yaml")
    assert status == 1
    assert "payment.py is out of date with shop.yaml" in err
    assert "-# edited" in out
    assert "order_flow.py" not in err
    os.remove(workdir / "order_flow.py")
    status, _, err = _run(capsys, "check", "shop.yaml")
    assert status == 1
    assert "order_flow.py does not exist" in err and "[GG502]" in err


def test_out_dir_and_stdout(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = _run(capsys, "generate", "shop.yaml", "--out-dir", "gen")
    assert status == 0
    assert sorted(p.name for p in (workdir / "gen").iterdir()) == [
        "order_flow.py",
        "payment.py",
    ]
    status, out, _ = _run(capsys, "generate", "shop.yaml", "--stdout")
    assert status == 0
    assert out.count(generated_header("shop.yaml")) == 2
    assert out.index("class OrderFlow(") < out.index("class Payment(")


def test_output_file_cannot_take_several_modules(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _run(capsys, "generate", "shop.yaml", "-o", "one.py")
    assert status == 2
    assert "holds 2 machines (order_flow, payment); use --out-dir DIR" in err
    assert not (workdir / "one.py").exists()
    single = MACHINES.split("  - meta:\n      machine_name: payment")[0]
    write_text(workdir / "single.yaml", single)
    assert _run(capsys, "generate", "single.yaml", "-o", "one.py")[0] == 0
    assert "class OrderFlow(" in (workdir / "one.py").read_text("utf-8")


def test_an_error_in_one_machine_writes_no_module(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(workdir / "shop.yaml", MACHINES.replace("dest: paid", "dest: payd"))
    status, _, err = _run(capsys, "generate", "shop.yaml")
    assert status == 1
    assert "shop.yaml:27:15: error: dest 'payd' is not a state" in err
    assert not (workdir / "order_flow.py").exists()
    assert not (workdir / "payment.py").exists()


def test_two_files_writing_the_same_module_conflict(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(workdir / "more.yaml", MACHINES.replace("Order Flow", "other"))
    status, _, err = _run(capsys, "generate", "shop.yaml", "more.yaml")
    assert status == 1
    assert "payment.py is already the output of shop.yaml" in err
    assert "[GG504]" in err


def test_configuration_and_hooks_cover_every_module(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(
        workdir / "pyproject.toml",
        '[tool.gubernator-gen]\nspecs = ["*.yaml"]\nout-dir = "app"\n',
    )
    # The pre-commit hooks run exactly these commands (test_cli_hooks.py).
    assert _run(capsys, "check")[0] == 1
    assert _run(capsys, "generate")[0] == 0
    assert {p.name for p in (workdir / "app").iterdir()} == {
        "order_flow.py",
        "payment.py",
    }
    assert _run(capsys, "check")[0] == 0


def test_graph_needs_a_machine_name_for_a_file_of_several(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "graph", "shop.yaml")
    assert (status, out) == (2, "")
    assert "holds 2 machines ('Order Flow', 'payment')" in err
    assert "--machine NAME" in err
    status, out, _ = _run(capsys, "graph", "shop.yaml", "--machine", "payment")
    assert status == 0
    assert out.startswith("stateDiagram-v2\n    %% payment 0.0.0\n")
    status, _, err = _run(capsys, "graph", "shop.yaml", "--machine", "order flow")
    assert status == 2
    assert "no machine 'order flow' (did you mean 'Order Flow'?)" in err
    status, out, _ = _run(
        capsys, "graph", "shop.yaml", "--machine", "Order Flow", "--format", "dot"
    )
    assert status == 0
    assert '"*" -> "done" [label="finish"];' in out


def test_sql_picks_one_machine_of_a_file_of_several(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "sql", "shop.yaml")
    assert (status, out) == (2, "")
    assert "holds 2 machines ('Order Flow', 'payment')" in err
    status, out, _ = _run(capsys, "sql", "shop.yaml", "--machine", "payment")
    assert status == 0
    assert "('open', 'pay', 'paid')" in out
    write_text(
        workdir / "pyproject.toml",
        '[tool.gubernator-gen]\nspecs = ["shop.yaml"]\n\n'
        '[[tool.gubernator-gen.sql]]\nspec = "shop.yaml"\nout = "flow.sql"\n'
        'machine = "Order Flow"\ntable = "orders"\n',
    )
    assert _run(capsys, "sql")[0] == 0
    ddl = (workdir / "flow.sql").read_text("utf-8")
    assert (
        "('new', 'finish', 'done')" in ddl and "('in review', 'finish', 'done')" in ddl
    )
