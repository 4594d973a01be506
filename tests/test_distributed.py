"""tapegrad.distributed for real: ``mpiexec -n 2`` runs tests/distributed_checks.py (collectives
against NumPy, DistributedDataParallel against one process on the whole batch, the sampler,
SyncBatchNorm, the train command), a crashing rank ends its job, and the errors of one process.

Skipped only without mpi4py (the ``distributed`` extra); CI installs it, so there they run.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tapegrad as tg

pytest.importorskip("mpi4py", reason="mpi4py is missing: pip install 'tapegrad[distributed]'")

import tapegrad.distributed as dist  # noqa: E402
from tapegrad.app import TrainConfig, resume, train  # noqa: E402
from tapegrad.app.checkpoint import read_checkpoint  # noqa: E402
from tapegrad.app.train import TrainingInterrupted  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
from distributed_checks import CHECKS, StopAfter  # noqa: E402


def mpiexec(*args, timeout=120, cwd=None) -> subprocess.CompletedProcess:
    """``mpiexec -n 2 python ARGS`` with this checkout first on the path, one BLAS thread each."""
    # pip's mpich puts mpiexec beside the Python it was installed for
    launcher = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which(
        "mpiexec")
    assert launcher, "mpi4py is installed but mpiexec is not: pip install mpich"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")]), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    # a session of its own, so that a job that hangs is ended whole: mpiexec and every rank
    job = subprocess.Popen([launcher, "-n", "2", sys.executable, *args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                           cwd=cwd, start_new_session=True)
    try:
        stdout, stderr = job.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(job.pid, signal.SIGKILL)
        stdout, stderr = job.communicate()
        pytest.fail(f"mpiexec {' '.join(args)} hung for {timeout} s:\n{stdout}{stderr}")
    return subprocess.CompletedProcess(job.args, job.returncode, stdout, stderr)


def moons(out, **settings):
    return TrainConfig(dataset="moons", epochs=2, batch_size=64, out=str(out), progress=False,
                       **settings)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """Run every check in two processes once; the results of each rank, by check name."""
    out = tmp_path_factory.mktemp("distributed")
    with pytest.raises(TrainingInterrupted):  # for the checks to finish on two processes
        train(moons(out / "cut-alone"), log=lambda line: None, stop=StopAfter(17))
    result = mpiexec(str(ROOT / "tests" / "distributed_checks.py"), str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    ranks = [json.loads((out / f"rank{rank}.json").read_text()) for rank in range(2)]
    return out, ranks


@pytest.mark.parametrize("name", [function.__name__ for function in CHECKS])
def test_check_on_two_processes(two_processes, name):
    _, ranks = two_processes
    for rank, results in enumerate(ranks):
        assert results[name] is None, f"rank {rank}:\n{results[name]}"


def _weights(path):
    return read_checkpoint(path)["model"]


def _assert_same_run(path, reference):
    """Two runs' final checkpoints: the same weights and metrics, to float rounding."""
    mine, theirs = read_checkpoint(path), read_checkpoint(reference)
    for name, value in theirs["model"].items():
        np.testing.assert_allclose(mine["model"][name], value, rtol=1e-4, atol=1e-5,
                                   err_msg=name)
    assert len(mine["metrics"]) == len(theirs["metrics"])
    for row, expected in zip(mine["metrics"], theirs["metrics"]):
        for column in ("train_loss", "test_loss", "test_accuracy", "lr"):
            assert row[column] == pytest.approx(expected[column], rel=1e-4), column


def test_training_on_two_processes_equals_one_and_resumes_across_counts(two_processes):
    out, _ = two_processes
    train(moons(out / "alone"), log=lambda line: None)
    _assert_same_run(out / "parallel" / "checkpoint.npz", out / "alone" / "checkpoint.npz")
    # begun on one process, finished on two
    _assert_same_run(out / "resumed-parallel" / "checkpoint.npz", out / "alone" / "checkpoint.npz")
    # begun on two, finished on one
    resume(out / "cut-parallel" / "checkpoint.npz", out=out / "resumed-alone",
           log=lambda line: None)
    _assert_same_run(out / "resumed-alone" / "checkpoint.npz", out / "alone" / "checkpoint.npz")
    for folder in ("parallel", "resumed-parallel"):
        assert {"checkpoint.npz", "best.npz", "metrics.csv"} <= {
            path.name for path in (out / folder).iterdir()}


def test_a_crashing_rank_ends_the_job_within_seconds(tmp_path):
    script = tmp_path / "crash.py"
    script.write_text(
        "import tapegrad.distributed as dist\n"
        "dist.init()\n"
        "if dist.get_rank() == 1:\n"
        "    raise RuntimeError('rank 1 fails on purpose')\n"
        "dist.barrier()  # rank 0 waits here for a rank that will never come\n")
    started = time.perf_counter()
    result = mpiexec(str(script), timeout=60)
    assert result.returncode != 0
    assert time.perf_counter() - started < 30
    assert "rank 1 of 2 stopped on RuntimeError" in result.stderr, result.stderr


def test_a_killed_rank_ends_the_job_within_seconds(tmp_path):
    script = tmp_path / "killed.py"
    script.write_text(
        "import os, signal\n"
        "import tapegrad.distributed as dist\n"
        "dist.init()\n"
        "if dist.get_rank() == 1:\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "dist.barrier()\n")
    started = time.perf_counter()
    result = mpiexec(str(script), timeout=60)
    assert result.returncode != 0
    assert time.perf_counter() - started < 30


def test_a_failing_rank_in_tapegrad_train_names_itself(tmp_path):
    # rank 1 cannot load its data; rank 0 would wait for it in the first collective
    script = tmp_path / "fail.py"
    script.write_text(
        "import sys\n"
        "import tapegrad.distributed as dist\n"
        "from tapegrad.app import cli\n"
        "dist.init()\n"
        "dataset = 'moons' if dist.get_rank() == 0 else 'mnist'\n"
        "sys.exit(cli.main(['train', '--dataset', dataset, '--epochs', '1', '--out', "
        f"{str(tmp_path / 'run')!r}]))\n")
    result = mpiexec(str(script), timeout=60)
    assert result.returncode != 0
    assert "rank 1 of 2: tapegrad train: error: --dataset mnist needs --data-dir" in (
        result.stderr), result.stderr


# ---------------------------------------------------------------- one process, in this one


def test_one_process_is_a_group_of_one():
    dist.init()
    assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
    values = tg.tensor([1.0, -2.0])
    dist.all_reduce(values, op=dist.ReduceOp.MIN)
    assert values.tolist() == [1.0, -2.0]


def test_bad_arguments_are_clear_errors_that_change_nothing():
    dist.init()
    values = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="all_reduce: unknown op 'median'"):
        dist.all_reduce(values, op="median")
    with pytest.raises(TypeError, match="all_reduce: the mean of dtype int64"):
        dist.all_reduce(np.arange(3), op=dist.ReduceOp.AVG)
    with pytest.raises(TypeError, match="all_reduce: expected a Tensor or a NumPy array, got list"):
        dist.all_reduce([1.0, 2.0])
    with pytest.raises(ValueError, match="broadcast: src must be a rank from 0 to 0, got 3"):
        dist.broadcast(values, src=3)
    with pytest.raises(ValueError, match=r"all_gather: tensor_list\[0\] has shape \(3,\)"):
        dist.all_gather([np.zeros(3)], values)
    with pytest.raises(ValueError, match="reduce_scatter: input_list must be a list of 1"):
        dist.reduce_scatter(values, [values, values])
    assert values.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="bucket_cap_mb must be > 0"):
        dist.DistributedDataParallel(tg.nn.Linear(2, 2), bucket_cap_mb=0)
    with pytest.raises(ValueError, match="DistributedSampler: rank must be in \\[0, 1\\]"):
        tg.data.DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        tg.data.DataLoader(range(4), sampler=tg.data.DistributedSampler(range(4)), shuffle=True)


def test_collectives_before_init_say_to_call_init():
    dist.destroy_process_group()
    try:
        with pytest.raises(RuntimeError, match="call tapegrad.distributed.init\\(\\) first"):
            dist.all_reduce(np.zeros(2))
    finally:
        dist.init()


def test_sampler_deals_out_the_padded_epoch_like_pytorch(torch):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    for length in (5, 8):
        for drop_last in (False, True):
            for rank in range(3):
                mine = tg.data.DistributedSampler(range(length), num_replicas=3, rank=rank,
                                                  shuffle=False, drop_last=drop_last)
                theirs = TorchSampler(range(length), num_replicas=3, rank=rank, shuffle=False,
                                      drop_last=drop_last)
                assert list(mine) == list(theirs) and len(mine) == len(theirs)


def test_post_accumulate_hook_sees_the_final_gradient_of_a_leaf_used_twice():
    weight = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = weight.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.copy()))
    ((weight * 3).sum() + (weight * weight).sum()).backward()
    assert len(seen) == 1 and seen[0].tolist() == [5.0, 7.0]
    handle.remove()
    (weight * 1).sum().backward()
    assert len(seen) == 1
