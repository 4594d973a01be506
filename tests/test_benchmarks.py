"""The benchmark suite runs: every workload, tiny, for tapegrad only. Nothing here is timed.

Speed is measured by ``python -m benchmarks`` and reported, never asserted: these tests only
check that each workload module and the runner work and print what the report is built from.
"""

import json
import math
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` alone puts tests/, not the root, on the path
    sys.path.insert(0, str(ROOT))

import tapegrad as tg  # noqa: E402
from benchmarks import common, loaded, overhead, run  # noqa: E402


def engine_json(module: str, *arguments: str) -> dict:
    """What ``python -m module --engine tapegrad ...`` printed last, as JSON."""
    command = [sys.executable, "-m", module, "--engine", "tapegrad", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", list(run.WORKLOADS))
def test_each_workload_measures_tapegrad_in_a_tiny_configuration(key):
    workload = run.WORKLOADS[key]
    result = engine_json(workload.__name__, *common.option_arguments(workload.QUICK),
                         "--repeats", "1", "--no-warmup")
    (sample,) = result["samples"]
    assert all(isinstance(figure, float) and math.isfinite(figure) for figure in sample)
    row = workload.cells({"tapegrad": sample}, "tapegrad", workload.QUICK)
    assert len(row) == len(workload.HEADERS)
    assert all(isinstance(text, str) for text in row)
    for target, verdict in workload.targets({"tapegrad": sample}, workload.QUICK):
        assert isinstance(target, str) and isinstance(verdict, str) and verdict


def test_suite_writes_a_table_per_workload_for_both_blas_environments(tmp_path):
    output = tmp_path / "RESULTS.md"
    run.main(["--quick", "--engines", "tapegrad", "--output", str(output)])
    report = output.read_text(encoding="utf-8")
    assert "OPENBLAS_CORETYPE" in report and "**unset**" in report
    for workload in run.WORKLOADS.values():
        section = report.split(f"## {workload.TITLE}")[1].split("\n## ")[0]
        header = next(line for line in section.splitlines() if line.startswith("| engine |"))
        cells = [cell.strip() for cell in header.strip("|").split("|")]
        assert cells == ["engine"] + [f"{name} ({variant})" for variant in ("as set", "unset")
                                      for name in workload.HEADERS]
        assert "\n| tapegrad | " in section
        assert "| target | as set | unset |" in section


def test_profile_shows_where_tapegrad_spends_its_time():
    result = engine_json("benchmarks.overhead", "--ops", "300", "--profile")
    assert "ncalls" in result["profile"] and "tottime" in result["profile"]


def test_an_engine_that_overflows_the_recursion_limit_is_reported_not_raised():
    def recursive_topological_sort(ops):
        raise RecursionError("maximum recursion depth exceeded")

    workload = types.SimpleNamespace(ENGINES={"micrograd": recursive_topological_sort})
    result = common.measure_engine(workload, "micrograd", {"ops": 10}, repeats=1)
    assert result == {"error": "RecursionError"}


def test_step_overhead_times_w2s_step_on_a_tiny_model():
    (micros,) = engine_json("benchmarks.step_overhead", "--steps", "2", "--repeats", "1")
    assert math.isfinite(micros) and micros > 0


@pytest.mark.parametrize("shape", [(), (3,)])
def test_the_bare_python_graph_floor_computes_the_chains_gradients(shape):
    # A floor that skipped work would flatter the comparison: its gradients must be tapegrad's.
    a, b = (overhead.BareNode(np.full(shape, value)) for value in (0.5, 0.9))
    overhead.chain(a, a, b, 30, overhead.BareNode.tanh).backward()
    x, y = (tg.tensor(np.full(shape, value), dtype=tg.float64, requires_grad=True)
            for value in (0.5, 0.9))
    overhead.chain(x, x, y, 30, tg.Tensor.tanh).sum().backward()
    np.testing.assert_allclose(a.grad, x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, y.grad.numpy(), rtol=1e-12)
    assert overhead.BareNode.tape == []  # each backward leaves an empty tape for the next run


def test_under_load_the_target_is_tapegrads_with_follow_load_and_its_default_is_reported():
    figures = {"tapegrad": [100.0, 60.0], "tapegrad_default": [100.0, 30.0]}
    (target, verdict), (reference, kept) = loaded.targets(figures, loaded.QUICK)
    assert "follow_load()" in target and verdict.startswith("met (0.60×")
    assert "default thread count" in reference and kept == "keeps 0.30× its quiet speed"
    assert loaded.targets({}, loaded.QUICK)[1][1] == "n/a (not measured)"
