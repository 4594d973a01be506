r"""Seeing backprop: pictures of a graph (``draw``, ``to_dot``) and a narrated backward pass
(``explain``).

>>> import tapegrad as tg
>>> from tapegrad import viz
>>> a = tg.tensor(1.0, requires_grad=True, name="a")
>>> d = (a + a) * a
>>> print(viz.explain(d, quiet=True).splitlines()[-1])
So: d(L)/d(L) = 1,  d(L)/d(t1) = 1,  d(L)/d(a) = 4
>>> "a\\nscalar\\nvalue 1" in viz.to_dot(d)
True
"""

from tapegrad.viz.explain import explain
from tapegrad.viz.picture import draw, to_dot

__all__ = ["draw", "to_dot", "explain"]
