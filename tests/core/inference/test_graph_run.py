"""TF1 checkpoints run through their ``.meta`` graph, checked against a plain
``import_meta_graph`` + ``Saver.restore`` + ``Session.run`` script."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.graph_run import graph_endpoints, run_graph
from ckpt_inspector.core.inference.records import InputSource, InputSpec
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.worker.jobs import JOBS

v1 = tf.compat.v1


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> CheckpointRecord:
    prefix = checkpoint_factory.write_tf1_classifier(tmp_path_factory.mktemp("tf1") / "train")
    found = discover(prefix).focused()
    assert found.has_meta_graph
    return found


def plain_session_run(prefix: str, fetches: list[str], feed: dict[str, np.ndarray]) -> list:
    """A user's own TF1 script: import the graph, restore with its Saver, run."""
    graph = tf.Graph()
    with graph.as_default():
        saver = v1.train.import_meta_graph(prefix + ".meta", clear_devices=True)
        with v1.Session(graph=graph) as session:
            saver.restore(session, prefix)
            return session.run(fetches, feed_dict=feed)


def assert_one_sentence(message: str) -> None:
    assert message.endswith(".") and "\n" not in message
    assert not re.search(r"[.;]\s+[A-Z]", message), message


def test_endpoints_list_placeholders_and_outputs_without_training_ops(record):
    endpoints = graph_endpoints(record)

    assert endpoints.placeholders == (
        InputSpec("x", (None, 4), "float32"),
        InputSpec("labels", (None,), "int64"),
    )
    assert "probabilities:0" in endpoints.likely_outputs
    assert "logits:0" in endpoints.likely_outputs  # consumed by the loss, still an output
    for name in endpoints.likely_outputs:
        assert not name.startswith(("train", "save", "gradients", "init", "loss", "global_step"))
    assert {"probabilities:0", "logits:0", "MatMul:0"} <= set(endpoints.candidates)
    assert not any(n.startswith(("save/", "gradients/", "train/")) for n in endpoints.candidates)
    assert JOBS["graph_endpoints"](record=record) == endpoints


def test_random_input_with_a_seed_matches_a_plain_session(record):
    source = InputSource(kind="random", seed=9, batch=5)
    result = run_to_completion(run_graph(record, source))

    # Only what the outputs need is fed: the labels placeholder belongs to training.
    [x] = result.inputs
    assert x.name == "x"
    np.testing.assert_array_equal(
        x.values, np.random.default_rng(9).standard_normal((5, 4)).astype("float32")
    )
    names = [o.name for o in result.outputs]
    expected = plain_session_run(record.prefix, names, {"x:0": x.values})
    for output, values in zip(result.outputs, expected, strict=True):
        np.testing.assert_allclose(output.values, values, rtol=1e-6)
        assert output.stats.count == values.size
    probabilities = result.outputs[names.index("probabilities:0")].values
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    # The Saver restores every variable of the checkpoint, Adam's slots included.
    keys = tf.train.list_variables(record.prefix)
    assert (result.restored, result.of, result.partial) == (len(keys), len(keys), False)
    assert result.timings.calls == 5 and result.timings.median_call_ms > 0


def test_npy_input_and_a_chosen_output(record, tmp_path):
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
    np.save(tmp_path / "x.npy", x)
    source = InputSource(kind="file", path=str(tmp_path / "x.npy"))
    result = run_to_completion(run_graph(record, source, outputs=["probabilities"]))

    [out] = result.outputs
    assert out.name == "probabilities:0"
    [expected] = plain_session_run(record.prefix, ["probabilities:0"], {"x:0": x})
    np.testing.assert_allclose(out.values, expected, rtol=1e-6)
    # The copied script reads the same file (run in-process here; the subprocess test below
    # covers a clean interpreter).
    namespace: dict = {}
    exec(result.script, namespace)
    assert "np.load(" in result.script
    np.testing.assert_allclose(namespace["outputs"]["probabilities:0"], out.values, rtol=1e-6)


def test_an_unknown_tensor_suggests_close_names(record):
    with pytest.raises(InspectorError) as caught:
        run_to_completion(run_graph(record, InputSource(), outputs=["probabilites"]))
    message = str(caught.value)
    assert "'probabilites'" in message and "probabilities:0" in message
    assert_one_sentence(message)


def test_a_checkpoint_without_a_meta_file_says_so(tmp_path):
    prefix = checkpoint_factory.write_variables(tmp_path, {"w": np.ones(3, "float32")})
    with pytest.raises(InspectorError) as caught:
        graph_endpoints(discover(prefix).focused())
    assert ".meta" in str(caught.value)
    assert_one_sentence(str(caught.value))


@pytest.mark.slow
def test_the_script_reproduces_the_outputs(record, tmp_path):
    source = InputSource(kind="random", seed=2, batch=3)
    result = run_to_completion(JOBS["infer_graph"](record=record, source=source))
    out = tmp_path / "outputs.npz"
    # Saved by position (arr_0, arr_1, ...) in fetch order; tensor names are not keywords.
    script = result.script + f"np.savez({str(out)!r}, *outputs.values())\n"
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    with np.load(out) as saved:
        assert len(saved.files) == len(result.outputs)
        for index, output in enumerate(result.outputs):
            np.testing.assert_allclose(saved[f"arr_{index}"], output.values, rtol=1e-6)
