"""An op-level profiler: how much time each op takes, forward and backward.

``with tg.autograd.profiler.profile() as prof:`` times every op recorded and every backward
formula run inside it, per op (``Mul`` forward, ``MulBackward`` backward), and
``prof.key_averages().table(sort_by="self_cpu_time_total")`` prints a table like PyTorch's.
``record_function("name")`` adds a range of your own (a training step, a layer). Off, it
costs nothing: it plugs in through ``tapegrad.function.observe``.
"""

from __future__ import annotations

import time

from tapegrad import function

_COLUMNS = ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
            "# of Calls")
_SORT_KEYS = ("self_cpu_time_total", "cpu_time_total", "cpu_time", "count")


class FunctionEventAvg:
    """The totals of one key: calls, time in it (``cpu_time_total``) and time in it but not
    in ops it called (``self_cpu_time_total``), in microseconds, as PyTorch's.

    >>> event = FunctionEventAvg("Mul")
    >>> event.count, event.cpu_time
    (0, 0.0)
    """

    def __init__(self, key: str):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    @property
    def cpu_time(self) -> float:
        """Average time per call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} count={self.count} "
                f"self_cpu_time_total={self.self_cpu_time_total:.1f}us "
                f"cpu_time_total={self.cpu_time_total:.1f}us>")


class EventList(list):
    """A list of FunctionEventAvg, with ``table()``.

    >>> EventList().table()
    'No ops recorded.'
    """

    def table(self, sort_by: str | None = None, row_limit: int = 100) -> str:
        """The events as a text table, sorted by ``sort_by`` (largest first), at most
        ``row_limit`` rows; percentages are of the total self time."""
        if not self:
            return "No ops recorded."
        rows = list(self)
        if sort_by is not None:
            if sort_by not in _SORT_KEYS:
                raise ValueError(f"table: sort_by must be one of {', '.join(_SORT_KEYS)}, "
                                 f"got {sort_by!r}")
            rows.sort(key=lambda event: getattr(event, sort_by), reverse=True)
        rows = rows[:row_limit] if row_limit >= 0 else rows
        total = sum(event.self_cpu_time_total for event in self) or 1.0
        cells = [_COLUMNS] + [(
            event.key, f"{100 * event.self_cpu_time_total / total:.2f}%",
            _duration(event.self_cpu_time_total),
            f"{100 * event.cpu_time_total / total:.2f}%", _duration(event.cpu_time_total),
            _duration(event.cpu_time), str(event.count)) for event in rows]
        widths = [max(len(row[column]) for row in cells) for column in range(len(_COLUMNS))]
        rule = "  ".join("-" * width for width in widths)
        lines = [rule]
        for index, row in enumerate(cells):
            lines.append("  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                                   for column, (cell, width) in enumerate(zip(row, widths))))
            if index == 0:
                lines.append(rule)
        lines += [rule, f"Self CPU time total: {_duration(total)}"]
        return "\n".join(lines)


class profile:
    """Time every op recorded and every backward formula run inside it, per op.

    >>> import tapegrad as tg
    >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> with profile() as prof:
    ...     (x * x).sum().backward()
    >>> sorted(event.key for event in prof.key_averages())
    ['Mul', 'MulBackward', 'Sum', 'SumBackward']
    >>> print(prof.key_averages().table(sort_by="self_cpu_time_total"))  # doctest: +ELLIPSIS
    ---...
    Name ...Self CPU %...# of Calls
    ...
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._events: dict = {}
        self._open: list = []  # [time spent in ops called from the open range], innermost last

    def __enter__(self) -> profile:
        if self.enabled:
            function.observe(self)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.enabled:
            function.stop_observing(self)

    def key_averages(self) -> EventList:
        """One FunctionEventAvg per key, in the order first seen."""
        return EventList(self._events.values())

    def forward(self, cls, run):
        return self.timed(cls.__name__, run)

    def backward(self, node, run):
        return self.timed(type(node).__name__ + "Backward", run)

    def timed(self, key: str, run):
        """Run ``run()``, adding its time to ``key``'s totals."""
        start = self.start()
        try:
            return run()
        finally:
            self.stop(key, start)

    def start(self) -> float:
        """Open a range (an op, or a record_function); returns its start time."""
        self._open.append(0.0)
        return time.perf_counter()

    def stop(self, key: str, start: float) -> None:
        """Close the innermost range, adding it to ``key``'s totals; the time of the ranges
        inside it is not its self time, and it counts as time inside the range around it."""
        elapsed = (time.perf_counter() - start) * 1e6
        inner = self._open.pop()
        if self._open:
            self._open[-1] += elapsed
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = FunctionEventAvg(key)
        event.count += 1
        event.cpu_time_total += elapsed
        event.self_cpu_time_total += elapsed - inner


class record_function:
    """Context manager: time what runs inside it under ``name`` in every active profiler;
    the ops inside still count as themselves, and their time not as the range's self time.

    >>> import tapegrad as tg
    >>> with profile() as prof:
    ...     with record_function("step"):
    ...         _ = tg.tensor(1.0, requires_grad=True) * 2
    >>> [event.key for event in prof.key_averages()]
    ['Mul', 'step']
    """

    def __init__(self, name: str):
        self.name = name
        self._started: list = []

    def __enter__(self) -> record_function:
        self._started = [(observer, observer.start()) for observer in tuple(function.OBSERVERS)
                         if isinstance(observer, profile)]
        return self

    def __exit__(self, *exc_info) -> None:
        for profiler, start in reversed(self._started):
            profiler.stop(self.name, start)
        self._started = []


def _duration(microseconds: float) -> str:
    if microseconds >= 1e6:
        return f"{microseconds / 1e6:.3f}s"
    if microseconds >= 1e3:
        return f"{microseconds / 1e3:.3f}ms"
    return f"{microseconds:.3f}us"
