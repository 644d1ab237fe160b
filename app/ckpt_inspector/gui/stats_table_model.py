"""Statistics of one or more tensors as a table: a row per statistic, a column per tensor.

The histogram tab shows one column; the comparison tab shows the reference, the selected
checkpoint and their difference side by side. Rows depend on the kind of values (a bool tensor
has no mean). NaN and ±Inf rows are always present and stand out in red when non-zero: they are
never left out of the histogram silently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QObject, Qt
from PySide6.QtGui import QBrush

from ckpt_inspector.core.statistics.records import TensorStats, ValueKind
from ckpt_inspector.gui import formatting, theme
from ckpt_inspector.gui.theme import NO_INDEX, ModelIndex

VALUE_ROLE = Qt.ItemDataRole.UserRole + 20  # the raw number of a cell (None where undefined)

FINITE_NOTE = "Over the finite values only: NaN and ±Inf are counted in their own rows."


@dataclass(frozen=True)
class StatRow:
    label: str
    value: Callable[[TensorStats], float | int | None]
    kind: str = "float"  # "count", "float" or "fraction"
    alarm: bool = False  # shown in red when non-zero
    tooltip: str = ""


def _fraction(part: int, stats: TensorStats) -> float | None:
    return part / stats.count if stats.count else None


_COUNT = StatRow("Elements", lambda s: s.count, "count")
_MOMENTS = (
    StatRow("Mean", lambda s: s.mean, tooltip=FINITE_NOTE),
    StatRow("Std", lambda s: s.std, tooltip=FINITE_NOTE),
    StatRow("Min", lambda s: s.min, tooltip=FINITE_NOTE),
    StatRow("Max", lambda s: s.max, tooltip=FINITE_NOTE),
)
_NOT_FINITE = (
    StatRow("NaN", lambda s: s.nan, "count", alarm=True),
    StatRow("+Inf", lambda s: s.posinf, "count", alarm=True),
    StatRow("−Inf", lambda s: s.neginf, "count", alarm=True),
)
_REAL = (
    _COUNT,
    *_MOMENTS,
    StatRow("Max |x|", lambda s: s.max_abs, tooltip=FINITE_NOTE),
    StatRow("L2 norm", lambda s: s.l2_norm, tooltip=FINITE_NOTE),
    StatRow("Zeros", lambda s: _fraction(s.zeros, s), "fraction"),
    *_NOT_FINITE,
)
_BOOL = (
    _COUNT,
    StatRow("True", lambda s: s.true_count, "count"),
    StatRow(
        "False",
        lambda s: None if s.true_count is None else s.count - s.true_count,
        "count",
    ),
    StatRow(
        "Fraction true",
        lambda s: None if s.true_count is None else _fraction(s.true_count, s),
        "fraction",
    ),
)
_STRING = (
    _COUNT,
    StatRow("Mean length", lambda s: s.mean),
    StatRow("Min length", lambda s: s.min),
    StatRow("Max length", lambda s: s.max),
    StatRow("Empty strings", lambda s: _fraction(s.zeros, s), "fraction"),
)


def not_finite_text(stats: TensorStats) -> str:
    """``"3 NaN · 1 +Inf"``; empty when every value is finite."""
    parts = [
        f"{formatting.count(n)} {label}"
        for n, label in ((stats.nan, "NaN"), (stats.posinf, "+Inf"), (stats.neginf, "−Inf"))
        if n
    ]
    return " · ".join(parts)


def percentile_label(q: float) -> str:
    text = f"{q:g}"
    return f"p{text} (median)" if q == 50 else f"p{text}"


def rows_for(stats: Sequence[TensorStats]) -> list[StatRow]:
    """The rows for these tensors: by the kind of the first, plus every percentile any has."""
    if not stats:
        return []
    kind = stats[0].kind
    if kind is ValueKind.BOOL:
        return list(_BOOL)
    if kind is ValueKind.EMPTY:
        return [_COUNT]
    base = list(_STRING if kind is ValueKind.STRING else _REAL)
    quantiles = sorted({q for s in stats for q in s.percentiles})
    base += [
        StatRow(
            percentile_label(q),
            lambda s, q=q: s.percentiles.get(q),
            tooltip=f"{q:g} % of the finite values are at or below this",
        )
        for q in quantiles
    ]
    return base


def format_stat(value: float | int | None, kind: str, stats: TensorStats | None = None) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return formatting.count(int(value))
    if kind == "fraction":
        text = f"{100 * value:.3g} %"
        if stats is not None and stats.count:
            text += f" ({formatting.count(round(value * stats.count))})"
        return text
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{float(value):.6g}"


class StatsTableModel(QAbstractTableModel):
    """Columns: the statistic's name, then one per tensor given to ``set_stats``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._stats: list[TensorStats] = []
        self._rows: list[StatRow] = []

    # -- public API ----------------------------------------------------------------------------

    def set_stats(self, columns: Sequence[tuple[str, TensorStats]]) -> None:
        """``columns``: (header, stats) pairs; an empty sequence clears the table."""
        self.beginResetModel()
        self._labels = [label for label, _ in columns]
        self._stats = [stats for _, stats in columns]
        self._rows = rows_for(self._stats)
        self.endResetModel()

    def table(self) -> list[list[object]]:
        """The raw values: a header row, then ``[label, value, ...]`` per statistic (CSV)."""
        rows: list[list[object]] = [["statistic", *self._labels]]
        for row in self._rows:
            rows.append([row.label, *(row.value(s) for s in self._stats)])
        return rows

    def row_labels(self) -> list[str]:
        return [row.label for row in self._rows]

    def value(self, label: str, column: int = 0) -> float | int | None:
        row = self.row_labels().index(label)
        return self._rows[row].value(self._stats[column])

    def alarms(self) -> list[str]:
        """Labels of the rows shown in red (non-zero NaN/Inf counts in any column)."""
        return [row.label for row in self._rows if self._is_alarm(row)]

    # -- helpers -------------------------------------------------------------------------------

    def _is_alarm(self, row: StatRow) -> bool:
        return row.alarm and any((row.value(s) or 0) > 0 for s in self._stats)

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else 1 + len(self._stats)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "Statistic"
        if 1 <= section <= len(self._labels):
            return self._labels[section - 1]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        stats = self._stats[column - 1] if column > 0 else None
        value = row.value(stats) if stats is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.label if stats is None else format_stat(value, row.kind, stats)
        if role == VALUE_ROLE:
            return row.label if stats is None else value
        if role == Qt.ItemDataRole.ToolTipRole:
            if stats is None or value is None:
                return row.tooltip or None
            return f"{value!r}" + (f"\n{row.tooltip}" if row.tooltip else "")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.LEFT if stats is None else theme.RIGHT
        alarm = self._is_alarm(row)
        if role == Qt.ItemDataRole.ForegroundRole and alarm:
            return QBrush(theme.color("error"))
        if role == Qt.ItemDataRole.BackgroundRole and alarm:
            return QBrush(theme.color("alarm_background"))
        if role == Qt.ItemDataRole.FontRole:
            if alarm:
                return theme.bold_font()
            if stats is not None:
                return theme.monospace_font()
        return None
