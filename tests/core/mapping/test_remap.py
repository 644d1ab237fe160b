"""Key mappings on real checkpoints: proposals, inference through them, and exports that load
with plain TensorFlow/Keras calls, each compared with the source model's own output."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

import checkpoint_factory
from ckpt_inspector.core.architecture.loading import load_architecture
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSource
from ckpt_inspector.core.inference.run import run_inference
from ckpt_inspector.core.mapping.records import KeyMapping
from ckpt_inspector.core.mapping.remap import remap
from ckpt_inspector.core.progress import run_to_completion

MLP3 = """
import keras

def build_model():
    return keras.Sequential([
        keras.Input(shape=(16,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(4, activation="softmax"),
    ])
"""

KEY_A, KEY_B = "a/.ATTRIBUTES/VARIABLE_VALUE", "b/.ATTRIBUTES/VARIABLE_VALUE"
TWO_DENSE = (
    "import keras\n\ndef build_model():\n    return keras.Sequential([keras.Input((3,)),"
    " keras.layers.Dense(3, use_bias=False, name='first'),"
    " keras.layers.Dense(3, use_bias=False, name='second')])\n"
)

LSTM3 = """
import keras

def build_model():
    return keras.Sequential([
        keras.Input(shape=(5,), dtype="int32"),
        keras.layers.Embedding(20, 6),
        keras.layers.LSTM(7),
        keras.layers.Dense(3),
    ])
"""


def _train_and_save(model, x, y, folder) -> str:
    optimizer = tf_keras.optimizers.Adam(1e-2)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    return tf.train.Checkpoint(model=model, optimizer=optimizer).write(str(folder / "ckpt"))


def _keras3_file(tmp_path, text: str) -> ModelSpec:
    path = tmp_path / "model3.py"
    path.write_text(text)
    return ModelSpec(str(path))


def _round_trip(tmp_path, prefix: str, spec: ModelSpec, x: np.ndarray, expected: np.ndarray):
    record = discover(prefix).focused()
    result = run_to_completion(
        remap(
            record,
            spec,
            export_checkpoint=str(tmp_path / "export" / "mapped"),
            export_weights=str(tmp_path / "export" / "mapped.weights.h5"),
        )
    )
    assert result.original.restored == 0  # Keras 3 finds nothing under Keras 2's names
    assert result.report.complete and not result.mapping.ambiguous
    assert not result.mapping.unmapped_model_variables
    assert all("optimizer" not in row.checkpoint_key for row in result.mapping.rows)

    # Inference through the mapping gives the Keras 2 model's own output.
    source = InputSource(kind="values", arrays=(("x", x),))
    inferred = run_to_completion(run_inference(record, spec, source, mapping=result.mapping))
    assert not inferred.partial
    np.testing.assert_allclose(inferred.outputs[0].values, expected, rtol=1e-5, atol=1e-6)

    # The exports load with plain TensorFlow and Keras calls.
    restored = load_architecture(spec).root
    tf.train.Checkpoint(model=restored).restore(
        str(tmp_path / "export" / "mapped")
    ).assert_consumed()
    np.testing.assert_allclose(restored(x, training=False), expected, rtol=1e-5, atol=1e-6)
    loaded = load_architecture(spec).root
    loaded.load_weights(str(tmp_path / "export" / "mapped.weights.h5"))
    np.testing.assert_allclose(loaded(x, training=False), expected, rtol=1e-5, atol=1e-6)
    return result


def test_keras2_mlp_into_keras3(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 16)).astype("float32")
    model2 = tf_keras.Sequential(
        [
            tf_keras.layers.Dense(8, activation="relu", input_shape=(16,)),
            tf_keras.layers.Dense(4, activation="softmax"),
        ]
    )
    prefix = _train_and_save(model2, x, rng.random((6, 4)), tmp_path)
    expected = model2(x, training=False).numpy()
    result = _round_trip(tmp_path, prefix, _keras3_file(tmp_path, MLP3), x, expected)
    assert all("by order and shape" in row.reason for row in result.mapping.rows)
    assert len(result.mapping.rows) == 4


def test_keras2_recurrent_model_into_keras3(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 20, (4, 5)).astype("int32")
    model2 = tf_keras.Sequential(
        [
            tf_keras.layers.Embedding(20, 6, input_length=5),
            tf_keras.layers.LSTM(7),
            tf_keras.layers.Dense(3),
        ]
    )
    prefix = _train_and_save(model2, x, rng.random((4, 3)), tmp_path)
    expected = model2(x, training=False).numpy()
    result = _round_trip(tmp_path, prefix, _keras3_file(tmp_path, LSTM3), x, expected)
    mapped = {
        row.model_variable.rsplit("/", 1)[-1]: row.checkpoint_key for row in result.mapping.rows
    }
    assert "cell/recurrent_kernel" in mapped["recurrent_kernel"]


def test_tf1_names_into_an_equivalent_keras3_model(tmp_path):
    prefix = checkpoint_factory.write_tf1_saver(tmp_path / "tf1", partitioned=False)
    spec = _keras3_file(
        tmp_path, "import keras\n\ndef build_model():\n    return keras.Sequential("
        "[keras.Input((16,)), keras.layers.Dense(8)])\n"
    )  # fmt: skip
    record = discover(prefix).focused()
    result = run_to_completion(remap(record, spec))
    assert result.report.complete and result.original.restored == 0
    keys = {
        row.model_variable.rsplit("/", 1)[-1]: row.checkpoint_key for row in result.mapping.rows
    }
    assert keys == {"kernel": "dense/kernel", "bias": "dense/bias"}
    assert result.mapping.unmapped_checkpoint_keys == ()  # global_step is bookkeeping

    x = np.random.default_rng(3).standard_normal((2, 16)).astype("float32")
    reader = tf.train.load_checkpoint(prefix)
    expected = x @ reader.get_tensor("dense/kernel") + reader.get_tensor("dense/bias")
    source = InputSource(kind="values", arrays=(("x", x),))
    inferred = run_to_completion(run_inference(record, spec, source, mapping=result.mapping))
    np.testing.assert_allclose(inferred.outputs[0].values, expected, rtol=1e-5, atol=1e-5)


def test_identical_layers_in_keras2_order_are_flagged_ambiguous(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 4)).astype("float32")
    model2 = tf_keras.Sequential(
        [tf_keras.layers.Dense(4, input_shape=(4,)), tf_keras.layers.Dense(4)]
    )
    prefix = _train_and_save(model2, x, rng.random((4, 4)), tmp_path)
    spec = _keras3_file(
        tmp_path, "import keras\n\ndef build_model():\n    return keras.Sequential("
        "[keras.Input((4,)), keras.layers.Dense(4), keras.layers.Dense(4)])\n"
    )  # fmt: skip
    result = run_to_completion(remap(discover(prefix).focused(), spec))
    assert result.mapping.rows == ()
    assert len(result.mapping.ambiguous) == 4
    kernel = next(a for a in result.mapping.ambiguous if a.model_variable.endswith("kernel"))
    assert len(kernel.candidates) == 2 and "same shapes" in kernel.reason
    assert result.report.restored == 0  # nothing is guessed


def test_shape_only_candidates_are_ambiguous(tmp_path):
    prefix = checkpoint_factory.write_variables(
        tmp_path / "ckpt", {"a": np.ones((3, 3), np.float32), "b": np.zeros((3, 3), np.float32)}
    )
    spec = _keras3_file(tmp_path, TWO_DENSE)
    result = run_to_completion(remap(discover(prefix).focused(), spec))
    assert result.mapping.rows == () and len(result.mapping.ambiguous) == 2
    assert all(set(a.candidates) == {KEY_A, KEY_B}
               for a in result.mapping.ambiguous)  # fmt: skip


def test_a_given_mapping_is_checked_and_round_trips_as_json(tmp_path):
    prefix = checkpoint_factory.write_variables(
        tmp_path / "ckpt", {"a": np.ones((3, 3), np.float32), "b": np.zeros((3, 3), np.float32)}
    )
    spec = _keras3_file(tmp_path, TWO_DENSE)
    record = discover(prefix).focused()
    proposal = run_to_completion(remap(record, spec))
    first, second = (a.model_variable for a in proposal.mapping.ambiguous)
    chosen = {
        "mapping": [
            {"checkpoint_key": KEY_A, "model_variable": first, "reason": "user"},
            {"checkpoint_key": KEY_B, "model_variable": second, "reason": "user"},
        ]
    }  # fmt: skip
    mapping = KeyMapping.from_json(json.loads(json.dumps(chosen)))
    result = run_to_completion(remap(record, spec, mapping))
    assert result.report.complete
    assert KeyMapping.from_json(result.to_json()).rows == mapping.rows

    bad = {"mapping": [{"checkpoint_key": "nope", "model_variable": first}]}
    with pytest.raises(InspectorError, match="checkpoint key 'nope'"):
        run_to_completion(remap(record, spec, KeyMapping.from_json(bad)))


def test_exports_never_overwrite_or_write_into_the_inspected_folder(tmp_path):
    prefix = checkpoint_factory.write_variables(
        tmp_path / "ckpt", {"a": np.ones((3, 3), np.float32)}
    )
    spec = _keras3_file(tmp_path, TWO_DENSE)
    record = discover(prefix).focused()
    with pytest.raises(InspectorError, match="inside the folder being inspected"):
        run_to_completion(remap(record, spec, export_checkpoint=str(tmp_path / "ckpt" / "out")))
    target = tmp_path / "out" / "m.weights.h5"
    target.parent.mkdir()
    target.write_bytes(b"precious")
    with pytest.raises(InspectorError, match="already exists"):
        run_to_completion(remap(record, spec, export_weights=str(target)))
    assert target.read_bytes() == b"precious"


def test_the_copied_script_restores_through_the_mapping(tmp_path):
    import subprocess
    import sys

    prefix = checkpoint_factory.write_tf1_saver(tmp_path / "tf1", partitioned=False)
    spec = _keras3_file(
        tmp_path, "import keras\n\ndef build_model():\n    return keras.Sequential("
        "[keras.Input((16,)), keras.layers.Dense(8)])\n"
    )  # fmt: skip
    record = discover(prefix).focused()
    mapping = run_to_completion(remap(record, spec)).mapping
    result = run_to_completion(
        run_inference(record, spec, InputSource(seed=4, batch=2), mapping=mapping)
    )
    script = tmp_path / "repro.py"
    out = tmp_path / "out.npy"
    script.write_text(result.script + f"np.save({str(out)!r}, np.asarray(outputs))\n")
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True, timeout=120)
    np.testing.assert_allclose(np.load(out), result.outputs[0].values, rtol=1e-5, atol=1e-6)


def test_inference_through_a_mapping_casts_dtypes_only_when_allowed(tmp_path):
    values = np.arange(9, dtype=np.float64).reshape(3, 3) / 10
    prefix = checkpoint_factory.write_variables(tmp_path / "ckpt", {"a": values})
    spec = _keras3_file(
        tmp_path, "import keras\n\ndef build_model():\n    return keras.Sequential("
        "[keras.Input((3,)), keras.layers.Dense(3, use_bias=False)])\n"
    )  # fmt: skip
    record = discover(prefix).focused()
    mapping = KeyMapping.from_json(
        {"mapping": [{"checkpoint_key": KEY_A, "model_variable": "sequential/dense/kernel"}]}
    )
    x = np.eye(3, dtype=np.float32)
    source = InputSource(kind="values", arrays=(("x", x),))
    refused = run_to_completion(run_inference(record, spec, source, mapping=mapping))
    assert refused.partial and refused.restored == 0  # float64 -> float32 needs permission
    cast = run_to_completion(run_inference(record, spec, source, mapping=mapping, allow_cast=True))
    assert not cast.partial
    np.testing.assert_allclose(cast.outputs[0].values, values.astype(np.float32), rtol=1e-6)
