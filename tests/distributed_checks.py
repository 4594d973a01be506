"""Checks of tapegrad.distributed that need several processes: run by tests/test_distributed.py
as ``mpiexec -n 2 python tests/distributed_checks.py OUT``. Each rank runs every check and
writes ``OUT/rank<r>.json``: the name of each check, and ``null`` or the error it raised.

Every rank can make every rank's data (it is seeded by the rank), so each check compares what
the processes computed together with what one process computes alone, or with NumPy.
"""

import contextlib
import io
import json
import sys
import traceback
from pathlib import Path

import numpy as np

import tapegrad as tg
import tapegrad.distributed as dist
from tapegrad import nn, optim
from tapegrad.data import DataLoader, DistributedSampler, TensorDataset
from tapegrad.nn import functional as F

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


def rank_data(rank: int, shape=(3, 4), dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(100 + rank).standard_normal(shape).astype(dtype)


@check
def all_reduce_matches_numpy(rank, size):
    everyone = np.stack([rank_data(r) for r in range(size)])
    references = {dist.ReduceOp.SUM: everyone.sum(0), dist.ReduceOp.AVG: everyone.mean(0),
                  dist.ReduceOp.MAX: everyone.max(0), dist.ReduceOp.MIN: everyone.min(0),
                  dist.ReduceOp.PRODUCT: everyone.prod(0)}
    for op, expected in references.items():
        for dtype in (np.float64, np.float32):
            values = rank_data(rank).astype(dtype)
            dist.all_reduce(values, op=op)
            np.testing.assert_allclose(values, expected.astype(dtype), rtol=1e-6, err_msg=op)
    integers = np.arange(6, dtype=np.int64) * (rank + 1)
    dist.all_reduce(integers, op="max")
    np.testing.assert_array_equal(integers, np.arange(6) * size)


@check
def all_reduce_on_tensors_views_and_async(rank, size):
    everyone_sum = sum(rank_data(r) for r in range(size))
    tensor = tg.tensor(rank_data(rank), requires_grad=True)
    dist.all_reduce(tensor)
    np.testing.assert_allclose(tensor.data, everyone_sum)
    assert tensor.requires_grad and tensor.is_leaf
    wide = rank_data(rank, (3, 8))
    view = wide[:, ::2]  # not contiguous: the result must land in the view, not a copy
    dist.all_reduce(view)
    np.testing.assert_allclose(wide[:, ::2], sum(rank_data(r, (3, 8))[:, ::2]
                                                 for r in range(size)))
    np.testing.assert_allclose(wide[:, 1::2], rank_data(rank, (3, 8))[:, 1::2])
    values = rank_data(rank)
    work = dist.all_reduce(values, op=dist.ReduceOp.AVG, async_op=True)
    assert work.wait() and work.is_completed()
    np.testing.assert_allclose(values, everyone_sum / size)


@check
def broadcast_all_gather_reduce_scatter_match_numpy(rank, size):
    values = rank_data(rank)
    dist.broadcast(values, src=size - 1)
    np.testing.assert_array_equal(values, rank_data(size - 1))
    gathered = [tg.zeros(3, 4, dtype=tg.float64) for _ in range(size)]
    dist.all_gather(gathered, tg.tensor(rank_data(rank)))
    for r, tensor in enumerate(gathered):
        np.testing.assert_array_equal(tensor.data, rank_data(r))
    inputs = [rank_data(rank * size + part) for part in range(size)]
    for op, combine in ((dist.ReduceOp.SUM, np.sum), (dist.ReduceOp.AVG, np.mean)):
        output = np.zeros((3, 4))
        dist.reduce_scatter(output, inputs, op=op)
        expected = combine([rank_data(r * size + rank) for r in range(size)], axis=0)
        np.testing.assert_allclose(output, expected)
    dist.barrier()


def make_mlp():
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                         nn.Linear(16, 3))


def make_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 3 * 3, 3))


def global_batches(steps, input_shape, batch=12):
    rng = np.random.default_rng(7)
    return [(rng.standard_normal((batch,) + input_shape).astype(np.float32),
             rng.integers(0, 3, batch)) for _ in range(steps)]


def halves_match_whole(rank, size, make_model, make_optimizer, input_shape, bucket_cap_mb):
    """N steps of DDP, each rank on its part of every global batch, against one model on
    the whole batches."""
    tg.manual_seed(rank)  # different weights on each rank: DDP must copy rank 0's
    model = make_model()
    ddp = dist.DistributedDataParallel(model, bucket_cap_mb=bucket_cap_mb)
    tg.manual_seed(0)
    alone = make_model()
    alone.load_state_dict(model.state_dict())
    optimizers = make_optimizer(model.parameters()), make_optimizer(alone.parameters())
    for x, y in global_batches(5, input_shape):
        part = slice(rank * len(x) // size, (rank + 1) * len(x) // size)
        for net, optimizer, xs, ys in ((ddp, optimizers[0], x[part], y[part]),
                                       (alone, optimizers[1], x, y)):
            optimizer.zero_grad()
            F.cross_entropy(net(tg.tensor(xs)), tg.tensor(ys)).backward()
            optimizer.step()
    for (name, mine), theirs in zip(model.named_parameters(), alone.parameters()):
        np.testing.assert_allclose(mine.data, theirs.data, rtol=1e-5, atol=1e-6, err_msg=name)
    return len(ddp.reducer.buckets)


@check
def ddp_sgd_on_halves_equals_one_process_on_whole(rank, size):
    def sgd(parameters):
        return optim.SGD(parameters, lr=0.1, momentum=0.9)
    buckets = halves_match_whole(rank, size, make_mlp, sgd, (5,), bucket_cap_mb=0.001)
    assert buckets > 2, f"expected several small buckets, got {buckets}"
    assert halves_match_whole(rank, size, make_mlp, sgd, (5,), bucket_cap_mb=25) == 1


@check
def ddp_adam_on_halves_equals_one_process_on_whole(rank, size):
    def adam(parameters):
        return optim.Adam(parameters, lr=0.01)
    halves_match_whole(rank, size, make_cnn, adam, (1, 6, 6), bucket_cap_mb=0.0005)
    halves_match_whole(rank, size, make_mlp, adam, (5,), bucket_cap_mb=25)


@check
def no_sync_accumulates_locally_then_averages_the_sum(rank, size):
    tg.manual_seed(0)
    model = make_mlp()
    ddp = dist.DistributedDataParallel(model)
    alone = make_mlp()
    alone.load_state_dict(model.state_dict())
    (first, _), (second, _) = global_batches(2, (5,), batch=4 * size)
    mine = slice(rank * 4, rank * 4 + 4)
    with ddp.no_sync():
        ddp(tg.tensor(first[mine])).sum().backward()
    local = [parameter.grad.copy() for parameter in model.parameters()]
    alone(tg.tensor(first[mine])).sum().backward()
    for got, expected in zip(local, alone.parameters()):
        np.testing.assert_allclose(got, expected.grad, rtol=1e-5, atol=1e-6)  # not averaged
    ddp(tg.tensor(second[mine])).sum().backward()
    alone.zero_grad()
    for r in range(size):
        rows = slice(r * 4, r * 4 + 4)
        (alone(tg.tensor(first[rows])).sum() + alone(tg.tensor(second[rows])).sum()).backward()
    for got, expected in zip(model.parameters(), alone.parameters()):
        np.testing.assert_allclose(got.grad, expected.grad / size, rtol=1e-5, atol=1e-5)


class TwoBranches(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared, self.sometimes, self.never = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x, use_sometimes):
        out = self.shared(x)
        return out + self.sometimes(x) if use_sometimes else out


@check
def find_unused_parameters(rank, size):
    tg.manual_seed(0)
    model = TwoBranches()
    ddp = dist.DistributedDataParallel(model, find_unused_parameters=True)
    x = tg.ones(2, 3)
    ddp(x, use_sometimes=rank == 1).sum().backward()  # only rank 1 uses `sometimes`
    np.testing.assert_allclose(model.shared.weight.grad, np.full((2, 3), 2.0))
    np.testing.assert_allclose(model.sometimes.weight.grad, np.full((2, 3), 2.0 / size))
    assert model.never.weight.accumulated_grad is None, "unused everywhere: left alone"
    strict = dist.DistributedDataParallel(TwoBranches(), bucket_cap_mb=1e-5)
    strict(x, use_sometimes=False).sum().backward()
    try:
        strict(x, use_sometimes=False)
    except RuntimeError as error:
        assert "sometimes.weight" in str(error) and "find_unused_parameters" in str(error)
    else:
        raise AssertionError("a parameter without a gradient was not reported")


@check
def sync_batchnorm_uses_the_whole_batch(rank, size):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    alone = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    alone.load_state_dict(model.state_dict())
    model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(model[1], nn.SyncBatchNorm)
    ddp = dist.DistributedDataParallel(model)
    x = np.random.default_rng(3).standard_normal((4 * size, 4)).astype(np.float32)
    mine = slice(rank * 4, rank * 4 + 4)
    out = ddp(tg.tensor(x[mine]))
    (out * out).sum().backward()
    expected = alone(tg.tensor(x))
    (expected * expected).sum().backward()
    np.testing.assert_allclose(out.data, expected.data[mine], rtol=1e-5, atol=1e-5)
    for (name, got), reference in zip(model.named_parameters(), alone.parameters()):
        # DDP averages, and the whole-batch loss is the sum over ranks of the rank's loss
        np.testing.assert_allclose(got.grad * size, reference.grad, rtol=1e-4, atol=1e-4,
                                   err_msg=name)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(model[1], name).data, getattr(alone[1], name).data,
                                   rtol=1e-5, atol=1e-6, err_msg=name)


@check
def differentiable_all_reduce_sends_gradients_to_every_rank(rank, size):
    x = tg.tensor(rank_data(rank, (3,)), requires_grad=True)
    total = dist.functional.all_reduce(x * (rank + 1))
    weights = rank_data(50 + rank, (3,))
    (total * tg.tensor(weights)).sum().backward()
    everyone = sum(rank_data(r, (3,)) * (r + 1) for r in range(size))
    np.testing.assert_allclose(total.data, everyone)
    expected = (rank + 1) * sum(rank_data(50 + r, (3,)) for r in range(size))
    np.testing.assert_allclose(x.grad, expected)


@check
def sampler_partitions_every_epoch(rank, size):
    for length in (0, 1, 7, 10, 11):
        for shuffle in (False, True):
            for drop_last in (False, True):
                sampler = DistributedSampler(range(length), shuffle=shuffle, seed=5,
                                             drop_last=drop_last)
                for epoch in (0, 1):
                    sampler.set_epoch(epoch)
                    mine = np.array(list(sampler), np.int64)
                    shares = [np.zeros(len(sampler), np.int64) for _ in range(size)]
                    dist.all_gather(shares, mine)
                    every = np.concatenate(shares)
                    where = f"length {length}, shuffle {shuffle}, drop_last {drop_last}"
                    if drop_last:
                        assert len(every) == length - length % size, where
                        assert len(set(every.tolist())) == len(every), where
                    else:
                        assert set(every.tolist()) == set(range(length)), where
                        assert len(every) == -(-length // size) * size, where
    sampler = DistributedSampler(range(10), seed=5)
    orders = []
    for epoch in (0, 1):
        sampler.set_epoch(epoch)
        orders.append(list(sampler))
    assert orders[0] != orders[1], "set_epoch must change the order"
    loader = DataLoader(TensorDataset(np.arange(11.0)), batch_size=2,
                        sampler=DistributedSampler(range(11), seed=0))
    counts = np.array([len(list(loader))], np.int64)
    dist.all_reduce(counts, op=dist.ReduceOp.MIN)
    assert counts[0] == len(loader) == 3, "every rank runs the same number of batches"


@check
def metrics_are_reduced_over_ranks(rank, size):
    totals = dist.reduce_metrics({"loss": 0.5 * (rank + 1), "examples": rank + 1})
    assert totals == {"loss": 0.5 * size * (size + 1) / 2, "examples": size * (size + 1) / 2}
    peaks = dist.reduce_metrics({"loss": float(rank)}, op=dist.ReduceOp.MAX)
    assert peaks == {"loss": size - 1.0}


class StopAfter:
    """A stop request that comes after ``steps`` checks (the training loop asks each step)."""

    def __init__(self, steps):
        self.left = steps

    def is_set(self):
        self.left -= 1
        return self.left < 0


@check
def train_command_runs_data_parallel_and_resumes(rank, size):
    from tapegrad.app import TrainConfig, cli, resume, train
    from tapegrad.app.train import TrainingInterrupted

    out = Path(sys.argv[1])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # what `mpiexec -n 2 tapegrad train` runs
        status = cli.main(["train", "--dataset", "moons", "--epochs", "2", "--batch-size", "64",
                           "--out", str(out / "parallel"), "--no-progress"])
    assert status == 0
    if rank == 0:
        assert printed.getvalue().count("epoch  train loss") == 1, printed.getvalue()
        assert "on 2 processes" in printed.getvalue(), printed.getvalue()
    else:
        assert printed.getvalue() == "", f"rank {rank} printed {printed.getvalue()}"
    lines = []
    cut = TrainConfig(dataset="moons", epochs=2, batch_size=64, out=str(out / "cut-parallel"),
                      progress=False)
    try:
        train(cut, log=lines.append, stop=StopAfter(17))
    except TrainingInterrupted:
        pass
    else:
        raise AssertionError("the run was not interrupted")
    # a checkpoint that one process wrote, finished on several
    resume(out / "cut-alone" / "checkpoint.npz", out=out / "resumed-parallel",
           log=lines.append)


def main():
    dist.init()
    rank, size = dist.get_rank(), dist.get_world_size()
    results = {}
    for function in CHECKS:
        try:
            function(rank, size)
            results[function.__name__] = None
        except Exception:
            results[function.__name__] = traceback.format_exc()
    Path(sys.argv[1], f"rank{rank}.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
