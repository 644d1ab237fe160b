"""Matching for Keras 3 ``.weights.h5`` files and ``.keras`` archives, as ``load_weights`` reads.

Keras 3 stores each saveable object's own variables by position under a path built from the
object's attribute and container names (``layers/dense_1/vars/0``; names come from the class,
deduplicated, not from the layer's runtime name), and ``model.load_weights`` walks the model the
same way and assigns ``vars/<i>`` to its i-th variable. Rather than re-deriving those paths,
the model is walked by Keras' own saving code (``keras/src/saving/saving_lib.py``,
``_save_state``) with a store that records which variable each path would hold and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.entries import entries_by_key
from ckpt_inspector.core.matching.model_graph import model_variables
from ckpt_inspector.core.matching.records import DiffEntry
from ckpt_inspector.core.records import VariableRecord


def keras_weight_paths(root: Any) -> dict[int, str]:
    """``id(variable)`` -> the dataset path ``load_weights`` would read it from."""
    try:
        from keras.src.saving import saving_lib
        from keras.src.saving.keras_saveable import KerasSaveable
    except ImportError:
        KerasSaveable = None
    if KerasSaveable is None or not isinstance(root, KerasSaveable):
        raise InspectorError(
            "Keras .weights.h5 and .keras weights load only into Keras 3 models "
            "(model.load_weights); choose a Keras 3 architecture for this file."
        )

    class _RecordingStore(saving_lib.H5IOStore):
        """Passes ``_save_state``'s type check; keeps the variables instead of writing them."""

        def __init__(self) -> None:  # no file: H5IOStore.__init__ would open one
            self.stores: dict[str, dict[str, Any]] = {}

        def make(self, path: str, metadata: dict | None = None) -> dict[str, Any]:
            return self.stores.setdefault(path, {})

        def __bool__(self) -> bool:
            return True

    store = _RecordingStore()
    saving_lib._save_state(
        root, weights_store=store, assets_store=None, inner_path="", visited_saveables=set()
    )
    paths: dict[int, str] = {}
    for path, variables in store.stores.items():
        for index, variable in variables.items():
            paths.setdefault(id(variable), f"{path}/vars/{index}" if path else f"vars/{index}")
    return paths


def match_keras_weights(root: Any, checkpoint: Sequence[VariableRecord]) -> list[DiffEntry]:
    return entries_by_key(model_variables(root), checkpoint, keras_weight_paths(root))
