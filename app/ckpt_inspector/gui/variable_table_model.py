"""The variables of one checkpoint as a flat table: key, name, shape, dtype, bytes, role."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush

from ckpt_inspector.core.records import VariableRecord, VariableRole
from ckpt_inspector.gui import formatting, theme
from ckpt_inspector.gui.record_table import RecordTableModel
from ckpt_inspector.gui.theme import SORT_ROLE, ModelIndex


def order_with_slots(records: Iterable[VariableRecord]) -> list[VariableRecord]:
    """Records in checkpoint order, each optimizer slot moved right after its variable."""
    records = list(records)
    keys = {r.key for r in records}
    slots: dict[str, list[VariableRecord]] = defaultdict(list)
    rest: list[VariableRecord] = []
    for record in records:
        if record.slot_of and record.slot_of in keys and record.slot_of != record.key:
            slots[record.slot_of].append(record)
        else:
            rest.append(record)
    ordered: list[VariableRecord] = []
    for record in rest:
        ordered.append(record)
        ordered.extend(slots.pop(record.key, ()))
    for leftovers in slots.values():  # slots of slots: rare, keep them visible at the end
        ordered.extend(leftovers)
    return ordered


def haystack(record: VariableRecord) -> str:
    """What the filter box searches: key and human name, lower-cased."""
    return f"{record.key}\n{record.name or ''}".lower()


def slot_description(record: VariableRecord, owner: VariableRecord | None) -> str:
    if not record.slot_of:
        return ""
    owner_text = (owner.name or owner.key) if owner is not None else record.slot_of
    slot = record.slot_name or "slot"
    return f"Optimizer slot “{slot}” of {owner_text}"


def role_brush(role: VariableRole) -> QBrush | None:
    if role is VariableRole.OPTIMIZER:
        return QBrush(theme.color("optimizer"))
    if role is VariableRole.BOOKKEEPING:
        return QBrush(theme.color("bookkeeping"))
    return None


class VariableTableModel(RecordTableModel[VariableRecord]):
    COLUMNS = ("Key", "Name", "Shape", "Dtype", "Bytes", "Role")
    KEY, NAME, SHAPE, DTYPE, BYTES, ROLE = range(6)
    RIGHT_ALIGNED = frozenset({BYTES})
    _MONOSPACE = (KEY, SHAPE, DTYPE)

    haystack_of = staticmethod(haystack)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._by_key: dict[str, VariableRecord] = {}

    # -- public API ----------------------------------------------------------------------------

    def set_variables(self, records: Iterable[VariableRecord]) -> None:
        ordered = order_with_slots(records)
        self._by_key = {r.key: r for r in ordered}
        self.set_records(ordered)

    def row_of(self, key: str) -> int:
        for row, record in enumerate(self._records):
            if record.key == key:
                return row
        return -1

    def filter_item(self, source_row: int, _source_parent: ModelIndex) -> tuple[str, VariableRole]:
        """What the filter proxy needs, without going through ``data()`` (10,000 rows)."""
        return self.haystack(source_row), self._records[source_row].role

    # -- cell contents -------------------------------------------------------------------------

    def record_data(self, record: VariableRecord, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record, column)
        if role == SORT_ROLE:
            return self._sort_value(record, column)
        if role == Qt.ItemDataRole.FontRole and column in self._MONOSPACE:
            return theme.monospace_font()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if column == self.BYTES else theme.LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.NAME and record.name is None:
                return QBrush(theme.color("muted"))
            return role_brush(record.role)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        return None

    def _display(self, record: VariableRecord, column: int) -> str:
        if column == self.KEY:
            return record.key
        if column == self.NAME:
            return record.name or "—"
        if column == self.SHAPE:
            return formatting.shape_text(record.shape)
        if column == self.DTYPE:
            return record.dtype
        if column == self.BYTES:
            return formatting.human_bytes(record.bytes)
        return formatting.role_text(record)

    def _sort_value(self, record: VariableRecord, column: int):
        if column == self.KEY:
            return record.key
        if column == self.NAME:
            return record.name or ""
        if column == self.SHAPE:
            return record.size
        if column == self.DTYPE:
            return record.dtype
        if column == self.BYTES:
            return record.bytes
        return formatting.role_text(record)

    def _tooltip(self, record: VariableRecord, column: int) -> str | None:
        if column == self.BYTES:
            return f"{formatting.count(record.bytes)} bytes"
        if column == self.SHAPE:
            return f"{formatting.count(record.size)} values"
        if column == self.ROLE and record.slot_of:
            return slot_description(record, self._by_key.get(record.slot_of))
        if column in (self.KEY, self.NAME):
            return record.key if column == self.KEY else record.name
        return None
