"""The examples run and print what the course exercise prints."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_seed_exercise_prints_the_seeds_numbers():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "seed_exercise.py")],
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    first = lines.index("# a + b = c, a + c = d; backward from d")
    assert lines[first + 1:first + 5] == ["1.0", "1.0", "1.0", "2.0"]
    assert any(line.startswith("RuntimeError") and "retain_graph=True" in line
               for line in lines)
    second = lines.index("# two forward/backward passes without zero_grad: gradients accumulate")
    assert lines[second + 1:second + 5] == ["1.0", "1.0", "2.0", "4.0"]
    reset = lines.index("# zero_grad resets them")
    assert lines[reset + 1:reset + 3] == ["0.0", "0.0"]
    theta_line = next(line for line in lines if line.startswith("theta after 50 steps:"))
    assert abs(float(theta_line.split(":")[1]) - 3.0) < 1e-3
    assert "gradcheck of the exercise's Add: True" in result.stdout


def _run_example(name: str) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name)],
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_newton_reaches_the_rosenbrock_minimum():
    last = _run_example("newton.py").splitlines()[-1]
    assert "x =  1.000000, y =  1.000000" in last


def test_gradient_penalty_example_fits_the_data():
    lines = _run_example("gradient_penalty.py").splitlines()
    first_fit = float(lines[0].split("fit ")[1].split(",")[0])
    last_fit = float(lines[-1].split("fit ")[1].split(",")[0])
    assert last_fit < first_fit / 5
