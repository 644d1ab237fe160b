"""Turn "this model variable reads that checkpoint key" into report entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ckpt_inspector.core.key_patterns import COUNTER_EDGES, OBJECT_GRAPH_KEY, OPTIMIZER_EDGES
from ckpt_inspector.core.matching.model_graph import ModelVariable
from ckpt_inspector.core.matching.records import DiffEntry, MatchStatus
from ckpt_inspector.core.records import VariableRecord, VariableRole


def model_role(variable: ModelVariable) -> VariableRole:
    """What a variable of the architecture is for, from the edges that lead to it (an
    architecture given as ``tf.train.Checkpoint(model=..., optimizer=...)`` has both)."""
    edges = variable.edge_path.split("/")
    if any(edge in OPTIMIZER_EDGES for edge in edges):
        return VariableRole.OPTIMIZER
    if edges[-1] in COUNTER_EDGES:
        return VariableRole.BOOKKEEPING
    return VariableRole.WEIGHT


def paired_entry(
    variable: ModelVariable, record: VariableRecord | None, *, note: str = ""
) -> DiffEntry:
    """The entry for a model variable and the checkpoint tensor restore would read into it."""
    base = {
        "model": variable.name,
        "model_shape": variable.shape,
        "model_dtype": variable.dtype,
        "role": model_role(variable),
        "note": note,
    }
    if record is None:
        return DiffEntry(MatchStatus.MISSING, **base)
    base.update(
        checkpoint_key=record.key,
        checkpoint_shape=record.shape,
        checkpoint_dtype=record.dtype,
        checkpoint_name=record.name,
    )
    return DiffEntry(pair_status(variable.shape, variable.dtype, record), **base)


def pair_status(
    model_shape: tuple | None,
    model_dtype: str | None,
    record: VariableRecord,
    *,
    cast: bool = False,
) -> MatchStatus:
    """Whether restoring ``record`` into a variable of this shape and dtype would work: shapes
    must agree; dtypes too, unless the user allowed a cast (key mappings only)."""
    if tuple(record.shape) != tuple(model_shape or ()):
        return MatchStatus.SHAPE_MISMATCH
    if record.dtype != model_dtype and not cast:
        return MatchStatus.DTYPE_MISMATCH
    return MatchStatus.MATCHED


def unused_entries(variables: Iterable[VariableRecord], consumed: set[str]) -> list[DiffEntry]:
    """Checkpoint tensors no model variable reads; the object graph itself is not a tensor
    the user saved, so it is left out."""
    return [
        DiffEntry(
            MatchStatus.UNUSED,
            checkpoint_key=v.key,
            checkpoint_shape=v.shape,
            checkpoint_dtype=v.dtype,
            checkpoint_name=v.name,
            role=v.role,
        )
        for v in variables
        if v.key not in consumed and v.key != OBJECT_GRAPH_KEY
    ]


def entries_by_key(
    model: Sequence[ModelVariable], checkpoint: Sequence[VariableRecord], keys: Mapping[int, str]
) -> list[DiffEntry]:
    """Pair each model variable with the key a loader reads it from (``keys`` by
    ``id(variable)``), then list the checkpoint tensors nobody reads."""
    records = by_key(checkpoint)
    entries = [paired_entry(v, records.get(keys.get(id(v.obj), ""))) for v in model]
    consumed = {e.checkpoint_key for e in entries if e.checkpoint_key is not None}
    entries.extend(unused_entries(checkpoint, consumed))
    return entries


def by_key(variables: Iterable[VariableRecord]) -> Mapping[str, VariableRecord]:
    return {v.key: v for v in variables}
