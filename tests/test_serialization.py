"""Checkpoints: round trips of model and optimizer state, and files that must be refused."""

import errno
import io
import json
import os
import stat
import zipfile

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import nn


def test_model_state_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    path = tmp_path / "model.npz"
    tg.save(model.state_dict(), path)
    restored = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    restored.load_state_dict(tg.load(path))
    for (name, value), (_, other) in zip(model.state_dict().items(),
                                         restored.state_dict().items()):
        np.testing.assert_array_equal(value, other, err_msg=name)
        assert value.dtype == other.dtype


def test_nested_structures_keep_their_types(tmp_path):
    state = {"state": {0: {"step": 3, "momentum": np.arange(3.0)}},
             "param_groups": [{"lr": 0.1, "params": [0, 1], "betas": (0.9, 0.999),
                               "nesterov": False, "name": None}],
             "tensor": tg.tensor([1.0, 2.0])}
    tg.save(state, tmp_path / "opt.npz")
    loaded = tg.load(tmp_path / "opt.npz")
    assert loaded["param_groups"] == state["param_groups"]
    assert list(loaded["state"]) == [0] and loaded["state"][0]["step"] == 3
    np.testing.assert_array_equal(loaded["state"][0]["momentum"], np.arange(3.0))
    np.testing.assert_array_equal(loaded["tensor"], [1.0, 2.0])


def test_refuses_what_it_cannot_store(tmp_path):
    with pytest.raises(TypeError, match="cannot store a set"):
        tg.save({"bad": {1, 2}}, tmp_path / "x.npz")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint file at .*missing.npz"):
        tg.load(tmp_path / "missing.npz")


def test_other_files_are_not_checkpoints(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    plain = tmp_path / "plain.npz"
    np.savez(plain, weight=np.ones(2))
    for path in (text, plain):
        with pytest.raises(ValueError, match="is not a tapegrad checkpoint"):
            tg.load(path)


def test_truncated_checkpoint_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    tg.save({"weight": np.ones(1000)}, path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ValueError, match="truncated"):
        tg.load(path)


def test_pickled_payload_is_refused_without_running_it(tmp_path):
    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(ran), "w"))

    header = json.dumps({"format": "tapegrad-checkpoint", "version": 1,
                         "structure": {"array": "evil"}}).encode()
    np.save(tmp_path / "evil.npy", np.array([Payload()], dtype=object), allow_pickle=True)
    np.save(tmp_path / "header.npy", np.frombuffer(header, dtype=np.uint8))
    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(tmp_path / "evil.npy", "evil.npy")
        archive.write(tmp_path / "header.npy", "__tapegrad__.npy")
    with pytest.raises(ValueError, match="carries pickled objects"):
        tg.load(path)
    assert not ran.exists()


# ---------------------------------------------------------------------- atomic save


def _fail_midway(monkeypatch, error):
    """Make np.savez write the first half of its archive, then raise ``error``: a full disk
    or a kill in the middle of a save."""
    real_savez = np.savez

    def savez(file, **arrays):
        buffer = io.BytesIO()
        real_savez(buffer, **arrays)
        file.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        file.flush()
        raise error

    monkeypatch.setattr(np, "savez", savez)


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   KeyboardInterrupt()], ids=["disk-full", "interrupted"])
def test_a_save_that_fails_midway_leaves_the_old_checkpoint_and_no_temporary_file(
        tmp_path, monkeypatch, error):
    path = tmp_path / "model.npz"
    tg.save({"weight": np.arange(3.0)}, path)
    _fail_midway(monkeypatch, error)
    with pytest.raises(type(error)):
        tg.save({"weight": np.arange(1000.0)}, path)
    np.testing.assert_array_equal(tg.load(path)["weight"], np.arange(3.0))
    assert [entry.name for entry in tmp_path.iterdir()] == ["model.npz"]


def test_a_failed_fsync_leaves_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    tg.save({"step": 1}, path)

    def fsync(descriptor):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError, match="Input/output error"):
        tg.save({"step": 2}, path)
    assert tg.load(path) == {"step": 1}
    assert [entry.name for entry in tmp_path.iterdir()] == ["model.npz"]


def test_a_save_that_cannot_encode_writes_nothing(tmp_path):
    path = tmp_path / "model.npz"
    tg.save({"step": 1}, path)
    with pytest.raises(TypeError, match="cannot store a set"):
        tg.save({"step": {2}}, path)
    assert tg.load(path) == {"step": 1}
    assert [entry.name for entry in tmp_path.iterdir()] == ["model.npz"]


@pytest.mark.skipif(os.name != "posix", reason="file modes and symlinks are POSIX's")
def test_save_replaces_the_file_behind_a_symlink_and_keeps_its_mode(tmp_path):
    target = tmp_path / "run1.npz"
    tg.save({"step": 1}, target)
    target.chmod(0o640)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    tg.save({"step": 2}, link)
    assert link.is_symlink() and tg.load(target) == {"step": 2}
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_save_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no folder .*nowhere to write"):
        tg.save({"step": 1}, tmp_path / "nowhere" / "model.npz")
