"""Statistics benchmarks on one 10,000 × 10,000 float32 variable (381 MiB), as ratios.

Not part of ``make test``: ``make bench`` runs them. Nothing is asserted about time; the
targets are in the README's BENCHMARKS section.

(a) Time: ``tf.train.load_checkpoint(p).get_tensor(key)`` (the read) against our statistics,
    histogram and percentiles of the value already in memory (the compute); target compute
    <= 0.5 × read. Each timed run follows a read and the ratio is the median of those pairs:
    the compute runs on both cores, so a spell when the host lends us only one shows up in
    the time but should not masquerade as a slower program. For scale, the same ratio for the
    NumPy passes that stand in when the compiled extension is not built, for the plain
    approach (``np.histogram`` plus separate min/max/mean/std passes) and for our whole job
    (our read + compute).
(b) Memory: the real worker jobs run in a child process; its peak RSS (``VmHWM``) above its
    baseline after the imports, divided by the tensor's bytes; target <= 1.3. The same job
    with TensorFlow's reader is printed for comparison.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

RUNS = 5
SIDE = 10_000
KEY = "big/.ATTRIBUTES/VARIABLE_VALUE"


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> str:
    import tensorflow as tf

    folder = tmp_path_factory.mktemp("big")
    values = np.random.default_rng(0).standard_normal((SIDE, SIDE), dtype=np.float32)
    variable = tf.Variable(values)
    del values
    return tf.train.Checkpoint(big=variable).write(str(folder / "big"))


def _median_time(function, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _plain(values: np.ndarray) -> tuple:
    """What the compute replaces: one NumPy call per statistic."""
    return np.histogram(values, bins=64), values.min(), values.max(), values.mean(), values.std()


def _without_kernels(function):
    from ckpt_inspector.core.statistics import kernels

    native, kernels.native = kernels.native, None
    try:
        return function()
    finally:
        kernels.native = native


def _paired(read, function, runs: int = RUNS) -> tuple[float, float, object]:
    """(median seconds, median ratio to the read, last result), each run timed right after a
    read, so that a noisy spell on the machine weighs on both sides of a ratio alike."""
    seconds, ratios, result = [], [], None
    for _ in range(runs):
        read_s, _ = _median_time(read, runs=1)
        taken, result = _median_time(function, runs=1)
        seconds.append(taken)
        ratios.append(taken / read_s)
    return statistics.median(seconds), statistics.median(ratios), result


def test_statistics_time_against_the_read(big):
    import tensorflow as tf

    from ckpt_inspector.core.discovery import discover
    from ckpt_inspector.core.records import VariableRecord
    from ckpt_inspector.core.statistics import kernels
    from ckpt_inspector.core.statistics.health_rules import check_tensor
    from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats, tensor_stats

    [record] = discover(big).checkpoints

    def read() -> np.ndarray:
        return tf.train.load_checkpoint(big).get_tensor(KEY)

    values = read()  # warms the page cache and TensorFlow
    read_s, _ = _median_time(read)
    compute = _paired(read, lambda: compute_tensor_stats(values, KEY))
    stats = compute[2]
    weight = VariableRecord(key=KEY, shape=(SIDE, SIDE), dtype="float32", bytes=values.nbytes)
    rows = {
        "read: tf.train.load_checkpoint(p).get_tensor(key)": (read_s, 1.0),
        "compute: stats + 64-bin histogram + percentiles (target <= 0.5)": compute[:2],
        "the same compute with the NumPy passes (extension not built)": _without_kernels(
            lambda: _paired(read, lambda: compute_tensor_stats(values, KEY))[:2]
        ),
        "whole job: our reader + compute": _paired(read, lambda: tensor_stats(record, KEY))[:2],
        "health-scan checks of the tensor as a kernel (compute)": _paired(
            read, lambda: check_tensor(weight, values)
        )[:2],
        "plain: np.histogram + min/max/mean/std (what compute replaces)": _paired(
            read, lambda: _plain(values), runs=1
        )[:2],
        "np.percentile of the 7 percentiles (what the sample replaces)": _paired(
            read, lambda: np.percentile(values, [1, 5, 25, 50, 75, 95, 99]), runs=1
        )[:2],
    }
    size = f"{SIDE}×{SIDE} float32 ({values.nbytes / 2**20:.0f} MiB)"
    print(f"\nStatistics of {size}, median of {RUNS}, each run right after a read:")
    for name, (seconds, ratio) in rows.items():
        print(f"  {name:66s} {seconds:7.3f} s   ratio {ratio:5.2f}")
    assert kernels.native is not None, "the compiled statistics passes were not built"
    assert stats.count == SIDE * SIDE and stats.histogram.counts.sum() == SIDE * SIDE


_CHILD = """
import json, sys
def hwm():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.records import CheckpointFormat, CheckpointRecord
from ckpt_inspector.core import variables  # what the idle worker has loaded after listing
from ckpt_inspector.core.statistics import health, heatmap, tensor_stats  # noqa: F401
from ckpt_inspector.worker.jobs import JOBS
job, prefix, key, via_tensorflow = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
record = CheckpointRecord(prefix=prefix, format=CheckpointFormat.TF2)
if via_tensorflow:
    from ckpt_inspector.core import tensor_values
    from ckpt_inspector.core.statistics import reading
    reading.TensorReader.read = lambda self, k: tensor_values.read_tensor(self.record, k)
baseline = hwm()
if job == "health_scan":
    run_to_completion(JOBS[job](record=record))
else:
    JOBS[job](record=record, key=key)
print(json.dumps({"baseline": baseline, "peak": hwm()}))
"""


def _peak_above_baseline(job: str, prefix: str, via_tensorflow: bool = False) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, job, prefix, KEY, "1" if via_tensorflow else "0"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    return numbers["peak"] - numbers["baseline"]


def test_worker_peak_memory_against_the_tensor(big):
    tensor_bytes = SIDE * SIDE * 4
    print(
        f"\nWorker peak RSS above its baseline, as a multiple of the tensor ({tensor_bytes:,} B):"
    )
    for job in ("tensor_stats", "heatmap", "health_scan"):
        extra = _peak_above_baseline(job, big)
        print(f"  {job:44s} {extra / 2**20:8.1f} MiB   ratio {extra / tensor_bytes:5.2f}")
    extra = _peak_above_baseline("tensor_stats", big, via_tensorflow=True)
    label = "tensor_stats with TensorFlow's reader (compare)"
    print(f"  {label:44s} {extra / 2**20:8.1f} MiB   ratio {extra / tensor_bytes:5.2f}")
    assert Path(big + ".index").exists()
