"""Mutation check of the op tests: plant realistic bugs in tapegrad/ops one at a time and
count how many of them the tests catch.

    python tools/mutation_check.py                  # every mutant, two runs at a time
    python tools/mutation_check.py --list           # name and description of each mutant
    python tools/mutation_check.py relu_ge clip_low # only these
    python tools/mutation_check.py --root DIR       # mutate a copy of another checkout

Each mutant is one exact replacement in one file of tapegrad/ops (an operator swapped, > made
>=, a term dropped, a wrong axis, a sign flipped). It is made in a copy of the package and its
tests in a temporary directory, never in the working tree, and the tests run there in a
subprocess: ``pytest -x -q`` on the op test files, narrowed with ``-k`` to the tests of that
op. A mutant is caught when that run fails. The clean copy must pass the same tests first.
Prints the score and the survivors, and exits with 1 when a mutant survives.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TEST_PATHS = [
    "tests/test_ops.py", "tests/test_op_semantics.py", "tests/test_higher_order.py",
    "tests/test_numerics_finite_gradients.py", "tests/test_numerics_second_derivatives.py",
    "tests/test_convolution.py", "tapegrad/ops", "tests/test_fuzz.py",
]
COPIED = ["tapegrad", "tests", "pyproject.toml", "conftest.py"]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # under tapegrad/ops
    before: str  # exact text, found once in the file
    after: str
    tests: str  # pytest -k expression choosing the tests of the op


OPS = "tapegrad/ops/"
MUTANTS = [
    # the five bugs that survived the suite before issue 12
    Mutant("leaky_relu_ge", OPS + "activation.py", "np.where(x > 0, 1, self.slope)",
           "np.where(x >= 0, 1, self.slope)", "leaky"),
    Mutant("clip_low", OPS + "elementwise.py", "passes &= x >= low", "passes &= x > low",
           "clip or clamp"),
    Mutant("pow_zero_to_the_zero", OPS + "arithmetic.py", "zero_base = (x == 0) & (y >= 0)",
           "zero_base = (x == 0) & (y > 0)", "pow or power"),
    Mutant("cat_negative_axis", OPS + "shape.py", "(slice(None),) * (self.axis % grad.ndim)",
           "(slice(None),) * max(self.axis, 0)", "concatenate"),
    Mutant("cast_keeps_dtype", OPS + "elementwise.py", "return grad.astype(self.input_dtype)",
           "return grad", "astype"),
    # arithmetic
    Mutant("add_sign", OPS + "arithmetic.py", "return grad, grad", "return grad, -grad",
           "add or arith"),
    Mutant("sub_sign", OPS + "arithmetic.py", "(-grad if self.needs_input_grad[1] else None)",
           "(grad if self.needs_input_grad[1] else None)", "sub or arith"),
    Mutant("mul_swapped", OPS + "arithmetic.py", "(grad * y if needs_x else None)",
           "(grad * x if needs_x else None)", "mul"),
    Mutant("div_sign", OPS + "arithmetic.py", "times_keeping_zeros(grad, -z / y)",
           "times_keeping_zeros(grad, z / y)", "div or arith"),
    Mutant("neg_sign", OPS + "arithmetic.py", "        return -grad\n", "        return grad\n",
           "neg"),
    Mutant("pow_exponent", OPS + "arithmetic.py", "x ** (y - 1))", "x ** (y + 1))", "pow"),
    Mutant("pow_zero_exponent", OPS + "arithmetic.py", "np.where(y == 0, 0, x ** (y - 1))",
           "x ** (y - 1)", "pow or power or polynomial"),
    # elementwise
    Mutant("relu_ge", OPS + "elementwise.py", "(y > 0).astype(grad.dtype)",
           "(y >= 0).astype(grad.dtype)", "relu"),
    Mutant("clip_high", OPS + "elementwise.py", "passes &= x <= high", "passes &= x < high",
           "clip or clamp"),
    Mutant("log_squared", OPS + "elementwise.py", "over_keeping_zeros(grad, x)\n",
           "over_keeping_zeros(grad, x * x)\n", "log"),
    Mutant("sqrt_half", OPS + "elementwise.py", "over_keeping_zeros(grad, 2 * y)",
           "over_keeping_zeros(grad, y)", "sqrt or std"),
    Mutant("abs_sign_at_nan", OPS + "elementwise.py",
           "((x > 0).astype(grad.dtype) - (x < 0).astype(grad.dtype))", "np.sign(x)",
           "abs or l1"),
    Mutant("tanh_sign", OPS + "elementwise.py", "(1 - y * y)", "(1 + y * y)", "tanh or reuse"),
    Mutant("sigmoid_dropped_term", OPS + "elementwise.py", "return grad * y * (1 - y)",
           "return grad * y", "sigmoid"),
    Mutant("cos_sign", OPS + "elementwise.py", "return -grad * np.sin(x)",
           "return grad * np.sin(x)", "cos"),
    Mutant("log1p_shift", OPS + "elementwise.py", "over_keeping_zeros(grad, 1 + x)",
           "over_keeping_zeros(grad, x)", "log1p"),
    Mutant("expm1_dropped_one", OPS + "elementwise.py", "return grad * (y + 1)",
           "return grad * y", "expm1"),
    # activations and losses
    Mutant("elu_ge", OPS + "activation.py", "np.where(x > 0, 1, y + self.alpha)",
           "np.where(x >= 0, 1, y + self.alpha)", "elu"),
    Mutant("gelu_dropped_density", OPS + "activation.py",
           "grad * (self._cdf(x) + x * density)", "grad * self._cdf(x)", "gelu"),
    Mutant("gelu_tanh_slope", OPS + "activation.py", "(1 + 3 * _TANH_CUBIC * x * x)",
           "(1 + _TANH_CUBIC * x * x)", "gelu"),
    Mutant("silu_sigmoid_of_abs", OPS + "activation.py", "s = Sigmoid.forward_or_apply(x)",
           "s = stable_sigmoid(x)", "silu"),
    Mutant("softplus_sigmoid_of_abs", OPS + "activation.py",
           "Sigmoid.forward_or_apply(x * self.beta)", "stable_sigmoid(x * self.beta)",
           "softplus"),
    Mutant("softplus_threshold_ge", OPS + "activation.py", "linear = x * beta > threshold",
           "linear = x * beta >= threshold", "softplus"),
    Mutant("bce_dropped_weight", OPS + "loss.py", "(p * target + 1 - target)",
           "(p * target + 1)", "bce"),
    Mutant("nll_all_ignored", OPS + "loss.py",
           "over_keeping_zeros(weights, function.total_weight)",
           "weights / function.total_weight", "ignored or nll or cross_entropy"),
    Mutant("cross_entropy_sign", OPS + "loss.py", "probabilities * scale - on_targets",
           "probabilities * scale + on_targets", "cross_entropy"),
    # reductions
    Mutant("mean_count", OPS + "reduction.py", "keep_reduced_axes(grad / self.count,",
           "keep_reduced_axes(grad,", "mean"),
    Mutant("max_ties_not_split", OPS + "reduction.py",
           "weights = hits / hits.sum(axis=axis, keepdims=True)", "weights = hits",
           "max or min"),
    Mutant("max_nan_not_a_hit", OPS + "reduction.py",
           "(x == y) | (np.isnan(x) & np.isnan(y))", "x == y", "max or min"),
    Mutant("min_picks_argmax", OPS + "reduction.py",
           "staticmethod(np.min), staticmethod(np.argmin)",
           "staticmethod(np.min), staticmethod(np.argmax)", "min"),
    Mutant("prod_suffix_not_reversed", OPS + "reduction.py",
           "_exclusive_cumprod(groups[..., ::-1])[..., ::-1]",
           "_exclusive_cumprod(groups[..., ::-1])", "prod"),
    Mutant("prod_scan_stride", OPS + "reduction.py", "shift *= 2", "shift *= 3", "prod"),
    Mutant("var_ddof_dropped", OPS + "reduction.py",
           "grad * deviations * 2 / (_count(x, self.axis) - self.ddof)",
           "grad * deviations * 2 / _count(x, self.axis)", "var or std"),
    Mutant("var_saved_under_create_graph", OPS + "reduction.py",
           "if isinstance(x, TensorCore):  # under create_graph",
           "if False:  # under create_graph", "var or norm"),
    Mutant("std_constant_group", OPS + "reduction.py",
           "np.where(y == 0, 0, grad / ((_count(x, self.axis) - self.ddof) * y))",
           "grad / ((_count(x, self.axis) - self.ddof) * y)", "std or spread"),
    Mutant("logsumexp_wrong_axis", OPS + "reduction.py",
           "np.exp(x - keep_reduced_axes(y, ndim, axis, keepdims))", "np.exp(x - y)",
           "logsumexp"),
    Mutant("softmax_sign", OPS + "softmax.py", "y * (grad - np.sum(grad * y,",
           "y * (grad + np.sum(grad * y,", "softmax"),
    Mutant("log_softmax_last_axis", OPS + "softmax.py",
           "np.exp(y) * np.sum(grad, axis=self.axis, keepdims=True)",
           "np.exp(y) * np.sum(grad, axis=-1, keepdims=True)", "log_softmax"),
    # selection
    Mutant("maximum_tie_to_x", OPS + "select.py", "(x > y) + 0.5 * (x == y)", "(x >= y)",
           "maximum"),
    Mutant("where_wrong_side", OPS + "select.py",
           "np.where(self.condition, zero, grad) if needs_y",
           "np.where(self.condition, grad, zero) if needs_y", "where"),
    # linear algebra, shape and indexing
    Mutant("matmul_batch_axes", OPS + "linalg.py", "grad @ np.swapaxes(y_matrix, -1, -2)",
           "grad @ np.swapaxes(y_matrix, 0, 1)", "matmul"),
    Mutant("linear_bias_mean", OPS + "linalg.py", "rows.sum(axis=0) if needs_bias",
           "rows.mean(axis=0) if needs_bias", "linear"),
    Mutant("permute_not_inverted", OPS + "shape.py", "tuple(np.argsort(self.axes).tolist())",
           "tuple(self.axes)", "permute or transpose"),
    Mutant("pad_inside", OPS + "shape.py", "slice(before, before + size)",
           "slice(before, size)", "pad"),
    Mutant("tile_sums_elements", OPS + "shape.py", "tuple(range(0, 2 * len(shape), 2))",
           "tuple(range(1, 2 * len(shape), 2))", "repeat or tile"),
    Mutant("index_repeats_overwrite", OPS + "indexing.py",
           "        else:\n            np.add.at(y, index, x)",
           "        else:\n            y[index] = x", "index"),
    Mutant("gather_repeats_overwrite", OPS + "indexing.py",
           "np.add.at(y, tuple(positions), x)", "y[tuple(positions)] = x",
           "gather or embedding or cross_entropy"),
    # convolution and pooling
    Mutant("conv_weight_batch_mean", OPS + "convolution.py",
           "columns.swapaxes(-1, -2)).sum(axis=0)", "columns.swapaxes(-1, -2)).mean(axis=0)",
           "conv"),
    Mutant("avg_pool_undivided", OPS + "convolution.py",
           "share = grad / _divisor(grad.shape[2:], grad.dtype, **pooling)", "share = grad",
           "pool"),
    Mutant("max_pool_second_order_ge", OPS + "convolution.py",
           "padded[:, :, rows, cols] * (self.first_max == k)",
           "padded[:, :, rows, cols] * (self.first_max >= k)", "pool"),
    # the chain rule's 0 * inf = 0
    Mutant("chain_rule_times_nan", OPS + "chain_rule.py",
           "np.where(_values(grad) == 0, 0, grad * factor)", "grad * factor",
           "where or pow or power or polynomial"),
    Mutant("chain_rule_over_nan", OPS + "chain_rule.py",
           "np.where(_values(grad) == 0, 0, grad / divisor)", "grad / divisor",
           "where or sqrt or log"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only these mutants")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout to copy (default: this one)")
    parser.add_argument("--jobs", type=int, default=2, help="test runs at a time")
    options = parser.parse_args()
    unknown = set(options.names) - {mutant.name for mutant in MUTANTS}
    if unknown:
        parser.error(f"no mutant named {', '.join(sorted(unknown))}")
    mutants = [m for m in MUTANTS if not options.names or m.name in options.names]
    if options.list:
        for mutant in mutants:
            print(f"{mutant.name:30} {mutant.path[len(OPS):]:15} {mutant.before.strip()!r} -> "
                  f"{mutant.after.strip()!r}")
        return 0
    stale = [m.name for m in mutants
             if (options.root / m.path).read_text().count(m.before) != 1]
    if stale:  # the code changed under a mutant: fix its text rather than score a non-mutant
        print(f"these mutants' text is not found exactly once: {', '.join(stale)}")
        return 2
    with tempfile.TemporaryDirectory(prefix="mutation_check_") as scratch:
        copies: queue.Queue = queue.Queue()
        for number in range(options.jobs):
            copies.put(_copy_checkout(options.root, Path(scratch) / str(number)))
        baseline = _run_tests(copies.queue[0], "")
        if baseline.returncode != 0:
            print("the unmutated code fails its tests; fix that first:\n" + baseline.stdout[-3000:])
            return 2
        with ThreadPoolExecutor(options.jobs) as pool:
            results = list(pool.map(lambda mutant: _check(mutant, copies), mutants))
    survivors = [mutant for mutant, caught in zip(mutants, results) if not caught]
    print(f"\nmutation score: {len(mutants) - len(survivors)}/{len(mutants)} caught")
    for mutant in survivors:
        print(f"  survived: {mutant.name} ({mutant.path[len(OPS):]}: {mutant.before.strip()!r}"
              f" -> {mutant.after.strip()!r})")
    return 1 if survivors else 0


def _copy_checkout(root: Path, target: Path) -> Path:
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        elif source.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _check(mutant: Mutant, copies: queue.Queue) -> bool:
    """Plant ``mutant`` in a free copy, run its tests there, restore the file: caught?"""
    checkout = copies.get()
    path = checkout / mutant.path
    original = path.read_text()
    started = time.perf_counter()
    try:
        path.write_text(original.replace(mutant.before, mutant.after))
        result = _run_tests(checkout, mutant.tests)
    finally:
        path.write_text(original)
        copies.put(checkout)
    if result.returncode not in (0, 1, 2):  # 2: a collection error, which catches it too
        raise RuntimeError(f"{mutant.name}: pytest exited with {result.returncode} (no tests "
                           f"chosen by -k {mutant.tests!r}?)\n{result.stdout[-2000:]}")
    caught = result.returncode != 0
    print(f"{'caught  ' if caught else 'SURVIVED'} {mutant.name:30} "
          f"{time.perf_counter() - started:5.1f} s", flush=True)
    return caught


def _run_tests(checkout: Path, keyword: str) -> subprocess.CompletedProcess:
    # No bytecode: a mutant and its restored file can share a size and an mtime second, and
    # a stale .pyc would then run the wrong one.
    environment = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               *TEST_PATHS] + (["-k", keyword] if keyword else [])
    return subprocess.run(command, cwd=checkout, env=environment, capture_output=True,
                          text=True, timeout=900)


if __name__ == "__main__":
    sys.exit(main())
