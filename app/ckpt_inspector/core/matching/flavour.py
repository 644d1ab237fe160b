"""Which Keras wrote a checkpoint, from its keys alone (no TensorFlow, safe in the GUI).

Keras 2 (tf_keras) names a model's children by position, ``layer_with_weights-0``, and keeps
optimizer slots under ``.OPTIMIZER_SLOT``; Keras 3 models track ``_functional/_operations/N``
and ``_kernel``, and its optimizers hold their state in ``_variables/N``. The flavour decides
how the worker is started (``TF_USE_LEGACY_KERAS`` must be set before TensorFlow is imported).
"""

from __future__ import annotations

from collections.abc import Iterable

_KERAS2_MARKS = ("layer_with_weights-", "/.OPTIMIZER_SLOT/", "layer-")
_KERAS3_MARKS = ("_functional/", "_operations/", "/_kernel/")


def looks_like_keras2(keys: Iterable[str]) -> bool:
    return any(mark in key for key in keys for mark in _KERAS2_MARKS[:2])


def looks_like_keras3(keys: Iterable[str]) -> bool:
    return any(mark in key for key in keys for mark in _KERAS3_MARKS)


def suggested_keras(keys: Iterable[str]) -> str | None:
    """``"2"`` or ``"3"`` when the keys say which Keras wrote them, else ``None``."""
    keys = list(keys)
    if looks_like_keras2(keys):
        return "2"
    if looks_like_keras3(keys):
        return "3"
    return None
