"""tapegrad.allocator: on glibc, freed memory is kept for the next step (no page faults to
get it back), unless the environment chose otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tapegrad import allocator

ON_GLIBC = bool(getattr(os, "confstr", None) and os.confstr("CS_GNU_LIBC_VERSION"))
needs_glibc = pytest.mark.skipif(not ON_GLIBC, reason="the thresholds are glibc's malloc's")

# A training step in miniature: 48 arrays of 1 MiB made, written and freed, ten times over;
# prints whether memory is kept and the page faults a step took after the first.
STEPS = """
import json, resource, sys
import numpy as np
import tapegrad as tg
if len(sys.argv) > 1:
    tg.allocator.keep_freed_memory(sys.argv[1] == "keep")

def step():
    arrays = [np.ones(2**17) for _ in range(48)]
    del arrays

step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10
print(json.dumps([tg.allocator.is_keeping_freed_memory(), faults]))
"""


def run_steps(*arguments, **environment) -> tuple:
    """(keeping?, page faults per step) in a fresh process, with malloc's variables cleared."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("MALLOC_") and name != allocator.OPT_OUT_VARIABLE}
    env.update(environment)
    result = subprocess.run([sys.executable, "-c", STEPS, *arguments], env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    return tuple(json.loads(result.stdout.splitlines()[-1]))


@needs_glibc
def test_by_default_freed_memory_is_kept_and_a_step_takes_no_page_faults():
    keeping, faults = run_steps()
    given_back, faults_when_given_back = run_steps("give back")
    assert keeping and not given_back
    # Given back, each step faults its 48 MiB in again (about 12,000 pages); kept, it does not.
    assert faults_when_given_back > 1000
    assert faults < faults_when_given_back / 20


@needs_glibc
@pytest.mark.parametrize("environment", [
    {"TAPEGRAD_KEEP_FREED_MEMORY": "0"},
    {"MALLOC_TRIM_THRESHOLD_": "1000000"},
    {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1000000"},
])
def test_a_choice_made_in_the_environment_is_left_alone(environment):
    keeping, _ = run_steps(**environment)
    assert not keeping


def test_the_choice_is_read_from_the_environment():
    assert allocator.chosen_elsewhere({"TAPEGRAD_KEEP_FREED_MEMORY": "0"})
    assert allocator.chosen_elsewhere({"MALLOC_MMAP_THRESHOLD_": "65536"})
    assert allocator.chosen_elsewhere({"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"})
    assert not allocator.chosen_elsewhere({"TAPEGRAD_KEEP_FREED_MEMORY": "1", "HOME": "/"})
    assert not allocator.chosen_elsewhere({"GLIBC_TUNABLES": "glibc.pthread.rseq=0"})


@needs_glibc
def test_switching_off_and_on_again_in_a_process(restore_keeping):
    assert allocator.keep_freed_memory(False)
    assert not allocator.is_keeping_freed_memory()
    assert allocator.keep_freed_memory(True)
    assert allocator.is_keeping_freed_memory()


@pytest.fixture
def restore_keeping():
    keeping = allocator.is_keeping_freed_memory()
    yield
    allocator.keep_freed_memory(keeping)
