"""tapegrad.threads: set_num_threads / get_num_threads as PyTorch's, and follow_load(), which
gives NumPy's BLAS only the cores no other process is busy on. Nothing here is timed."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import threads
from tapegrad.app import cli

threadpoolctl = pytest.importorskip("threadpoolctl")


def blas_thread_counts() -> set:
    """What threadpoolctl reports for NumPy's BLAS (and SciPy's, if loaded) in this process."""
    return {pool["num_threads"] for pool in threadpoolctl.threadpool_info()
            if pool["user_api"] == "blas"}


def test_a_blas_loaded_after_the_first_choice_gets_the_next_one(restores_threads):
    tg.set_num_threads(2)
    pytest.importorskip("scipy.linalg")  # SciPy's own OpenBLAS, perhaps loaded only now
    tg.set_num_threads(1)
    assert blas_thread_counts() == {1}


@pytest.fixture
def fresh_state(monkeypatch):
    """A fresh automatic state with a known ceiling of two threads on two free cores; the
    process's BLAS goes back to its own count afterwards."""
    state = threads._BlasThreads()
    state.following = True  # as follow_load() leaves it
    monkeypatch.setattr(threads, "_state", state)
    monkeypatch.setattr(threads, "CHECK_INTERVAL_SECONDS", 0.0)
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    state.controller(required=True)
    original = state.ceiling
    state.ceiling = 2
    yield state
    state.apply(original)


@pytest.fixture
def restores_threads():
    yield
    tg.threads.restore_automatic()


def test_set_num_threads_sets_numpys_blas_and_get_num_threads_reads_it(restores_threads):
    tg.set_num_threads(1)
    assert tg.get_num_threads() == 1
    assert blas_thread_counts() == {1}
    a = np.random.default_rng(0).standard_normal((64, 64))
    np.testing.assert_allclose((tg.tensor(a) @ tg.tensor(a)).numpy(), a @ a)


@pytest.mark.parametrize("count, error, words", [
    (0, ValueError, "at least 1, got 0"),
    (-2, ValueError, "at least 1, got -2"),
    (1.5, TypeError, "got float 1.5"),
    (True, TypeError, "got bool True"),
    ("2", TypeError, "got str '2'"),
])
def test_a_bad_count_is_refused_and_changes_nothing(count, error, words, restores_threads):
    before = tg.get_num_threads()
    with pytest.raises(error, match="set_num_threads") as raised:
        tg.set_num_threads(count)
    assert words in str(raised.value)
    assert tg.get_num_threads() == before and blas_thread_counts() == {before}


def test_without_threadpoolctl_set_num_threads_says_what_to_install(monkeypatch):
    monkeypatch.setattr(threads, "_state", threads._BlasThreads())
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails, as if not installed
    with pytest.raises(ImportError, match="pip install threadpoolctl"):
        tg.set_num_threads(1)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert tg.get_num_threads() == 3  # what the BLAS starts with
    threads.follow_machine_load()  # the default has nothing to set, and does not fail


def test_a_busy_neighbour_takes_a_thread_at_once_and_gives_it_back_after_quiet_checks(
        fresh_state, monkeypatch):
    others = iter([0, 1] + [0] * threads.QUIET_CHECKS)
    monkeypatch.setattr(threads, "_runnable_elsewhere", lambda own: next(others))
    counts = []
    for _ in range(2 + threads.QUIET_CHECKS):
        threads.follow_machine_load()
        counts.append(tg.get_num_threads())
    assert counts == [2, 1] + [1] * (threads.QUIET_CHECKS - 1) + [2]
    assert blas_thread_counts() == {2}


def test_the_count_follows_the_load_only_when_asked(fresh_state, monkeypatch):
    monkeypatch.setattr(threads, "_runnable_elsewhere", lambda own: 5)
    threads.follow_load(False)
    threads.follow_machine_load()
    assert tg.get_num_threads() == 2  # off, as by default: the BLAS keeps its count
    threads.follow_load()
    threads.follow_machine_load()
    assert tg.get_num_threads() == 1


def test_the_load_following_is_off_by_default():
    assert threads._BlasThreads().following is False


def test_a_loaded_machine_still_gets_one_thread(fresh_state, monkeypatch):
    monkeypatch.setattr(threads, "_runnable_elsewhere", lambda own: 5)
    threads.follow_machine_load()
    assert tg.get_num_threads() == 1


def test_the_check_waits_for_its_interval(fresh_state, monkeypatch):
    monkeypatch.setattr(threads, "CHECK_INTERVAL_SECONDS", 3600.0)
    seen = []
    monkeypatch.setattr(threads, "_runnable_elsewhere", lambda own: seen.append(1) or 0)
    for _ in range(5):
        threads.follow_machine_load()
    assert len(seen) == 1


def test_set_num_threads_ends_the_automatic_choice_and_restore_brings_it_back(
        fresh_state, monkeypatch):
    monkeypatch.setattr(threads, "_runnable_elsewhere", lambda own: 1)
    tg.set_num_threads(2)
    threads.follow_machine_load()
    assert tg.get_num_threads() == 2  # the user's count, though a neighbour is busy
    threads.restore_automatic()
    assert tg.get_num_threads() == fresh_state.ceiling
    threads.follow_machine_load()
    assert tg.get_num_threads() == 1


def test_optimizers_check_the_load_when_they_step_and_zero_gradients(monkeypatch):
    calls = []
    monkeypatch.setattr(threads, "follow_machine_load", lambda: calls.append(1))
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    optimizer = tg.optim.SGD([w], lr=0.1)
    optimizer.zero_grad()
    (w * w).sum().backward()
    optimizer.step()
    assert len(calls) == 2


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="Linux's /proc only")
def test_a_busy_neighbour_process_is_counted():
    neighbour = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        counts = [threads._runnable_elsewhere(blas_threads=64) for _ in range(5)]
    finally:
        neighbour.kill()
        neighbour.wait()
    assert all(isinstance(count, int) for count in counts) and max(counts) >= 1


def test_train_threads_flag_sets_the_count(tmp_path, capsys, restores_threads):
    status = cli.main(["train", "--dataset", "moons", "--epochs", "1", "--threads", "1",
                       "--out", str(tmp_path / "run"), "--no-progress", "--optimizer", "sgd"])
    assert status == 0
    assert tg.get_num_threads() == 1 and blas_thread_counts() == {1}


def test_train_refuses_a_thread_count_below_one(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--threads", "0"])
    assert exit_.value.code == 2
    assert "--threads: must be a positive integer, got 0" in capsys.readouterr().err
