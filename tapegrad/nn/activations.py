"""Activation functions as modules, for use in Sequential.

``inplace=True`` is accepted wherever PyTorch has it, and computed out of place: a tape that
records values cannot let a later op overwrite one it still needs.
"""

from __future__ import annotations

from tapegrad.nn import functional as F
from tapegrad.nn.module import Module


class ReLU(Module):
    """max(x, 0). ``nn.ReLU()(tg.tensor([-1.0, 2.0]))`` is ``tensor([0., 2.])``.
    ``inplace=True`` is accepted and computes out of place."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    """Hyperbolic tangent. ``nn.Tanh()(tg.tensor(0.0))`` is ``tensor(0.)``."""

    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)). ``nn.Sigmoid()(tg.tensor(0.0))`` is ``tensor(0.5)``."""

    def forward(self, x):
        return F.sigmoid(x)


class GELU(Module):
    """x * Phi(x), exact or ``approximate="tanh"``. ``nn.GELU()(tg.tensor(0.0))`` is 0."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x.

    >>> import tapegrad as tg
    >>> LeakyReLU(0.5)(tg.tensor([-2.0]))
    tensor([-1.])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``.

    >>> import tapegrad as tg
    >>> Softmax(dim=-1)(tg.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """

    def __init__(self, dim=None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class _Elementwise(Module):
    """An activation with fixed options: ``function`` of ``F`` applied to the input, with the
    constructor's keyword arguments (the names of PyTorch's module) passed on."""

    function = None
    options: tuple = ()  # the option names, in PyTorch's constructor order
    defaults: dict = {}  # those that have a default
    takes_inplace = False  # whether PyTorch's constructor ends with ``inplace``

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()
        names = self.options + ("inplace",) if self.takes_inplace else self.options
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} arguments "
                            f"({', '.join(names)}), got {len(args)}")
        values = dict(self.defaults, **dict(zip(names, args)), **kwargs)
        unknown = set(values) - set(names)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(unknown)}")
        for name in names:
            setattr(self, name, values.get(name, False))

    def forward(self, x):
        return type(self).function(x, **{name: getattr(self, name) for name in self.options})

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name in self.options)


class ELU(_Elementwise):
    """x if x > 0 else alpha (exp(x) - 1).

    >>> import tapegrad as tg
    >>> ELU(alpha=2.0)(tg.tensor([1.0]))
    tensor([1.])
    """

    function, options, defaults, takes_inplace = F.elu, ("alpha",), {"alpha": 1.0}, True


class CELU(_Elementwise):
    """x if x > 0 else alpha (exp(x / alpha) - 1).

    >>> import tapegrad as tg
    >>> CELU()(tg.tensor([1.0]))
    tensor([1.])
    """

    function, options, defaults, takes_inplace = F.celu, ("alpha",), {"alpha": 1.0}, True


class SELU(_Elementwise):
    """scale * elu(x, alpha) with the self-normalizing constants.

    >>> import tapegrad as tg
    >>> SELU()(tg.tensor([0.0]))
    tensor([0.])
    """

    function, takes_inplace = F.selu, True


class SiLU(_Elementwise):
    """x * sigmoid(x).

    >>> import tapegrad as tg
    >>> SiLU()(tg.tensor([0.0]))
    tensor([0.])
    """

    function, takes_inplace = F.silu, True


class Mish(_Elementwise):
    """x * tanh(softplus(x)).

    >>> import tapegrad as tg
    >>> Mish()(tg.tensor([0.0]))
    tensor([0.])
    """

    function, takes_inplace = F.mish, True


class Softplus(_Elementwise):
    """log(1 + exp(beta x)) / beta, linear past ``threshold``.

    >>> import tapegrad as tg
    >>> Softplus()(tg.tensor([30.0]))
    tensor([30.])
    """

    function, options = F.softplus, ("beta", "threshold")
    defaults = {"beta": 1.0, "threshold": 20.0}


class Hardtanh(_Elementwise):
    """x clamped to [min_val, max_val].

    >>> import tapegrad as tg
    >>> Hardtanh()(tg.tensor([-2.0, 2.0]))
    tensor([-1.,  1.])
    """

    function, options, takes_inplace = F.hardtanh, ("min_val", "max_val"), True
    defaults = {"min_val": -1.0, "max_val": 1.0}


class ReLU6(_Elementwise):
    """min(max(x, 0), 6).

    >>> import tapegrad as tg
    >>> ReLU6()(tg.tensor([8.0]))
    tensor([6.])
    """

    function, takes_inplace = F.relu6, True


class Hardsigmoid(_Elementwise):
    """clamp(x / 6 + 1 / 2, 0, 1).

    >>> import tapegrad as tg
    >>> Hardsigmoid()(tg.tensor([0.0]))
    tensor([0.5000])
    """

    function, takes_inplace = F.hardsigmoid, True


class Hardswish(_Elementwise):
    """x * hardsigmoid(x).

    >>> import tapegrad as tg
    >>> Hardswish()(tg.tensor([4.0]))
    tensor([4.])
    """

    function, takes_inplace = F.hardswish, True


class Softsign(_Elementwise):
    """x / (1 + |x|).

    >>> import tapegrad as tg
    >>> Softsign()(tg.tensor([1.0]))
    tensor([0.5000])
    """

    function = F.softsign


class Tanhshrink(_Elementwise):
    """x - tanh(x).

    >>> import tapegrad as tg
    >>> Tanhshrink()(tg.tensor([0.0]))
    tensor([0.])
    """

    function = F.tanhshrink


class LogSigmoid(_Elementwise):
    """log(sigmoid(x)).

    >>> import tapegrad as tg
    >>> LogSigmoid()(tg.tensor([0.0])).exp()
    tensor([0.5000])
    """

    function = F.logsigmoid


class Threshold(_Elementwise):
    """x where x > threshold, else value.

    >>> import tapegrad as tg
    >>> Threshold(1.0, 0.0)(tg.tensor([0.5, 2.0]))
    tensor([0., 2.])
    """

    function, options, takes_inplace = F.threshold, ("threshold", "value"), True


class Softshrink(_Elementwise):
    """x ∓ lambd outside [-lambd, lambd], else 0.

    >>> import tapegrad as tg
    >>> Softshrink()(tg.tensor([1.0]))
    tensor([0.5000])
    """

    function, options, defaults = F.softshrink, ("lambd",), {"lambd": 0.5}


class Hardshrink(_Elementwise):
    """x outside [-lambd, lambd], else 0.

    >>> import tapegrad as tg
    >>> Hardshrink()(tg.tensor([0.1, 1.0]))
    tensor([0., 1.])
    """

    function, options, defaults = F.hardshrink, ("lambd",), {"lambd": 0.5}


class GLU(_Elementwise):
    """a * sigmoid(b), a and b the halves of the input along ``dim``.

    >>> import tapegrad as tg
    >>> GLU()(tg.tensor([2.0, 0.0]))
    tensor([1.])
    """

    function, options, defaults = F.glu, ("dim",), {"dim": -1}


class LogSoftmax(_Elementwise):
    """x - logsumexp(x) along ``dim``.

    >>> import tapegrad as tg
    >>> LogSoftmax(dim=-1)(tg.tensor([0.0, 0.0])).exp()
    tensor([0.5000, 0.5000])
    """

    function, options, defaults = F.log_softmax, ("dim",), {"dim": None}


class Softmin(_Elementwise):
    """softmax(-x) along ``dim``.

    >>> import tapegrad as tg
    >>> Softmin(dim=-1)(tg.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """

    function, options, defaults = F.softmin, ("dim",), {"dim": None}


class Softmax2d(Module):
    """Softmax over the channels (axis -3) of (N, C, H, W) or (C, H, W) input.

    >>> import tapegrad as tg
    >>> Softmax2d()(tg.zeros(1, 2, 1, 1)).data.ravel().tolist()
    [0.5, 0.5]
    """

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected (N, C, H, W) or (C, H, W), got {x.shape}")
        return F.softmax(x, dim=-3)


class PReLU(Module):
    """x if x > 0 else a x, with ``num_parameters`` learned slopes (1, or one per channel),
    each initialised to ``init``.

    >>> import tapegrad as tg
    >>> PReLU()(tg.tensor([-4.0])).detach()
    tensor([-1.])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=None) -> None:
        super().__init__()
        from tapegrad.nn.layers import _empty

        self.num_parameters = num_parameters
        self.weight = _empty(num_parameters, dtype=dtype)
        self.weight.data[...] = init

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: slopes drawn from U(lower, upper) in training, their mean in
    eval mode.

    >>> import tapegrad as tg
    >>> RReLU(0.1, 0.3).eval()(tg.tensor([-4.0]))
    tensor([-0.8000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}"
