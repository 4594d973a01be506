"""Devices: tapegrad computes on the CPU, and says so in PyTorch's words.

``tg.device`` names a place as ``torch.device`` does; ``tg.cuda`` and ``tg.backends`` answer
PyTorch's questions about accelerators the way PyTorch answers them on a machine without one,
so the usual opening lines of a PyTorch script run unchanged:

>>> device("cuda" if cuda.is_available() else "cpu")  # tg.device, tg.cuda
device(type='cpu')

Asking for a tensor on any other device is a clear error (see ``require_cpu``). This module
imports nothing of tapegrad, so every floor of the package may use it.
"""

from __future__ import annotations

from types import SimpleNamespace

# The device types a tg.device may name, with the backend each would need.
_BACKENDS = {"cpu": "CPU", "cuda": "CUDA", "mps": "MPS"}


class device:
    """A place for tensors, as ``torch.device``: ``device("cpu")``, ``device("cuda:1")``,
    ``device("cuda", 0)``. Only the CPU can hold tensors; the others exist so that code which
    names them runs until it puts a tensor there.

    >>> device("cpu"), device("cuda:1"), str(device("cuda", 0))
    (device(type='cpu'), device(type='cuda', index=1), 'cuda:0')
    >>> device("cpu").type
    'cpu'
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type: str | device | int, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type  # a bare number means an accelerator, as in PyTorch
        elif isinstance(type, str):
            type, index = _parsed(type, index)
        else:
            raise TypeError(f"device: expected a string such as 'cpu' or 'cuda:0', "
                            f"got {type.__class__.__name__}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise ValueError(f"device: the index must be a non-negative int, got {index!r}")
        self._type = type
        self._index = index

    @property
    def type(self) -> str:
        """The kind of device: ``'cpu'``, ``'cuda'`` or ``'mps'``.

        >>> device("cuda:0").type
        'cuda'
        """
        return self._type

    @property
    def index(self) -> int | None:
        """Which device of its kind, or None when the string named none.

        >>> device("cuda:1").index, device("cpu").index
        (1, None)
        """
        return self._index

    def __eq__(self, other) -> bool:
        # Only devices compare equal to devices, as in PyTorch: device("cpu") != "cpu".
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"


def _parsed(text: str, index: int | None) -> tuple[str, int | None]:
    """The type and index in a device string such as ``'cuda:1'``."""
    kind, colon, number = text.partition(":")
    if kind not in _BACKENDS:
        raise ValueError(f"device: expected one of {', '.join(_BACKENDS)} at the start of the "
                         f"device string, got {text!r}")
    if not colon:
        return kind, index
    if index is not None:
        raise ValueError(f"device: the string {text!r} names an index already; "
                         f"pass index={index} or the index in the string, not both")
    if not number.isdigit():
        raise ValueError(f"device: invalid device string {text!r}: expected "
                         f"'{kind}:<index>' with a non-negative index")
    return kind, int(number)


def require_cpu(place) -> None:
    """Check that ``place`` (None, a string or a device) is the CPU, where tapegrad computes;
    any other device is a RuntimeError that says so.

    >>> require_cpu("cpu"); require_cpu(None); require_cpu(device("cpu:0"))
    >>> require_cpu("cuda")
    Traceback (most recent call last):
    ...
    RuntimeError: tapegrad: the CUDA backend is not installed; tensors live on the CPU
    """
    if place is None:
        return
    kind = device(place).type
    if kind != "cpu":
        raise RuntimeError(f"tapegrad: the {_BACKENDS[kind]} backend is not installed; "
                           "tensors live on the CPU")


def unavailable() -> bool:
    """False: the answer to every "is this accelerator here?" (``tg.cuda.is_available()``).

    >>> unavailable()
    False
    """
    return False


def device_count() -> int:
    """0: the number of CUDA devices tapegrad can use (``tg.cuda.device_count()``).

    >>> device_count()
    0
    """
    return 0


def ignore_seed(seed: int) -> None:
    """Seed nothing: there is no accelerator's generator to seed (``tg.cuda.manual_seed``),
    which PyTorch, too, silently ignores without CUDA. ``tg.manual_seed`` seeds tapegrad.

    >>> ignore_seed(0)
    """


def no_accelerator():
    """None: the accelerator tensors would move to (``tg.accelerator.current_accelerator()``).

    >>> no_accelerator() is None
    True
    """
    return None


def set_default_device(place) -> None:
    """Where factories put new tensors (``torch.set_default_device``): the CPU is accepted,
    any other device is the error of ``require_cpu``.

    >>> set_default_device("cpu")
    """
    require_cpu(place)


def get_default_device() -> device:
    """The CPU, where tapegrad makes every tensor.

    >>> get_default_device()
    device(type='cpu')
    """
    return device("cpu")


# torch.cuda's, torch.accelerator's and torch.backends' questions, answered as on a machine
# without accelerators.
cuda = SimpleNamespace(is_available=unavailable, device_count=device_count,
                       manual_seed=ignore_seed, manual_seed_all=ignore_seed)
accelerator = SimpleNamespace(is_available=unavailable, device_count=device_count,
                              current_accelerator=no_accelerator)
backends = SimpleNamespace(
    mps=SimpleNamespace(is_available=unavailable, is_built=unavailable),
    # cuDNN's switches may be set, as seeding code does; with no GPU they change nothing.
    cudnn=SimpleNamespace(is_available=unavailable, enabled=True, benchmark=False,
                          deterministic=False),
)
