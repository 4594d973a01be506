"""Data-parallel scaling: samples per second of W2's MLP and W5's CNN on 1 and 2 processes.

    python -m benchmarks.distributed [--processes 1,2] [--steps 30] [--models mlp,cnn]

Each configuration runs as ``mpiexec -n N python -m benchmarks.distributed --worker ...``
with one BLAS thread per process, the global batch split evenly over the N processes (W2:
784-256-256-10 at batch 512; W5: the small CNN at batch 64), and SGD. Per step it reports:

- samples per second (global batch / median step time) and the speed-up over 1 process;
- compute: the same step without DistributedDataParallel, on this rank's part of the batch;
- communication: the blocking all-reduce of all the gradients alone, bucket by bucket;
- exposed: what DistributedDataParallel adds to the step (step - compute);
- overlap: the share of the communication hidden behind the backward pass,
  1 - exposed / communication (0 when none is hidden, 1 when all of it is);
- MB per step: the gradients each process sends and receives in a ring all-reduce,
  2 (N - 1) / N times their size.

Needs the ``distributed`` extra (mpi4py and MPICH's ``mpiexec``). Figures depend on the
machine and on how busy it is: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import cnn, mlp

ROOT = Path(__file__).resolve().parents[1]
BATCHES = {"mlp": 512, "cnn": 64}
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                     "MKL_NUM_THREADS")}


def build(model_name: str):
    """The workload's model (with its usual weights) and its whole global batch."""
    from tapegrad import nn

    if model_name == "mlp":
        sizes = mlp.SIZES
        model = nn.Sequential(nn.Linear(*sizes[:2]), nn.ReLU(), nn.Linear(*sizes[1:3]),
                              nn.ReLU(), nn.Linear(*sizes[2:]))
        weights, (x, y) = mlp.initial_weights(), mlp.batch_data(BATCHES["mlp"])
    else:
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(400, 10))
        weights, (x, y) = cnn.initial_weights(), cnn.batch_data()
    for parameter, value in zip(model.parameters(), weights):
        parameter.data[...] = value
    return model, x, y


def median_seconds(run, steps: int) -> float:
    run()  # warm up: first-touch allocations, MPI's connections
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def worker(model_name: str, steps: int) -> None:
    """One process of the job: measure, and on rank 0 print the figures as JSON."""
    import tapegrad as tg
    import tapegrad.distributed as dist
    from tapegrad import optim
    from tapegrad.nn import functional as F

    dist.init()
    rank, size = dist.get_rank(), dist.get_world_size()
    model, x, y = build(model_name)
    rows = slice(rank * len(x) // size, (rank + 1) * len(x) // size)
    x, y = tg.tensor(x[rows]), tg.tensor(y[rows])
    optimizer = optim.SGD(model.parameters(), lr=0.01)

    def step(net):
        def run():
            optimizer.zero_grad()
            F.cross_entropy(net(x), y).backward()
            optimizer.step()
        return run

    compute = median_seconds(step(model), steps)
    parallel = dist.DistributedDataParallel(model)
    dist.barrier()
    step_time = median_seconds(step(parallel), steps)
    buckets = [bucket.flat.copy() for bucket in parallel.reducer.buckets]

    def all_reduce_alone():
        for flat in buckets:
            dist.all_reduce(flat)

    dist.barrier()
    communication = median_seconds(all_reduce_alone, steps)
    gradient_bytes = sum(flat.nbytes for flat in buckets)
    # every rank's figures matter: the slowest one sets the pace
    figures = np.array([step_time, compute, communication])
    dist.all_reduce(figures, op=dist.ReduceOp.MAX)
    if rank == 0:
        step_time, compute, communication = figures.tolist()
        print(json.dumps({
            "model": model_name, "processes": size, "batch": BATCHES[model_name],
            "samples_per_second": BATCHES[model_name] / step_time,
            "step_ms": step_time * 1e3, "compute_ms": compute * 1e3,
            "communication_ms": communication * 1e3,
            "exposed_ms": max(step_time - compute, 0.0) * 1e3,
            "megabytes_per_step": 2 * (size - 1) / size * gradient_bytes / 1e6,
            "buckets": len(buckets)}))


def measure(model_name: str, processes: int, steps: int) -> dict:
    """Run one configuration in a job of its own; its figures."""
    launcher = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which(
        "mpiexec")
    if launcher is None:
        sys.exit("benchmarks.distributed: no mpiexec; pip install 'tapegrad[distributed]'")
    env = {**os.environ, **ONE_THREAD,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [launcher, "-n", str(processes), sys.executable, "-m", "benchmarks.distributed",
               "--worker", "--models", model_name, "--steps", str(steps)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                            stdin=subprocess.DEVNULL, timeout=1800)
    if result.returncode != 0:
        sys.exit(f"benchmarks.distributed: {' '.join(command)} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def table(rows: list) -> str:
    """The figures as a Markdown table, with the speed-up over one process and the overlap."""
    lines = ["| model | processes | batch | samples/s | speed-up | step ms | compute ms | "
             "communication ms | exposed ms | overlap | MB per step |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    alone = {row["model"]: row["samples_per_second"] for row in rows if row["processes"] == 1}
    for row in rows:
        base = alone.get(row["model"])
        speedup = f"{row['samples_per_second'] / base:.2f}x" if base else "-"
        overlap = ("-" if row["processes"] == 1 or row["communication_ms"] == 0 else
                   f"{min(max(1 - row['exposed_ms'] / row['communication_ms'], 0), 1):.0%}")
        lines.append(
            f"| {row['model']} | {row['processes']} | {row['batch']} | "
            f"{row['samples_per_second']:.0f} | {speedup} | {row['step_ms']:.2f} | "
            f"{row['compute_ms']:.2f} | {row['communication_ms']:.3f} | "
            f"{row['exposed_ms']:.2f} | {overlap} | {row['megabytes_per_step']:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distributed",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2", help="process counts (default: 1,2)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per figure")
    parser.add_argument("--models", default="mlp,cnn", help="mlp (W2), cnn (W5), or both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    models = args.models.split(",")
    if args.worker:
        worker(models[0], args.steps)
        return
    rows = [measure(model, int(count), args.steps) for model in models
            for count in args.processes.split(",")]
    print(table(rows))


if __name__ == "__main__":
    main()
