"""Diff a checkpoint against an architecture: the whole answer to "will it load?" in one pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ckpt_inspector.core.bundle.object_graph import TrackableNode
from ckpt_inspector.core.errors import UnsupportedFormatError
from ckpt_inspector.core.matching import object_graph_match as og
from ckpt_inspector.core.matching.entries import entries_by_key
from ckpt_inspector.core.matching.explanations import name_based_notes, object_graph_notes
from ckpt_inspector.core.matching.model_graph import model_variables
from ckpt_inspector.core.matching.name_match import match_by_name
from ckpt_inspector.core.matching.records import (
    AttachCandidate,
    DiffReport,
    MatchMethod,
)
from ckpt_inspector.core.progress import Job, Progress
from ckpt_inspector.core.records import CheckpointContents, CheckpointFormat, CheckpointRecord

if TYPE_CHECKING:
    from ckpt_inspector.core.architecture.loading import LoadedArchitecture
    from ckpt_inspector.core.architecture.spec import ModelSpec
    from ckpt_inspector.core.mapping.records import KeyMapping

_KERAS3_FILES = {CheckpointFormat.KERAS3_WEIGHTS, CheckpointFormat.KERAS3_ARCHIVE}


def diff_checkpoint(
    record: CheckpointRecord,
    spec: ModelSpec,
    attach: str | None = None,
    *,
    load: Callable[[ModelSpec], LoadedArchitecture] | None = None,
    mapping: KeyMapping | None = None,
) -> Job[DiffReport]:
    """List ``record``, load the architecture ``spec`` and match them.

    ``attach`` is where the model sits in the checkpoint's object graph (``""`` for the root,
    ``"model"``); ``None`` picks the place where the most variables would be restored.
    ``load`` replaces ``load_architecture`` (the worker passes one that keeps the last model).
    """
    from ckpt_inspector.core.variables import list_checkpoint_variables

    if load is None:
        from ckpt_inspector.core.architecture.loading import load_architecture as load

    if record.format is CheckpointFormat.KERAS_H5:
        raise UnsupportedFormatError(
            f"{record.prefix} is a Keras 2 HDF5 file; diffing those against a model is not "
            "supported yet: diff a TensorFlow-format save_weights of the same model instead.",
            path=record.prefix,
        )
    yield Progress(0, 3, "Listing the checkpoint")
    contents = list_checkpoint_variables(record)
    yield Progress(1, 3, f"Building {spec.describe()}")
    architecture = load(spec)
    yield Progress(2, 3, "Matching")
    report = diff_contents(
        contents, architecture.root, architecture.description, spec.keras, attach
    )
    if mapping is not None:
        from ckpt_inspector.core.mapping.apply import apply_mapping

        report = apply_mapping(report, mapping, contents.variables)
    return report


def diff_contents(
    contents: CheckpointContents,
    root: object,
    architecture: str,
    keras: str,
    attach: str | None = None,
    *,
    nodes: Sequence[TrackableNode] | None = None,
) -> DiffReport:
    """The report for a listed checkpoint and an already built model (``root``)."""
    from ckpt_inspector.core.matching.checkpoint_graph import read_checkpoint_graph

    common = {
        "checkpoint": contents.checkpoint.prefix,
        "architecture": architecture,
        "keras": keras,
    }
    if contents.checkpoint.format in _KERAS3_FILES:
        from ckpt_inspector.core.matching.keras_weights_match import match_keras_weights

        entries = match_keras_weights(root, contents.variables)
        return DiffReport(**common, method=MatchMethod.KERAS_WEIGHTS, entries=tuple(entries))
    if nodes is None:
        nodes = read_checkpoint_graph(contents.checkpoint)
    model = model_variables(root)
    if nodes is None:
        entries = match_by_name(model, contents.variables)
        return DiffReport(
            **common,
            method=MatchMethod.NAME_BASED,
            entries=tuple(entries),
            notes=tuple(name_based_notes(entries, keras)),
        )
    points = og.attach_points(nodes)
    bound_keys = {
        path: og.variable_keys(nodes, og.bind(nodes, n, root)) for path, n in points.items()
    }
    candidates = tuple(
        AttachCandidate(path, sum(1 for v in model if id(v.obj) in keys))
        for path, keys in bound_keys.items()
    )
    if attach is None:
        attach = _best(candidates)
    attach_node = og.resolve_attach(nodes, attach)
    keys = bound_keys.get(attach)
    if keys is None:  # a deeper path the user named, e.g. "net/model"
        keys = og.variable_keys(nodes, og.bind(nodes, attach_node, root))
    entries = entries_by_key(model, contents.variables, keys)
    keys_listed = [v.key for v in contents.variables]
    notes = object_graph_notes(entries, keys_listed, keras, nodes, attach_node, attach, root)
    return DiffReport(
        **common,
        method=MatchMethod.OBJECT_GRAPH,
        entries=tuple(entries),
        attach=attach,
        attach_candidates=candidates,
        notes=tuple(notes),
    )


def _best(candidates: Sequence[AttachCandidate]) -> str:
    """Most variables found wins; the root wins ties, except that with nothing found anywhere
    the ``model`` child (``tf.train.Checkpoint(model=...)``, the common case) is named."""
    top = max(c.restored for c in candidates)
    if top == 0 and any(c.path == "model" for c in candidates):
        return "model"
    return next(c.path for c in candidates if c.restored == top)
