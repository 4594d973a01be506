"""tapegrad.data: datasets, random_split, the DataLoader's batches and order, the loaders."""

import gzip
import sys
import time
import tracemalloc

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    load_digits,
    load_mnist,
    make_moons,
    random_split,
)
from tapegrad.data.idx import parse_idx, read_idx


def _xy(n=10):
    """n examples: float32 features (n, 3) whose row i starts with i, int64 labels i."""
    features = np.arange(3 * n, dtype=np.float32).reshape(n, 3) / 3
    return features, np.arange(n)


def _epoch(loader):
    """The labels of one epoch, batch by batch, as lists."""
    return [labels.data.tolist() for _, labels in loader]


def _flat(batches):
    return [index for batch in batches for index in batch]


# ---------------------------------------------------------------- TensorDataset and Subset


def test_tensor_dataset_items_are_rows_and_tensors_are_unwrapped():
    features, labels = _xy(4)
    dataset = TensorDataset(tg.tensor(features), labels)
    row, label = dataset[2]
    np.testing.assert_array_equal(row, features[2])
    assert label == 2 and len(dataset) == 4
    assert all(isinstance(array, np.ndarray) for array in dataset.arrays)
    np.testing.assert_array_equal(dataset[-1][0], features[3])
    with pytest.raises(IndexError):
        dataset[4]


def test_tensor_dataset_shares_memory_with_arrays():
    features, labels = _xy(4)
    assert TensorDataset(features, labels).arrays[0] is features


def test_tensor_dataset_rejects_different_first_dimensions_naming_the_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\), \(5,\)"):
        TensorDataset(np.zeros((4, 3)), np.zeros(5))


@pytest.mark.parametrize("arrays", [(), (np.float64(1.0),)], ids=["none", "0-d"])
def test_tensor_dataset_rejects_no_arrays_and_0d_arrays(arrays):
    with pytest.raises(ValueError, match="TensorDataset"):
        TensorDataset(*arrays)


def test_dataset_base_asks_subclasses_for_both_methods():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


def test_subset_maps_indices_and_checks_them():
    subset = Subset(TensorDataset(np.arange(10, 15)), [4, 0, 4])
    assert [int(subset[i][0]) for i in range(len(subset))] == [14, 10, 14]
    with pytest.raises(IndexError, match="index 5 is out of range for a dataset of length 5"):
        Subset(TensorDataset(np.arange(5)), [0, 5])
    with pytest.raises(ValueError, match="integers"):
        Subset(TensorDataset(np.arange(5)), [0.5])
    assert len(Subset(TensorDataset(np.arange(5)), [])) == 0


# ---------------------------------------------------------------- DataLoader: batches


@pytest.mark.parametrize(
    "n, batch_size, drop_last, sizes",
    [
        (10, 4, False, [4, 4, 2]),
        (10, 4, True, [4, 4]),
        (8, 4, False, [4, 4]),
        (8, 4, True, [4, 4]),
        (3, 5, False, [3]),
        (3, 5, True, []),
        (0, 2, False, []),
    ],
)
def test_batch_sizes_last_partial_batch_and_len(n, batch_size, drop_last, sizes):
    loader = DataLoader(TensorDataset(*_xy(n)), batch_size=batch_size, drop_last=drop_last)
    assert [len(labels) for labels in _epoch(loader)] == sizes
    assert len(loader) == len(sizes)


def test_batches_are_tensors_of_stacked_fields_in_order_without_shuffle():
    features, labels = _xy(5)
    batches = list(DataLoader(TensorDataset(features, labels), batch_size=2))
    x_batch, y_batch = batches[1]
    assert isinstance(x_batch, tg.Tensor) and isinstance(y_batch, tg.Tensor)
    np.testing.assert_array_equal(x_batch.data, features[2:4])
    assert x_batch.dtype == np.float32 and y_batch.dtype == np.int64
    assert _flat(batch[1].data.tolist() for batch in batches) == list(range(5))


def test_batches_do_not_share_memory_with_the_dataset():
    features, labels = _xy(4)
    x_batch, _ = next(iter(DataLoader(TensorDataset(features, labels), batch_size=4)))
    x_batch.data[:] = -1
    assert features.min() == 0


def test_default_batch_size_is_one():
    loader = DataLoader(TensorDataset(*_xy(3)))
    assert len(loader) == 3 and _epoch(loader) == [[0], [1], [2]]


# ---------------------------------------------------------------- DataLoader: shuffling


def test_same_seed_gives_the_same_epochs():
    dataset = TensorDataset(*_xy(20))
    first = DataLoader(dataset, batch_size=3, shuffle=True, seed=7)
    second = DataLoader(dataset, batch_size=3, shuffle=True, seed=7)
    assert [_epoch(first) for _ in range(3)] == [_epoch(second) for _ in range(3)]


def test_epochs_differ_and_visit_every_example_exactly_once():
    loader = DataLoader(TensorDataset(*_xy(20)), batch_size=3, shuffle=True, seed=0)
    orders = [_flat(_epoch(loader)) for _ in range(3)]
    assert all(sorted(order) == list(range(20)) for order in orders)
    assert orders[0] != orders[1] != orders[2] != orders[0]
    assert orders[0] != list(range(20))


def test_different_seeds_give_different_orders():
    dataset = TensorDataset(*_xy(20))
    orders = [_epoch(DataLoader(dataset, shuffle=True, seed=seed)) for seed in (0, 1)]
    assert orders[0] != orders[1]


def test_without_seed_manual_seed_makes_the_order_repeat():
    loader = DataLoader(TensorDataset(*_xy(20)), batch_size=4, shuffle=True)
    tg.manual_seed(3)
    first = [_epoch(loader), _epoch(loader)]
    tg.manual_seed(3)
    assert [_epoch(loader), _epoch(loader)] == first
    assert first[0] != first[1]


def test_a_seed_does_not_shuffle_without_shuffle():
    loader = DataLoader(TensorDataset(*_xy(6)), batch_size=4, seed=5)
    assert _epoch(loader) == [[0, 1, 2, 3], [4, 5]]


# ---------------------------------------------------------------- fast path and collate_fn


def _assert_same_batches(fast_loader, slow_loader):
    fast_batches, slow_batches = list(fast_loader), list(slow_loader)
    assert len(fast_batches) == len(slow_batches)
    for fast, slow in zip(fast_batches, slow_batches):
        assert len(fast) == len(slow)
        for fast_field, slow_field in zip(fast, slow):
            assert fast_field.dtype == slow_field.dtype
            np.testing.assert_array_equal(fast_field.data, slow_field.data)


@pytest.mark.parametrize("shuffle, drop_last", [(False, False), (True, False), (True, True)])
def test_fast_path_equals_collating_item_by_item(shuffle, drop_last):
    images = np.arange(11 * 2 * 3, dtype=np.uint8).reshape(11, 2, 3)
    dataset = TensorDataset(images, np.arange(11) % 3, np.linspace(0, 1, 11))
    options = dict(batch_size=4, shuffle=shuffle, drop_last=drop_last, seed=2)
    fast = DataLoader(dataset, **options)
    slow = DataLoader(dataset, collate_fn=default_collate, **options)  # any collate_fn is slow
    for _ in range(2):  # the second epoch checks the generators stay in step
        _assert_same_batches(fast, slow)


def test_fast_path_reaches_through_subsets():
    dataset = TensorDataset(*_xy(12))
    train, _ = random_split(dataset, [9, 3], seed=0)
    inner = Subset(train, [8, 0, 5, 1, 2])
    options = dict(batch_size=2, shuffle=True, seed=4)
    _assert_same_batches(
        DataLoader(inner, **options), DataLoader(inner, collate_fn=default_collate, **options)
    )
    expected = [int(train.indices[i]) for i in (8, 0, 5, 1, 2)]
    assert sorted(_flat(_epoch(DataLoader(inner, **options)))) == sorted(expected)


def test_fast_path_does_not_index_item_by_item(monkeypatch):
    dataset = TensorDataset(*_xy(6))
    monkeypatch.setattr(TensorDataset, "__getitem__", lambda self, index: 1 / 0)
    assert _epoch(DataLoader(Subset(dataset, [5, 4, 3]), batch_size=2)) == [[5, 4], [3]]


def test_subclass_with_its_own_getitem_takes_the_general_path():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            return tuple(2 * row for row in super().__getitem__(index))

    assert _epoch(DataLoader(Doubled(*_xy(3)), batch_size=3)) == [[0, 2, 4]]


def test_custom_collate_fn_gets_the_list_of_examples():
    seen = []

    def collate(items):
        seen.append(items)
        return len(items)

    loader = DataLoader(TensorDataset(*_xy(5)), batch_size=2, collate_fn=collate)
    assert list(loader) == [2, 2, 1]
    assert isinstance(seen[0], list) and int(seen[2][0][1]) == 4


def test_any_sequence_of_examples_works_and_labels_stay_integers():
    examples = [(np.full(2, i, dtype=np.float64), i) for i in range(5)]
    x_batch, y_batch = next(iter(DataLoader(examples, batch_size=3)))
    np.testing.assert_array_equal(x_batch.data, [[0, 0], [1, 1], [2, 2]])
    assert y_batch.dtype == np.int64


def test_default_collate_handles_dicts_tensors_and_single_values():
    batch = default_collate([{"x": tg.tensor([1.0]), "y": 0}, {"x": tg.tensor([2.0]), "y": 1}])
    np.testing.assert_array_equal(batch["x"].data, [[1.0], [2.0]])
    np.testing.assert_array_equal(default_collate([3, 4]).data, [3, 4])


def test_default_collate_names_shapes_it_cannot_stack():
    with pytest.raises(ValueError, match=r"\(2,\), \(3,\)"):
        default_collate([(np.zeros(2),), (np.zeros(3),)])
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1,)])


@pytest.mark.parametrize(
    "argument, value",
    [
        ("batch_size", 0),
        ("batch_size", -2),
        ("batch_size", 2.0),
        ("batch_size", True),
        ("shuffle", "yes"),
        ("drop_last", 1),
        ("seed", -1),
        ("seed", 1.5),
        ("collate_fn", 3),
    ],
)
def test_bad_arguments_raise_naming_the_argument(argument, value):
    with pytest.raises(ValueError, match=f"DataLoader: {argument}"):
        DataLoader(TensorDataset(*_xy(4)), **{argument: value})


def test_a_dataset_needs_len_and_getitem():
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(5)


# ---------------------------------------------------------------- random_split


def _check_partition(parts, n):
    indices = np.concatenate([part.indices for part in parts])
    assert sorted(indices.tolist()) == list(range(n))


def test_random_split_with_integer_lengths_is_a_seeded_partition():
    dataset = TensorDataset(*_xy(10))
    parts = random_split(dataset, [6, 0, 4], seed=1)
    assert [len(part) for part in parts] == [6, 0, 4]
    assert all(isinstance(part, Subset) and part.dataset is dataset for part in parts)
    _check_partition(parts, 10)
    again = random_split(dataset, [6, 0, 4], seed=1)
    assert all(np.array_equal(a.indices, b.indices) for a, b in zip(parts, again))
    other = random_split(dataset, [6, 0, 4], seed=2)
    assert not np.array_equal(parts[0].indices, other[0].indices)


@pytest.mark.parametrize(
    "n, fractions, lengths",
    [(10, [0.7, 0.3], [7, 3]), (10, [1 / 3] * 3, [4, 3, 3]), (7, [0.5, 0.5], [4, 3])],
)
def test_random_split_with_fractions_rounds_down_then_hands_out_leftovers(n, fractions, lengths):
    parts = random_split(TensorDataset(*_xy(n)), fractions, seed=0)
    assert [len(part) for part in parts] == lengths
    _check_partition(parts, n)


def test_random_split_lengths_match_pytorch(torch):
    from torch.utils.data import random_split as torch_random_split

    for n, fractions in [(10, [0.7, 0.3]), (10, [1 / 3] * 3), (101, [0.25] * 4), (5, [0.7, 0.3])]:
        ours = random_split(TensorDataset(*_xy(n)), fractions, seed=0)
        theirs = torch_random_split(range(n), fractions)
        assert [len(part) for part in ours] == [len(part) for part in theirs]


def test_random_split_without_seed_follows_manual_seed():
    dataset = TensorDataset(*_xy(10))
    tg.manual_seed(0)
    first = random_split(dataset, [5, 5])[0].indices
    tg.manual_seed(0)
    np.testing.assert_array_equal(random_split(dataset, [5, 5])[0].indices, first)


@pytest.mark.parametrize(
    "lengths, message",
    [
        ([6, 3], "add up to the dataset's length 10, not 9"),
        ([11, -1], "non-negative"),
        ([0.5, 0.4], "add up to 0.9"),
        ([0.5, 1.5], "all integers or all fractions"),
        ([], "empty"),
    ],
)
def test_random_split_rejects_lengths_that_do_not_fit(lengths, message):
    with pytest.raises(ValueError, match=message):
        random_split(TensorDataset(*_xy(10)), lengths)


# ---------------------------------------------------------------- load_mnist and IDX


def _idx_bytes(array, code=0x08):
    """An IDX file's bytes: magic number, big-endian dimensions, big-endian data."""
    header = bytes([0, 0, code, array.ndim])
    dims = b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path, raw):
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as file:
            file.write(raw)
    else:
        path.write_bytes(raw)


@pytest.fixture
def mnist(tmp_path, rng):
    """A folder with a 5-image train set (plain files) and a 3-image test set (gzipped)."""
    sets = {}
    for kind, prefix, count, suffix in [("train", "train", 5, ""), ("test", "t10k", 3, ".gz")]:
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        _write(tmp_path / f"{prefix}-images-idx3-ubyte{suffix}", _idx_bytes(images))
        _write(tmp_path / f"{prefix}-labels-idx1-ubyte{suffix}", _idx_bytes(labels))
        sets[kind] = images, labels
    return tmp_path, sets


@pytest.mark.parametrize("kind", ["train", "test"])
def test_load_mnist_reads_plain_and_gzipped_idx_files(mnist, kind):
    folder, sets = mnist
    images, labels = load_mnist(folder, kind=kind)
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    np.testing.assert_array_equal(images, sets[kind][0])
    np.testing.assert_array_equal(labels, sets[kind][1])
    images[0, 0, 0] = 1  # the arrays are the caller's to change


def test_load_mnist_accepts_a_string_path_and_one_file_of_each_kind(mnist):
    folder, sets = mnist
    labels = (folder / "train-labels-idx1-ubyte").read_bytes()
    (folder / "train-labels-idx1-ubyte").unlink()
    _write(folder / "train-labels-idx1-ubyte.gz", labels)
    np.testing.assert_array_equal(load_mnist(str(folder))[1], sets["train"][1])


def test_load_mnist_keeps_the_stored_image_dimensions(tmp_path):
    _write(tmp_path / "train-images-idx3-ubyte", _idx_bytes(np.zeros((2, 4, 3), np.uint8)))
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(np.zeros(2, np.uint8)))
    assert load_mnist(tmp_path)[0].shape == (2, 4, 3)


def test_load_mnist_missing_folder_names_the_files_and_never_downloads(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads") as caught:
        load_mnist(tmp_path / "nowhere")
    message = str(caught.value)
    assert "train-images-idx3-ubyte" in message and "train-labels-idx1-ubyte" in message
    assert "does not exist" in message


def test_load_mnist_missing_file_names_only_that_file(mnist):
    folder, _ = mnist
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as caught:
        load_mnist(folder, kind="test")
    message = str(caught.value)
    assert str(folder / "t10k-labels-idx1-ubyte") in message and "images" not in message


def test_load_mnist_rejects_a_wrong_magic_number_naming_the_file(mnist):
    folder, _ = mnist
    labels = (folder / "train-labels-idx1-ubyte").read_bytes()
    (folder / "train-images-idx3-ubyte").write_bytes(labels)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: magic number 0x00000801"):
        load_mnist(folder)


def test_load_mnist_spots_a_gzipped_file_without_its_suffix(mnist):
    folder, _ = mnist
    (folder / "t10k-images-idx3-ubyte.gz").rename(folder / "t10k-images-idx3-ubyte")
    with pytest.raises(ValueError, match="not an IDX file.*gzip-compressed"):
        load_mnist(folder, kind="test")


@pytest.mark.parametrize("name", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"])
@pytest.mark.parametrize("keep", [3, 10, -1], ids=["in-magic", "in-dims", "in-data"])
def test_load_mnist_rejects_a_truncated_file_naming_it(mnist, name, keep):
    folder, _ = mnist
    path = folder / name
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(ValueError, match=f"{name}: is truncated"):
        load_mnist(folder)


def test_load_mnist_rejects_a_truncated_gzip_file(mnist):
    folder, _ = mnist
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: is not a complete gzip"):
        load_mnist(folder, kind="test")


def test_load_mnist_rejects_extra_bytes(mnist):
    folder, _ = mnist
    path = folder / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte: has extra bytes"):
        load_mnist(folder)


def test_load_mnist_rejects_mismatched_counts_naming_both_files(mnist):
    folder, _ = mnist
    _write(folder / "train-labels-idx1-ubyte", _idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError, match=r"images-idx3-ubyte holds 5 images but .*labels"):
        load_mnist(folder)


def test_load_mnist_rejects_an_unknown_kind(mnist):
    with pytest.raises(ValueError, match="kind must be 'train' or 'test'"):
        load_mnist(mnist[0], kind="validation")


@pytest.mark.parametrize(
    "dtype, code", [(">i2", 0x0B), (">i4", 0x0C), (">f4", 0x0D), (">f8", 0x0E)]
)
def test_parse_idx_reads_every_dtype_in_native_order(dtype, code):
    array = np.arange(6).reshape(2, 3).astype(dtype) - 2
    parsed = parse_idx(_idx_bytes(array, code))
    assert parsed.dtype.isnative and parsed.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(parsed, array)


def _header(shape, code=0x08):
    return bytes([0, 0, code, len(shape)]) + b"".join(size.to_bytes(4, "big") for size in shape)


def _read_bounded(path, match, memory=4 * 2**20):
    """read_idx(path) raises a ValueError naming the file, quickly and in little memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=match) as caught:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < memory, f"reading {path} allocated {peak} bytes"
    assert str(path) in str(caught.value)


def test_a_gzip_bomb_behind_a_small_header_fails_without_inflating_it(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    with gzip.open(path, "wb") as file:
        file.write(_header((2, 28, 28)) + bytes(2 * 28 * 28))
        for _ in range(64):  # 64 MB more than the header announces, in a 65 KB file
            file.write(bytes(2**20))
    assert path.stat().st_size < 70_000
    _read_bounded(path, "has extra bytes: its header announces shape \\(2, 28, 28\\), 1584 "
                        "bytes in all, but more follow")


def test_a_gzip_header_announcing_more_than_the_file_can_inflate_to_is_refused(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _write(path, _header((2**20, 2**10, 2**10)) + bytes(100))
    _read_bounded(path, r"is truncated: its header announces shape \(1048576, 1024, 1024\), "
                        r"\d+ bytes in all, more than \d+ gzip-compressed bytes can hold")


def test_a_plain_file_longer_than_its_header_announces_is_refused_unread(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"
    with path.open("wb") as file:
        file.write(_header((3,)) + bytes(3))
        file.truncate(2**25)  # 32 MB of zeros after the 3 bytes announced
    _read_bounded(path, r"has extra bytes: .* 11 bytes in all, but it holds 33554432")


def test_a_plain_file_announcing_terabytes_is_refused_unread(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(_header((2**20, 2**10, 2**10), code=0x0E) + bytes(64))
    _read_bounded(path, r"is truncated: .* 8796093022224 bytes in all, but it holds 80")


def test_a_gzip_file_with_less_data_than_announced_is_refused(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    _write(path, _header((100,)) + bytes(60))
    _read_bounded(path, r"is truncated: .* 108 bytes in all, but it holds 68")


# ---------------------------------------------------------------- scikit-learn data sets


@pytest.fixture
def sklearn():
    return pytest.importorskip("sklearn")


def test_load_digits_is_float32_in_unit_range_with_int64_labels(sklearn):
    images, labels = load_digits()
    assert images.shape == (1797, 64) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert sorted(set(labels.tolist())) == list(range(10))
    np.testing.assert_allclose(images, sklearn.datasets.load_digits().data / 16, rtol=1e-6)


def test_make_moons_lies_on_two_half_circles(sklearn):
    X, y = make_moons(40, seed=0)
    assert X.shape == (40, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [20, 20]
    centres = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(X - centres, axis=1), 1.0, rtol=1e-12)


def test_make_moons_repeats_with_a_seed_or_manual_seed(sklearn):
    np.testing.assert_array_equal(make_moons(30, 0.1, seed=4)[0], make_moons(30, 0.1, seed=4)[0])
    tg.manual_seed(1)
    first = make_moons(30, noise=0.1)[0]
    tg.manual_seed(1)
    np.testing.assert_array_equal(make_moons(30, noise=0.1)[0], first)
    assert not np.array_equal(make_moons(30, noise=0.1)[0], first)


@pytest.mark.parametrize("loader", [load_digits, make_moons])
def test_missing_scikit_learn_says_how_to_install_it(monkeypatch, loader):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=r'pip install "tapegrad\[data\]"'):
        loader()
