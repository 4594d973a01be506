"""The README's Python blocks run as shown, in order, in one namespace."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no python blocks"
    namespace = {}
    monkeypatch.chdir(tmp_path)  # the training example writes digits.npz
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert float(namespace["a"].grad) == 0.0
    assert abs(namespace["theta"].item() - 3.0) < 1e-3
    assert namespace["t"].grad is not None
    assert namespace["accuracy"] > 0.95


def test_readme_opens_with_the_two_commands():
    commands = re.findall(r"```\n(.*?)\n```", README.read_text())
    assert commands[0] == 'pip install -e ".[all]" && tapegrad train'
    assert commands[1] == 'pip install -e ".[all,test,distributed,docs]" && python -m pytest'
