"""The worker keeps the architecture it loaded last, so that the model side of a diff row
(its freshly initialised values) can be shown without running the user's code again.

Keyed by the spec and the file's modification time: editing ``model.py`` and diffing again
loads the new code.
"""

from __future__ import annotations

import os
from typing import Any

from ckpt_inspector.core.errors import InspectorError

_last: tuple[tuple[str, float | None], Any] | None = None


def _key(spec: Any) -> tuple[str, float | None]:
    path = spec.file
    try:
        mtime = os.stat(path).st_mtime if path else None
    except OSError:
        mtime = None
    return repr(spec), mtime


def load(spec: Any) -> Any:
    """``load_architecture(spec)``, reused while the spec and its file are unchanged."""
    global _last
    from ckpt_inspector.core.architecture.loading import load_architecture

    key = _key(spec)
    if _last is not None and _last[0] == key:
        return _last[1]
    _last = None  # free the old model before building the new one
    loaded = load_architecture(spec)
    _last = (key, loaded)
    return loaded


def model_variable(spec: Any, name: str) -> Any:
    """The architecture's variable called ``name`` (as the diff report names it)."""
    from ckpt_inspector.core.matching.model_graph import model_variables

    for variable in model_variables(load(spec).root):
        if variable.name == name:
            return variable
    raise InspectorError(f"{spec.describe()} has no variable {name!r}; run the diff again.")
