"""Object-based matching: the pairs ``tf.train.Checkpoint.restore`` would make.

Restore starts with the checkpoint's node for the attach point bound to the model and walks
breadth first: each child edge of a bound node is looked up by its local name on the bound
Python object (``_lookup_dependency``); a hit binds that child node, a miss leaves the whole
subtree unrestored (TensorFlow defers it in case the object appears later). A variable is
restored exactly when its node is bound and carries a ``VARIABLE_VALUE`` attribute. See
``tensorflow/python/checkpoint/restore.py`` (``_queue_children_for_restoration``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from ckpt_inspector.core.bundle.object_graph import TrackableNode
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.key_patterns import VARIABLE_VALUE
from ckpt_inspector.core.matching.model_graph import lookup_child, trackable_children

ROOT = ""  # the attach path of the checkpoint's root node


def bind(nodes: Sequence[TrackableNode], start: int, root: Any) -> dict[int, Any]:
    """Checkpoint node id -> the model object restore would bind to it, from ``start``."""
    bound: dict[int, Any] = {start: root}
    queue = deque([start])
    while queue:
        node_id = queue.popleft()
        obj = bound[node_id]
        children: dict[str, Any] | None = None
        for ref in nodes[node_id].children:
            if ref.node_id in bound:
                continue
            if children is None:
                children = trackable_children(obj)
            child = lookup_child(obj, ref.local_name, children)
            if child is not None:
                bound[ref.node_id] = child
                queue.append(ref.node_id)
    return bound


def variable_keys(nodes: Sequence[TrackableNode], bound: Mapping[int, Any]) -> dict[int, str]:
    """``id(model variable)`` -> the checkpoint key restore would read it from."""
    out: dict[int, str] = {}
    for node_id, obj in bound.items():
        for attribute in nodes[node_id].attributes:
            if attribute.name == VARIABLE_VALUE:
                out.setdefault(id(obj), attribute.checkpoint_key)
    return out


def attach_points(nodes: Sequence[TrackableNode]) -> dict[str, int]:
    """Where a model may sit: the root (``model.save_weights``, or a Checkpoint given as the
    architecture) and each child of the root (``tf.train.Checkpoint(model=...)``)."""
    points = {ROOT: 0}
    if nodes:
        for ref in nodes[0].children:
            points.setdefault(ref.local_name, ref.node_id)
    return points


def resolve_attach(nodes: Sequence[TrackableNode], path: str) -> int:
    """The node id at ``path`` (``model``, ``net/model``; ``""`` or ``/`` is the root)."""
    node_id = 0
    for part in (p for p in path.strip("/").split("/") if p):
        children = {ref.local_name: ref.node_id for ref in nodes[node_id].children}
        if part not in children:
            known = ", ".join(sorted(children)) or "none"
            raise InspectorError(
                f"The checkpoint has no object {path!r} to attach the model at (children of "
                f"{'the root' if node_id == 0 else repr(part)}: {known}); choose one of those."
            )
        node_id = children[part]
    return node_id


def child_names(nodes: Sequence[TrackableNode], node_id: int) -> list[str]:
    return [ref.local_name for ref in nodes[node_id].children]
