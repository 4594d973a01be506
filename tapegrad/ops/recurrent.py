"""Recurrent layers as fused ops: one Function runs one direction of one RNN, LSTM or GRU layer
over a whole sequence, forward in a loop over time and backward through time by hand.

One node per layer rather than a dozen per time step: the input's contribution to every gate
is one matrix product over all steps before the loop, and the weight gradients are one matrix
product over all steps after the backward loop, so only the recurrent product ``h @ W_hh^T``
(and its transpose in backward) runs step by step.

Every op here takes x of shape (T, B, I), time first, and returns one array of shape
(T + 1, B, S): row t < T holds the state after step t (zero where a sequence has ended), and
row T the final state of each sequence; S is the hidden size (for an LSTM the hidden size
plus the cell size, h then c, side by side). ``lengths`` (one per batch element) makes a
sequence stop early: past its end its state is carried unchanged, which is what PyTorch does
with a PackedSequence. ``reverse=True`` runs from the last step of each sequence to the first.
"""

from __future__ import annotations

import numpy as np

from tapegrad.function import Function, once_differentiable


def _check_layer(op: str, x, h0, w_ih, w_hh, gates: int) -> None:
    """Shapes of a layer's input, initial state and weights, or a ValueError naming them."""
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(f"{op}: expected input of shape (T, B, input_size) with T > 0 "
                         f"(the sequence length), got {x.shape}")
    hidden = w_hh.shape[1]
    if w_ih.shape != (w_hh.shape[0], x.shape[2]) or w_hh.shape[0] % gates:
        raise ValueError(
            f"{op}: weight_ih of shape {w_ih.shape} and weight_hh of shape {w_hh.shape} do not "
            f"fit input of shape {x.shape} ({gates} gates of the hidden size stacked)")
    if h0.shape != (x.shape[1], hidden):
        raise ValueError(
            f"{op}: initial hidden state of shape {h0.shape}, expected {(x.shape[1], hidden)}")


def _sigmoid(x):
    """1 / (1 + exp(-x)) as (1 + tanh(x / 2)) / 2: one ufunc, and no overflow for any x."""
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def _quarters(rows, hidden: int) -> tuple:
    """The four gates stacked along a row of 4 * hidden, as views (np.split costs more)."""
    return tuple(rows[:, k * hidden:(k + 1) * hidden] for k in range(4))


def _sigmoid_in_place(x) -> None:
    """x becomes sigmoid(x), as _sigmoid computes it, with no temporary array."""
    np.multiply(x, 0.5, out=x)
    np.tanh(x, out=x)
    x *= 0.5
    x += 0.5


def _sigmoid_slope(s):
    """The sigmoid's derivative from its value s: s (1 - s)."""
    return s * (1 - s)


def _row_quarters(rows, hidden: int) -> tuple:
    """The four gates stacked along the first axis, 4 * hidden rows, as contiguous views."""
    return tuple(rows[k * hidden:(k + 1) * hidden] for k in range(4))


def _steps(length: int, reverse: bool) -> range:
    return range(length - 1, -1, -1) if reverse else range(length)


def _active(lengths, steps: int, batch: int, dtype):
    """Per step, a (B, 1) column: 1 while the sequence runs, 0 after its end; None for no
    lengths (every sequence runs every step, and the masking is skipped)."""
    if lengths is None:
        return None
    lengths = np.asarray(lengths)
    if lengths.shape != (batch,):
        raise ValueError(f"recurrent layer: {lengths.shape[0] if lengths.ndim else 0} lengths "
                         f"for a batch of {batch}")
    return (np.arange(steps)[:, None, None] < lengths[None, :, None]).astype(dtype)


def _step_output(h_new, h, out, t: int, active):
    """Write step t's output into ``out`` and return the state to carry on: a sequence that
    has ended (``active[t]`` 0) keeps its last state and outputs zeros."""
    if active is None:
        out[t] = h_new
        return h_new
    h_new = active[t] * h_new + (1 - active[t]) * h
    out[t] = active[t] * h_new
    return h_new


def _running(lengths, steps: int, batch: int):
    """Per step, a (1, B) bool row: True while the sequence runs; None for no lengths."""
    active = _active(lengths, steps, batch, bool)
    return None if active is None else active.transpose(0, 2, 1)


def _input_gates(x, w_ih, bias):
    """x_t @ W_ih^T + bias for every step at once: one (T*B, I) x (I, G) product."""
    steps, batch, _ = x.shape
    gates = x.reshape(steps * batch, x.shape[2]) @ w_ih.T
    if bias is not None:
        gates += bias
    return gates.reshape(steps, batch, w_ih.shape[0])


def _input_gates_by_feature(x, w_ih, bias):
    """_input_gates feature-major, W_ih @ x_t^T + bias for every step, of shape (G, T, B):
    one (G, I) x (I, T*B) product."""
    steps, batch, _ = x.shape
    gates = w_ih @ x.reshape(steps * batch, x.shape[2]).T
    if bias is not None:
        gates += bias[:, None]
    return gates.reshape(w_ih.shape[0], steps, batch)


def _summed_over_steps(grad_gates, values):
    """sum over t of grad_gates[t]^T @ values[t] (a weight's gradient), and of grad_gates[t]
    (its bias's): one product over all steps at once."""
    flat = grad_gates.reshape(-1, grad_gates.shape[2])
    return flat.T @ values.reshape(flat.shape[0], values.shape[2]), flat.sum(axis=0)


def _input_grads(grad_gates, x, w_ih, needs_x: bool):
    """dL/dx (when needed), dL/dW_ih and dL/db_ih from the input gates' gradients."""
    grad_x = None
    if needs_x:  # one 2-d product: np.matmul of a stack by a matrix does not use BLAS
        grad_x = (grad_gates.reshape(-1, grad_gates.shape[2]) @ w_ih).reshape(x.shape)
    grad_w_ih, grad_b = _summed_over_steps(grad_gates, x)
    return grad_x, grad_w_ih, grad_b


class RNNLayer(Function):
    """h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) for each step t, act tanh or relu;
    dL/dx = G W_ih, dL/dh0 = G_1 W_hh, dL/dw_ih = sum G_t^T x_t, dL/dw_hh = sum G_t^T h_{t-1},
    where G_t = (dL/dh_t + G_{t+1} W_hh) * act'(h_t) is the pre-activation's gradient

    >>> x, h0 = np.ones((2, 1, 3)), np.zeros((1, 1))
    >>> RNNLayer.apply(x, h0, np.ones((1, 3)), np.zeros((1, 1))).data.round(4).ravel()
    array([0.9951, 0.9951, 0.9951])
    """

    __slots__ = ("relu", "reverse", "lengths")
    saved_roles = (0, 2, 3)

    def forward(self, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, nonlinearity="tanh",
                reverse=False, lengths=None):
        _check_layer("RNNLayer", x, h0, w_ih, w_hh, 1)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNLayer: nonlinearity must be 'tanh' or 'relu', "
                             f"got {nonlinearity!r}")
        self.relu, self.reverse, self.lengths = nonlinearity == "relu", reverse, lengths
        steps, batch, _ = x.shape
        bias = b_ih + b_hh if b_ih is not None else None
        pre = _input_gates(x, w_ih, bias)
        active = _active(lengths, steps, batch, x.dtype)
        out = np.zeros((steps + 1, batch, h0.shape[1]), dtype=pre.dtype)
        previous = np.empty_like(out[:steps])
        h = h0
        for t in _steps(steps, reverse):
            previous[t] = h
            a = pre[t] + h @ w_hh.T
            h_new = np.maximum(a, 0) if self.relu else np.tanh(a)
            h = _step_output(h_new, h, out, t, active)
        out[steps] = h
        self.save_for_backward(x, w_ih, w_hh, previous, out)
        return out

    @once_differentiable
    def backward(self, grad):
        x, w_ih, w_hh, previous, out = self.saved
        steps = x.shape[0]
        active = _active(self.lengths, steps, x.shape[1], x.dtype)
        grad_pre = np.zeros_like(previous)
        grad_h = grad[steps].copy()
        for t in _steps(steps, not self.reverse):
            on = 1 if active is None else active[t]
            grad_h += on * grad[t]
            h_t = out[t]
            slope = (h_t > 0) if self.relu else 1 - h_t * h_t
            grad_pre[t] = on * grad_h * slope
            grad_h = grad_pre[t] @ w_hh + (1 - on) * grad_h
        grad_x, grad_w_ih, grad_b = _input_grads(grad_pre, x, w_ih, self.needs_input_grad[0])
        grad_w_hh, _ = _summed_over_steps(grad_pre, previous)
        grads = grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b, grad_b
        return grads[:len(self.needs_input_grad)]  # the optional inputs given


class LSTMLayer(Function):
    """h_t = o tanh(c_t) [W_hr^T], c_t = f c_{t-1} + i g, with i, f, g, o = sig, sig, tanh, sig
    of x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh;  dL/dx = G W_ih, dL/dh0 = G_1 W_hh,
    dL/dc0 = dL/dc_1 f_1, where G_t stacks the four gates' gradients and the cell's gradient
    runs back as dL/dc_{t-1} = dL/dc_t f_t

    Output rows hold h (hidden or projection size) then c (hidden size). Inside, every state
    and gate is feature-major, (features, B): the step's product is W_hh @ h, which OpenBLAS
    runs up to 2.5x faster than h @ W_hh^T for a small batch, and each gate is a contiguous
    block of rows.

    >>> x, h0, c0 = np.ones((2, 1, 3)), np.zeros((1, 1)), np.zeros((1, 1))
    >>> LSTMLayer.apply(x, h0, c0, np.ones((4, 3)), np.zeros((4, 1))).data.shape
    (3, 1, 2)
    """

    __slots__ = ("reverse", "lengths")
    saved_roles = (0, 3, 4, 7)

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, *,
                reverse=False, lengths=None):
        _check_layer("LSTMLayer", x, h0, w_ih, w_hh, 4)
        hidden = w_hh.shape[0] // 4
        if c0.shape != (x.shape[1], hidden):
            raise ValueError(f"LSTMLayer: initial cell state of shape {c0.shape}, expected "
                             f"{(x.shape[1], hidden)}")
        self.reverse, self.lengths = reverse, lengths
        steps, batch, _ = x.shape
        bias = b_ih + b_hh if b_ih is not None else None
        pre = _input_gates_by_feature(x, w_ih, bias)
        running = _running(lengths, steps, batch)
        out_size = h0.shape[1]
        out = np.zeros((steps + 1, batch, out_size + hidden), dtype=pre.dtype)
        # what backward reads, feature-major: h_{t-1} as (out_size, T, B) so that the
        # weight's gradient is one product; c_{t-1}, the gates and tanh(c_t) per step
        previous = np.empty((out_size, steps, batch), dtype=pre.dtype)
        previous_c = np.empty((steps, hidden, batch), dtype=pre.dtype)
        gates = np.empty((steps, 4 * hidden, batch), dtype=pre.dtype)
        tanh_c = np.empty((steps, hidden, batch), dtype=pre.dtype)
        h, c = h0.T, c0.T
        for t in _steps(steps, reverse):
            previous[:, t], previous_c[t] = h, c
            a = gates[t]
            np.matmul(w_hh, h, out=a)
            a += pre[:, t]
            i, f, g, o = _row_quarters(a, hidden)
            _sigmoid_in_place(a[:2 * hidden])
            np.tanh(g, out=g)
            _sigmoid_in_place(o)
            c_new = f * c
            c_new += i * g
            np.tanh(c_new, out=tanh_c[t])
            h_new = o * tanh_c[t]
            if w_hr is not None:
                h_new = w_hr @ h_new
            if running is not None:
                h_new = np.where(running[t], h_new, h)
                c_new = np.where(running[t], c_new, c)
                out[t, :, :out_size] = np.where(running[t], h_new, 0).T
                out[t, :, out_size:] = np.where(running[t], c_new, 0).T
            else:
                out[t, :, :out_size], out[t, :, out_size:] = h_new.T, c_new.T
            h, c = h_new, c_new
        out[steps, :, :out_size], out[steps, :, out_size:] = h.T, c.T
        self.save_for_backward(x, w_ih, w_hh, w_hr, previous, previous_c, gates, tanh_c)
        return out

    @once_differentiable
    def backward(self, grad):
        x, w_ih, w_hh, w_hr, previous, previous_c, gates, tanh_c = self.saved
        steps, batch, _ = x.shape
        out_size, hidden = previous.shape[0], tanh_c.shape[1]
        active = _active(self.lengths, steps, batch, grad.dtype)
        # the gates' gradients as (4 * hidden, T, B): the weights' gradients are one product
        grad_gates = np.empty((4 * hidden, steps, batch), dtype=gates.dtype)
        # dL/dh per step before the projection adjoint: the projection weight's gradient
        grad_cell_out = np.zeros((steps, out_size, batch), gates.dtype) if w_hr is not None \
            else None
        w_hh_t = np.ascontiguousarray(w_hh.T)
        grad_h = grad[steps, :, :out_size].T.copy()
        grad_c = grad[steps, :, out_size:].T.copy()
        for t in _steps(steps, not self.reverse):
            # Without lengths every sequence runs every step: no masking arithmetic at all.
            on = None if active is None else active[t].T
            grad_h += grad[t, :, :out_size].T if on is None else on * grad[t, :, :out_size].T
            grad_c += grad[t, :, out_size:].T if on is None else on * grad[t, :, out_size:].T
            i, f, g, o = _row_quarters(gates[t], hidden)
            grad_out = grad_h if on is None else on * grad_h
            if w_hr is not None:
                grad_cell_out[t] = grad_out
                grad_out = w_hr.T @ grad_out
            grad_c_total = 1 - tanh_c[t] * tanh_c[t]
            grad_c_total *= o
            grad_c_total *= grad_out
            grad_c_total += grad_c if on is None else on * grad_c
            grad_i, grad_f, grad_g, grad_o = _row_quarters(grad_gates[:, t], hidden)
            np.multiply(grad_c_total * g, _sigmoid_slope(i), out=grad_i)
            np.multiply(grad_c_total * previous_c[t], _sigmoid_slope(f), out=grad_f)
            np.multiply(grad_c_total * i, 1 - g * g, out=grad_g)
            np.multiply(grad_out * tanh_c[t], _sigmoid_slope(o), out=grad_o)
            if on is None:
                grad_c = grad_c_total * f
                grad_h = w_hh_t @ grad_gates[:, t]
            else:
                grad_c = grad_c_total * f + (1 - on) * grad_c
                grad_h = w_hh_t @ grad_gates[:, t] + (1 - on) * grad_h
        rows = grad_gates.reshape(4 * hidden, steps * batch)
        grad_x = None
        if self.needs_input_grad[0]:
            grad_x = (rows.T @ w_ih).reshape(x.shape)
        grad_w_ih = rows @ x.reshape(steps * batch, x.shape[2])
        grad_w_hh = rows @ previous.reshape(out_size, steps * batch).T
        grad_b = rows.sum(axis=1)
        grad_w_hr = None
        if w_hr is not None:
            cell_out = gates[:, 3 * hidden:] * tanh_c
            grad_w_hr = np.tensordot(grad_cell_out, cell_out, axes=([0, 2], [0, 2]))
        grads = (grad_x, np.ascontiguousarray(grad_h.T), np.ascontiguousarray(grad_c.T),
                 grad_w_ih, grad_w_hh, grad_b, grad_b, grad_w_hr)
        return grads[:len(self.needs_input_grad)]


class GRULayer(Function):
    """h_t = (1 - z) n + z h_{t-1}, with r, z = sig(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr),
    sig(... W_iz, W_hz ...) and n = tanh(x_t W_in^T + b_in + r (h_{t-1} W_hn^T + b_hn));
    dL/dx = G W_ih, dL/dh0 = dL/dh_1 z_1 + G'_1 W_hh, where G_t and G'_t stack the gates'
    gradients on the input's and the hidden state's side

    >>> x, h0 = np.ones((2, 1, 3)), np.zeros((1, 1))
    >>> GRULayer.apply(x, h0, np.ones((3, 3)), np.zeros((3, 1))).data.shape
    (3, 1, 1)
    """

    __slots__ = ("reverse", "lengths")
    saved_roles = (0, 2, 3)

    def forward(self, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, reverse=False,
                lengths=None):
        _check_layer("GRULayer", x, h0, w_ih, w_hh, 3)
        self.reverse, self.lengths = reverse, lengths
        steps, batch, _ = x.shape
        hidden = h0.shape[1]
        pre = _input_gates(x, w_ih, b_ih)
        active = _active(lengths, steps, batch, x.dtype)
        out = np.zeros((steps + 1, batch, hidden), dtype=pre.dtype)
        previous = np.empty((steps, batch, hidden), dtype=pre.dtype)
        # per step: r, z, n and the recurrent part of n before r scales it
        gates = np.empty((steps, batch, 4 * hidden), dtype=pre.dtype)
        h = h0
        for t in _steps(steps, reverse):
            previous[t] = h
            recurrent = h @ w_hh.T
            if b_hh is not None:
                recurrent += b_hh
            r, z = np.split(_sigmoid(pre[t, :, :2 * hidden] + recurrent[:, :2 * hidden]), 2,
                            axis=1)
            n = np.tanh(pre[t, :, 2 * hidden:] + r * recurrent[:, 2 * hidden:])
            gates[t] = np.concatenate([r, z, n, recurrent[:, 2 * hidden:]], axis=1)
            h_new = (1 - z) * n + z * h
            h = _step_output(h_new, h, out, t, active)
        out[steps] = h
        self.save_for_backward(x, w_ih, w_hh, previous, gates)
        return out

    @once_differentiable
    def backward(self, grad):
        x, w_ih, w_hh, previous, gates = self.saved
        steps, batch, _ = x.shape
        hidden = previous.shape[2]
        active = _active(self.lengths, steps, batch, x.dtype)
        grad_input_gates = np.zeros((steps, batch, 3 * hidden), dtype=gates.dtype)
        grad_hidden_gates = np.zeros_like(grad_input_gates)
        grad_h = grad[steps].copy()
        for t in _steps(steps, not self.reverse):
            on = 1 if active is None else active[t]
            grad_h += on * grad[t]
            r, z, n, recurrent_n = _quarters(gates[t], hidden)
            grad_new = on * grad_h
            grad_n = grad_new * (1 - z) * (1 - n * n)
            grad_r = grad_n * recurrent_n * r * (1 - r)
            grad_z = grad_new * (previous[t] - n) * z * (1 - z)
            grad_input_gates[t] = np.concatenate([grad_r, grad_z, grad_n], axis=1)
            grad_hidden_gates[t] = np.concatenate([grad_r, grad_z, grad_n * r], axis=1)
            grad_h = grad_hidden_gates[t] @ w_hh + grad_new * z + (1 - on) * grad_h
        grad_x, grad_w_ih, grad_b_ih = _input_grads(grad_input_gates, x, w_ih,
                                                    self.needs_input_grad[0])
        grad_w_hh, grad_b_hh = _summed_over_steps(grad_hidden_gates, previous)
        grads = grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh
        return grads[:len(self.needs_input_grad)]
