"""The key mapping under review as a table: one row per model variable.

The Status column carries a check box (checked: the row's tensor goes into the mapping; uncheck
to reject, check to accept); the Checkpoint key column is edited with a combo of checkpoint
weights (``mapping_delegate``). An edit the draft refuses (another shape, a dtype cast not
allowed, optimizer state) changes nothing and is said once through ``refused``. Rows take the
diff table's colours: mapped rows as matched, ambiguous ones as a warning, unmapped ones as
missing, rejected ones as unused; a mapped row that would still not restore (dtype) as a
mismatch.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.key_patterns import ATTRIBUTES
from ckpt_inspector.core.matching.markdown import shape_text
from ckpt_inspector.core.matching.records import MatchStatus
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.column_headers import ColumnsMixin
from ckpt_inspector.gui.diff.diff_model import status_look
from ckpt_inspector.gui.diff.mapping_draft import DraftRow, MappingDraft, RowStatus
from ckpt_inspector.gui.record_table import TermFilterProxy
from ckpt_inspector.gui.theme import NO_INDEX, RECORD_ROLE, SORT_ROLE, ModelIndex

CANDIDATES_ROLE = Qt.ItemDataRole.UserRole + 10  # (same-shape keys, other keys) for the combo

_LOOKS = {
    RowStatus.PROPOSED: MatchStatus.MATCHED,
    RowStatus.ACCEPTED: MatchStatus.MATCHED,
    RowStatus.EDITED: MatchStatus.MATCHED,
    RowStatus.AMBIGUOUS: MatchStatus.DTYPE_MISMATCH,
    RowStatus.UNMAPPED: MatchStatus.MISSING,
    RowStatus.REJECTED: MatchStatus.UNUSED,
}
# Rows that need a decision sort first.
_RANK = {
    RowStatus.AMBIGUOUS: 0,
    RowStatus.UNMAPPED: 1,
    RowStatus.PROPOSED: 2,
    RowStatus.EDITED: 3,
    RowStatus.ACCEPTED: 4,
    RowStatus.REJECTED: 5,
}
_VALUE_SUFFIX = ATTRIBUTES + "VARIABLE_VALUE"


def short_key(key: str) -> str:
    """``model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`` ->
    ``model/layer_with_weights-0/kernel``: the part that differs between keys."""
    return key.removesuffix(_VALUE_SUFFIX)


def status_text(row: DraftRow, restores: bool) -> str:
    text = row.status.value.capitalize()
    if row.by_rule:
        text += " (rule)"
    if row.applied and not restores:
        text += ": not restored"
    return text


def key_text(row: DraftRow) -> str:
    if row.checkpoint_key is not None:
        return short_key(row.checkpoint_key)
    if row.status is RowStatus.AMBIGUOUS and row.candidates:
        names = [short_key(k) for k in row.candidates]
        if len(names) == 2:
            return f"Choose: {names[0]} or {names[1]}"
        return f"Choose one of {len(names)}: {', '.join(names)}"
    return ""


class MappingTableModel(ColumnsMixin, QAbstractTableModel):
    COLUMNS = (
        "Status",
        "Model variable",
        "Shape",
        "Dtype",
        "Checkpoint key",
        "Key shape",
        "Key dtype",
        "Reason",
    )
    STATUS, MODEL, SHAPE, DTYPE, KEY, KEY_SHAPE, KEY_DTYPE, REASON = range(8)

    changed = Signal()  # the draft changed (the panel recounts the summary)
    refused = Signal(str)  # an edit the draft refused, in one sentence

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._draft: MappingDraft | None = None

    # -- public API ----------------------------------------------------------------------------

    def draft(self) -> MappingDraft | None:
        return self._draft

    def set_draft(self, draft: MappingDraft | None) -> None:
        self.beginResetModel()
        self._draft = draft
        self.endResetModel()
        self.changed.emit()

    def row_of(self, model_variable: str) -> int:
        names = [r.model_variable for r in self._rows()]
        return names.index(model_variable)

    def accept(self, row: int) -> bool:
        return self._apply(lambda draft: draft.accept(row))

    def reject(self, row: int) -> bool:
        return self._apply(lambda draft: draft.reject(row))

    def edit(self, row: int, key: str | None) -> bool:
        return self._apply(lambda draft: draft.edit(row, key))

    def set_rules(self, rules) -> bool:
        return self._apply(lambda draft: draft.set_rules(rules))

    def set_allow_cast(self, allow: bool) -> bool:
        return self._apply(lambda draft: draft.set_allow_cast(allow))

    # -- helpers -------------------------------------------------------------------------------

    def _rows(self) -> tuple[DraftRow, ...]:
        return self._draft.rows() if self._draft is not None else ()

    def _apply(self, change) -> bool:
        """Run ``change`` on the draft; any row may change (rules refill), so all are
        repainted. A refusal is said and changes nothing."""
        if self._draft is None:
            return False
        try:
            change(self._draft)
        except InspectorError as error:
            self.refused.emit(error.message)
            return False
        if self._rows():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.changed.emit()
        return True

    def _display(self, row: DraftRow, column: int) -> str:
        record = self._draft.record(row.checkpoint_key)
        if column == self.STATUS:
            return status_text(row, self._draft.restores(row))
        if column == self.MODEL:
            return row.model_variable
        if column == self.SHAPE:
            return shape_text(row.model_shape)
        if column == self.DTYPE:
            return row.model_dtype
        if column == self.KEY:
            return key_text(row)
        if column == self.KEY_SHAPE:
            return shape_text(tuple(record.shape)) if record is not None else ""
        if column == self.KEY_DTYPE:
            return record.dtype if record is not None else ""
        return row.reason

    def _tooltip(self, row: DraftRow) -> str:
        lines = [f"{row.model_variable}: {status_text(row, self._draft.restores(row))}"]
        if row.checkpoint_key:
            record = self._draft.record(row.checkpoint_key)
            lines.append(f"Checkpoint key: {row.checkpoint_key}")
            if record is not None and record.name:
                lines.append(f"Checkpoint name: {record.name}")
        if row.candidates:
            lines.append("Candidates:\n" + "\n".join(f"  {k}" for k in row.candidates))
        if row.reason:
            lines.append(row.reason)
        if row.applied and not self._draft.restores(row):
            lines.append("The dtypes differ: tick Allow dtype casts to restore it.")
        lines.append("Double-click the checkpoint key to choose another tensor.")
        return "\n".join(lines)

    def _look(self, row: DraftRow):
        if row.applied and not self._draft.restores(row):
            return status_look(MatchStatus.SHAPE_MISMATCH)
        return status_look(_LOOKS[row.status])

    @staticmethod
    def _sort_key(row: DraftRow, column: int, text: str) -> tuple:
        if column == MappingTableModel.STATUS:
            return (_RANK[row.status], row.model_variable)
        return (text.lower(), row.model_variable)

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows())

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        row = self._rows()[index.row()]
        if index.column() == self.STATUS and row.checkpoint_key is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.KEY:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows()[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.EditRole:
            return row.checkpoint_key or "" if column == self.KEY else None
        if role == Qt.ItemDataRole.CheckStateRole:
            if column != self.STATUS or row.checkpoint_key is None:
                return None
            return Qt.CheckState.Checked if row.applied else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(self._look(row).background)
        if role == Qt.ItemDataRole.ForegroundRole:
            look = self._look(row)
            return QBrush(look.status_color if column == self.STATUS else look.text_color)
        if role == Qt.ItemDataRole.FontRole:
            if column == self.KEY and row.checkpoint_key is None and row.candidates:
                return theme.italic_font()
            if column == self.KEY and row.checkpoint_key:
                return theme.monospace_font()
            if column == self.STATUS and _RANK[row.status] < _RANK[RowStatus.PROPOSED]:
                return theme.bold_font()
            return None
        if role == RECORD_ROLE:
            return row
        if role == CANDIDATES_ROLE:
            return self._draft.candidates(index.row())
        if role == SORT_ROLE:
            return self._sort_key(row, column, self._display(row, column))
        return None

    def setData(
        self,
        index: ModelIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if not index.isValid() or self._draft is None:
            return False
        row = index.row()
        if index.column() == self.STATUS and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            return self.accept(row) if checked else self.reject(row)
        if index.column() == self.KEY and role == Qt.ItemDataRole.EditRole:
            key = str(value) if value else None
            if key == self._rows()[row].checkpoint_key:
                return False
            return self.edit(row, key)
        return False


class MappingFilterProxy(TermFilterProxy):
    """Sorts by ``SORT_ROLE`` (decisions needed first under Status) and keeps the rows whose
    text holds every term of the filter box."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def row_at(self, index: ModelIndex) -> int:
        """The draft's row of a proxy index."""
        return self.mapToSource(index).row()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self.has_terms():
            return True
        model = self.sourceModel()
        text = "\n".join(
            str(model.data(model.index(source_row, c, source_parent)) or "")
            for c in range(model.columnCount())
        ).lower()
        return self.matches(text)

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        return left.data(SORT_ROLE) < right.data(SORT_ROLE)
