"""SavedModel signatures run directly (like ``saved_model_cli run``), checked against a plain
``tf.saved_model.load`` and signature call."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSource, InputSpec
from ckpt_inspector.core.inference.saved_model_run import run_saved_model, saved_model_signatures
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.worker.jobs import JOBS


@pytest.fixture(scope="module")
def affine(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One input ``x`` (float32, [None, 4]), two variables."""
    return checkpoint_factory.write_saved_model(tmp_path_factory.mktemp("affine") / "model")


@pytest.fixture(scope="module")
def two_inputs(tmp_path_factory: pytest.TempPathFactory) -> str:
    return checkpoint_factory.write_saved_model_two_inputs(tmp_path_factory.mktemp("two") / "sm")


def plain_call(path: str, signature: str, **inputs: np.ndarray) -> dict[str, np.ndarray]:
    """What ``saved_model_cli run`` does: load, call the signature with keyword tensors."""
    function = tf.saved_model.load(path).signatures[signature]
    results = function(**{k: tf.constant(v) for k, v in inputs.items()})
    return {k: v.numpy() for k, v in results.items()}


def assert_one_sentence(message: str) -> None:
    assert message.endswith(".") and "\n" not in message
    assert not re.search(r"[.;]\s+[A-Z]", message), message


def test_signatures_list_inputs_and_outputs_serving_default_first(two_inputs):
    infos = saved_model_signatures(two_inputs)

    assert [i.name for i in infos] == ["serving_default", "scores_only"]
    serving = infos[0]
    assert set(serving.inputs) == {
        InputSpec("x", (None, 4), "float32"),
        InputSpec("ids", (None,), "int32"),
    }
    assert set(serving.outputs) == {"scores", "total"}
    assert infos[1].outputs == ("scores",)
    assert JOBS["saved_model_signatures"](path=two_inputs) == infos


def test_random_input_with_a_seed_matches_a_plain_call(affine):
    source = InputSource(kind="random", seed=7, batch=3)
    result = run_to_completion(run_saved_model(affine, source))

    [x] = result.inputs
    np.testing.assert_array_equal(
        x.values, np.random.default_rng(7).standard_normal((3, 4)).astype("float32")
    )
    [out] = result.outputs
    expected = plain_call(affine, "serving_default", x=x.values)
    np.testing.assert_allclose(out.values, expected[out.name], rtol=1e-6)
    assert out.shape == (3, 2) and out.stats.count == 6
    assert out.fresh_max_abs_diff is None
    assert (result.restored, result.of, result.partial) == (2, 2, False)
    assert any("no fresh weights" in n for n in result.notes)
    assert result.timings.calls == 5 and result.timings.median_call_ms > 0
    assert result.architecture == "SavedModel signature 'serving_default'"


def test_npy_input_and_two_inputs_in_signature_order(affine, two_inputs, tmp_path):
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.save(tmp_path / "x.npy", x)
    result = run_to_completion(
        run_saved_model(affine, InputSource(kind="file", path=str(tmp_path / "x.npy")))
    )
    np.testing.assert_allclose(
        result.outputs[0].values, plain_call(affine, "serving_default", x=x)["output_0"]
    )

    source = InputSource(kind="random", seed=3, batch=2)
    result = run_to_completion(run_saved_model(two_inputs, source, signature="scores_only"))
    # Inputs are drawn in the signature's order (TensorFlow lists them by name: ids, then x).
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 10, size=(2,)).astype("int32")
    x = rng.standard_normal((2, 4)).astype("float32")
    assert [i.name for i in result.inputs] == ["ids", "x"]
    expected = plain_call(two_inputs, "scores_only", x=x, ids=ids)
    [scores] = result.outputs
    assert scores.name == "scores"
    np.testing.assert_allclose(scores.values, expected["scores"], rtol=1e-6)


def test_an_unknown_signature_names_the_available_ones(two_inputs):
    with pytest.raises(InspectorError) as caught:
        run_to_completion(run_saved_model(two_inputs, InputSource(), signature="predict"))
    message = str(caught.value)
    assert "'predict'" in message and "serving_default, scores_only" in message
    assert_one_sentence(message)


def test_a_folder_without_a_saved_model_says_so(tmp_path):
    with pytest.raises(InspectorError) as caught:
        saved_model_signatures(str(tmp_path))
    assert "saved_model.pb" in str(caught.value)
    assert_one_sentence(str(caught.value))


@pytest.mark.slow
def test_the_script_reproduces_the_outputs(two_inputs, tmp_path):
    source = InputSource(kind="random", seed=5, batch=4)
    result = run_to_completion(JOBS["infer_saved_model"](path=two_inputs, source=source))
    out = tmp_path / "outputs.npz"
    script = result.script + f"np.savez({str(out)!r}, **outputs)\n"
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    with np.load(out) as saved:
        assert sorted(saved.files) == sorted(o.name for o in result.outputs)
        for output in result.outputs:
            np.testing.assert_allclose(saved[output.name], output.values, rtol=1e-6)


def test_outputs_serialise_for_the_cli(affine):
    result = run_to_completion(run_saved_model(affine, InputSource(batch=1)))
    data = result.to_json()
    assert data["restored"] == {"variables": 2, "of": 2}
    assert data["inputs"][0]["name"] == "x" and data["inputs"][0]["shape"] == [1, 4]
    assert Path(data["checkpoint"]) == Path(affine)
