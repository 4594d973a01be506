"""The benchmark suite: every workload, every installed engine, both BLAS environments.

    python -m benchmarks [--rounds 5] [--repeats 1] [--only W1,W3] [--engines tapegrad,torch]
                         [--output benchmarks/RESULTS.md] [--quick] [--no-profile]

Runs W1-W7, the GEMM peak, W2 under load and the memory workload for tapegrad and each
installed peer, each measurement in a process of its own, and writes a Markdown report
(``benchmarks/RESULTS.md``): the machine, one table per workload with each engine's figures
and ratio to tapegrad, and whether tapegrad meets the issue's targets, all side by side for
the environment as this shell has it and with ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE``
removed. Engines and environments are interleaved, round by round, so that a slow minute on a
shared machine falls on all of them; each figure is the median of ``rounds x repeats``
samples. Where a target is not met, a cProfile of one tapegrad run shows where its time goes.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time

if not __package__:  # run as a script: benchmarks/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import (  # noqa: E402
    cnn,
    gemm,
    loaded,
    long_chain,
    lstm,
    memory,
    mlp,
    moons,
    overhead,
    transformer,
)
from benchmarks.common import (  # noqa: E402
    BLAS_VARIABLES,
    ENGINE_LABELS,
    ENGINE_PACKAGES,
    ROOT,
    blas_environment,
    blas_variants,
    installed,
    markdown_table,
    measure_in_subprocess,
    option_arguments,
)

WORKLOADS = {"W1": overhead, "W2": mlp, "GEMM": gemm, "Load": loaded, "W3": moons,
             "W4": long_chain, "W5": cnn, "W6": transformer, "W7": lstm, "Memory": memory}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="passes over every engine and environment (default 5)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs per process and round (default 3)")
    parser.add_argument("--only", help="workloads to run, e.g. W1,W3,GEMM,Load (default: all)")
    parser.add_argument("--engines", help="engines to run, e.g. tapegrad,torch (default: all)")
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "RESULTS.md"))
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one round, one repeat: checks that all runs")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the profiles of workloads whose targets are not met")
    args = parser.parse_args(argv)
    rounds, repeats = (1, 1) if args.quick else (args.rounds, args.repeats)
    keys = args.only.split(",") if args.only else list(WORKLOADS)
    wanted = args.engines.split(",") if args.engines else list(ENGINE_LABELS)
    variants = blas_variants()

    started = time.perf_counter()
    sections = [machine_section(variants, rounds, repeats)]
    profiles = []
    for key in keys:
        workload = WORKLOADS[key]
        options = workload.QUICK if args.quick else workload.OPTIONS
        engines = [engine for engine in workload.ENGINES if engine in wanted and installed(engine)]
        figures = collect(key, workload, engines, options, variants, rounds, repeats)
        sections.append(workload_section(key, workload, engines, options, figures))
        unmet = any("NOT met" in verdict for variant in figures
                    for _, verdict in workload.targets(figures[variant], options))
        if unmet and "tapegrad" in engines and not (args.quick or args.no_profile):
            profiles.append(profile_section(key, workload, options))
    if profiles:
        sections.append("## Where tapegrad's time goes\n\nFor each workload with a target not "
                        "met: one tapegrad run (after a warmup) under cProfile, the top entries "
                        "by own time, in this shell's environment.\n\n" + "\n\n".join(profiles))
    minutes = (time.perf_counter() - started) / 60
    sections.append(f"_The suite took {minutes:.1f} minutes; load average at the end: "
                    f"{load_average()}._")
    with open(args.output, "w", encoding="utf-8") as report:
        report.write("\n\n".join(sections) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)


def collect(key: str, workload, engines: list, options: dict, variants: dict, rounds: int,
            repeats: int) -> dict:
    """{variant: {engine: medians, or what stopped it}}, sampled round by round.

    Every round runs every engine in every environment, one after another, so that a busy
    minute on the machine is shared out: one process each, with ``repeats`` timed runs. A
    fresh-process workload (peak memory) takes one sample per process and round; a single-run
    engine (minutes per run) runs once in each environment, in the first round; an engine
    that stopped with an error is not rerun.
    """
    samples = {variant: {engine: [] for engine in engines} for variant in variants}
    stopped = {variant: {} for variant in variants}
    for round_index in range(rounds):
        for engine in engines:
            single = engine in workload.SINGLE_RUN
            if single and round_index > 0:
                continue
            for variant, env in variants.items():
                if engine in stopped[variant]:
                    continue
                fresh = workload.FRESH_PROCESS or single
                per_process = 1 if fresh else repeats
                arguments = [*option_arguments(options), "--repeats", str(per_process)]
                if single:
                    arguments.append("--no-warmup")
                print(f"{key} round {round_index + 1}/{rounds}: {engine} ({variant})",
                      file=sys.stderr, flush=True)
                result = run_engine(workload, engine, arguments, env)
                if "samples" in result:
                    samples[variant][engine] += result["samples"]
                else:
                    stopped[variant][engine] = result["error"]
    return {variant: {engine: stopped[variant].get(engine) or
                      [statistics.median(column) for column in zip(*samples[variant][engine])]
                      for engine in engines}
            for variant in variants}


def run_engine(workload, engine: str, arguments: list, env: dict) -> dict:
    """One engine process; a crash becomes an error for the table, with stderr shown here."""
    try:
        return measure_in_subprocess(workload.__name__, engine, *arguments, env=env)
    except subprocess.CalledProcessError as error:
        print(error.stderr, file=sys.stderr)
        return {"error": f"failed (exit {error.returncode})"}


def workload_section(key: str, workload, engines: list, options: dict, figures: dict) -> str:
    """A workload's table (each environment's columns side by side) and its targets."""
    variants = list(figures)
    headers = ["engine"] + [f"{header} ({variant})" for variant in variants
                            for header in workload.HEADERS]
    rows = [[ENGINE_LABELS[engine]] + [text for variant in variants
                                       for text in workload.cells(figures[variant], engine,
                                                                  options)]
            for engine in engines]
    verdicts = {variant: workload.targets(figures[variant], options) for variant in variants}
    target_rows = [[target] + [verdicts[variant][index][1] for variant in variants]
                   for index, (target, _) in enumerate(verdicts[variants[0]])]
    size = ", ".join(f"{name} = {value:,}" for name, value in options.items())
    return (f"## {workload.TITLE}\n\n{workload.__doc__.split(chr(10) + chr(10), 2)[2].strip()}"
            f"\n\nRun with {size}.\n\n{markdown_table(headers, rows)}\n\n"
            + markdown_table(["target"] + [f"{variant}" for variant in variants], target_rows))


def profile_section(key: str, workload, options: dict) -> str:
    """The top of a cProfile of one tapegrad run of this workload."""
    arguments = [*option_arguments(options), "--profile"]
    print(f"{key}: profiling tapegrad", file=sys.stderr, flush=True)
    result = run_engine(workload, "tapegrad", arguments, None)
    text = result.get("profile") or result.get("error")
    return f"### {key}\n\n```text\n{text}\n```"


def machine_section(variants: dict, rounds: int, repeats: int) -> str:
    """The report's header: when, on what, with which versions and BLAS setup."""
    packages = dict.fromkeys(ENGINE_PACKAGES[engine] for engine in ENGINE_LABELS
                             if installed(engine))  # JAX's two engines are one package
    versions = ", ".join(f"{package} {package_version(package)}" for package in packages)
    missing = [ENGINE_LABELS[engine] for engine in ENGINE_LABELS if not installed(engine)]
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks` (`benchmarks/run.py`); rerun it to refresh. Figures "
        "vary from run to run, and on a shared machine from minute to minute: compare ratios "
        "within one run, not figures across runs.",
        "",
        f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- machine: {os.cpu_count()} cores ({cpu_model()}), {platform.platform()}, "
        f"load average at the start: {load_average()}",
        f"- Python {platform.python_version()}; {versions}",
        f"- not installed, so not measured: {', '.join(missing) or 'none'}",
        f"- each figure: the median of {rounds} rounds × {repeats} timed run(s), engines and "
        "environments interleaved round by round, each engine in a process of its own, after "
        "an untimed warmup run and with a full garbage collection before each timed run; W4, "
        "memory and W2 under load take one sample per fresh process (the last with untimed "
        f"settling steps instead of a warmup run), so {rounds}; runs marked \"(1 run)\" take "
        "minutes and were timed once",
        "- × tapegrad: the engine's figure divided by tapegrad's. For seconds, µs and bytes, "
        "above 1 means tapegrad is better; for steps per second, above 1 means the engine is "
        "faster",
        "- BLAS environments, measured side by side (the second removes the two variables for "
        "its processes only, as `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` would):",
    ]
    for variant, env in variants.items():
        kernel = numpy_blas_kernel(env)
        lines.append(f"  - **{variant}**: {blas_environment(env)}"
                     + (f"; NumPy's BLAS: {kernel}" if kernel else ""))
    if not any(name in os.environ for name in BLAS_VARIABLES):
        lines.append("  - neither variable is set in this shell, so the two environments are "
                     "the same here and differ only by noise")
    return "\n".join(lines)


def numpy_blas_kernel(env: dict) -> str:
    """The BLAS kernel NumPy picks in a process started with ``env``."""
    command = [sys.executable, "-c",
               "from benchmarks.common import numpy_blas_kernel; print(numpy_blas_kernel())"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    return result.stdout.strip()


def package_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
