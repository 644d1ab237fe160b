"""An output's numbers as the panel shows them: the values table, the top-k table, and the
rules that decide which views an output gets (bars for vectors, softmax for logits, an image
for H×W×1/3 outputs)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QObject, Qt
from PySide6.QtGui import QImage

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.column_headers import ReadOnlyColumnsMixin
from ckpt_inspector.gui.preview_model import VALUE_ROLE, PreviewTableModel, as_grid, format_value
from ckpt_inspector.gui.theme import NO_INDEX, ModelIndex

PROBABILITY_TOLERANCE = 1e-3


def format_number(value: object) -> str:
    return format_value(value.item() if isinstance(value, np.generic) else value)


# -- which views an output gets (NumPy only) ---------------------------------------------------


def example(values: np.ndarray, index: int = 0) -> np.ndarray:
    """One example of a batched output (the whole output when it has no batch dimension)."""
    if values.ndim == 0:
        return values
    return values[min(max(index, 0), values.shape[0] - 1)] if values.shape[0] else values


def is_vector(values: np.ndarray) -> bool:
    """A batch of vectors with at least two entries of real numbers: classes, scores."""
    return values.ndim == 2 and values.shape[1] >= 2 and values.dtype.kind in "biuf"


def looks_like_logits(vector: np.ndarray) -> bool:
    """Not already probabilities: some value outside [0, 1] or a sum away from 1."""
    vector = np.asarray(vector, np.float64)
    if not np.all(np.isfinite(vector)):
        return False
    inside = bool(np.all((vector >= 0) & (vector <= 1)))
    return not (inside and abs(vector.sum() - 1.0) <= PROBABILITY_TOLERANCE)


def softmax(vector: np.ndarray) -> np.ndarray:
    shifted = np.asarray(vector, np.float64) - np.max(vector)
    exp = np.exp(shifted)
    return exp / exp.sum()


def top_k(vector: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first (ties: the lower index first)."""
    order = np.argsort(-np.asarray(vector, np.float64), kind="stable")
    return order[: max(k, 0)]


def is_image(values: np.ndarray) -> bool:
    """A batch of H×W×1 or H×W×3 real values, at least 2×2."""
    return (
        values.ndim == 4
        and values.shape[3] in (1, 3)
        and min(values.shape[1:3]) >= 2
        and values.dtype.kind in "biuf"
    )


def image_of(values: np.ndarray) -> QImage:
    """One H×W×1/3 example as an image, its values stretched from their min..max to 0..255."""
    array = np.asarray(values, np.float64)
    finite = array[np.isfinite(array)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    scaled = np.nan_to_num((array - lo) / ((hi - lo) or 1.0), nan=0.0, posinf=1.0, neginf=0.0)
    pixels = np.ascontiguousarray(np.clip(scaled * 255.0 + 0.5, 0, 255).astype(np.uint8))
    height, width, channels = pixels.shape
    fmt = QImage.Format.Format_Grayscale8 if channels == 1 else QImage.Format.Format_RGB888
    return QImage(pixels.tobytes(), width, height, width * channels, fmt).copy()


# -- models ------------------------------------------------------------------------------------


class OutputValuesModel(PreviewTableModel):
    """One example of an output as a 2-D grid: a vector is one column, a matrix a grid, more
    dimensions are folded into rows of the last one."""

    def set_values(self, values: np.ndarray | None, index: int = 0) -> None:
        self._set_grid(None if values is None else as_grid(example(values, index)))


class TopKModel(ReadOnlyColumnsMixin, QAbstractTableModel):
    """The largest entries of one vector: rank, index, label (from the labels file), value."""

    COLUMNS = ("Rank", "Index", "Label", "Value")
    RIGHT_ALIGNED = frozenset({0, 1, 3})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[int, str, float]] = []

    def set_vector(self, vector: np.ndarray | None, k: int, labels: list[str]) -> None:
        self.beginResetModel()
        self._rows = []
        if vector is not None:
            for i in top_k(vector, k):
                label = labels[i] if i < len(labels) else ""
                self._rows.append((int(i), label, float(vector[i])))
        self.endResetModel()

    def rows(self) -> list[tuple[int, str, float]]:
        return list(self._rows)

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = index.column()
        position, label, value = self._rows[index.row()]
        cells = (index.row() + 1, position, label, value)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_number(value) if column == 3 else str(cells[column])
        if role == VALUE_ROLE:
            return cells[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if column in self.RIGHT_ALIGNED else theme.LEFT
        if role == Qt.ItemDataRole.FontRole and column == 3:
            return theme.monospace_font()
        return None
