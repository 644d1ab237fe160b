"""A diff report as it stands once a key mapping is applied.

Restore and inference read "what goes where" from a report's matched entries, so applying a
mapping means rewriting the report: each mapped model variable is paired with its mapped key
(shape and dtype checked as for any pair), everything else is missing or unused. ``--mapping``
on ``diff`` and ``infer``, and the remap export, all go through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.mapping.records import KeyMapping
from ckpt_inspector.core.matching.entries import pair_status, unused_entries
from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchStatus
from ckpt_inspector.core.records import VariableRecord


def _paired(entry: DiffEntry, record: VariableRecord, reason: str, allow_cast: bool) -> DiffEntry:
    paired = replace(
        entry,
        checkpoint_key=record.key,
        checkpoint_shape=tuple(record.shape),
        checkpoint_dtype=record.dtype,
        checkpoint_name=record.name,
        note=f"mapped: {reason}",
    )
    status = pair_status(entry.model_shape, entry.model_dtype, record, cast=allow_cast)
    note = paired.note
    if status is MatchStatus.MATCHED and record.dtype != entry.model_dtype:
        note += f"; cast from {record.dtype}"
    return replace(paired, status=status, note=note)


def apply_mapping(
    report: DiffReport,
    mapping: KeyMapping,
    checkpoint: Sequence[VariableRecord],
    *,
    allow_cast: bool = False,
) -> DiffReport:
    """``report`` with its model variables paired as ``mapping`` says."""
    records = {v.key: v for v in checkpoint}
    rows = mapping.by_model_variable()
    model_entries = {e.model: e for e in report.model_entries}
    unknown = [r.model_variable for r in mapping.rows if r.model_variable not in model_entries]
    missing_keys = [r.checkpoint_key for r in mapping.rows if r.checkpoint_key not in records]
    if unknown or missing_keys:
        what = (
            f"model variable {unknown[0]!r}" if unknown else f"checkpoint key {missing_keys[0]!r}"
        )
        raise InspectorError(
            f"The mapping names {what}, which {'the model' if unknown else 'the checkpoint'} "
            "does not have; propose a new mapping with ckpt-inspector remap."
        )
    entries: list[DiffEntry] = []
    for name, entry in model_entries.items():
        row = rows.get(name)
        base = replace(
            entry,
            status=MatchStatus.MISSING,
            checkpoint_key=None,
            checkpoint_shape=None,
            checkpoint_dtype=None,
            checkpoint_name=None,
            note="",
        )
        entries.append(
            base
            if row is None
            else _paired(base, records[row.checkpoint_key], row.reason, allow_cast)
        )
    consumed = {e.checkpoint_key for e in entries if e.checkpoint_key}
    entries.extend(unused_entries(checkpoint, consumed))
    notes = (f"Key mapping applied: {len(mapping.rows)} rows.",)
    return replace(report, entries=tuple(entries), notes=notes)
