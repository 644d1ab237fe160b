"""``ckpt-inspector infer``: JSON contract, exit statuses and saved outputs, vs plain TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.cli.main import main
from ckpt_inspector.core.architecture.loading import load_architecture
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.resources_path import resource_file

MLP = str(resource_file("demo", "mlp_model.py"))


def mlp_outputs(prefix: str, x: np.ndarray) -> np.ndarray:
    model = load_architecture(ModelSpec(MLP)).root
    tf.train.Checkpoint(model=model).restore(prefix).expect_partial()
    return np.asarray(model(x, training=False))


def test_random_input_json_matches_plain_tensorflow(capsys, demo_like_folder):
    status = main(["infer", str(demo_like_folder), "--model", MLP, "--input", "random:4",
                   "--batch", "2", "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["restored"] == {"variables": 4, "of": 4}
    [given] = report["inputs"]
    assert given["shape"] == [2, 784] and given["dtype"] == "float32"
    assert given["source"] == "random normal seed 4"
    x = np.random.default_rng(4).standard_normal((2, 784)).astype("float32")
    [out] = report["outputs"]
    expected = mlp_outputs(str(demo_like_folder / "ckpt-2"), x)
    np.testing.assert_allclose(np.array(out["values"]), expected, rtol=1e-5, atol=1e-6)
    assert set(report["timings_ms"]) == {"restore", "first_call", "median_call"}


def test_npy_input_and_saved_outputs(capsys, demo_like_folder, tmp_path):
    x = np.full((3, 784), 0.25, np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out.npy"
    status = main(["infer", str(demo_like_folder / "ckpt-1"), "--model", MLP,
                   "--input", str(tmp_path / "x.npy"), "--save", str(out)])  # fmt: skip
    text = capsys.readouterr().out
    assert status == 0
    assert "Restored all 4 variables." in text and "with fresh weights: max |difference|" in text
    np.testing.assert_allclose(np.load(out), mlp_outputs(str(demo_like_folder / "ckpt-1"), x),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


def test_partial_restore_exits_1_and_warns(capsys, demo_like_folder, tmp_path):
    model = tmp_path / "extra.py"
    model.write_text(
        "import keras\n\ndef build_model():\n    return keras.Sequential([keras.Input((784,)),"
        " keras.layers.Dense(128), keras.layers.Dense(10), keras.layers.Dense(2)])\n"
    )
    status = main(["infer", str(demo_like_folder), "--model", str(model)])
    out = capsys.readouterr().out
    assert status == 1
    assert "Partial restore: 4 of 6 variables were restored" in out
    assert "output" in out  # the run still happened


def test_model_code_that_raises_exits_2_with_the_users_traceback(
    capsys, demo_like_folder, tmp_path
):
    model = tmp_path / "boom.py"
    model.write_text("def build_model():\n    return 1 / 0\n")
    status = main(["infer", str(demo_like_folder), "--model", str(model)])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert "boom.py" in err[0] and "ZeroDivisionError" in err[0]
    assert any(f'File "{model}", line 2, in build_model' in line for line in err[1:])
    assert not any("ckpt_inspector" in line for line in err[1:])


def test_weights_only_checkpoint_without_a_model_says_what_to_give(capsys, demo_like_folder):
    assert main(["infer", str(demo_like_folder)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "--model" in line


def test_input_file_with_the_wrong_shape_names_both_shapes(capsys, demo_like_folder, tmp_path):
    np.save(tmp_path / "img.npy", np.zeros((28, 28), np.float64))
    status = main(["infer", str(demo_like_folder), "--model", MLP, "--input",
                   str(tmp_path / "img.npy")])  # fmt: skip
    [line] = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and "(batch, 784)" in line and "(28, 28)" in line


KERAS2_MODEL = """
import tensorflow as tf

def build_model():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(8, activation="relu", input_shape=(16,)),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
"""


def test_keras2_checkpoint_with_keras2(tmp_path):
    import tf_keras

    prefix = checkpoint_factory.write_keras2_weights(tmp_path / "k2", hidden=8, trained=True)
    model_file = tmp_path / "k2.py"
    model_file.write_text(KERAS2_MODEL)
    script = Path(sys.executable).with_name("ckpt-inspector")
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    result = subprocess.run(
        [str(script), "infer", prefix, "--model", str(model_file), "--keras", "2",
         "--input", "uniform:9", "--batch", "3", "--json"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["restored"] == {"variables": 4, "of": 4}

    expected_model = checkpoint_factory._keras2_mlp(16, 8)
    assert isinstance(expected_model, tf_keras.Model)
    expected_model.load_weights(prefix).expect_partial()
    x = np.random.default_rng(9).uniform(0.0, 1.0, size=(3, 16)).astype("float32")
    np.testing.assert_allclose(
        np.array(report["outputs"][0]["values"]), expected_model(x, training=False), rtol=1e-5
    )


@pytest.mark.parametrize("text", ["random", "zeros", "integers:3"])
def test_input_sources_parse(text):
    from ckpt_inspector.cli.infer_command import input_source

    source = input_source(text, 2)
    assert source.kind == "random" and source.batch == 2
    assert source.distribution == {"random": "normal"}.get(text, text.split(":")[0])


def test_an_image_input_is_resized_to_the_flat_input(capsys, demo_like_folder, tmp_path):
    image = np.zeros((56, 56, 3), np.uint8)
    image[:28, :28] = 255  # the top-left quarter white
    tf.io.write_file(str(tmp_path / "digit.png"), tf.io.encode_png(image))
    status = main(["infer", str(demo_like_folder), "--model", MLP, "--input",
                   str(tmp_path / "digit.png"), "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    [given] = report["inputs"]
    assert given["shape"] == [1, 784]
    assert (
        given["source"] == "image digit.png resized to 28×28 grayscale, scaled to [0, 1], flattened"
    )
    x = np.zeros((28, 28), np.float32)
    x[:14, :14] = 1.0
    expected = mlp_outputs(str(demo_like_folder / "ckpt-2"), x.reshape(1, 784))
    np.testing.assert_allclose(np.array(report["outputs"][0]["values"]), expected, atol=1e-5)
