"""The model's side of a restore: its trackable children and the variables they lead to.

``tf.train.Checkpoint.restore`` walks the checkpoint's object graph from the root and, for each
child edge ``(node, local_name)``, asks the Python object bound to ``node`` for
``_lookup_dependency(local_name, _trackable_children())``
(``tensorflow/python/checkpoint/restore.py``, ``_queue_children_for_restoration``). These
helpers ask the same questions of the user's model, so a match here is a match there.
The objects are TensorFlow's and Keras' own; this module only duck-types them, so it holds no
TensorFlow import and works for Keras 3 variables (which are not ``tf.Variable``) too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def trackable_children(obj: Any) -> dict[str, Any]:
    """The named children a checkpoint save/restore sees (``{}`` for leaves and non-trackables)."""
    children = getattr(obj, "_trackable_children", None)
    if children is None:
        return {}
    maybe_initialize = getattr(obj, "_maybe_initialize_trackable", None)
    if maybe_initialize is not None:
        maybe_initialize()
    return dict(children())


def lookup_child(obj: Any, name: str, children: dict[str, Any]) -> Any | None:
    """The child restore binds to the checkpoint edge ``name``, exactly as restore asks for it."""
    lookup = getattr(obj, "_lookup_dependency", None)
    if lookup is None:
        return children.get(name)
    return lookup(name, children)


def is_variable(obj: Any) -> bool:
    """A tf.Variable, a Keras 3 variable or a Keras 2 (tf_keras) variable: anything restorable
    that has a value with a shape and a dtype and can be assigned."""
    return all(hasattr(obj, a) for a in ("assign", "shape", "dtype", "_serialize_to_tensors"))


def dtype_name(dtype: Any) -> str:
    """``tf.DType.name`` for TensorFlow dtypes, the string itself for Keras 3's."""
    return str(getattr(dtype, "name", dtype))


def shape_of(variable: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in variable.shape)


def user_name(variable: Any) -> str:
    """The name the user's code knows: Keras 3's ``path`` (``sequential/dense_1/kernel``),
    else the TensorFlow name without its ``:0`` output suffix (Keras 2, tf.Module)."""
    path = getattr(variable, "path", None)
    if isinstance(path, str) and path:
        return path
    name = str(getattr(variable, "name", "") or "variable")
    return name[:-2] if name.endswith(":0") else name


def graph_name(variable: Any) -> str:
    """The name a TF1 ``Saver`` would store the variable under (its shared name)."""
    shared = getattr(variable, "_shared_name", None)
    if isinstance(shared, str) and shared:
        return shared
    inner = getattr(variable, "value", None)  # Keras 3 wraps a tf.Variable
    shared = getattr(inner, "_shared_name", None)
    if isinstance(shared, str) and shared:
        return shared
    return user_name(variable)


@dataclass(frozen=True)
class ModelVariable:
    """One variable of the architecture, found at ``edge_path`` from the root."""

    obj: Any
    name: str  # in the user's terms, unique within the model
    edge_path: str  # the child names from the root, e.g. ``_functional/_operations/1/_kernel``
    shape: tuple[int | None, ...]
    dtype: str


def walk(root: Any) -> Iterator[tuple[str, Any]]:
    """Breadth-first ``(edge_path, object)`` for every object reachable from ``root``, each once
    (by its shortest path, which is also the path TensorFlow keys a saved variable by)."""
    seen = {id(root)}
    queue: deque[tuple[str, Any]] = deque([("", root)])
    while queue:
        path, obj = queue.popleft()
        yield path, obj
        for name, child in trackable_children(obj).items():
            if id(child) not in seen:
                seen.add(id(child))
                queue.append((f"{path}/{name}" if path else name, child))


def model_variables(root: Any) -> list[ModelVariable]:
    """Every variable reachable from ``root``, with unique names in the user's terms."""
    found = [(path, obj) for path, obj in walk(root) if is_variable(obj)]
    names = [user_name(obj) for _, obj in found]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [
        ModelVariable(
            obj=obj,
            name=name if counts[name] == 1 else f"{name} ({path})",
            edge_path=path,
            shape=shape_of(obj),
            dtype=dtype_name(obj.dtype),
        )
        for (path, obj), name in zip(found, names, strict=True)
    ]
