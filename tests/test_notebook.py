"""The learning material runs: the exercise notebook, executed headless, and its scripts."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "tutorials" / "exercise.ipynb"


def run_example(name: str, *arguments: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name), *arguments],
                            capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_exercise_notebook_runs_without_an_error(tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed")
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    pytest.importorskip("graphviz", reason="the graphviz Python package is not installed")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error

    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    printed = "".join(output.get("text", "") for output in outputs
                      if output.output_type == "stream" and output.name == "stdout")
    assert "a has two incoming gradients (from d and c): d(d)/d(a) = 1 + 1 = 2" in printed
    assert "1.0 1.0 2.0 4.0" in printed  # the gradients accumulated over two passes
    assert "WrongSquare: gradcheck: gradient mismatch" in printed
    shown = [output.data for output in outputs
             if output.output_type in ("display_data", "execute_result")]
    assert sum("image/svg+xml" in data for data in shown) >= 3  # draw's pictures
    assert any("image/png" in data for data in shown)  # the loss curve


def test_backprop_pictures_example_draws_and_explains_the_seed_graph(tmp_path):
    out = run_example("backprop_pictures.py", str(tmp_path / "pictures"), cwd=tmp_path)
    assert "a has two incoming gradients (from d and c): d(d)/d(a) = 1 + 1 = 2" in out
    assert "grads: 1.0 1.0 1.0 2.0" in out
    assert "d(loss)/d(W) = X^T @ d(loss)/d(Z)" in out
    if shutil.which("dot") is not None and "wrote" in out:
        assert (tmp_path / "pictures" / "seed_graph_after.svg").read_text().count(">grad ") == 4


def test_own_function_example_passes_gradcheck_and_catches_a_wrong_backward(tmp_path):
    out = run_example("own_function.py", cwd=tmp_path)
    assert "Mul: True" in out and "Exp: True" in out
    assert "WrongSquare: gradcheck: gradient mismatch" in out
    assert "local derivatives: d(p)/d(a) = b = 2,  d(p)/d(b) = a = 0.5" in out


def test_fit_line_example_recovers_the_line_and_plots_the_loss(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    out = run_example("fit_line.py", str(tmp_path / "loss.png"), cwd=tmp_path)
    fitted = out.split("fitted w = ")[1]
    w, b = float(fitted.split(",")[0]), float(fitted.split("b = ")[1].split(" ")[0])
    assert abs(w - 2) < 0.1 and abs(b - 1) < 0.1
    assert (tmp_path / "loss.png").read_bytes().startswith(b"\x89PNG")
