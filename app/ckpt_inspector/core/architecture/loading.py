"""``load_architecture``: from a ``ModelSpec`` to the trackable object a checkpoint is matched to.

Each kind of source has its own module; this one checks the process runs the Keras the spec
asks for, dispatches, builds a model that has no variables yet, and keeps the user's prints off
stdout: on the CLI stdout carries the ``--json`` report, and a ``print`` in ``build_model``
would corrupt it, so everything loading runs with ``sys.stdout`` pointed at ``sys.stderr``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import Any

from ckpt_inspector.core.architecture import applications, building, keras_files
from ckpt_inspector.core.architecture.flavour import (
    keras_module,
    model_class_flavour,
    require_flavour,
    running_keras_flavour,
)
from ckpt_inspector.core.architecture.python_source import (
    load_python_model,
    user_folder_importable,
)
from ckpt_inspector.core.architecture.spec import ModelSpec, SourceKind
from ckpt_inspector.core.errors import InspectorError

__all__ = [
    "LoadedArchitecture",
    "keras_module",
    "load_architecture",
    "running_keras_flavour",
]


@dataclass
class LoadedArchitecture:
    root: Any  # a Keras Model (3 or 2), tf.Module, tf.train.Checkpoint or a loaded SavedModel
    description: str  # "build_model() in /x/model.py (Keras 3)"
    keras: str  # "3" or "2"
    spec: ModelSpec


def load_architecture(spec: ModelSpec) -> LoadedArchitecture:
    """Load and, when needed, build the architecture ``spec`` names; raises ``InspectorError``."""
    kind = spec.kind
    if kind is not SourceKind.SAVED_MODEL:
        _fresh_keras_names(spec.keras)
    with contextlib.redirect_stdout(sys.stderr):
        if kind is SourceKind.SAVED_MODEL:
            # tf.saved_model.load needs no Keras, so the process's flavour does not matter.
            path = _path(spec)
            root, label = keras_files.load_saved_model(path), f"SavedModel {path}"
        elif kind is SourceKind.PYTHON:
            require_flavour(spec.keras)
            path = _path(spec)
            with user_folder_importable(path):
                loaded = load_python_model(spec, path)
                root, label = loaded.root, f"{loaded.label} in {path}"
                _check_model_flavour(root, spec, label)
                if building.needs_building(root):
                    building.build(root, spec, label=loaded.label, user_code=True)
        else:
            keras = keras_module(spec.keras)
            root, label = _load_keras_source(spec, kind, keras)
            if building.needs_building(root):
                building.build(root, spec, label="the model", user_code=False)
    return LoadedArchitecture(
        root=root, description=f"{label} (Keras {spec.keras})", keras=spec.keras, spec=spec
    )


def _fresh_keras_names(flavour: str) -> None:
    """Reset Keras' layer-name counters, so every build names its variables as a new process
    would (``sequential/dense/kernel``, not ``sequential_7/dense_12/kernel``).

    Names are how diff reports, key mappings and the user's own scripts refer to variables; a
    worker builds the same model many times, and without this each build would get new
    numbers. ``clear_session`` (``keras/src/backend/common/global_state.py``) resets the
    uniquifying counters; ``free_memory=False`` skips its slow ``gc.collect()``.
    """
    keras = keras_module(flavour)
    try:
        keras.backend.clear_session(free_memory=False)
    except TypeError:  # tf_keras' clear_session takes no arguments
        keras.backend.clear_session()


def _load_keras_source(spec: ModelSpec, kind: SourceKind, keras: Any) -> tuple[Any, str]:
    if kind is SourceKind.APPLICATION:
        root = applications.load_application(spec, keras)
        return root, f"keras.applications.{spec.attribute}"
    path = _path(spec)
    if kind is SourceKind.KERAS_ARCHIVE:
        return keras_files.load_keras_archive(path, keras, spec.keras), path
    return keras_files.load_config_json(path, keras), f"model config {path}"


def _path(spec: ModelSpec) -> str:
    """The spec's file as an absolute path, so messages and tracebacks name it unambiguously."""
    return os.path.abspath(os.path.expanduser(spec.file or spec.source))


def _check_model_flavour(root: Any, spec: ModelSpec, label: str) -> None:
    """A file that imports the other Keras builds a model whose checkpoint keys differ."""
    built_with = model_class_flavour(type(root))
    if built_with is not None and built_with != spec.keras:
        package = "tf_keras" if built_with == "2" else "keras"
        raise InspectorError(
            f"{label} builds a Keras {built_with} model (from {package}), but Keras "
            f"{spec.keras} was chosen; choose Keras {built_with} for this file.",
            path=spec.file,
        )
