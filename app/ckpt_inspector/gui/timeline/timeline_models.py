"""Tables of the Timeline dock: one row per variable, and the findings.

Both are read-only ``QAbstractTableModel``s over the plain records of ``core.timeline``; the
proxy sorts on ``SORT_ROLE`` (numbers, missing values last) and filters on every term of the
filter box against the variable's name and key.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from ckpt_inspector.core.timeline.records import (
    Timeline,
    TimelineFinding,
    TimelineFindingKind,
    VariableSeries,
)
from ckpt_inspector.gui import formatting, theme
from ckpt_inspector.gui.column_headers import ReadOnlyColumnsMixin
from ckpt_inspector.gui.record_table import TermFilterProxy
from ckpt_inspector.gui.theme import NO_INDEX, RECORD_ROLE, SORT_ROLE, ModelIndex

FINDING_TEXT = {
    TimelineFindingKind.NAN_INF: "NaN / Inf",
    TimelineFindingKind.BLOW_UP: "Norm blow-up",
    TimelineFindingKind.IDENTICAL: "Identical checkpoints",
    TimelineFindingKind.NEVER_CHANGES: "Never changes",
}


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def largest_change(series: VariableSeries) -> tuple[float | None, int | None]:
    known = [(v, t) for t, v in enumerate(series.relative_change) if v is not None]
    return max(known) if known else (None, None)


def first_nonfinite(series: VariableSeries) -> int | None:
    return next((t for t, n in enumerate(series.nonfinite) if n), None)


class TimelineVariablesModel(ReadOnlyColumnsMixin, QAbstractTableModel):
    VARIABLE, ROLE, SHAPE, LAST_NORM, LARGEST_CHANGE, LAST_CHANGE, NONFINITE = range(7)
    COLUMNS = (
        "Variable", "Role", "Shape", "Last norm", "Largest change", "Last change", "NaN/Inf from",
    )  # fmt: skip
    RIGHT_ALIGNED = frozenset({LAST_NORM, LARGEST_CHANGE, LAST_CHANGE})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeline: Timeline | None = None
        self._rows: tuple[VariableSeries, ...] = ()

    def set_timeline(self, timeline: Timeline | None) -> None:
        self.beginResetModel()
        self._timeline = timeline
        self._rows = timeline.variables if timeline is not None else ()
        self.endResetModel()

    def series(self, row: int) -> VariableSeries:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        return next((i for i, s in enumerate(self._rows) if s.key == key), None)

    def _where(self, t: int | None) -> str:
        if t is None or self._timeline is None:
            return ""
        checkpoint = self._timeline.checkpoints[t]
        return checkpoint.name if checkpoint.step is None else f"step {checkpoint.step}"

    def _cell(self, series: VariableSeries, column: int) -> tuple[str, object]:
        """(text, sort key) of a cell."""
        if column == self.VARIABLE:
            return series.label, series.label.lower()
        if column == self.ROLE:
            return series.role, series.role
        if column == self.SHAPE:
            return formatting.shape_text(series.shape), math.prod(series.shape)
        if column == self.LAST_NORM:
            value = series.norm[-1]
            return number(value), -math.inf if value is None else value
        if column == self.LAST_CHANGE:
            value = series.relative_change[-1]
            return number(value), -math.inf if value is None else value
        if column == self.LARGEST_CHANGE:
            value, t = largest_change(series)
            text = "–" if value is None else f"{value:.3g} at {self._where(t)}"
            if value == 0:
                text = "none"
            return text, -math.inf if value is None else value
        t = first_nonfinite(series)
        return self._where(t), math.inf if t is None else t

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        series = self._rows[index.row()]
        column = index.column()
        if role == RECORD_ROLE:
            return series
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(series, column)[0]
        if role == SORT_ROLE:
            return self._cell(series, column)[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return series.key
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and first_nonfinite(series) is not None:
            return theme.color("urgent")
        return None


class TimelineFilterProxy(TermFilterProxy):
    """Rows whose name or key holds every whitespace-separated term, sorted on SORT_ROLE."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def series_at(self, index: ModelIndex) -> VariableSeries | None:
        if not index.isValid():
            return None
        return self.sourceModel().series(self.mapToSource(index).row())

    def shown_series(self) -> list[VariableSeries]:
        return [self.series_at(self.index(row, 0)) for row in range(self.rowCount())]

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        series = self.sourceModel().series(source_row)
        return self.matches(f"{series.key} {series.name or ''}".lower())


class TimelineFindingsModel(ReadOnlyColumnsMixin, QAbstractTableModel):
    FINDING, CHECKPOINT, DETAILS = range(3)
    COLUMNS = ("Finding", "Where", "Details")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._findings: tuple[TimelineFinding, ...] = ()
        self._names: tuple[str, ...] = ()

    def set_timeline(self, timeline: Timeline | None) -> None:
        self.beginResetModel()
        self._findings = timeline.findings if timeline is not None else ()
        self._names = tuple(c.name for c in timeline.checkpoints) if timeline else ()
        self.endResetModel()

    def finding(self, row: int) -> TimelineFinding:
        return self._findings[row]

    def findings(self) -> Sequence[TimelineFinding]:
        return self._findings

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._findings)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        finding = self._findings[index.row()]
        if role == RECORD_ROLE:
            return finding
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == self.FINDING:
                return FINDING_TEXT[finding.kind]
            if index.column() == self.CHECKPOINT:
                return "" if finding.checkpoint is None else self._names[finding.checkpoint]
            return finding.message
        if role == Qt.ItemDataRole.ForegroundRole and finding.kind in (
            TimelineFindingKind.NAN_INF,
            TimelineFindingKind.BLOW_UP,
        ):
            return theme.color("urgent")
        return None
