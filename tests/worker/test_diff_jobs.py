"""The diff jobs in a real worker process: the user's model code cannot take the window down.

A model file that loops forever is cancelled (the worker is killed and restarted), one that
kills its process fails the job with a sentence, and a Keras 2 architecture runs in a worker
started for Keras 2.
"""

from __future__ import annotations

import pytest

import checkpoint_factory
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.matching.records import DiffReport
from ckpt_inspector.core.statistics.records import TensorStats
from ckpt_inspector.gui.worker_client import WorkerClient

HANGING_MODEL = """
import time

def build_model():
    print("building: about to hang")
    while True:
        time.sleep(0.05)
"""

CRASHING_MODEL = """
import os, signal

def build_model():
    os.kill(os.getpid(), signal.SIGSEGV)
"""

KERAS2_MODEL = """
import tensorflow as tf

def build_model():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(8, activation="relu", input_shape=(16,)),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
"""


def _client(qtbot, monkeypatch, keras: str) -> WorkerClient:
    monkeypatch.setenv("CKPT_INSPECTOR_WORKER_WARM_UP", "0")
    worker = WorkerClient(keras=keras)
    with qtbot.waitSignal(worker.ready, timeout=60_000) as ready:
        worker.start()
    assert ready.args[0]["keras_flavour"] == keras
    return worker


@pytest.fixture
def client(qtbot, monkeypatch):
    worker = _client(qtbot, monkeypatch, "3")
    yield worker
    worker.shutdown()


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory):
    prefix = checkpoint_factory.write_tf2_training(
        tmp_path_factory.mktemp("small"), saves=1, hidden=8, inputs=16
    )
    return discover(prefix).focused()


def test_a_hanging_model_is_cancelled_and_the_worker_comes_back(
    qtbot, client, small_checkpoint, tmp_path
):
    model = tmp_path / "hang.py"
    model.write_text(HANGING_MODEL)
    pid = client.versions["pid"]
    job_id = client.submit("diff", record=small_checkpoint, spec=ModelSpec(str(model)))
    qtbot.waitUntil(
        lambda: any("about to hang" in line for line in client.log_lines), timeout=60_000
    )
    with qtbot.waitSignals([client.cancelled, client.ready], timeout=30_000):
        client.cancel(job_id)
    assert client.versions["pid"] != pid
    with qtbot.waitSignal(client.finished, timeout=30_000) as after:
        client.submit("diagnostic.echo", value="alive")
    assert after.args[1] == "alive"


def test_a_model_that_kills_its_process_fails_the_job(qtbot, client, small_checkpoint, tmp_path):
    model = tmp_path / "crash.py"
    model.write_text(CRASHING_MODEL)
    failures = []
    client.failed.connect(lambda *args: failures.append(args))
    with qtbot.waitSignals([client.failed, client.ready], timeout=60_000):
        job_id = client.submit("diff", record=small_checkpoint, spec=ModelSpec(str(model)))
    [(failed_id, message, _details)] = failures
    assert failed_id == job_id
    assert "\n" not in message and "worker" in message.lower()


def test_diff_then_model_side_statistics(qtbot, client, small_checkpoint):
    from ckpt_inspector.resources_path import resource_file

    spec = ModelSpec(str(resource_file("demo", "mlp_model.py")))
    # The demo model is 784 wide; this checkpoint is 16 -> 8 -> 10: every kernel mismatches.
    with qtbot.waitSignal(client.finished, timeout=120_000) as done:
        client.submit("diff", record=small_checkpoint, spec=spec)
    report = done.args[1]
    assert isinstance(report, DiffReport)
    assert report.attach == "model" and report.restored == 1  # the 10-unit output bias
    kernel = next(e for e in report.model_entries if e.model_shape == (784, 128))
    with qtbot.waitSignal(client.finished, timeout=60_000) as stats:
        client.submit("model_variable_stats", spec=spec, model_variable=kernel.model)
    result = stats.args[1]
    assert isinstance(result, TensorStats)
    assert result.count == 784 * 128 and result.shape == (784, 128)
    assert result.std > 0  # freshly initialised (Glorot), not zeros


def test_a_keras2_architecture_runs_in_a_keras2_worker(qtbot, monkeypatch, tmp_path):
    prefix = checkpoint_factory.write_keras2_weights(tmp_path / "k2", hidden=8)
    model = tmp_path / "k2.py"
    model.write_text(KERAS2_MODEL)
    worker = _client(qtbot, monkeypatch, "2")
    try:
        with qtbot.waitSignal(worker.finished, timeout=120_000) as done:
            worker.submit(
                "diff",
                record=discover(prefix).focused(),
                spec=ModelSpec(str(model), keras="2"),
            )
    finally:
        worker.shutdown()
    report = done.args[1]
    assert report.keras == "2" and report.complete and report.restored == 4
