"""Timeline of 20 checkpoints of a 10M-parameter model: first run, reopen, one new checkpoint.

Not part of ``make test``: ``make bench`` runs it and prints times as ratios against a baseline
measured in the same session (reading every tensor of the 20 checkpoints with
``tf.train.load_checkpoint(p).get_tensor(key)``, what any such tool has to do at least once).
Nothing is asserted about time. The peak memory of a child process running the job is printed
as a multiple of the largest tensor (the design bound is two tensors of one variable).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import pytest

CHECKPOINTS = 20
# 10,064,768 parameters in four kernels and their biases, like a small MLP.
SHAPES = {
    "dense_0/kernel": (2048, 2048),
    "dense_0/bias": (2048,),
    "dense_1/kernel": (2048, 2048),
    "dense_1/bias": (2048,),
    "dense_2/kernel": (2048, 768),
    "dense_2/bias": (768,),
    "head/kernel": (768, 128),
    "head/bias": (128,),
}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    import tensorflow as tf

    folder = tmp_path_factory.mktemp("timeline-bench") / "run"
    rng = np.random.default_rng(0)
    values = {k: rng.standard_normal(s, dtype=np.float32) * 0.02 for k, s in SHAPES.items()}
    variables = {k.replace("/", "_"): tf.Variable(v) for k, v in values.items()}
    step = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(step=step, **variables)
    manager = tf.train.CheckpointManager(checkpoint, str(folder), max_to_keep=None)
    for _ in range(CHECKPOINTS + 1):
        for variable in variables.values():
            noise = rng.standard_normal(variable.shape, dtype=np.float32) * 1e-3
            variable.assign_add(noise)
        step.assign_add(100)
        manager.save()
    return folder


def _timed(function, runs: int = 1):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def test_timeline_first_cached_and_one_more(run_folder, tmp_path):
    import tensorflow as tf

    from ckpt_inspector.core.progress import run_to_completion
    from ckpt_inspector.core.timeline.cache import TimelineCache
    from ckpt_inspector.core.timeline.compute import timeline_of_path

    parameters = sum(int(np.prod(s)) for s in SHAPES.values())
    # The first CHECKPOINTS saves are the run; the last one is written "later".
    run = tmp_path / "run"
    run.mkdir()
    last = f"ckpt-{CHECKPOINTS + 1}"
    for path in run_folder.iterdir():
        if path.name.startswith("ckpt-") and not path.name.startswith(last + "."):
            shutil.copy2(path, run / path.name)
    prefixes = [str(run / f"ckpt-{i}") for i in range(1, CHECKPOINTS + 1)]

    def read_all():
        for prefix in prefixes:
            reader = tf.train.load_checkpoint(prefix)
            for key in reader.get_variable_to_shape_map():
                reader.get_tensor(key)

    read_all()  # page cache warm for everyone
    baseline, _ = _timed(read_all, runs=3)
    cache = TimelineCache(tmp_path / "cache")
    first, result = _timed(lambda: run_to_completion(timeline_of_path(str(run), cache=cache)))
    assert result.tensors_read == len(SHAPES) * CHECKPOINTS
    cached, again = _timed(lambda: run_to_completion(timeline_of_path(str(run), cache=cache)), 3)
    assert again.tensors_read == 0 and again.variables == result.variables
    for path in run_folder.glob(last + ".*"):
        shutil.copy2(path, run / path.name)
    grown, more = _timed(lambda: run_to_completion(timeline_of_path(str(run), cache=cache)))
    assert len(more.checkpoints) == CHECKPOINTS + 1 and more.tensors_read == 2 * len(SHAPES)
    uncached = TimelineCache(enabled=False)
    plain, _ = _timed(lambda: run_to_completion(timeline_of_path(str(run), cache=uncached)))

    size = f"{CHECKPOINTS} checkpoints of {parameters:,} float32 parameters"
    print(f"\nTimeline of {size} (ratio to reading every tensor with TensorFlow):")
    rows = {
        "read every tensor: tf.train.load_checkpoint + get_tensor (baseline)": baseline,
        "timeline, first run (reads, statistics, changes, writes the cache)": first,
        "timeline, reopened (all from the cache; median of 3)": cached,
        f"timeline, one new checkpoint ({CHECKPOINTS + 1} columns)": grown,
        f"timeline without the cache ({CHECKPOINTS + 1} checkpoints, for scale)": plain,
    }
    for name, seconds in rows.items():
        print(f"  {name:72s} {seconds:7.3f} s   ratio {seconds / baseline:6.3f}")
    print(f"  cached / first run: {cached / first:.4f}")


_CHILD = """
import json, sys
def hwm():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.timeline.cache import TimelineCache
from ckpt_inspector.core.timeline.compute import timeline_of_path
from ckpt_inspector.core.discovery import discover
listing = discover(sys.argv[1])
baseline = hwm()
run_to_completion(timeline_of_path(sys.argv[1], cache=TimelineCache(enabled=False)))
print(json.dumps({"baseline": baseline, "peak": hwm()}))
"""


def test_timeline_peak_memory_against_the_largest_tensor(run_folder):
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(run_folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    extra = numbers["peak"] - numbers["baseline"]
    largest = max(int(np.prod(s)) for s in SHAPES.values()) * 4
    total = sum(int(np.prod(s)) for s in SHAPES.values()) * 4 * (CHECKPOINTS + 1)
    print(
        f"\nTimeline job peak RSS above baseline: {extra / 2**20:.1f} MiB = "
        f"{extra / largest:.2f} × the largest tensor ({largest / 2**20:.0f} MiB); "
        f"the folder holds {total / 2**20:.0f} MiB of tensors"
    )
