"""Propose a key mapping for the model variables a plain restore would not fill.

Evidence, strongest first: what restore already matches; for Keras 2 (tf_keras) checkpoints,
the order of layers with weights (``layer_with_weights-N`` is the N-th layer that has weights,
as ``model.layers`` lists them) and each variable's own name inside its layer; name similarity
(scopes, ``kernel``/``_kernel``, ``_N`` suffixes) for renamed or TF1 variables; and a shape that
only one remaining tensor and one remaining variable have. A proposal is made only when it is
unique: when two tensors fit a variable equally (identical layers, say), the row is ambiguous
and waits for the user. Only checkpoint weights are candidates, never optimizer state.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ckpt_inspector.core.key_patterns import OBJECT_GRAPH_KEY, path_name
from ckpt_inspector.core.mapping.records import AmbiguousRow, KeyMapping, MappingRow
from ckpt_inspector.core.matching.model_graph import model_variables
from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchStatus
from ckpt_inspector.core.records import VariableRecord, VariableRole

_LAYER = re.compile(r"^(?P<layer>(?:.*/)?layer_with_weights-(?P<index>\d+))/(?P<inner>.+)$")
_SUFFIX = re.compile(r"_\d+$")


@dataclass
class _State:
    model: dict[str, DiffEntry]  # free model variables by name
    keys: dict[str, VariableRecord]  # free checkpoint weights by key
    rows: list[MappingRow]
    ambiguous: dict[str, AmbiguousRow]

    def take(self, model_variable: str, key: str, reason: str) -> None:
        self.rows.append(MappingRow(key, model_variable, reason))
        self.model.pop(model_variable, None)
        self.keys.pop(key, None)
        self.ambiguous.pop(model_variable, None)

    def fits(self, model_variable: str, key: str) -> bool:
        entry, record = self.model.get(model_variable), self.keys.get(key)
        return entry is not None and record is not None and tuple(record.shape) == entry.model_shape


def propose_mapping(
    report: DiffReport, checkpoint: Sequence[VariableRecord], root: Any = None
) -> KeyMapping:
    state = _State(
        model={e.model: e for e in report.model_entries if e.status is not MatchStatus.MATCHED},
        keys={
            v.key: v
            for v in checkpoint
            if v.role is VariableRole.WEIGHT and v.key != OBJECT_GRAPH_KEY
        },
        rows=[],
        ambiguous={},
    )
    for entry in report.with_status(MatchStatus.MATCHED):
        state.rows.append(MappingRow(entry.checkpoint_key, entry.model, "restore matches it"))
        state.keys.pop(entry.checkpoint_key, None)
    if root is not None and any(_LAYER.match(k) for k in state.keys):
        _by_layer_order(state, root)
    _by_name(state)
    _by_unique_shape(state)
    unused = [v.key for v in checkpoint if v.key in state.keys]
    return KeyMapping(
        rows=tuple(state.rows),
        unmapped_model_variables=tuple(state.model),
        unmapped_checkpoint_keys=tuple(unused),
        ambiguous=tuple(state.ambiguous.values()),
    )


# -- Keras 2 layer order ------------------------------------------------------------------------


def _model_layers(root: Any) -> list[list[str]]:
    """Names of each top-level layer's variables, for the layers that have any, in order."""
    names = {id(v.obj): v.name for v in model_variables(root)}
    groups = []
    for layer in getattr(root, "layers", None) or []:
        variables = [names[id(v)] for v in getattr(layer, "weights", []) if id(v) in names]
        if variables:
            groups.append(variables)
    return groups


def _checkpoint_layers(keys: dict[str, VariableRecord]) -> list[tuple[str, dict[str, str]]]:
    """``(layer_with_weights-N path, {inner name: key})`` ordered by N."""
    groups: dict[tuple[int, str], dict[str, str]] = defaultdict(dict)
    for key in keys:
        match = _LAYER.match(path_name(key))
        if match:
            groups[(int(match["index"]), match["layer"])][match["inner"]] = key
    return [(layer, inner) for (_, layer), inner in sorted(groups.items())]


def _last(name: str) -> str:
    return _SUFFIX.sub("", name.rsplit("/", 1)[-1].split(":")[0].lstrip("_").lower())


def _by_layer_order(state: _State, root: Any) -> None:
    model_layers = _model_layers(root)
    checkpoint_layers = _checkpoint_layers(state.keys)
    shapes = {
        i: sorted(state.model[n].model_shape for n in layer if n in state.model)
        for i, layer in enumerate(model_layers)
    }
    for index, (layer, (ckpt_layer, inner)) in enumerate(
        zip(model_layers, checkpoint_layers, strict=False)
    ):
        twins = [
            j for j, other in shapes.items() if j != index and other and other == shapes[index]
        ]
        for model_variable in layer:
            if model_variable not in state.model:
                continue
            fitting = [k for k in inner.values() if state.fits(model_variable, k)]
            named = [k for k in fitting if _last(path_name(k)) == _last(model_variable)]
            chosen = named if named else fitting
            if len(chosen) != 1:
                continue
            reason = f"layer {index + 1} with weights ({ckpt_layer}), by order and shape"
            if twins:
                others = [
                    k
                    for j in twins
                    if j < len(checkpoint_layers)
                    for k in checkpoint_layers[j][1].values()
                    if state.fits(model_variable, k)
                ]
                state.ambiguous[model_variable] = AmbiguousRow(
                    model_variable,
                    (chosen[0], *others),
                    f"layers {', '.join(str(j + 1) for j in [index, *twins])} have the same "
                    "shapes: order alone cannot tell them apart",
                )
                continue
            state.take(model_variable, chosen[0], reason)


# -- names ----------------------------------------------------------------------------------------


def _segments(name: str) -> list[str]:
    parts = [p for p in name.split("/") if p and not re.fullmatch(r"part_\d+", p)]
    return [_SUFFIX.sub("", p.split(":")[0].lstrip("_").lower()) for p in parts]


def _score(model_variable: str, checkpoint_name: str) -> int:
    a, b = _segments(model_variable), _segments(checkpoint_name)
    score = 0
    while score < min(len(a), len(b)) and a[-1 - score] == b[-1 - score]:
        score += 1
    return score


def _by_name(state: _State) -> None:
    names = {k: (r.name or path_name(k)) for k, r in state.keys.items()}
    best: dict[str, tuple[int, list[str]]] = {}
    for model_variable in list(state.model):
        scored = [
            (_score(model_variable, names[k]), k)
            for k in state.keys
            if state.fits(model_variable, k)
        ]
        scored = [(s, k) for s, k in scored if s > 0]
        if not scored:
            continue
        top = max(s for s, _ in scored)
        best[model_variable] = (top, [k for s, k in scored if s == top])
    claimed: dict[str, list[str]] = defaultdict(list)
    for model_variable, (_, keys) in best.items():
        for key in keys:
            claimed[key].append(model_variable)
    for model_variable, (_, keys) in best.items():
        if len(keys) == 1 and len(claimed[keys[0]]) == 1:
            state.take(model_variable, keys[0], f"names agree ({names[keys[0]]}) and shapes match")
        elif model_variable not in state.ambiguous:
            rivals = sorted({m for k in keys for m in claimed[k]} - {model_variable})
            why = f"{len(keys)} tensors fit equally by name and shape"
            if rivals:
                why += f"; also claimed by {', '.join(rivals)}"
            state.ambiguous[model_variable] = AmbiguousRow(model_variable, tuple(keys), why)


# -- unique shapes --------------------------------------------------------------------------------


def _by_unique_shape(state: _State) -> None:
    by_shape_model: dict[tuple, list[str]] = defaultdict(list)
    by_shape_keys: dict[tuple, list[str]] = defaultdict(list)
    for name, entry in state.model.items():
        if name not in state.ambiguous:
            by_shape_model[tuple(entry.model_shape or ())].append(name)
    for key, record in state.keys.items():
        by_shape_keys[tuple(record.shape)].append(key)
    for shape, names in by_shape_model.items():
        keys = by_shape_keys.get(shape, [])
        if len(names) == 1 and len(keys) == 1:
            state.take(names[0], keys[0], f"the only remaining tensor of shape {list(shape)}")
        elif names and len(keys) > 1:
            for name in names:
                state.ambiguous.setdefault(
                    name,
                    AmbiguousRow(name, tuple(keys), f"{len(keys)} tensors of shape {list(shape)}"),
                )
