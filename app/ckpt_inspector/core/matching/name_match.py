"""Name-based matching for TF1 ``Saver`` checkpoints: the variable's name is the key.

A name-based checkpoint has no object graph. TF1's ``Saver`` and TF2's fallback for such files
(``NameBasedSaverStatus`` in ``tensorflow/python/checkpoint/checkpoint.py``) look each variable
up by its graph name, the shared name without ``:0``. A partitioned variable is stored once,
under its full name and full shape; each part carries a ``_save_slice_info`` (full name, full
shape, offset) and restores its slice of that key (``saveable_object_util``), so a part matches
when the checkpoint holds the full name with the full shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ckpt_inspector.core.matching.entries import by_key, paired_entry, unused_entries
from ckpt_inspector.core.matching.model_graph import ModelVariable, graph_name
from ckpt_inspector.core.matching.records import DiffEntry, MatchStatus
from ckpt_inspector.core.records import VariableRecord


def match_by_name(
    model: Sequence[ModelVariable], checkpoint: Sequence[VariableRecord]
) -> list[DiffEntry]:
    records = by_key(checkpoint)
    consumed: set[str] = set()
    entries: list[DiffEntry] = []
    for variable in model:
        part = getattr(variable.obj, "_save_slice_info", None)
        if part is not None:
            entry = _part_entry(variable, part, records.get(part.full_name))
        else:
            entry = paired_entry(variable, records.get(graph_name(variable.obj)))
        if entry.checkpoint_key is not None:
            consumed.add(entry.checkpoint_key)
        entries.append(entry)
    entries.extend(unused_entries(checkpoint, consumed))
    return entries


def _part_entry(variable: ModelVariable, part, record: VariableRecord | None) -> DiffEntry:
    """Compare the full variable the part belongs to, and say which slice the part is."""
    full_shape = tuple(int(d) for d in part.full_shape)
    offset = ",".join(str(int(o)) for o in part.var_offset)
    note = f"partition at offset [{offset}] of {part.full_name} {list(full_shape)}"
    as_full = replace(variable, shape=full_shape)
    entry = paired_entry(as_full, record, note=note)
    if entry.status is MatchStatus.SHAPE_MISMATCH:
        return entry  # both full shapes shown: the part's own shape would hide the cause
    return replace(entry, model_shape=variable.shape)
