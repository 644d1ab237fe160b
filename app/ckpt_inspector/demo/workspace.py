"""Build the demo workspace: the three classic ``tf.train.Checkpoint`` guide examples.

1. ``training_checkpoints/``: a Keras MLP trained with ``fit`` and saved every two epochs with
   ``tf.train.Checkpoint(model=model, optimizer=optimizer).save(".../checkpoint")``.
2. Restore for inference: writes no checkpoint; its model is ``resources/demo/mlp_model.py``,
   which ``README.txt`` points to.
3. ``custom_training_checkpoints/``: a custom loop over two bare variables saved by a
   ``tf.train.CheckpointManager``.

Both models are loaded from ``resources/demo`` by file path, exactly as the app loads a user's
``model.py``, so the architecture files provably match the checkpoints.

The build is a job (see ``core.progress``) and must survive being cancelled at a yield or killed
outright: everything is written into a hidden sibling folder, the ``.complete`` marker goes in
last, and one rename puts the finished folder in place. A folder without the marker is left over
from something else and is rebuilt; a folder with the current marker is reused untouched.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.progress import Progress
from ckpt_inspector.core.tensorflow_import import tensorflow
from ckpt_inspector.resources_path import resource_file

# Bump when the workspace's contents change, so existing workspaces are rebuilt on next start.
FORMAT_VERSION = 1
MARKER = ".complete"
TRAINING = "training_checkpoints"
CUSTOM_TRAINING = "custom_training_checkpoints"
README = "README.txt"
_OUR_NAMES = frozenset({MARKER, TRAINING, CUSTOM_TRAINING, README})
# Staging folders older than this were left by a killed build, not by one still running.
_STALE_STAGING_S = 3600.0

SEED = 0
_MLP_SAMPLES, _MLP_BATCH, _MLP_EPOCHS, _MLP_SAVE_EVERY = 256, 64, 5, 2
_LINEAR_SAMPLES, _LINEAR_STEPS, _LINEAR_SAVE_EVERY = 256, 150, 50
# One progress step for the TensorFlow import, one per epoch or save, one for the README.
_TOTAL_STEPS = 1 + _MLP_EPOCHS + _LINEAR_STEPS // _LINEAR_SAVE_EVERY + 1


def build_demo_workspace(folder: str | os.PathLike[str]) -> Generator[Progress, None, str]:
    """Build the demo workspace in ``folder`` unless it is already built; returns its path."""
    target = Path(folder).expanduser().absolute()
    if is_complete(target):
        return str(target)
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(target)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(target), dir=target.parent))
    try:
        for done, text in enumerate(_write_examples(staging), start=1):
            yield Progress(done, _TOTAL_STEPS, text)
        (staging / MARKER).write_text(f"format={FORMAT_VERSION}\n", encoding="utf-8")
        _move_into_place(staging, target)
    finally:
        # Reached with the folder still here only on an error or a cancel (GeneratorExit).
        shutil.rmtree(staging, ignore_errors=True)
    return str(target)


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished workspace of the current format."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
    except OSError:
        return False
    return text.strip() == f"format={FORMAT_VERSION}"


# --- the examples -------------------------------------------------------------------------


def _write_examples(out: Path) -> Iterator[str]:
    """Writes every example into ``out``, yielding a line of progress text after each step."""
    # Through the locked import first: ``import keras`` imports TensorFlow too, and racing the
    # worker's warm-up thread for it can hand this thread a half-initialised module
    # ("module 'tensorflow.python.data.ops.dataset_ops' has no attribute 'DatasetV2'").
    tensorflow()
    import keras

    # Fixed seeds make the demo's values, and the screenshots taken of them, the same every run.
    keras.utils.set_random_seed(SEED)
    yield "Loaded TensorFlow"
    yield from _write_training_checkpoints(out / TRAINING)
    yield from _write_custom_training_checkpoints(out / CUSTOM_TRAINING)
    (out / README).write_text(_readme_text(), encoding="utf-8")
    yield "Wrote README.txt"


def _write_training_checkpoints(out: Path) -> Iterator[str]:
    """The guide's Keras example: ``fit`` with a ``tf.train.Checkpoint`` save every 2 epochs."""
    import keras
    import numpy as np

    tf = tensorflow()

    model = _load_build_model(resource_file("demo", "mlp_model.py"))()
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(SEED)
    x = rng.random((_MLP_SAMPLES, 784), dtype=np.float32)
    # Labels are a fixed function of the inputs, so the loss really falls across checkpoints.
    y = np.argmax(x @ rng.standard_normal((784, 10)).astype(np.float32), axis=1)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    out.mkdir()
    for epoch in range(1, _MLP_EPOCHS + 1):
        model.fit(x, y, batch_size=_MLP_BATCH, epochs=1, shuffle=True, verbose=0)
        if epoch % _MLP_SAVE_EVERY == 0:
            # save() numbers the files (checkpoint-1, ...) and writes relative paths into the
            # "checkpoint" state file, so the folder stays valid after the rename below.
            checkpoint.save(str(out / "checkpoint"))
        yield f"Trained the MLP, epoch {epoch} of {_MLP_EPOCHS}"


def _write_custom_training_checkpoints(out: Path) -> Iterator[str]:
    """The guide's custom loop: Adam on y = 3x + 2 over bare ``weight`` and ``bias`` variables."""
    import keras
    import numpy as np

    tf = tensorflow()

    linear = _load_build_model(resource_file("demo", "custom_variables.py"))()
    weight, bias = linear.weight, linear.bias
    # Slow enough that the three checkpoints show weight and bias on their way to 3 and 2.
    optimizer = keras.optimizers.Adam(learning_rate=0.02)
    # The variables hang off the checkpoint's root, as in the guide; custom_variables.py says
    # how to restore them into its module.
    checkpoint = tf.train.Checkpoint(weight=weight, bias=bias, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, str(out), max_to_keep=3)
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-1.0, 1.0, (_LINEAR_SAMPLES, 1)).astype(np.float32)
    y = 3.0 * x + 2.0 + rng.normal(0.0, 0.05, x.shape).astype(np.float32)

    # A graph step runs the 150 steps four times faster than eager execution.
    @tf.function
    def train_step() -> None:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(x @ weight + bias - y))
        gradients = tape.gradient(loss, [weight, bias])
        optimizer.apply_gradients(zip(gradients, [weight, bias], strict=True))

    for step in range(1, _LINEAR_STEPS + 1):
        train_step()
        if step % _LINEAR_SAVE_EVERY == 0:
            manager.save()
            yield f"Custom training loop, step {step} of {_LINEAR_STEPS}"


def _load_build_model(path: Path) -> Callable[[], Any]:
    """``build_model`` from a model file, imported by path as the app imports a user's file."""
    spec = importlib.util.spec_from_file_location(f"_ckpt_inspector_demo_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise InspectorError(f"The demo model file {path} cannot be imported.", path=str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model


def _readme_text() -> str:
    mlp = resource_file("demo", "mlp_model.py")
    linear = resource_file("demo", "custom_variables.py")
    return f"""Checkpoint Inspector demo workspace
===================================

Checkpoints written by TensorFlow the way the three classic tf.train.Checkpoint guide examples
write them. Open any folder here in Checkpoint Inspector. This folder is rebuilt when the app
needs a newer version of it, so keep your own files elsewhere.

1. Saving during training: {TRAINING}/
   A Keras MLP (784 -> Dense 128 relu -> Dense 10 softmax) compiled with Adam and trained
   for {_MLP_EPOCHS} epochs on random data, saved every {_MLP_SAVE_EVERY} epochs with
       checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
       checkpoint.save("{TRAINING}/checkpoint")
   giving checkpoint-1, checkpoint-2 and the "checkpoint" state file naming the latest.
   The weights' keys read optimizer/_trainable_variables/N: with Keras 3, compile() attaches
   the optimizer to the model, and TensorFlow keys each variable by its shortest path.

2. Restoring for inference: no checkpoint of its own.
   The model's architecture file is
       {mlp}
   Restore a checkpoint from example 1 into it, without the optimizer:
       model = build_model()
       tf.train.Checkpoint(model=model).restore(path).expect_partial()

3. Custom training loop: {CUSTOM_TRAINING}/
   Two bare variables, weight (1x1) and bias (1), fitted to y = 3x + 2 with Adam and saved
   every {_LINEAR_SAVE_EVERY} steps by
       checkpoint = tf.train.Checkpoint(weight=weight, bias=bias, optimizer=optimizer)
       tf.train.CheckpointManager(checkpoint, "{CUSTOM_TRAINING}", max_to_keep=3).save()
   giving ckpt-1 .. ckpt-3. Its architecture file is
       {linear}
   whose module is restored as the checkpoint's root: tf.train.Checkpoint(root=model).
"""


# --- the folder's life cycle ----------------------------------------------------------------


def _staging_prefix(target: Path) -> str:
    return f".{target.name}.partial-"


def _check_replaceable(target: Path) -> None:
    """Refuses to delete a folder the demo did not write, such as one the user chose by mistake."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InspectorError(
            f"Cannot build the demo workspace at {target}: a file is in the way; "
            "move it or choose another folder.",
            path=str(target),
        )
    if (target / MARKER).exists():
        return  # ours, from another format version
    foreign = sorted(p.name for p in target.iterdir() if p.name not in _OUR_NAMES)
    if foreign:
        raise InspectorError(
            f"Cannot build the demo workspace at {target}: the folder holds files the demo did "
            f"not write ({', '.join(foreign[:3])}); choose an empty folder.",
            path=str(target),
        )


def _remove_stale_staging(target: Path) -> None:
    cutoff = time.time() - _STALE_STAGING_S
    for leftover in target.parent.glob(_staging_prefix(target) + "*"):
        try:
            if leftover.is_dir() and leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue  # removed meanwhile by another build; nothing to do


def _move_into_place(staging: Path, target: Path) -> None:
    """One rename publishes the finished folder; an unfinished one is moved aside first.

    ``os.replace`` cannot overwrite a non-empty folder on any platform, hence the aside step.
    """
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=_staging_prefix(target), dir=target.parent))
        aside.rmdir()
        target.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:
        if not is_complete(target):  # else another process finished first; use its folder
            raise
