"""L-BFGS: a quasi-Newton method that builds an inverse-Hessian estimate from the last
``history_size`` steps and gradient changes, optionally with a strong-Wolfe line search.

A port of PyTorch's ``torch.optim.LBFGS`` (itself after minFunc): the same two-loop
recursion, stopping rules and line search, so it follows PyTorch's trajectory. Like PyTorch's,
it needs a closure that recomputes the loss, and holds one parameter group.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, Optional

import numpy as np

from tapegrad.grad_mode import enable_grad
from tapegrad.optim.optimizer import Optimizer


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
    clamped to ``bounds`` (by default [x1, x2]); their midpoint if the cubic has none."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, low), high)


class _Point:
    """A trial step t along the direction: its loss f, gradient g and slope gtd = g · d."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _strong_wolfe(evaluate: Callable, t: float, d: np.ndarray, f: float, g: np.ndarray,
                  gtd: float, c1: float = 1e-4, c2: float = 0.9,
                  tolerance_change: float = 1e-9, max_ls: int = 25) -> tuple:
    """A step t along d meeting the strong Wolfe conditions (enough decrease: f(t) <= f +
    c1 t gtd; a flat enough slope: |g(t) · d| <= -c2 gtd): widen until a bracket holds one,
    then narrow it by cubic interpolation. Returns (loss, gradient, t, evaluations)."""
    start = _Point(0.0, f, g, gtd)
    state = {"evals": 0, "iterations": 0}

    def trial(step: float) -> _Point:
        loss, grad = evaluate(step)
        state["evals"] += 1
        return _Point(step, loss, grad, float(grad.dot(d)))

    bracket, done = _widen(trial, start, trial(t), c1, c2, max_ls, state)
    if not done:
        bracket = _narrow(trial, start, bracket, float(np.abs(d).max()), c1, c2,
                          tolerance_change, max_ls, state)
    best = bracket[0]
    return best.f, best.g, best.t, state["evals"]


def _widen(trial, start: _Point, new: _Point, c1, c2, max_ls, state) -> tuple:
    """Phase 1: grow t until [previous, new] brackets an acceptable step, or new is one."""
    previous = start
    while state["iterations"] < max_ls:
        if new.f > start.f + c1 * new.t * start.gtd or (state["iterations"] > 1
                                                        and new.f >= previous.f):
            return [previous, new], False
        if abs(new.gtd) <= -c2 * start.gtd:
            return [new], True
        if new.gtd >= 0:
            return [previous, new], False
        # Extrapolate: somewhere between a bit past t and ten times t.
        step = _cubic_interpolate(previous.t, previous.f, previous.gtd, new.t, new.f, new.gtd,
                                  bounds=(new.t + 0.01 * (new.t - previous.t), new.t * 10))
        previous, new = new, trial(step)
        state["iterations"] += 1
    return [start, new], False


def _narrow(trial, start: _Point, bracket: list, d_norm: float, c1, c2, tolerance_change,
            max_ls, state) -> list:
    """Phase 2 ("zoom"): shrink the bracket around an acceptable step; the best point first
    in the returned list."""
    insufficient_progress = False
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    while state["iterations"] < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        step = _cubic_interpolate(bracket[0].t, bracket[0].f, bracket[0].gtd,
                                  bracket[1].t, bracket[1].f, bracket[1].gtd)
        step, insufficient_progress = _keep_away_from_ends(step, bracket,
                                                           insufficient_progress)
        new = trial(step)
        state["iterations"] += 1
        if new.f > start.f + c1 * new.t * start.gtd or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
            continue
        if abs(new.gtd) <= -c2 * start.gtd:
            bracket[low] = new
            break
        if new.gtd * (bracket[high].t - bracket[low].t) >= 0:
            bracket[high] = bracket[low]
        bracket[low] = new
    return [bracket[low]]


def _keep_away_from_ends(step: float, bracket: list, insufficient_progress: bool) -> tuple:
    """Move a step that lands within 10% of the bracket's ends inward, the second time in a
    row (or at once when it lies outside), so the bracket keeps shrinking."""
    top, bottom = max(p.t for p in bracket), min(p.t for p in bracket)
    margin = 0.1 * (top - bottom)
    if min(top - step, step - bottom) >= margin:
        return step, False
    if insufficient_progress or step >= top or step <= bottom:
        step = top - margin if abs(step - top) < abs(step - bottom) else bottom + margin
        return step, False
    return step, True


class LBFGS(Optimizer):
    """L-BFGS, as PyTorch's: up to ``max_iter`` iterations (``max_eval`` loss evaluations)
    per ``step(closure)``, each along the two-loop-recursion direction, with a fixed step
    ``lr`` or, with ``line_search_fn="strong_wolfe"``, a strong-Wolfe line search.

    >>> import tapegrad as tg
    >>> w = tg.tensor([3.0, -1.0], requires_grad=True, dtype=tg.float64)
    >>> optimizer = LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     optimizer.zero_grad()
    ...     loss = ((w - tg.tensor([1.0, 2.0])) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> _ = optimizer.step(closure)
    >>> w.data.round(6)
    array([1., 2.])
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20,
                 max_eval: Optional[int] = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: Optional[str] = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{line_search_fn!r}")
        max_eval = max_iter * 5 // 4 if max_eval is None else max_eval
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad,
                                  "tolerance_change": tolerance_change,
                                  "history_size": history_size,
                                  "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        for param in self._params:
            if param.dtype.kind == "c":
                raise TypeError(f"LBFGS: complex parameters are not supported (got one of "
                                f"shape {tuple(param.shape)}); optimize tg.view_as_real's "
                                "real pairs instead")

    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([
            np.zeros(p.numel(), p.dtype) if p.accumulated_grad is None
            else p.accumulated_grad.reshape(-1) for p in self._params])

    def _add_to_params(self, step_size: float, update: np.ndarray) -> None:
        offset = 0
        for param in self._params:
            count = param.numel()
            param.data += (step_size * update[offset:offset + count]).reshape(
                param.shape).astype(param.dtype, copy=False)
            offset += count

    def _evaluate_at(self, closure, step_size: float, direction: np.ndarray) -> tuple:
        """The loss and gradient at params + step_size * direction; params are put back."""
        saved = [param.data.copy() for param in self._params]
        self._add_to_params(step_size, direction)
        loss = float(closure())
        flat_grad = self._flat_grad()
        for param, data in zip(self._params, saved):
            param.data[...] = data
        return loss, flat_grad

    def step(self, closure: Callable[[], Any]):
        """Run up to ``max_iter`` iterations; ``closure`` must zero the gradients, compute the
        loss, call backward and return the loss. Returns the first loss.

        >>> import tapegrad as tg
        >>> w = tg.tensor([0.0], requires_grad=True, dtype=tg.float64)
        >>> optimizer = LBFGS([w])
        >>> def closure():
        ...     optimizer.zero_grad()
        ...     loss = ((w - 3.0) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> float(optimizer.step(closure))
        9.0
        """
        if closure is None:
            raise ValueError("LBFGS.step needs a closure that recomputes the loss")
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        def evaluate():
            with enable_grad():
                return closure()

        first_loss = evaluate()
        loss = float(first_loss)
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= group["tolerance_grad"]:
            return first_loss
        self._iterate(evaluate, group, state, loss, flat_grad)
        return first_loss

    def _iterate(self, evaluate, group, state, loss, flat_grad) -> None:
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_change = group["tolerance_change"]
        evals, iteration = 1, 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            direction = self._direction(state, flat_grad, group["history_size"])
            state["prev_flat_grad"], state["prev_loss"] = flat_grad.copy(), loss
            prev_loss = loss
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = float(flat_grad.dot(direction))
            if gtd > -tolerance_change:  # not a descent direction: nothing more to gain
                break
            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, used = _strong_wolfe(
                    partial(self._evaluate_at, evaluate, direction=direction), t, direction,
                    loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add_to_params(t, direction)
            else:
                self._add_to_params(t, direction)
                used = 0
                if iteration != max_iter:
                    loss, used = float(evaluate()), 1
                    flat_grad = self._flat_grad()
            state["t"] = t
            evals += used
            state["func_evals"] += used
            if (iteration == max_iter or evals >= max_eval
                    or np.abs(flat_grad).max() <= group["tolerance_grad"]
                    or np.abs(direction * t).max() <= tolerance_change
                    or abs(loss - prev_loss) < tolerance_change):
                break

    # The state, kept on the first parameter: counts, step sizes and losses, and vectors over
    # every parameter at once (flattened), alone or in lists of the history.
    _NUMBERS = ("func_evals", "n_iter", "H_diag", "t", "prev_loss")
    _VECTORS = ("d", "prev_flat_grad")
    _HISTORIES = ("old_dirs", "old_stps")

    def _load_state_value(self, param, index: int, key: str, value):
        """Check and copy one saved value of LBFGS's own state layout (see above)."""
        where = f"LBFGS.load_state_dict: state {key!r} of parameter {index}"
        if key in self._NUMBERS:
            return super()._load_state_value(param, index, key, value)
        if key in self._VECTORS:
            return self._loaded_vector(where, value)
        if key in self._HISTORIES or key == "ro":
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{where} is {type(value).__name__}, expected a list")
            if key == "ro":
                return [super(LBFGS, self)._load_state_value(param, index, key, number)
                        for number in value]
            return [self._loaded_vector(where, vector) for vector in value]
        raise ValueError(f"{where}: LBFGS keeps no state of that name")

    def _loaded_vector(self, where: str, value) -> np.ndarray:
        size = sum(param.numel() for param in self._params)
        array = np.asarray(value)
        if array.shape != (size,) or array.dtype.kind != "f" or not np.isfinite(array).all():
            raise ValueError(f"{where} must be a finite float vector of the {size} parameter "
                             f"values, got {array.dtype} of shape {array.shape}")
        return array.astype(self._params[0].dtype, copy=True)

    @staticmethod
    def _direction(state: dict, flat_grad: np.ndarray, history_size: int) -> np.ndarray:
        """-H g by the two-loop recursion over the stored (y, s) pairs, H the inverse-Hessian
        estimate; the steepest descent on the first iteration."""
        if state["n_iter"] == 1:
            state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
            state["d"] = -flat_grad
            return state["d"]
        y = flat_grad - state["prev_flat_grad"]
        s = state["d"] * state["t"]
        ys = float(y.dot(s))
        if ys > 1e-10:  # keep only pairs that keep the estimate positive definite
            if len(state["old_dirs"]) == history_size:
                for key in ("old_dirs", "old_stps", "ro"):
                    state[key].pop(0)
            state["old_dirs"].append(y)
            state["old_stps"].append(s)
            state["ro"].append(1.0 / ys)
            state["H_diag"] = ys / float(y.dot(y))
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        alphas = [0.0] * len(old_dirs)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            alphas[i] = float(old_stps[i].dot(q)) * ro[i]
            q = q - alphas[i] * old_dirs[i]
        r = q * state["H_diag"]
        for i in range(len(old_dirs)):
            beta = float(old_dirs[i].dot(r)) * ro[i]
            r = r + (alphas[i] - beta) * old_stps[i]
        state["d"] = r
        return r
