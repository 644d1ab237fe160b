"""Name-based (TF1 Saver) diffs, each checked by TensorFlow's own name-based restore."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from restore_check import assert_report_tells_the_truth

import checkpoint_factory
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.matching.diff import diff_contents
from ckpt_inspector.core.matching.records import MatchMethod, MatchStatus
from ckpt_inspector.core.variables import list_checkpoint_variables


def contents_of(prefix: str):
    return list_checkpoint_variables(discover(prefix).focused())


class Tf1Names(tf.Module):
    """A TF2 model whose variables carry the TF1 graph names the Saver wrote."""

    def __init__(self, kernel_rows: int = 16) -> None:
        super().__init__()
        with tf.name_scope("dense"):
            self.kernel = tf.Variable(tf.zeros((kernel_rows, 8)), name="kernel")
            self.bias = tf.Variable(tf.zeros((8,)), name="bias")
        self.embedding = tf.Variable(tf.zeros((9, 4)), name="embedding")
        self.extra = tf.Variable(tf.zeros((2,)), name="not_in_checkpoint")


def test_variables_with_the_savers_names_match_by_name(tmp_path):
    prefix = checkpoint_factory.write_tf1_saver(tmp_path, partitioned=True)
    model = Tf1Names()
    report = diff_contents(contents_of(prefix), model, "tf1 names", "3")

    assert report.method is MatchMethod.NAME_BASED
    matched = {e.model: e.checkpoint_key for e in report.with_status(MatchStatus.MATCHED)}
    assert matched == {"dense/kernel": "dense/kernel", "dense/bias": "dense/bias",
                       "embedding": "embedding"}  # fmt: skip
    [missing] = report.with_status(MatchStatus.MISSING)
    assert missing.model == "not_in_checkpoint"
    assert [e.checkpoint_key for e in report.with_status(MatchStatus.UNUSED)] == ["global_step"]
    assert_report_tells_the_truth(
        report, model, prefix, lambda: tf.train.Checkpoint(model=model).restore(prefix)
    )


def test_name_based_shape_mismatch(tmp_path):
    prefix = checkpoint_factory.write_tf1_saver(tmp_path, partitioned=False)
    report = diff_contents(contents_of(prefix), Tf1Names(kernel_rows=12), "tf1 names", "3")
    [bad] = report.with_status(MatchStatus.SHAPE_MISMATCH)
    assert (bad.model, bad.model_shape, bad.checkpoint_shape) == ("dense/kernel", (12, 8), (16, 8))


def test_partitioned_variables_match_their_full_key(tmp_path):
    prefix = checkpoint_factory.write_tf1_saver(tmp_path, partitioned=True)
    with tf.Graph().as_default():
        v1 = tf.compat.v1
        v1.get_variable("embedding", shape=[9, 4], partitioner=v1.fixed_size_partitioner(3))
        root = tf.Module()
        root.parts = list(v1.global_variables())
        report = diff_contents(contents_of(prefix), root, "partitioned", "3")
    matched = report.with_status(MatchStatus.MATCHED)
    assert len(matched) == 3 and {e.checkpoint_key for e in matched} == {"embedding"}
    assert [e.model_shape for e in matched] == [(3, 4)] * 3
    assert all("partition at offset" in e.note for e in matched)


def test_a_keras3_model_matches_nothing_by_name_and_says_so(tmp_path):
    prefix = checkpoint_factory.write_tf1_saver(tmp_path, partitioned=False)
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(8, name="dense")])
    report = diff_contents(contents_of(prefix), model, "keras", "3")
    assert report.restored == 0 and any("name-based" in n for n in report.notes)
    before = model.layers[0].kernel.numpy().copy()
    tf.train.Checkpoint(model=model).restore(prefix)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), before)
