"""The demo's custom-training model: a linear fit y = x @ weight + bias, as plain variables.

This is the architecture behind the demo workspace's ``custom_training_checkpoints``. The
custom training loop there writes

    tf.train.Checkpoint(weight=weight, bias=bias, optimizer=optimizer)

so ``weight`` and ``bias`` hang directly off the checkpoint's root (keys
``weight/.ATTRIBUTES/VARIABLE_VALUE`` and ``bias/.ATTRIBUTES/VARIABLE_VALUE``), not under a
``model`` child as in the Keras example. ``LinearModel`` tracks exactly two children with those
names, so it lines up when it is made the root of the restoring checkpoint:

    model = build_model()
    tf.train.Checkpoint(root=model).restore(prefix).expect_partial()

whereas ``tf.train.Checkpoint(model=model)`` would look for ``model/weight`` and find nothing.
``expect_partial()`` is needed because the optimizer and ``save_counter`` are not restored.
Point the app at this file as ``custom_variables.py:build_model``.
"""

import tensorflow as tf


class LinearModel(tf.Module):
    """Holds ``weight`` (1x1) and ``bias`` (1); calling it computes ``x @ weight + bias``."""

    def __init__(self) -> None:
        super().__init__(name="linear_model")
        self.weight = tf.Variable(tf.random.normal([1, 1]), name="weight")
        self.bias = tf.Variable(tf.zeros([1]), name="bias")

    # The input signature tells tools (and Checkpoint Inspector's inference panel) what the
    # model takes: a batch of one-feature rows.
    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32, name="x")])
    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        return x @ self.weight + self.bias


def build_model() -> LinearModel:
    return LinearModel()
