"""Inference through an architecture, checked against a plain TensorFlow restore and call."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.core.architecture.loading import load_architecture
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSource
from ckpt_inspector.core.inference.run import run_inference
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.resources_path import resource_file

MLP = str(resource_file("demo", "mlp_model.py"))
LINEAR = str(resource_file("demo", "custom_variables.py"))


def record_of(prefix: str):
    return discover(prefix).focused()


def plain_tensorflow_outputs(
    model_file: str, prefix: str, x: np.ndarray, *, root: bool
) -> np.ndarray:
    """What a user's own script gives: build, tf.train.Checkpoint restore, call."""
    model = load_architecture(ModelSpec(model_file)).root
    checkpoint = tf.train.Checkpoint(root=model) if root else tf.train.Checkpoint(model=model)
    checkpoint.restore(prefix).expect_partial()
    result = model(x, training=False) if hasattr(model, "layers") else model(x)
    return np.asarray(result)


def test_demo_mlp_on_random_input_with_a_seed(demo_like_folder):
    prefix = str(demo_like_folder / "ckpt-2")
    source = InputSource(kind="random", seed=11, batch=3)
    result = run_to_completion(run_inference(record_of(prefix), ModelSpec(MLP), source))

    assert (result.restored, result.of, result.partial) == (4, 4, False)
    [x] = result.inputs
    np.testing.assert_array_equal(
        x.values, np.random.default_rng(11).standard_normal((3, 784)).astype("float32")
    )
    [out] = result.outputs
    expected = plain_tensorflow_outputs(MLP, prefix, x.values, root=False)
    np.testing.assert_allclose(out.values, expected, rtol=1e-5, atol=1e-6)
    assert out.shape == (3, 10) and out.stats.count == 30
    assert out.fresh_max_abs_diff > 0  # the checkpoint's weights changed the answer
    assert result.timings.median_call_ms > 0 and result.timings.calls >= 1


def test_demo_mlp_on_an_npy_input_and_the_script_reproduces_it(demo_like_folder, tmp_path):
    prefix = str(demo_like_folder / "ckpt-2")
    x = np.linspace(-1, 1, 2 * 784, dtype=np.float32).reshape(2, 784)
    np.save(tmp_path / "x.npy", x)
    source = InputSource(kind="file", path=str(tmp_path / "x.npy"))
    result = run_to_completion(run_inference(record_of(prefix), ModelSpec(MLP), source))

    expected = plain_tensorflow_outputs(MLP, prefix, x, root=False)
    np.testing.assert_allclose(result.outputs[0].values, expected, rtol=1e-5, atol=1e-6)

    script = tmp_path / "repro.py"
    out = tmp_path / "out.npy"
    script.write_text(result.script + f"np.save({str(out)!r}, np.asarray(outputs))\n")
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True, timeout=120)
    np.testing.assert_allclose(np.load(out), expected, rtol=1e-5, atol=1e-6)


def test_custom_variables_module_attaches_at_the_root(tmp_path):
    prefix = checkpoint_factory.write_variables(
        tmp_path,
        {"weight": np.array([[2.5]], np.float32), "bias": np.array([-1.0], np.float32)},
        name="ckpt-1",
    )
    source = InputSource(kind="random", seed=5, batch=4)
    result = run_to_completion(run_inference(record_of(prefix), ModelSpec(LINEAR), source))
    assert (result.restored, result.of) == (2, 2)
    [x] = result.inputs
    assert x.name == "x" and x.values.shape == (4, 1)
    np.testing.assert_allclose(result.outputs[0].values, x.values * 2.5 - 1.0, rtol=1e-6)
    expected = plain_tensorflow_outputs(LINEAR, prefix, x.values, root=True)
    np.testing.assert_allclose(result.outputs[0].values, expected, rtol=1e-6)


def test_partial_restore_still_runs_and_says_so(demo_like_folder, tmp_path):
    model = tmp_path / "wider.py"
    model.write_text(
        "import keras\n\n"
        "def build_model():\n"
        "    return keras.Sequential([keras.Input(shape=(784,)),\n"
        "        keras.layers.Dense(128, activation='relu'), keras.layers.Dense(10),\n"
        "        keras.layers.Dense(4)])\n"
    )
    prefix = str(demo_like_folder / "ckpt-2")
    result = run_to_completion(
        run_inference(record_of(prefix), ModelSpec(str(model)), InputSource(seed=2))
    )
    assert result.partial and (result.restored, result.of) == (4, 6)
    assert result.restore_sentence().startswith("Partial restore: 4 of 6 variables")
    assert result.outputs[0].shape == (1, 4)


def test_a_second_checkpoint_gives_the_ab_difference(demo_like_folder):
    source = InputSource(seed=3, batch=2)
    first, second = (record_of(str(demo_like_folder / f"ckpt-{i}")) for i in (1, 2))
    result = run_to_completion(run_inference(second, ModelSpec(MLP), source, other=first))
    [x] = result.inputs
    other = plain_tensorflow_outputs(MLP, first.prefix, x.values, root=False)
    expected = float(np.max(np.abs(result.outputs[0].values - other)))
    assert result.outputs[0].other_max_abs_diff == pytest.approx(expected, abs=1e-6)
    assert expected > 0


def test_input_that_does_not_fit_names_both_shapes(demo_like_folder, tmp_path):
    np.save(tmp_path / "bad.npy", np.zeros((2, 28, 28), np.float32))
    source = InputSource(kind="file", path=str(tmp_path / "bad.npy"))
    prefix = str(demo_like_folder / "ckpt-2")
    with pytest.raises(InspectorError, match=r"\(batch, 784\) float32.*\(2, 28, 28\) float32"):
        run_to_completion(run_inference(record_of(prefix), ModelSpec(MLP), source))
