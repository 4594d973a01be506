"""Regenerate the picture README.md shows, and print the walk-through it shows.

    python docs/make_pictures.py

``docs/seed_graph.svg`` is the course exercise's graph (a + b = c, c + a = d) after
``d.backward()``, drawn by ``tapegrad.viz.draw``; the printed text is ``tapegrad.viz.explain``
on the same graph, the README's "Learn backprop with tapegrad" block (tests check it is current).
"""

from pathlib import Path

import tapegrad as tg
from tapegrad import viz

PICTURE = Path(__file__).resolve().parent / "seed_graph.svg"


def seed_graph():
    """The exercise's compute graph, with names for the pictures. All four tensors are
    returned: the graph keeps only a weak reference to c, and its name lives on c."""
    a = tg.tensor(1.0, requires_grad=True, name="a")
    b = tg.tensor(2.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = c + a
    d.name = "d"
    return a, b, c, d


def main() -> None:
    a, b, c, d = seed_graph()
    viz.explain(d)  # before backward(), which frees the values explain computes from
    d.backward()
    PICTURE.write_bytes(viz.draw(d).pipe(format="svg"))
    print(f"\nwrote {PICTURE}")


if __name__ == "__main__":
    main()
