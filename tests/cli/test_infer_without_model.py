"""``ckpt-inspector infer`` without --model: SavedModel signatures and TF1 .meta graphs."""

from __future__ import annotations

import json

import numpy as np
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.cli.main import main


def test_saved_model_runs_its_serving_signature(capsys, tmp_path):
    folder = checkpoint_factory.write_saved_model(tmp_path / "sm")
    status = main(["infer", folder, "--input", "random:2", "--batch", "3", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    [given] = report["inputs"]
    x = np.random.default_rng(2).standard_normal((3, 4)).astype("float32")
    signature = tf.saved_model.load(folder).signatures["serving_default"]
    expected = signature(**{given["name"]: tf.constant(x)})
    [(name, value)] = expected.items()
    [out] = report["outputs"]
    assert out["name"] == name
    np.testing.assert_allclose(np.array(out["values"]), value.numpy(), rtol=1e-6)


def test_tf1_meta_graph_runs_with_a_chosen_output(capsys, tmp_path):
    prefix = checkpoint_factory.write_tf1_classifier(tmp_path / "tf1")
    x = np.random.default_rng(8).standard_normal((2, 4)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    status = main(["infer", prefix, "--input", str(tmp_path / "x.npy"), "--output",
                   "probabilities", "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    reader = tf.train.load_checkpoint(prefix)
    logits = x @ reader.get_tensor("dense/kernel") + reader.get_tensor("dense/bias")
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    [out] = report["outputs"]
    np.testing.assert_allclose(np.array(out["values"]), expected, rtol=1e-5)
    assert report["restored"]["variables"] == report["restored"]["of"] > 0
