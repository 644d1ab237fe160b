"""Why a diff came out as it did, in a sentence the user can act on."""

from __future__ import annotations

from collections.abc import Sequence

from ckpt_inspector.core.bundle.object_graph import TrackableNode
from ckpt_inspector.core.matching.flavour import looks_like_keras2, looks_like_keras3
from ckpt_inspector.core.matching.model_graph import trackable_children
from ckpt_inspector.core.matching.object_graph_match import child_names
from ckpt_inspector.core.matching.records import DiffEntry, MatchStatus
from ckpt_inspector.core.records import VariableRole

_SHOWN = 8


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN]) or "none"
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def object_graph_notes(
    entries: Sequence[DiffEntry],
    keys: Sequence[str],
    keras: str,
    nodes: Sequence[TrackableNode],
    attach_node: int,
    attach: str,
    root: object,
) -> list[str]:
    notes: list[str] = []
    model = [e for e in entries if e.model is not None]
    restored = [e for e in model if e.status is MatchStatus.MATCHED]
    if model and not restored:
        if keras == "3" and looks_like_keras2(keys):
            notes.append(
                "The checkpoint was written by Keras 2 (tf_keras), which names a model's "
                "layers layer_with_weights-N; a Keras 3 model has no such children, so "
                "nothing matches. Diff with Keras 2 (--keras 2), the Keras that wrote it."
            )
        elif keras == "2" and looks_like_keras3(keys):
            notes.append(
                "The checkpoint was written by Keras 3 (its keys use _functional/_operations); "
                "a Keras 2 model names its children differently, so nothing matches. Diff with "
                "Keras 3 (--keras 3)."
            )
        where = f"under {attach!r}" if attach else "at the checkpoint's root"
        checkpoint_side = _listed(child_names(nodes, attach_node))
        model_side = _listed(sorted(trackable_children(root)))
        notes.append(
            f"Nothing matched {where}: the checkpoint has {checkpoint_side} there, "
            f"the model has {model_side}."
        )
    unused_weights = [
        e for e in entries if e.status is MatchStatus.UNUSED and e.role is VariableRole.WEIGHT
    ]
    missing = [e for e in model if e.status is MatchStatus.MISSING]
    if restored and missing and unused_weights:
        notes.append(
            f"{len(missing)} model variables are missing while {len(unused_weights)} checkpoint "
            "weights are unused: layers may have been renamed, added or reordered."
        )
    return notes


def name_based_notes(entries: Sequence[DiffEntry], keras: str) -> list[str]:
    model = [e for e in entries if e.model is not None]
    if model and not any(e.status is MatchStatus.MATCHED for e in model):
        return [
            "This is a name-based (TF1 Saver) checkpoint: variables are found by their graph "
            "names, and none of the model's variable names is a key in it. Models built with "
            "Keras name their variables differently from TF1 code."
        ]
    return []
