"""Write mapped weights as files that load with plain TensorFlow/Keras calls.

The model already holds the mapped values (restored through the mapping); TensorFlow and Keras
write it themselves, so the result is exactly what ``tf.train.Checkpoint(model=model).restore``
and ``model.load_weights`` expect. Exports never go into the inspected checkpoint's folder and
never replace an existing file unless the caller says the user confirmed it.
"""

from __future__ import annotations

import os
from typing import Any

from ckpt_inspector.core.errors import InspectorError


def _check_target(paths: list[str], inspected_folder: str, overwrite: bool) -> None:
    target = os.path.dirname(os.path.abspath(paths[0]))
    if os.path.realpath(target) == os.path.realpath(inspected_folder):
        raise InspectorError(
            f"{paths[0]} is inside the folder being inspected ({inspected_folder}); export to "
            "another folder, the inspected one is never written to."
        )
    existing = [p for p in paths if os.path.exists(p)]
    if existing and not overwrite:
        raise InspectorError(
            f"{existing[0]} already exists; choose a new name, or confirm replacing it "
            "(--overwrite)."
        )
    os.makedirs(target, exist_ok=True)


def export_checkpoint(
    root: Any, prefix: str, inspected_folder: str, *, overwrite: bool = False
) -> str:
    """``tf.train.Checkpoint(model=root).write(prefix)``; returns the prefix written."""
    from ckpt_inspector.core.tensorflow_import import tensorflow

    tf = tensorflow()
    _check_target([prefix + ".index", prefix + ".data-00000-of-00001"], inspected_folder, overwrite)
    checkpoint = tf.train.Checkpoint(model=root)
    # Restoring creates the restoring Checkpoint's save_counter; writing one too lets the user's
    # restore(...).assert_consumed() pass (write() alone leaves it out).
    checkpoint.save_counter  # noqa: B018 - the property creates the variable
    return checkpoint.write(prefix)


def export_weights_h5(
    root: Any, path: str, inspected_folder: str, *, overwrite: bool = False
) -> str:
    """Keras 3 ``model.save_weights(path)`` (the name must end in ``.weights.h5``)."""
    if not path.endswith(".weights.h5"):
        raise InspectorError(
            f"{path} must end in .weights.h5, as Keras 3 requires for weights files."
        )
    if not hasattr(root, "save_weights"):
        raise InspectorError(
            "Only a Keras model can be exported as .weights.h5; export a checkpoint instead."
        )
    _check_target([path], inspected_folder, overwrite)
    root.save_weights(path, overwrite=True)
    return path
