"""A TensorPreview's values as a table: a scalar is one cell, a vector one column, a matrix a
grid; more dimensions are folded into rows of the last dimension."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QObject, Qt

from ckpt_inspector.core.records import TensorPreview
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.theme import NO_INDEX, ModelIndex

VALUE_ROLE = Qt.ItemDataRole.UserRole + 10  # the raw Python value of a cell


def as_grid(values: object) -> np.ndarray:
    """The preview values as a 2-D array (rows x columns)."""
    array = np.asarray(values)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(-1, 1)
    if array.ndim == 2:
        return array
    return array.reshape(-1, array.shape[-1])


def format_value(value: object) -> str:
    if isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
        return repr(text) if len(text) <= 200 else repr(text[:200]) + "…"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (complex, np.complexfloating)):
        return f"{complex(value):.4g}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


class PreviewTableModel(QAbstractTableModel):
    """Any array as a read-only grid of formatted cells (``VALUE_ROLE`` gives the raw value);
    the inference panel's output table is the same grid over one example."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grid = np.empty((0, 0))
        self._numeric = True

    # -- public API ----------------------------------------------------------------------------

    def set_preview(self, preview: TensorPreview | None) -> None:
        self._set_grid(None if preview is None else as_grid(preview.values))

    def _set_grid(self, grid: np.ndarray | None) -> None:
        self.beginResetModel()
        self._grid = np.empty((0, 0)) if grid is None else grid
        self._numeric = self._grid.dtype.kind in "biufc"
        self.endResetModel()

    def grid(self) -> np.ndarray:
        return self._grid

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else int(self._grid.shape[0])

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else int(self._grid.shape[1])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role == Qt.ItemDataRole.DisplayRole:
            limit = self._grid.shape[1 if orientation == Qt.Orientation.Horizontal else 0]
            return str(section) if 0 <= section < limit else None
        if role == Qt.ItemDataRole.FontRole:
            return theme.monospace_font()
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, VALUE_ROLE):
            value = self._grid[index.row(), index.column()]
            if role == VALUE_ROLE:
                return value.item() if isinstance(value, np.generic) else value
            if role == Qt.ItemDataRole.ToolTipRole:
                return repr(value.item() if isinstance(value, np.generic) else value)
            return format_value(value)
        if role == Qt.ItemDataRole.FontRole:
            return theme.monospace_font()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if self._numeric else theme.LEFT
        return None
