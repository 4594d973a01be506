"""Samplers, ConcatDataset, ChainDataset, IterableDataset, random_split(generator=) and
DataLoader worker processes, as torch.utils.data's: the deterministic pieces give PyTorch's
exact indices and batches; the random ones are checked for what they promise (a permutation,
the weights' frequencies, repeatability under a generator); workers give the batches of
num_workers=0 in the same order, seeded base_seed + worker_id."""

import os
import random

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    get_worker_info,
    random_split,
)


def _generator(seed):
    return tg.Generator().manual_seed(seed)


# ---------------------------------------------------------------- samplers


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (5, False), (7, True)])
def test_batch_and_sequential_samplers_match_pytorch(torch, batch_size, drop_last):
    from torch.utils.data import BatchSampler as TorchBatchSampler
    from torch.utils.data import SequentialSampler as TorchSequentialSampler

    ours = BatchSampler(SequentialSampler(range(10)), batch_size, drop_last)
    theirs = TorchBatchSampler(TorchSequentialSampler(range(10)), batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_random_sampler_permutes_and_repeats_under_a_generator():
    first = list(RandomSampler(range(20), generator=_generator(1)))
    again = list(RandomSampler(range(20), generator=_generator(1)))
    assert sorted(first) == list(range(20)) and first == again and first != list(range(20))
    sampler = RandomSampler(range(20), generator=_generator(1))
    assert list(sampler) != list(sampler)  # a fresh order each iteration


def test_random_sampler_num_samples_and_replacement():
    longer = list(RandomSampler(range(4), num_samples=10, generator=_generator(0)))
    assert len(longer) == 10 and sorted(longer[:4]) == [0, 1, 2, 3]  # whole permutations
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=3000,
                               generator=_generator(0)))
    assert set(drawn) == {0, 1, 2} and abs(drawn.count(0) / 3000 - 1 / 3) < 0.05


def test_subset_random_sampler_visits_its_indices_once():
    order = list(SubsetRandomSampler([9, 4, 7, 1], generator=_generator(2)))
    assert sorted(order) == [1, 4, 7, 9]


def test_weighted_random_sampler_follows_the_weights():
    draws = np.array(list(WeightedRandomSampler([1.0, 3.0, 0.0, 6.0], 20000,
                                                generator=_generator(3))))
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 20000, [0.1, 0.3, 0.0, 0.6],
                               atol=0.015)
    without = list(WeightedRandomSampler([1.0, 1.0, 5.0], 3, replacement=False,
                                         generator=_generator(3)))
    assert sorted(without) == [0, 1, 2]


def test_loader_with_a_sampler_and_a_batch_sampler_matches_pytorch(torch):
    from torch.utils.data import BatchSampler as TorchBatchSampler
    from torch.utils.data import DataLoader as TorchDataLoader

    data = np.arange(12.0)
    order = [5, 3, 11, 0, 2, 8, 7]
    ours = [b[0].tolist() for b in DataLoader(TensorDataset(data), batch_size=3, sampler=order)]
    theirs = [b[0].tolist() for b in TorchDataLoader(torch.utils.data.TensorDataset(
        torch.tensor(data)), batch_size=3, sampler=order)]
    assert ours == theirs
    ours = [b[0].tolist() for b in DataLoader(
        TensorDataset(data), batch_sampler=BatchSampler(order, 2, drop_last=True))]
    theirs = [b[0].tolist() for b in TorchDataLoader(
        torch.utils.data.TensorDataset(torch.tensor(data)),
        batch_sampler=TorchBatchSampler(order, 2, drop_last=True))]
    assert ours == theirs


def test_loader_with_batch_size_none_gives_examples_uncollated():
    items = list(DataLoader(TensorDataset(np.arange(3)), batch_size=None))
    assert [int(item[0]) for item in items] == [0, 1, 2]


def test_loader_shuffle_repeats_under_a_generator():
    dataset = TensorDataset(np.arange(20))

    def epochs(generator):
        loader = DataLoader(dataset, batch_size=4, shuffle=True, generator=generator)
        return [[b[0].tolist() for b in loader] for _ in range(2)]

    assert epochs(_generator(5)) == epochs(_generator(5))
    assert epochs(_generator(5)) != epochs(_generator(6))


# ---------------------------------------------------------------- datasets


def test_concat_dataset_matches_pytorch(torch):
    parts = [TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 15)),
             TensorDataset(np.arange(20, 22))]
    ours = ConcatDataset(parts)
    theirs = torch.utils.data.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 10 and ours.cumulative_sizes == theirs.cumulative_sizes
    assert [int(ours[i][0]) for i in range(-10, 10)] == [int(theirs[i][0])
                                                         for i in range(-10, 10)]
    assert int((parts[0] + parts[1])[4][0]) == 11
    with pytest.raises(IndexError, match="out of range"):
        ours[10]


class _Stream(IterableDataset):
    """Counts from start to stop; in a worker, only its share (every num_workers-th item)."""

    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        info = get_worker_info()
        step, first = (1, 0) if info is None else (info.num_workers, info.id)
        return iter(range(self.start + first, self.stop, step))


def test_chain_and_iterable_datasets_in_a_loader():
    chain = ChainDataset([_Stream(0, 3), _Stream(10, 12)])
    assert list(chain) == [0, 1, 2, 10, 11]
    batches = [batch.tolist() for batch in DataLoader(_Stream(0, 7), batch_size=3)]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    dropped = [b.tolist() for b in DataLoader(_Stream(0, 7), batch_size=3, drop_last=True)]
    assert dropped == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="IterableDataset decides its own order"):
        DataLoader(_Stream(0, 3), shuffle=True)


def test_random_split_takes_a_generator():
    dataset = TensorDataset(np.arange(10))
    first = [part.indices.tolist() for part in random_split(dataset, [7, 3], _generator(4))]
    again = [part.indices.tolist() for part in random_split(dataset, [7, 3],
                                                            generator=_generator(4))]
    assert first == again and sorted(first[0] + first[1]) == list(range(10))
    with pytest.raises(ValueError, match="not both"):
        random_split(dataset, [7, 3], _generator(4), seed=1)


# ---------------------------------------------------------------- worker processes


class _Slow(Dataset):
    """A map-style dataset whose examples record which process made them and a random draw
    from that process's generators."""

    def __len__(self):
        return 11

    def __getitem__(self, index):
        info = get_worker_info()
        return {"index": index, "worker": -1 if info is None else info.id,
                "pid": os.getpid(), "draw": float(tg.rand(1).item()),
                "python": random.random()}


def _batches(loader):
    return [{key: value.tolist() for key, value in batch.items()} for batch in loader]


@pytest.mark.parametrize("shuffle", [False, True])
def test_workers_give_the_batches_of_num_workers_zero_in_order(shuffle):
    dataset = TensorDataset(np.arange(23.0).reshape(23, 1), np.arange(23))
    serial = DataLoader(dataset, batch_size=4, shuffle=shuffle, seed=3)
    parallel = DataLoader(dataset, batch_size=4, shuffle=shuffle, seed=3, num_workers=2)
    for _ in range(2):  # two epochs: the shared generator stays in step
        ours = [(x.tolist(), y.tolist()) for x, y in parallel]
        assert ours == [(x.tolist(), y.tolist()) for x, y in serial]


def test_workers_are_processes_seeded_base_seed_plus_worker_id():
    loader = DataLoader(_Slow(), batch_size=2, num_workers=3, generator=_generator(8),
                        collate_fn=_collate_dicts)
    batches = list(loader)
    assert [b["index"] for b in batches] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10]]
    assert [b["worker"][0] for b in batches] == [0, 1, 2, 0, 1, 2]
    assert len({b["pid"][0] for b in batches}) == 3 and os.getpid() not in batches[0]["pid"]
    # Worker w's first draws are those of tg.manual_seed(base_seed + w), base_seed drawn
    # from the loader's generator when the epoch starts.
    base_seed = int(_generator(8).numpy_generator.integers(0, 2**63 - 1))
    for worker in range(3):
        tg.manual_seed(base_seed + worker)
        random.seed(base_seed + worker)
        expected = [float(tg.rand(1).item()) for _ in range(2)]
        assert batches[worker]["draw"] == expected
        assert batches[worker]["python"][0] == random.random()


def _collate_dicts(items):
    return {key: [item[key] for item in items] for key in items[0]}


def _init_worker(worker_id):
    info = get_worker_info()
    info.dataset.offset = 100 * (worker_id + 1)


class _Offset(Dataset):
    offset = 0

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return index + self.offset


def test_worker_init_fn_runs_in_each_worker():
    loader = DataLoader(_Offset(), batch_size=1, num_workers=2, worker_init_fn=_init_worker)
    assert [int(b[0]) for b in loader] == [100, 201, 102, 203]
    assert get_worker_info() is None


def test_iterable_dataset_with_workers_interleaves_their_batches_as_pytorch(torch):
    ours = [b.tolist() for b in DataLoader(_Stream(0, 10), batch_size=2, num_workers=2)]
    theirs = [b.tolist() for b in torch.utils.data.DataLoader(_TorchStream(0, 10),
                                                               batch_size=2, num_workers=2)]
    assert ours == theirs


class _TorchStream:
    """_Stream for PyTorch's loader (its worker info comes from torch)."""

    def __new__(cls, start, stop):
        import torch.utils.data as torch_data

        class Stream(torch_data.IterableDataset):
            def __iter__(self):
                info = torch_data.get_worker_info()
                step, first = (1, 0) if info is None else (info.num_workers, info.id)
                return iter(range(start + first, stop, step))

        return Stream()


class _Failing(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        if index == 2:
            raise KeyError("no example 2")
        return index


def test_an_error_in_a_worker_is_raised_with_its_traceback():
    loader = DataLoader(_Failing(), batch_size=1, num_workers=2)
    with pytest.raises(RuntimeError, match="worker 0 failed:(.|\n)*KeyError: 'no example 2'"):
        list(loader)


def test_stopping_early_ends_the_workers():
    import multiprocessing

    loader = DataLoader(TensorDataset(np.arange(40)), batch_size=2, num_workers=2)
    for _ in loader:
        break
    import gc

    gc.collect()
    assert not [child for child in multiprocessing.active_children()
                if child.name.startswith("Process")]


@pytest.mark.parametrize("options, error", [
    ({"num_workers": -1}, "num_workers"),
    ({"prefetch_factor": 2}, "prefetch_factor"),
    ({"sampler": [0], "shuffle": True}, "mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option"),
    ({"batch_size": None, "drop_last": True}, "batch_size=None"),
    ({"generator": tg.Generator(), "seed": 1}, "not both"),
    ({"timeout": -1}, "timeout"),
])
def test_bad_loader_arguments_are_named(options, error):
    with pytest.raises(ValueError, match=error):
        DataLoader(TensorDataset(np.arange(4)), **options)
