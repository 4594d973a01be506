"""The op-level profiler: calls and times per op, forward and backward, and its table."""

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.autograd.profiler import profile, record_function


def _step():
    x = tg.tensor(np.ones((4, 3)), requires_grad=True)
    w = tg.tensor(np.ones((3, 2)), requires_grad=True)
    loss = ((x @ w).tanh() * 2).sum()
    loss.backward()


def test_the_profiler_counts_each_op_forward_and_backward():
    with profile() as prof:
        _step()
        _step()
    counts = {event.key: event.count for event in prof.key_averages()}
    assert counts == {"Matmul": 2, "Tanh": 2, "Mul": 2, "Sum": 2, "SumBackward": 2,
                      "MulBackward": 2, "TanhBackward": 2, "MatmulBackward": 2}
    for event in prof.key_averages():
        assert 0 < event.self_cpu_time_total <= event.cpu_time_total
        assert event.cpu_time == pytest.approx(event.cpu_time_total / event.count)


def test_the_table_lists_every_op_sorted_as_asked():
    with profile() as prof:
        _step()
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    lines = table.splitlines()
    assert "Self CPU %" in lines[1] and "# of Calls" in lines[1]
    assert len([line for line in lines if "Backward" in line or line[:1].isalpha()]) >= 3
    rows = [line for line in lines[3:] if line and not line.startswith(("-", "Self CPU"))]
    assert len(rows) == 3
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    assert [row.split()[0] for row in rows] == [event.key for event in events[:3]]
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.key_averages().table(sort_by="speed")


def test_record_function_times_a_range_and_ops_inside_still_count():
    with profile() as prof:
        with record_function("train_step"):
            _step()
    events = {event.key: event for event in prof.key_averages()}
    step = events["train_step"]
    assert step.count == 1
    inner = sum(event.cpu_time_total for key, event in events.items() if key != "train_step")
    assert step.cpu_time_total >= inner
    assert step.self_cpu_time_total == pytest.approx(step.cpu_time_total - inner, rel=1e-6)


def test_nothing_is_recorded_outside_or_when_disabled():
    with profile(enabled=False) as prof:
        _step()
    assert prof.key_averages() == []
    with profile() as prof:
        pass
    _step()
    assert prof.key_averages() == []
    assert prof.key_averages().table() == "No ops recorded."


def test_off_the_recording_path_is_the_plain_one_again():
    from tapegrad import function
    with profile(), tg.autograd.detect_anomaly():
        assert function._record is not function._plain_record
        assert len(function.OBSERVERS) == 2
    assert function._record is function._plain_record and function.OBSERVERS == []


def test_the_profiler_and_anomaly_mode_work_together():
    with profile() as prof, tg.autograd.detect_anomaly():
        _step()
    assert {event.key for event in prof.key_averages()} >= {"Matmul", "MatmulBackward"}
