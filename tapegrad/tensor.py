"""The Tensor: the core's state, ``backward``, and the methods a user calls.

What autograd itself needs of a tensor (its array, ``requires_grad``, ``.grad``, ``grad_fn``)
is ``TensorCore``, one floor down, which the ops and the engine build on. The methods come in
families from ``tapegrad.surface`` (operators, pointwise math, reductions, shapes, indexing),
each written out by hand and applying one ``Function`` of ``tapegrad.ops``.
"""

from __future__ import annotations

from tapegrad import engine, hooks, numpy_protocol
from tapegrad.surface.complex import ComplexMethods
from tapegrad.surface.conversion import ConversionMethods
from tapegrad.surface.indexing import IndexingMethods
from tapegrad.surface.operators import OperatorMethods
from tapegrad.surface.pointwise import PointwiseMethods
from tapegrad.surface.reductions import ReductionMethods
from tapegrad.surface.shapes import ShapeMethods
from tapegrad.tensor_core import TensorCore, tensor_class


@tensor_class
class Tensor(TensorCore, OperatorMethods, PointwiseMethods, ReductionMethods, ShapeMethods,
             IndexingMethods, ConversionMethods, ComplexMethods):
    """An n-dimensional array that records the ops applied to it, for reverse-mode autodiff.

    ``Tensor(data, requires_grad=False)`` (also ``tg.tensor``): ``data`` is a NumPy array
    copied from what you pass; Python floats become the default float dtype (float32, as
    PyTorch's), a NumPy array keeps its dtype. Only floating tensors may require grad.

    State: ``data``, ``requires_grad``, ``grad`` (an ndarray of data's shape once a gradient
    flows in), ``grad_fn`` (the Function that made it; None for leaves), ``is_leaf``, ``name``.
    Autograd: ``backward()``, ``zero_grad()``, ``detach()``, ``requires_grad_()``.
    Methods come in families, each behaving as its PyTorch namesake: operators
    (``+ - * / ** @``, comparisons), pointwise math, reductions, shapes, indexing, conversions.
    NumPy functions called on a tensor (``np.exp(t)``) behave as NumPy's and keep the graph.

    The reference lists every method by family, with signatures and examples:
    ``docs/reference/tensor.md``, served at http://127.0.0.1:8000/reference/tensor/ by
    ``tapegrad docs``.

    >>> a = Tensor(1.0, requires_grad=True)
    >>> b = Tensor(2.0, requires_grad=True)
    >>> c = a + b
    >>> d = c + a
    >>> d.backward()
    >>> print(d.grad, c.grad, b.grad, a.grad)
    1.0 1.0 1.0 2.0
    """

    __slots__ = ()

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every tensor in the graph that needs it.

        ``gradient`` is dL/d(self): may be omitted for one-element tensors (it is then 1),
        else an array of self's shape or a scalar. The graph's saved arrays are freed unless
        ``retain_graph=True`` (the default is ``create_graph``). With ``create_graph=True``
        the gradients are computed by ops that record a graph, and ``.grad`` becomes a Tensor
        that can be differentiated again.

        >>> x = Tensor(3.0, requires_grad=True)
        >>> (x * x).backward()
        >>> x.grad
        array(6., dtype=float32)
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn; "
                "create its inputs with requires_grad=True"
            )
        root_grad = engine.initial_gradient(self, gradient)
        retain = create_graph if retain_graph is None else retain_graph
        engine.run_backward((self,), (root_grad,), retain_graph=retain, create_graph=create_graph)

    def register_hook(self, hook):
        """Call ``hook(grad)`` with the gradient flowing into this tensor during backward; a
        Tensor it returns replaces the gradient (for this tensor's ``.grad`` and everything
        further up the graph). Returns a handle whose ``.remove()`` unregisters it.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> handle = x.register_hook(lambda grad: grad * 10)
        >>> (x * 3).sum().backward()
        >>> x.grad
        array([30., 30.], dtype=float32)
        >>> handle.remove()
        """
        return hooks.register_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` on this leaf right after backward has added its gradient to
        ``.grad``, as soon as that gradient is complete, while backward goes on with the rest
        of the graph (so data-parallel training can start sending it). Returns a handle.

        A leaf with such a hook gets its ``.grad`` during the pass, not at its end.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> seen = []
        >>> handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.copy()))
        >>> (w * w).sum().backward()
        >>> seen
        [array([2., 4.], dtype=float32)]
        >>> handle.remove()
        """
        return hooks.register_post_accumulate_grad_hook(self, hook)

    def retain_grad(self) -> None:
        """Keep this tensor's ``.grad`` after backward: PyTorch needs it for non-leaves;
        tapegrad keeps the gradient of every tensor that requires grad and is alive, so this
        only checks that the tensor requires grad (for code written for PyTorch).

        >>> h = Tensor(2.0, requires_grad=True) * 3
        >>> h.retain_grad()
        >>> (h * h).backward()
        >>> h.grad
        array(12., dtype=float32)
        """
        if not self._requires_grad:
            raise RuntimeError("retain_grad: can't retain_grad on Tensor that has "
                               "requires_grad=False")

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf that requires grad: tapegrad keeps its ``.grad`` (PyTorch's
        name, which is True there only after ``retain_grad()``).

        >>> (Tensor(1.0, requires_grad=True) * 2).retains_grad
        True
        """
        return self._requires_grad and self.grad_fn is not None

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # np.exp(t) and array + t run tapegrad's ops, so the graph is kept.
        return numpy_protocol.array_ufunc(ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        # np.sum(t, axis=0), np.concatenate([t, u]) and friends, likewise.
        return numpy_protocol.array_function(func, args, kwargs)


tensor = Tensor
"""``tg.tensor(data, requires_grad=False)`` is ``Tensor``, as ``torch.tensor`` is for PyTorch."""
