"""``ckpt-inspector remap`` and ``--mapping`` on diff and infer, on a real Keras 2 checkpoint."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from ckpt_inspector.cli.main import main

KERAS3_MODEL = """
import keras

def build_model():
    return keras.Sequential([
        keras.Input(shape=(16,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(4),
    ])
"""


@pytest.fixture(scope="module")
def keras2_run(tmp_path_factory):
    """A tf_keras MLP trained two epochs with Adam, saved with tf.train.Checkpoint, and its own
    output on a fixed input."""
    folder = tmp_path_factory.mktemp("keras2")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 16)).astype("float32")
    model = tf_keras.Sequential(
        [tf_keras.layers.Dense(8, activation="relu", input_shape=(16,)), tf_keras.layers.Dense(4)]
    )
    optimizer = tf_keras.optimizers.Adam(1e-2)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, rng.random((5, 4)), epochs=2, verbose=0)
    prefix = tf.train.Checkpoint(model=model, optimizer=optimizer).write(str(folder / "ckpt"))
    (folder / "model3.py").write_text(KERAS3_MODEL)
    np.save(folder / "x.npy", x)
    return folder, prefix, model(x).numpy()


def _json(capsys, *argv: str) -> tuple[int, dict]:
    status = main([*argv, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_remap_proposes_every_weight_and_the_mapping_drives_diff_and_infer(
    capsys, keras2_run, tmp_path
):
    folder, prefix, expected = keras2_run
    model = str(folder / "model3.py")
    status, proposal = _json(capsys, "remap", prefix, "--model", model, "--keras", "3")
    assert status == 0
    assert proposal["summary"]["restored_without_mapping"] == 0
    assert proposal["summary"]["restored"] == proposal["summary"]["model_variables"] == 4
    assert len(proposal["mapping"]) == 4 and proposal["unmapped_model_variables"] == []
    assert {row["checkpoint_key"].split("/")[0] for row in proposal["mapping"]} == {"model"}

    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(proposal))
    status, plain = _json(capsys, "diff", prefix, "--model", model, "--keras", "3")
    assert status == 1 and plain["summary"]["restored"] == 0
    status, mapped = _json(
        capsys, "diff", prefix, "--model", model, "--keras", "3", "--mapping", str(mapping)
    )
    assert status == 0 and mapped["summary"]["restored"] == 4

    args = ["--model", model, "--keras", "3", "--mapping", str(mapping)]
    status, inferred = _json(capsys, "infer", prefix, *args, "--input", str(folder / "x.npy"))
    assert status == 0
    np.testing.assert_allclose(
        np.array(inferred["outputs"][0]["values"]), expected, rtol=1e-5, atol=1e-6
    )


def test_remap_exports_files_that_load_with_plain_calls(capsys, keras2_run, tmp_path):
    import keras

    folder, prefix, expected = keras2_run
    out = tmp_path / "converted"
    status = main(["remap", prefix, "--model", str(folder / "model3.py"), "--keras", "3",
                   "--export-checkpoint", str(out / "ckpt"),
                   "--export-weights", str(out / "model.weights.h5")])  # fmt: skip
    text = capsys.readouterr().out
    assert status == 0
    assert f"wrote {out / 'model.weights.h5'}" in text
    x = np.load(folder / "x.npy")
    for load in ("checkpoint", "weights"):
        model = keras.Sequential(
            [keras.Input((16,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(4)]
        )
        if load == "checkpoint":
            tf.train.Checkpoint(model=model).restore(str(out / "ckpt")).assert_consumed()
        else:
            model.load_weights(str(out / "model.weights.h5"))
        np.testing.assert_allclose(model(x), expected, rtol=1e-5, atol=1e-6)

    # A second export to the same place is refused: nothing is overwritten unasked.
    status = main(["remap", prefix, "--model", str(folder / "model3.py"), "--keras", "3",
                   "--export-weights", str(out / "model.weights.h5")])  # fmt: skip
    [line] = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and "already exists" in line


def test_a_broken_mapping_file_is_one_sentence(capsys, keras2_run, tmp_path):
    folder, prefix, _ = keras2_run
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    status = main(["diff", prefix, "--model", str(folder / "model3.py"), "--keras", "3",
                   "--mapping", str(bad)])  # fmt: skip
    [line] = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and "bad.json is not valid JSON" in line
