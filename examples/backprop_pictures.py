"""The exercise's compute graph, seen: its picture, the narrated backward pass, and the
picture again with the gradients.

    python examples/backprop_pictures.py [folder]

Writes ``seed_graph_before.svg`` and ``seed_graph_after.svg`` to ``folder`` (default
``pictures``) when the graphviz package and Graphviz's ``dot`` are installed
(``pip install "tapegrad[viz]"``, ``apt-get install graphviz``); without them it prints the
graph's DOT text instead, which any DOT viewer draws.
"""

import sys
from pathlib import Path

import numpy as np

import tapegrad as tg
from tapegrad import viz


def save_picture(root: tg.Tensor, path: Path) -> None:
    """Render ``root``'s graph to ``path`` (an .svg), or print its DOT text without Graphviz."""
    try:
        picture = viz.draw(root)
    except (ImportError, RuntimeError) as error:
        print(f"({error})")
        print(viz.to_dot(root))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(picture.pipe(format="svg"))
    print(f"wrote {path}")


def seed_graph(folder: Path) -> None:
    print("# a + b = c, a + c = d: the graph, backward explained, the graph with gradients")
    a = tg.tensor(1.0, requires_grad=True, name="a")
    b = tg.tensor(2.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = c + a
    d.name = "d"
    save_picture(d, folder / "seed_graph_before.svg")
    viz.explain(d)  # before backward(): it computes with the arrays backward() frees
    d.backward()
    save_picture(d, folder / "seed_graph_after.svg")
    print("grads:", d.grad, c.grad, b.grad, a.grad)


def matrices() -> None:
    print("# with matrices the gradients are matrices, and the order matters: A @ B != B @ A")
    x = tg.tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), requires_grad=True, name="X")
    w = tg.tensor(np.full((3, 2), 0.5), requires_grad=True, name="W")
    z = x @ w
    z.name = "Z"
    loss = z.sum()
    loss.name = "loss"
    viz.explain(loss)


if __name__ == "__main__":
    seed_graph(Path(sys.argv[1] if len(sys.argv) > 1 else "pictures"))
    matrices()
