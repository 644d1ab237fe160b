"""Write real checkpoints of every kind the inspector reads, with TensorFlow itself.

Tests must see what TensorFlow really writes (file names, index keys, state files), so nothing
here fakes a file: each function builds a tiny model, runs at most one training step and saves
it the way users do. Functions take the folder to write into and return what a user would hand
to the app: a checkpoint prefix (``.../ckpt-2``), an HDF5/``.keras`` file, or a SavedModel
folder. They are plain functions so that fixtures of any scope, benchmarks and scripts can call
them.

TensorFlow, Keras 3 and tf_keras are imported inside the functions: importing this module costs
nothing, and ``TF_CPP_MIN_LOG_LEVEL`` set by ``conftest.py`` is in place before TensorFlow loads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

PathLike = str | os.PathLike


def _folder(folder: PathLike) -> Path:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keras3_mlp(inputs: int, hidden: int, outputs: int = 10):
    """The demo's MLP shape (784 -> hidden relu -> 10 softmax), built so its weights exist."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(inputs,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(outputs, activation="softmax"),
        ]
    )
    return model


def _keras2_mlp(inputs: int, hidden: int, outputs: int = 10, *, functional: bool = False):
    """The same MLP in Keras 2 (``tf_keras``), as a Sequential or a functional model."""
    import tf_keras

    if functional:
        x = tf_keras.Input(shape=(inputs,))
        h = tf_keras.layers.Dense(hidden, activation="relu")(x)
        return tf_keras.Model(x, tf_keras.layers.Dense(outputs, activation="softmax")(h))
    return tf_keras.Sequential(
        [
            tf_keras.layers.Dense(hidden, activation="relu", input_shape=(inputs,)),
            tf_keras.layers.Dense(outputs, activation="softmax"),
        ]
    )


def _train_step(model, optimizer, inputs: int, outputs: int = 10) -> None:
    """One eager Adam step on random data, so the optimizer's slot variables exist and differ."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, inputs)).astype("float32")
    y = rng.integers(0, outputs, size=(8,))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(
            tf.keras.losses.sparse_categorical_crossentropy(y, model(x, training=True))
        )
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))


def write_tf2_training(
    folder: PathLike,
    saves: int = 2,
    *,
    hidden: int = 128,
    inputs: int = 784,
    keras2: bool = False,
) -> str:
    """``tf.train.Checkpoint(model=..., optimizer=...).save(folder/"ckpt")`` ``saves`` times.

    Writes ``ckpt-1`` .. ``ckpt-<saves>`` plus the ``checkpoint`` state file, as the TensorFlow
    "training checkpoints" guide does. Returns the last prefix. Use a small ``hidden`` where the
    test does not care about the demo's 784x128 kernel. ``keras2`` builds the model and Adam
    with ``tf_keras`` instead of Keras 3 (keys then read ``model/layer_with_weights-0/...``).
    """
    import keras
    import tensorflow as tf

    out = _folder(folder)
    if keras2:
        import tf_keras

        model = _keras2_mlp(inputs, hidden)
        optimizer = tf_keras.optimizers.Adam(1e-3)
    else:
        model = _keras3_mlp(inputs, hidden)
        optimizer = keras.optimizers.Adam(1e-3)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    prefix = ""
    for _ in range(saves):
        _train_step(model, optimizer, inputs)
        prefix = checkpoint.save(str(out / "ckpt"))
    return prefix


def write_checkpoint_manager(
    folder: PathLike, saves: int = 3, max_to_keep: int | None = 5, *, hidden: int = 8
) -> str:
    """A ``tf.train.CheckpointManager`` series (``ckpt-1`` ..) with a ``step`` variable.

    With ``max_to_keep`` smaller than ``saves`` the manager deletes the oldest checkpoints and
    drops them from the state file, as it does in real runs. Returns the last prefix.
    """
    import keras
    import tensorflow as tf

    out = _folder(folder)
    inputs = 16
    model = _keras3_mlp(inputs, hidden)
    optimizer = keras.optimizers.Adam(1e-3)
    step = tf.Variable(0, dtype=tf.int64, name="step")
    checkpoint = tf.train.Checkpoint(step=step, model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, str(out), max_to_keep=max_to_keep)
    prefix = ""
    for _ in range(saves):
        _train_step(model, optimizer, inputs)
        step.assign_add(1)
        prefix = manager.save()
    return prefix


def write_variables(folder: PathLike, variables: Mapping[str, Any], name: str = "vars") -> str:
    """``tf.train.Checkpoint(**variables).write(folder/name)``: bare variables, no state file.

    Values are anything ``tf.constant`` accepts (NumPy arrays of any dtype including
    ``ml_dtypes.bfloat16``, lists, scalars, bytes); each becomes ``<key>/.ATTRIBUTES/
    VARIABLE_VALUE`` in the index. Returns the prefix (``folder/name``).
    """
    import tensorflow as tf

    out = _folder(folder)
    tracked = {key: tf.Variable(tf.constant(value), name=key) for key, value in variables.items()}
    return tf.train.Checkpoint(**tracked).write(str(out / name))


def dtype_coverage_values() -> dict[str, Any]:
    """One variable per dtype the inspector must read, for ``write_variables``."""
    import ml_dtypes  # installed with TensorFlow; gives NumPy a bfloat16

    rng = np.random.default_rng(1)
    return {
        "f16": rng.standard_normal((3, 4)).astype(np.float16),
        "bf16": rng.standard_normal((3, 4)).astype(ml_dtypes.bfloat16),
        "f32": rng.standard_normal((3, 4)).astype(np.float32),
        "f64": rng.standard_normal((5,)).astype(np.float64),
        "i8": np.arange(-4, 4, dtype=np.int8),
        "u8": np.arange(8, dtype=np.uint8),
        "i32": np.arange(6, dtype=np.int32).reshape(2, 3),
        "i64": np.array([2**40, -1], dtype=np.int64),
        "flag": np.array([True, False, True]),
        "c64": np.array([1 + 2j, -3j], dtype=np.complex64),
        "c128": np.array([0.5 - 1j], dtype=np.complex128),
        "text": np.array([b"alpha", b"", "\u00fcber".encode()], dtype=object),
        "scalar": np.float32(3.5),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }


def write_keras2_weights(
    folder: PathLike,
    name: str = "weights",
    *,
    hidden: int = 8,
    functional: bool = False,
    trained: bool = False,
) -> str:
    """Keras 2 (``tf_keras``) ``model.save_weights(prefix)`` in TF format, with a state file.

    The object graph is rooted at the model itself, so root children are
    ``layer_with_weights-0``/``layer-0`` rather than ``model``; ``trained`` compiles and fits
    one step first, which adds an ``optimizer`` root child. Returns the prefix.
    """
    out = _folder(folder)
    model = _keras2_mlp(16, hidden, functional=functional)
    if trained:
        rng = np.random.default_rng(4)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        x = rng.standard_normal((8, 16)).astype("float32")
        model.fit(x, rng.integers(0, 10, size=(8,)), epochs=1, verbose=0)
    prefix = str(out / name)
    model.save_weights(prefix, save_format="tf")
    return prefix


def write_keras2_h5(folder: PathLike, name: str = "model.h5", *, hidden: int = 8) -> str:
    """Keras 2 (``tf_keras``) whole model in legacy HDF5 (``x.h5``). Returns the file path."""
    out = _folder(folder)
    model = _keras2_mlp(16, hidden)
    path = str(out / name)
    model.save(path, save_format="h5")
    return path


def write_tf1_saver(
    folder: PathLike, partitioned: bool = True, *, saves: int = 1, step_every: int = 10
) -> str:
    """A name-based ``tf.compat.v1.train.Saver`` checkpoint in graph mode.

    Writes ``model.ckpt-<N>`` (.index, .data, .meta) for N = step_every, 2*step_every, .. and the
    ``checkpoint`` state file. With ``partitioned`` one variable is split by
    ``fixed_size_partitioner(3)``, which TF1 saves as a single key with slice specs.
    Returns the last prefix.
    """
    import tensorflow as tf

    v1 = tf.compat.v1
    out = _folder(folder)
    prefix = ""
    with tf.Graph().as_default():
        with v1.variable_scope("dense"):
            v1.get_variable("kernel", shape=[16, 8], initializer=v1.glorot_uniform_initializer())
            v1.get_variable("bias", shape=[8], initializer=v1.zeros_initializer())
        if partitioned:
            v1.get_variable(
                "embedding",
                shape=[9, 4],
                partitioner=v1.fixed_size_partitioner(3),
                initializer=v1.random_normal_initializer(),
            )
        global_step = v1.train.get_or_create_global_step()
        saver = v1.train.Saver()
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            for i in range(1, saves + 1):
                session.run(global_step.assign(i * step_every))
                prefix = saver.save(session, str(out / "model.ckpt"), global_step=global_step)
    return prefix


def write_saved_model(folder: PathLike) -> str:
    """``tf.saved_model.save`` of a ``tf.Module`` with variables and a signature.

    The variables live in ``folder/variables/variables.{index,data-*}`` next to
    ``saved_model.pb``. Returns the SavedModel folder.
    """
    import tensorflow as tf

    class Affine(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tf.Variable(tf.ones((4, 2)), name="w")
            self.b = tf.Variable(tf.zeros((2,)), name="b")

        @tf.function(input_signature=[tf.TensorSpec((None, 4), tf.float32)])
        def __call__(self, x):
            return tf.matmul(x, self.w) + self.b

    out = _folder(folder)
    tf.saved_model.save(Affine(), str(out))
    return str(out)


def write_keras3_weights_h5(
    folder: PathLike, name: str = "model.weights.h5", *, hidden: int = 8, inputs: int = 784
) -> str:
    """Keras 3 ``model.save_weights("x.weights.h5")`` of the demo MLP. Returns the file path."""
    out = _folder(folder)
    model = _keras3_mlp(inputs, hidden)
    path = str(out / name)
    model.save_weights(path)
    return path


def write_keras3_archive(
    folder: PathLike, name: str = "model.keras", *, hidden: int = 8, inputs: int = 784
) -> str:
    """Keras 3 ``model.save("x.keras")`` of the demo MLP (zip: config.json, model.weights.h5)."""
    out = _folder(folder)
    model = _keras3_mlp(inputs, hidden)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = str(out / name)
    model.save(path)
    return path


def write_sharded(
    folder: PathLike, name: str = "sharded", *, max_shard_size: int = 4096, variables: int = 6
) -> str:
    """A TF2 checkpoint whose tensors are spread over several ``.data-0000k-of-0000N`` files.

    ``MaxShardSizePolicy`` starts a new shard whenever the next tensor would exceed
    ``max_shard_size`` bytes, so ``variables`` tensors of about that size give several shards.
    Returns the prefix; raises ``AssertionError`` if TensorFlow wrote a single data file.
    """
    import tensorflow as tf

    out = _folder(folder)
    rng = np.random.default_rng(2)
    floats = max_shard_size // 4 // 2  # two tensors per shard at most
    tracked = {
        f"v{i}": tf.Variable(rng.standard_normal((floats,)).astype("float32"))
        for i in range(variables)
    }
    options = tf.train.CheckpointOptions(
        experimental_sharding_callback=tf.train.experimental.MaxShardSizePolicy(
            max_shard_size=max_shard_size
        )
    )
    prefix = tf.train.Checkpoint(**tracked).write(str(out / name), options=options)
    data_files = list(out.glob(f"{name}.data-*"))
    assert len(data_files) > 1, f"expected several data shards, got {data_files}"
    return prefix


def write_many_variables(folder: PathLike, n: int = 5000, name: str = "many") -> str:
    """A TF2 checkpoint with ``n`` small variables, for listing and index-reading benchmarks."""
    import tensorflow as tf

    out = _folder(folder)
    rng = np.random.default_rng(3)
    # Unnamed: giving 5000 eager variables names costs seconds (name uniquing), and the
    # checkpoint keys come from the object graph (variables/<i>/...), not from these names.
    tracked = [tf.Variable(rng.standard_normal((4, 4)).astype("float32")) for _ in range(n)]
    return tf.train.Checkpoint(variables=tracked).write(str(out / name))


# The training run of ``write_training_timeline``: which save each event happens at (1-based).
TIMELINE_SAVES = 8
TIMELINE_STALLED_SAVE = 4  # saved again without a training step: identical to save 3
TIMELINE_BLOWUP_SAVE = 6  # the aux head's kernel is multiplied by 1000 (a learning-rate spike)
TIMELINE_NAN_SAVE = 7  # one value of the aux head's kernel turns NaN; NaN spreads from there
TIMELINE_STEPS_PER_SAVE = 5  # what the ``step`` variable advances by per save


def write_training_timeline(folder: PathLike) -> list[str]:
    """A ``CheckpointManager`` run of ``TIMELINE_SAVES`` saves of a small two-headed model.

    The model is ``x(6) -> frozen Dense(8, trainable=False) -> hidden Dense(8, relu)``, then a
    ``head`` Dense(3) trained on a regression loss and an ``aux`` Dense(3) trained on its own
    loss (separate gradients, so a NaN in ``aux`` never reaches the other layers), with Adam.
    ``step`` counts training steps (``TIMELINE_STEPS_PER_SAVE`` per save, also when the save
    is stalled: the loop ran but applied nothing). Events by save number: see the
    ``TIMELINE_*`` constants. Returns the prefixes in save order (``ckpt-1`` ..).
    """
    import keras
    import tensorflow as tf

    out = _folder(folder)
    rng = np.random.default_rng(7)
    # Fresh name counters: the optimizer is "adam" (not "adam_3") whatever ran before.
    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(7)
    inputs = keras.Input(shape=(6,))
    features = keras.layers.Dense(8, name="frozen", trainable=False)(inputs)
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(features)
    head = keras.layers.Dense(3, name="head")
    aux = keras.layers.Dense(3, name="aux")
    model = keras.Model(inputs, [head(hidden), aux(hidden)])
    optimizer = keras.optimizers.Adam(1e-2)
    step = tf.Variable(0, dtype=tf.int64, name="step")
    checkpoint = tf.train.Checkpoint(step=step, model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, str(out), max_to_keep=None)
    main_variables = [v for v in model.trainable_variables if not v.path.startswith("aux")]
    x = rng.standard_normal((16, 6)).astype("float32")
    y = rng.standard_normal((16, 3)).astype("float32")

    def train_step() -> None:
        with tf.GradientTape(persistent=True) as tape:
            main_out, aux_out = model(x, training=True)
            main_loss = tf.reduce_mean(tf.square(main_out - y))
            aux_loss = tf.reduce_mean(tf.square(aux_out - y))
        grads = tape.gradient(main_loss, main_variables)
        grads += tape.gradient(aux_loss, aux.trainable_variables)
        optimizer.apply_gradients(zip(grads, main_variables + aux.trainable_variables, strict=True))

    prefixes = []
    for save in range(1, TIMELINE_SAVES + 1):
        if save != TIMELINE_STALLED_SAVE:
            for _ in range(2):
                train_step()
        step.assign_add(TIMELINE_STEPS_PER_SAVE)
        if save == TIMELINE_BLOWUP_SAVE:
            aux.kernel.assign(aux.kernel * 1000.0)
        if save == TIMELINE_NAN_SAVE:
            aux.kernel.assign(tf.tensor_scatter_nd_update(aux.kernel, [[0, 0]], [np.nan]))
        prefixes.append(manager.save())
    return prefixes


def write_tf1_classifier(folder: PathLike, *, inputs: int = 4, classes: int = 3) -> str:
    """A TF1 classifier trained one Adam step and saved with its ``.meta`` graph.

    The graph has placeholders ``x`` (float32, ``[None, inputs]``) and ``labels`` (int64),
    a dense layer of ``tf.compat.v1`` variables, outputs ``logits`` and ``probabilities``
    (softmax), a loss, a training op named ``train``, a summary and a Saver: what a TF1 training
    script leaves behind. Returns the prefix (``model.ckpt-1``).
    """
    import tensorflow as tf

    v1 = tf.compat.v1
    out = _folder(folder)
    rng = np.random.default_rng(4)
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, inputs], name="x")
        labels = v1.placeholder(tf.int64, [None], name="labels")
        with v1.variable_scope("dense"):
            kernel = v1.get_variable(
                "kernel", [inputs, classes], initializer=v1.glorot_uniform_initializer()
            )
            bias = v1.get_variable("bias", [classes], initializer=v1.zeros_initializer())
        logits = tf.add(tf.matmul(x, kernel), bias, name="logits")
        tf.nn.softmax(logits, name="probabilities")
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
            name="loss",
        )
        global_step = v1.train.get_or_create_global_step()
        train = v1.train.AdamOptimizer(0.1).minimize(loss, global_step=global_step, name="train")
        v1.summary.scalar("loss", loss)
        saver = v1.train.Saver()
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            feed = {
                x: rng.standard_normal((8, inputs)).astype("float32"),
                labels: rng.integers(0, classes, size=8),
            }
            session.run(train, feed)
            return saver.save(session, str(out / "model.ckpt"), global_step=global_step)


def write_saved_model_two_inputs(folder: PathLike) -> str:
    """A SavedModel whose ``serving_default`` takes ``x`` (float32 ``[None, 4]``) and ``ids``
    (int32 ``[None]``) and returns ``scores`` and ``total``; a second signature ``scores_only``
    returns ``scores``. Returns the folder."""
    import tensorflow as tf

    class TwoInputs(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            rng = np.random.default_rng(5)
            self.w = tf.Variable(rng.standard_normal((4, 2)).astype("float32"), name="w")
            self.table = tf.Variable(rng.standard_normal((10, 2)).astype("float32"), name="table")

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, 4], tf.float32, name="x"),
                tf.TensorSpec([None], tf.int32, name="ids"),
            ]
        )
        def serve(self, x, ids):
            scores = tf.matmul(x, self.w) + tf.gather(self.table, ids)
            return {"scores": scores, "total": tf.reduce_sum(scores, axis=1)}

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, 4], tf.float32, name="x"),
                tf.TensorSpec([None], tf.int32, name="ids"),
            ]
        )
        def scores_only(self, x, ids):
            return {"scores": tf.matmul(x, self.w) + tf.gather(self.table, ids)}

    module = TwoInputs()
    out = _folder(folder)
    tf.saved_model.save(
        module,
        str(out),
        signatures={"serving_default": module.serve, "scores_only": module.scores_only},
    )
    return str(out)
