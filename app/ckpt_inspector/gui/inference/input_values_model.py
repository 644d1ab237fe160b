"""Values typed by hand for a small input: a row per example, a column per value.

Used for inputs with at most ``TABLE_LIMIT`` values per example (a few features, a handful of
token ids). Cells hold numbers of the input's dtype; what cannot be read as one is refused, so
the array handed to the worker is always well formed.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QObject, Qt

from ckpt_inspector.core.inference.records import InputSpec
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.inference.output_models import format_number
from ckpt_inspector.gui.theme import NO_INDEX, ModelIndex

TABLE_LIMIT = 64  # values per example


def values_per_example(spec: InputSpec) -> int:
    return int(np.prod(spec.concrete_shape(1)[1:], dtype=np.int64))


def fits_table(spec: InputSpec) -> bool:
    return spec.dtype not in ("string", "bool") and values_per_example(spec) <= TABLE_LIMIT


class InputValuesModel(QAbstractTableModel):
    """Editable; ``array()`` gives the values shaped as the input (batch first)."""

    def __init__(self, spec: InputSpec, batch: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._dtype = np.dtype(spec.dtype)
        self._values = np.zeros((batch, values_per_example(spec)), self._dtype)

    # -- public API ----------------------------------------------------------------------------

    def set_batch(self, batch: int) -> None:
        """Rows added are zeros, rows removed are forgotten."""
        rows = self._values.shape[0]
        if batch > rows:
            self.beginInsertRows(NO_INDEX, rows, batch - 1)
            extra = np.zeros((batch - rows, self._values.shape[1]), self._dtype)
            self._values = np.concatenate([self._values, extra])
            self.endInsertRows()
        elif batch < rows:
            self.beginRemoveRows(NO_INDEX, batch, rows - 1)
            self._values = self._values[:batch].copy()
            self.endRemoveRows()

    def set_row(self, row: int, values) -> None:
        self._values[row] = np.asarray(values, self._dtype).reshape(-1)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def array(self) -> np.ndarray:
        batch = self._values.shape[0]
        return self._values.reshape(self.spec.concrete_shape(batch)).copy()

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else int(self._values.shape[0])

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else int(self._values.shape[1])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        limit = self._values.shape[1 if orientation == Qt.Orientation.Horizontal else 0]
        if not 0 <= section < limit:
            return None
        return str(section) if orientation == Qt.Orientation.Horizontal else f"example {section}"

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._values[index.row(), index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_number(value)
        if role == Qt.ItemDataRole.EditRole:
            return value.item()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT
        if role == Qt.ItemDataRole.FontRole:
            return theme.monospace_font()
        return None

    def setData(self, index: ModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            number = float(str(value).strip()) if isinstance(value, str) else float(value)
            if self._dtype.kind in "iu":
                if not number.is_integer():
                    return False
                number = int(number)
            self._values[index.row(), index.column()] = number
        except (TypeError, ValueError, OverflowError):
            return False
        self.dataChanged.emit(index, index)
        return True
