"""What every benchmark shares: engines, one process per engine, samples, memory, the BLAS setup.

Each engine runs in a process of its own, so that no engine pays for another's imports: a
graph of Python objects costs Python's cycle collector time in proportion to everything else
alive in the process, and PyTorch alone brings some 150,000 objects.

A workload module (``overhead``, ``mlp``, ``gemm``, ``loaded``, ``moons``, ``long_chain``,
``cnn``, ``transformer``, ``lstm``, ``memory``) defines ``TITLE``, ``ENGINES`` (engine name
-> one measured run, returning a tuple of figures), ``OPTIONS`` and ``QUICK`` (its size
options, full and tiny), ``WARMUP``, ``FRESH_PROCESS`` (one sample per process, for peak
memory), ``SINGLE_RUN`` (engines too slow to repeat), ``HEADERS``, ``cells`` and
``targets``; ``workload_main`` gives it a command line.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib.util
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import time

# The peers, in the order the tables list them; the package each one needs.
ENGINE_LABELS = {
    "tapegrad": "tapegrad",
    "tapegrad_default": "tapegrad, default threads",
    "torch": "PyTorch (CPU)",
    "jax_jit": "JAX (jit)",
    "jax_eager": "JAX (eager)",
    "autograd": "HIPS autograd",
    "mygrad": "MyGrad",
    "micrograd": "micrograd",
    "numpy": "NumPy by hand (floor)",
    "bare": "bare Python graph (floor)",
}
ENGINE_PACKAGES = {"tapegrad": "tapegrad", "tapegrad_default": "tapegrad", "torch": "torch",
                   "jax_jit": "jax", "jax_eager": "jax", "autograd": "autograd",
                   "mygrad": "mygrad", "micrograd": "micrograd", "numpy": "numpy",
                   "bare": "numpy"}

# Set on some CI machines; they slow NumPy's BLAS 1.2-1.8x, so figures are taken both ways.
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def installed(engine: str) -> bool:
    """Whether ``engine``'s package can be imported (without importing it here).

    >>> installed("numpy")
    True
    """
    return importlib.util.find_spec(ENGINE_PACKAGES[engine]) is not None


def import_torch():
    """Import torch, using every core like the other engines' BLAS does."""
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    return torch


def samples(run, repeats: int, *args, warmup: bool = True) -> list:
    """Run ``run(*args)`` once to warm up (unless told not to), then ``repeats`` times.

    A full garbage collection comes before each timed run, untimed: otherwise the collection
    that imports and setup have made due falls inside the first timed run, costing it tens of
    milliseconds in proportion to every object alive. Collections the workload itself causes
    are still timed.

    >>> samples(lambda: (1.0, 2.0), 2)
    [[1.0, 2.0], [1.0, 2.0]]
    """
    if warmup:
        run(*args)
    figures = []
    for _ in range(repeats):
        gc.collect()
        figures.append(list(run(*args)))
    return figures


def medians(run, repeats: int, *args) -> list:
    """Run ``run(*args)`` once to warm up, then ``repeats`` times; the median of each figure."""
    return [statistics.median(column) for column in zip(*samples(run, repeats, *args))]


def measure_in_subprocess(module: str, engine: str, *args: str, env=None):
    """Run ``python -m module --engine engine ...`` and return what it printed last, as JSON.

    ``env`` replaces the environment (the BLAS variants); a failed process raises
    ``subprocess.CalledProcessError`` with its stderr. It runs in the repository's root, so
    that ``benchmarks`` (and an uninstalled ``tapegrad``) can be imported.
    """
    command = [sys.executable, "-m", module, "--engine", engine, *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=env,
                            cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def blas_variants() -> dict:
    """The two environments every figure is taken in: as this shell has it, and without
    ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` (like ``env -u`` for that one command)."""
    as_set = dict(os.environ)
    unset = {name: value for name, value in as_set.items() if name not in BLAS_VARIABLES}
    return {"as set": as_set, "unset": unset}


def blas_environment(env=None) -> str:
    """The OpenBLAS settings of ``env`` (this process's by default), for a report's header.

    >>> blas_environment({"OPENBLAS_L2_SIZE": "1048576"})
    'OPENBLAS_CORETYPE=(unset), OPENBLAS_L2_SIZE=1048576, OPENBLAS_NUM_THREADS=(unset)'
    """
    env = os.environ if env is None else env
    names = (*BLAS_VARIABLES, "OPENBLAS_NUM_THREADS")
    return ", ".join(f"{name}={env.get(name, '(unset)')}" for name in names)


def numpy_blas_kernel() -> str:
    """Which BLAS library and kernel NumPy uses in this process, as threadpoolctl sees it
    (empty without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ""
    import numpy  # noqa: F401 - loads the BLAS that threadpoolctl then reports

    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return "; ".join(f"{pool['internal_api']} {pool.get('version')}, kernel "
                     f"{pool.get('architecture')}, {pool['num_threads']} threads"
                     for pool in pools) or "(no BLAS found)"


def current_rss_bytes() -> int:
    """This process's resident memory now (Linux's /proc; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far (``ru_maxrss`` is in kB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def steps_per_second_engines(step_functions: dict) -> dict:
    """The ENGINES of a workload timed in training steps per second: each engine's model is
    built once per process, by ``step_functions[engine]()``, and kept for every repeat."""
    step_function = functools.cache(lambda engine: step_functions[engine]())

    def steps_per_second(engine: str, steps: int) -> tuple:
        step = step_function(engine)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        return (steps / (time.perf_counter() - start),)

    return {engine: functools.partial(steps_per_second, engine) for engine in step_functions}


def jax_sgd_step(loss, parameters: list, lr: float, jit: bool):
    """One plain SGD step on ``loss(parameters)`` in JAX, jitted or eager, as a function that
    waits for its result: how the workloads time JAX (its calls return before computing)."""
    import jax

    def update(parameters):
        value, gradients = jax.value_and_grad(loss)(parameters)
        return [p - lr * g for p, g in zip(parameters, gradients)], value

    update = jax.jit(update) if jit else update

    def step():
        nonlocal parameters
        parameters, value = update(parameters)
        value.block_until_ready()

    return step


def steps_per_second_cells(figures: dict, engine: str, options: dict) -> list:
    """An engine's row of a steps-per-second workload: the figure and its ratio to tapegrad's."""
    if isinstance(figures[engine], str):
        return [figures[engine], ""]
    base = figures.get("tapegrad")
    return [cell(figures[engine][0], 1), cell(ratio(figures[engine][0], base and base[0]))]


def first_figure(figures: dict, engine: str):
    """An engine's first figure, or None where it did not run."""
    values = figures.get(engine)
    return values[0] if isinstance(values, list) else None


def ratio(figure, base):
    """``figure / base``, or None when either is missing."""
    if isinstance(figure, (int, float)) and isinstance(base, (int, float)) and base:
        return figure / base
    return None


def cell(value, digits: int = 2) -> str:
    """A table cell: a number with ``digits`` decimals, or a dash for a missing one.

    >>> cell(3.14159), cell(None), cell(2500.0, 0)
    ('3.14', '—', '2,500')
    """
    return "—" if value is None else f"{value:,.{digits}f}"


def profile_text(run, *args, top: int = 15) -> str:
    """Run ``run(*args)`` once under cProfile; its ``top`` entries by own time, as text."""
    profiler = cProfile.Profile()
    profiler.runcall(run, *args)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(line.replace(os.getcwd() + os.sep, "").rstrip()
                     for line in lines[start - 2:]).strip("\n")


def workload_main(workload) -> None:
    """The command line of a workload module: with ``--engine``, measure that engine and print
    JSON ({"samples": [...]} or {"error": ...}); without, measure every installed engine in
    this environment and print the table.
    """
    parser = argparse.ArgumentParser(description=workload.__doc__.splitlines()[0])
    for name, default in workload.OPTIONS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per process")
    parser.add_argument("--engine", choices=list(workload.ENGINES), help="one engine, as JSON")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed first run")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of --engine")
    parser.add_argument("--no-gc", action="store_true",
                        help="run --engine with Python's cycle collector off, to see its share")
    args = parser.parse_args()
    options = {name: getattr(args, name) for name in workload.OPTIONS}
    if args.engine:
        if args.no_gc:
            gc.disable()
        print(json.dumps(measure_engine(workload, args.engine, options, args.repeats,
                                        warmup=workload.WARMUP and not args.no_warmup,
                                        profile=args.profile)))
        return
    engines = [engine for engine in workload.ENGINES if installed(engine)]
    figures = {}
    for engine in engines:
        repeats = 1 if workload.FRESH_PROCESS or engine in workload.SINGLE_RUN else args.repeats
        extra = ["--no-warmup"] if engine in workload.SINGLE_RUN else []
        arguments = [*option_arguments(options), "--repeats", str(repeats), *extra]
        result = measure_in_subprocess(workload.__spec__.name, engine, *arguments)
        figures[engine] = result.get("error") or [
            statistics.median(column) for column in zip(*result["samples"])]
    print(f"{workload.TITLE} ({blas_environment()})")
    print(markdown_table(["engine", *workload.HEADERS],
                         [[ENGINE_LABELS[engine], *workload.cells(figures, engine, options)]
                          for engine in engines]))
    for target, verdict in workload.targets(figures, options):
        print(f"- {target}: {verdict}")


def measure_engine(workload, engine: str, options: dict, repeats: int, warmup: bool = True,
                   profile: bool = False) -> dict:
    """In the engine's own process: the samples (or the error that stopped it, or a profile)."""
    run = workload.ENGINES[engine]
    if profile:
        run(**options)
        gc.collect()
        return {"profile": profile_text(lambda: run(**options))}
    try:
        return {"samples": samples(lambda: run(**options), repeats, warmup=warmup)}
    except RecursionError as error:
        # micrograd's recursive topological sort on a long chain: a result, not a crash
        return {"error": type(error).__name__}


def option_arguments(options: dict) -> list:
    """``{"ops": 1000}`` as ``["--ops", "1000"]``.

    >>> option_arguments({"ops": 1000, "steps": 5})
    ['--ops', '1000', '--steps', '5']
    """
    return [text for name, value in options.items()
            for text in (f"--{name.replace('_', '-')}", str(value))]


def markdown_table(headers: list, rows: list) -> str:
    """A Markdown table; every column after the first is right-aligned.

    >>> print(markdown_table(["engine", "s"], [["tapegrad", "1.0"]]))
    | engine | s |
    | --- | ---: |
    | tapegrad | 1.0 |
    """
    lines = ["| " + " | ".join(headers) + " |",
             "| --- |" + " ---: |" * (len(headers) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def ratio_target(text: str, figure, reference, name: str, at_most=None, at_least=None):
    """A target row (text, verdict): is ``figure / reference`` at most (or at least) a bound?

    >>> ratio_target("fast", 2.0, 5.0, "PyTorch", at_most=0.5)
    ('fast', 'met (0.40× PyTorch)')
    >>> ratio_target("fast", 2.0, None, "PyTorch", at_most=0.5)
    ('fast', 'n/a (PyTorch not measured)')
    """
    value = ratio(figure, reference)
    if value is None:
        return text, f"n/a ({name} not measured)"
    met = value <= at_most if at_most is not None else value >= at_least
    return text, f"{'met' if met else 'NOT met'} ({value:,.2f}× {name})"
