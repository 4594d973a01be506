"""Named tuples of results, as ``torch.return_types``: ``values, indices = t.max(dim=1)``.

Each is a tuple (it unpacks as a pair and indexes as one) whose fields also have names:
``t.sort().values``, ``t.aminmax().max``.

>>> result = tg.tensor([[1.0, 5.0], [3.0, 2.0]]).max(dim=1)
>>> result
tg.return_types.max(values=tensor([5., 3.]), indices=tensor([1, 0]))
>>> values, indices = result
>>> result.indices is indices
True
"""

from __future__ import annotations

from collections import namedtuple


def _return_type(name: str, fields: str, doc: str) -> type:
    """A named tuple class ``name`` with ``fields``, its repr ``tg.return_types.name(...)``."""
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        named = ", ".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"tg.return_types.{name}({named})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__doc__": doc,
                                "__module__": __name__})


max = _return_type("max", "values indices", "``t.max(dim)``: the largest values and their "
                   "indices.")
min = _return_type("min", "values indices", "``t.min(dim)``: the smallest values and their "
                   "indices.")
sort = _return_type("sort", "values indices", "``t.sort(dim)``: the sorted values and where "
                    "each came from.")
topk = _return_type("topk", "values indices", "``t.topk(k, dim)``: the k largest (or "
                    "smallest) values and their indices.")
kthvalue = _return_type("kthvalue", "values indices", "``t.kthvalue(k, dim)``: the k-th "
                        "smallest values and their indices.")
median = _return_type("median", "values indices", "``t.median(dim)``: the lower medians and "
                      "their indices.")
nanmedian = _return_type("nanmedian", "values indices", "``t.nanmedian(dim)``: the lower "
                         "medians of the values that are not nan, and their indices.")
mode = _return_type("mode", "values indices", "``t.mode(dim)``: the most frequent values and "
                    "their (last) indices.")
aminmax = _return_type("aminmax", "min max", "``t.aminmax(dim=...)``: the smallest and the "
                       "largest values.")
