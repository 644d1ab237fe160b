"""The variables of one checkpoint as a tree by path, optimizer slots under their variable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush

from ckpt_inspector.core.records import VariableRecord, VariableRole
from ckpt_inspector.gui import formatting, theme
from ckpt_inspector.gui.column_headers import ReadOnlyColumnsMixin
from ckpt_inspector.gui.theme import NO_INDEX, RECORD_ROLE, SORT_ROLE, ModelIndex
from ckpt_inspector.gui.variable_table_model import (
    haystack,
    order_with_slots,
    role_brush,
    slot_description,
)


@dataclass(eq=False)
class _Node:
    """One row: a path segment (group) or a variable; ``id`` is its index in the node list."""

    id: int
    label: str
    parent: int  # -1 for the invisible root
    row: int
    record: VariableRecord | None = None
    children: list[int] = field(default_factory=list)
    by_label: dict[str, int] = field(default_factory=dict)
    haystack: str = ""
    total_bytes: int = 0
    variables: int = 0


class VariableTreeModel(ReadOnlyColumnsMixin, QAbstractItemModel):
    """Indexes carry the node id as ``internalId``; node 0 is the invisible root."""

    COLUMNS = ("Name", "Shape", "Dtype", "Bytes", "Role")
    NAME, SHAPE, DTYPE, BYTES, ROLE = range(5)
    RIGHT_ALIGNED = frozenset({BYTES})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._nodes: list[_Node] = [_Node(0, "", -1, 0)]
        self._by_key: dict[str, int] = {}
        self._records: dict[str, VariableRecord] = {}

    # -- public API ----------------------------------------------------------------------------

    def set_variables(self, records: Iterable[VariableRecord]) -> None:
        self.beginResetModel()
        self._build(order_with_slots(records))
        self.endResetModel()

    def record(self, index: ModelIndex) -> VariableRecord | None:
        return self._node(index).record if index.isValid() else None

    record_at = record  # the name the filter proxy and the browser use for both models

    def index_of(self, key: str) -> QModelIndex:
        node_id = self._by_key.get(key)
        if node_id is None:
            return QModelIndex()
        node = self._nodes[node_id]
        return self.createIndex(node.row, 0, node.id)

    def path_of(self, index: ModelIndex) -> list[str]:
        """Labels from the top level down to ``index`` (for tests and tooltips)."""
        labels = []
        node = self._node(index)
        while node.id != 0:
            labels.append(node.label)
            node = self._nodes[node.parent]
        return labels[::-1]

    def filter_item(
        self, source_row: int, source_parent: ModelIndex
    ) -> tuple[str, VariableRole] | None:
        parent = self._node(source_parent) if source_parent.isValid() else self._nodes[0]
        node = self._nodes[parent.children[source_row]]
        if node.record is None:
            return None
        return node.haystack, node.record.role

    def _node(self, index: ModelIndex) -> _Node:
        return self._nodes[index.internalId()] if index.isValid() else self._nodes[0]

    def _add(self, parent: _Node, label: str, record: VariableRecord | None) -> _Node:
        node = _Node(len(self._nodes), label, parent.id, len(parent.children), record)
        self._nodes.append(node)
        parent.children.append(node.id)
        parent.by_label.setdefault(label, node.id)
        return node

    def _build(self, records: list[VariableRecord]) -> None:
        self._nodes = [_Node(0, "", -1, 0)]
        self._by_key = {}
        self._records = {r.key: r for r in records}
        for record in records:
            owner = self._by_key.get(record.slot_of) if record.slot_of else None
            if owner is not None:
                label = record.slot_name or formatting.variable_path(record)[-1]
                node = self._add(self._nodes[owner], label, record)
            else:
                node = self._place(formatting.variable_path(record), record)
            node.haystack = haystack(record)
            self._by_key[record.key] = node.id
        for node in reversed(self._nodes):  # children always come after their parent
            if node.record is not None:
                node.total_bytes += node.record.bytes
                node.variables += 1
            if node.parent >= 0:
                self._nodes[node.parent].total_bytes += node.total_bytes
                self._nodes[node.parent].variables += node.variables

    def _place(self, path: list[str], record: VariableRecord) -> _Node:
        parent = self._nodes[0]
        for label in path[:-1]:
            existing = parent.by_label.get(label)
            parent = (
                self._nodes[existing] if existing is not None else self._add(parent, label, None)
            )
        existing = parent.by_label.get(path[-1])
        if existing is not None and self._nodes[existing].record is None:
            # "dense/kernel" listed after "dense/kernel/..." made the group first: attach to it.
            self._nodes[existing].record = record
            return self._nodes[existing]
        return self._add(parent, path[-1], record)

    # -- Qt overrides --------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = NO_INDEX) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._node(parent).children[row])

    def parent(self, index: ModelIndex | None = None) -> QModelIndex:  # type: ignore[override]
        if index is None:
            return QObject.parent(self)  # type: ignore[return-value]
        if not index.isValid():
            return QModelIndex()
        parent = self._nodes[self._node(index).parent]
        if parent.id == 0:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent.id)

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return len(self.COLUMNS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._node(index)
        column = index.column()
        if role == RECORD_ROLE:
            return node.record
        if node.record is None:
            return self._group_data(node, column, role)
        record = node.record
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(node, record, column)
        if role == SORT_ROLE:
            return self._sort_value(node, column)
        if role == Qt.ItemDataRole.FontRole and column in (self.SHAPE, self.DTYPE):
            return theme.monospace_font()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if column == self.BYTES else theme.LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            return role_brush(record.role)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.BYTES:
                return f"{formatting.count(record.bytes)} bytes"
            if record.slot_of:
                owner = self._records.get(record.slot_of)
                return f"{record.key}\n{slot_description(record, owner)}"
            return record.key
        return None

    # -- cell contents -------------------------------------------------------------------------

    def _display(self, node: _Node, record: VariableRecord, column: int) -> str:
        if column == self.NAME:
            return node.label
        if column == self.SHAPE:
            return formatting.shape_text(record.shape)
        if column == self.DTYPE:
            return record.dtype
        if column == self.BYTES:
            return formatting.human_bytes(record.bytes)
        return formatting.role_text(record)

    def _sort_value(self, node: _Node, column: int):
        if column == self.NAME:
            return node.label.lower()
        if column == self.SHAPE:
            return node.record.size if node.record else -1
        if column == self.DTYPE:
            return node.record.dtype if node.record else ""
        if column == self.BYTES:
            return node.total_bytes
        return formatting.role_text(node.record) if node.record else ""

    def _group_data(self, node: _Node, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return node.label
            if column == self.BYTES:
                return formatting.human_bytes(node.total_bytes)
            return None
        if role == SORT_ROLE:
            return self._sort_value(node, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if column == self.BYTES else theme.LEFT
        if role == Qt.ItemDataRole.ForegroundRole and column == self.BYTES:
            return QBrush(theme.color("muted"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{formatting.count(node.variables)} variables, "
                f"{formatting.human_bytes(node.total_bytes)}"
            )
        return None
