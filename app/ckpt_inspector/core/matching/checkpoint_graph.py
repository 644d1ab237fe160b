"""The checkpoint's side of a restore: its object graph, read once."""

from __future__ import annotations

from ckpt_inspector.core import fs
from ckpt_inspector.core.bundle.object_graph import (
    OBJECT_GRAPH_KEY,
    TrackableNode,
    parse_object_graph,
    read_object_graph,
)
from ckpt_inspector.core.errors import InspectorError, UnsupportedFormatError
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.variables import bundle_prefix


def read_checkpoint_graph(record: CheckpointRecord) -> tuple[TrackableNode, ...] | None:
    """The object graph of ``record``, or ``None`` for a name-based (TF1 ``Saver``) checkpoint.

    The pure-Python reader answers for local files; TensorFlow's reader is the fallback for
    remote paths and index variants the pure reader does not decode.
    """
    prefix = bundle_prefix(record)
    if not fs.is_remote(prefix):
        from ckpt_inspector.core.bundle.index import read_index

        try:
            return read_object_graph(read_index(prefix))
        except (UnsupportedFormatError, ValueError, LookupError):
            pass
    return _read_with_tensorflow(prefix)


def _read_with_tensorflow(prefix: str) -> tuple[TrackableNode, ...] | None:
    from ckpt_inspector.core.read_errors import classify_failure
    from ckpt_inspector.core.tensorflow_import import tensorflow

    tf = tensorflow()
    try:
        reader = tf.train.load_checkpoint(prefix)
        if not reader.has_tensor(OBJECT_GRAPH_KEY):
            return None
        data = reader.get_tensor(OBJECT_GRAPH_KEY)
    except (tf.errors.OpError, ValueError) as exc:
        raise classify_failure(prefix, OBJECT_GRAPH_KEY, None, exc) from None
    try:
        return parse_object_graph(data)
    except ValueError as exc:
        raise InspectorError(
            f"{prefix} has an unreadable object graph ({exc}); restore the checkpoint from a "
            "good copy.",
            path=prefix,
        ) from None
