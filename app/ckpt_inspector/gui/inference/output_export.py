"""Saving a run's outputs as ``.npy`` (one output) or ``.npz`` (all of them by name), never inside
the checkpoint folder being inspected (the rule of the diff export)."""

from __future__ import annotations

import os
import re

import numpy as np

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InferenceResult
from ckpt_inspector.gui.diff.diff_export import protected_folder

NPY = ("NumPy array of the shown output (*.npy)", ".npy")
NPZ = ("NumPy archive of every output (*.npz)", ".npz")


def _is_inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "output"


def suggested_name(result: InferenceResult, output: str, extension: str) -> str:
    checkpoint = os.path.basename(result.checkpoint.rstrip("/\\")) or "checkpoint"
    what = output if extension == ".npy" else "outputs"
    return _safe(f"{what}-{checkpoint}") + extension


def save_outputs(result: InferenceResult, path: str, output: str | None = None) -> str:
    """Writes ``output`` (``.npy``) or every output (``.npz``) to ``path``; returns the path
    written. Raises ``InspectorError`` inside the checkpoint folder or when writing fails."""
    folder = protected_folder(result.checkpoint)
    if _is_inside(path, folder):
        raise InspectorError(
            f"Checkpoint Inspector does not write into the checkpoint folder {folder}; "
            "choose another folder for the outputs."
        )
    arrays = {record.name: record.values for record in result.outputs}
    try:
        if path.lower().endswith(".npz"):
            np.savez(path, **{_safe(name): values for name, values in arrays.items()})
        else:
            name = output if output in arrays else next(iter(arrays), None)
            if name is None:
                raise InspectorError("The run gave no outputs to save.")
            if not path.lower().endswith(".npy"):
                path += ".npy"
            np.save(path, arrays[name], allow_pickle=False)
    except OSError as error:
        raise InspectorError(f"Could not write {path}: {error.strerror or error}.") from error
    except ValueError as error:  # object arrays (strings) need pickling, which we never do
        raise InspectorError(f"Could not write {path} without pickling ({error}).") from error
    return path
