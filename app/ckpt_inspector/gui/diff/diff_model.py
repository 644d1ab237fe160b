"""A diff report's entries as a table, and the proxy that filters and sorts them.

Rows are coloured by status. Each look sets the text colour as well as the background, so the
pale backgrounds stay readable under a dark palette too. Problems sort first (shape and dtype
mismatches, then model variables the checkpoint lacks, then unused weights), matched entries
next, and unused optimizer state and bookkeeping last; the proxy hides that leftover state
unless asked, so it never buries a real gap.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from ckpt_inspector.core.matching.markdown import shape_text
from ckpt_inspector.core.matching.records import DiffEntry, MatchStatus
from ckpt_inspector.core.records import VariableRole
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.record_table import RecordFilterProxy, RecordTableModel


@dataclass(frozen=True)
class StatusLook:
    label: str  # the Status column and the filter button
    status_color: QColor  # text of the Status column
    text_color: QColor  # text of the other columns
    background: QColor


STATUS_LOOKS = {
    MatchStatus.MATCHED: StatusLook(
        "Matched", QColor("#1e6b30"), QColor("#202124"), QColor("#e6f4ea")
    ),
    MatchStatus.SHAPE_MISMATCH: StatusLook(
        "Shape mismatch", QColor("#b00020"), QColor("#202124"), QColor("#fde2e1")
    ),
    MatchStatus.DTYPE_MISMATCH: StatusLook(
        "Dtype mismatch", QColor("#9a4200"), QColor("#202124"), QColor("#ffeedd")
    ),
    MatchStatus.MISSING: StatusLook(
        "Missing", QColor("#b00020"), QColor("#202124"), QColor("#fbeaec")
    ),
    MatchStatus.UNUSED: StatusLook(
        "Unused", QColor("#5f6368"), QColor("#5f6368"), QColor("#f1f3f4")
    ),
}
# The dark scheme: the same hues as deep tints behind light text.
DARK_STATUS_LOOKS = {
    MatchStatus.MATCHED: StatusLook(
        "Matched", QColor("#81c995"), QColor("#e8eaed"), QColor("#1d3325")
    ),
    MatchStatus.SHAPE_MISMATCH: StatusLook(
        "Shape mismatch", QColor("#ff8a80"), QColor("#e8eaed"), QColor("#4a1f1f")
    ),
    MatchStatus.DTYPE_MISMATCH: StatusLook(
        "Dtype mismatch", QColor("#ffb74d"), QColor("#e8eaed"), QColor("#3f2a14")
    ),
    MatchStatus.MISSING: StatusLook(
        "Missing", QColor("#ff8a80"), QColor("#e8eaed"), QColor("#3d2226")
    ),
    MatchStatus.UNUSED: StatusLook(
        "Unused", QColor("#9aa0a6"), QColor("#9aa0a6"), QColor("#2a2b2e")
    ),
}


def status_look(status: MatchStatus) -> StatusLook:
    """The look of a status in the colour scheme shown now."""
    looks = DARK_STATUS_LOOKS if theme.scheme() == theme.DARK else STATUS_LOOKS
    return looks[status]


# Problems first, then what is fine, then what is merely left over.
_RANK = {
    MatchStatus.SHAPE_MISMATCH: 0,
    MatchStatus.DTYPE_MISMATCH: 1,
    MatchStatus.MISSING: 2,
    MatchStatus.UNUSED: 3,
    MatchStatus.MATCHED: 4,
}
LEFTOVER_RANK = 5


def is_leftover(entry: DiffEntry) -> bool:
    """Unused optimizer state or bookkeeping: expected after training, never a gap."""
    return entry.status is MatchStatus.UNUSED and entry.role is not VariableRole.WEIGHT


def rank(entry: DiffEntry) -> int:
    return LEFTOVER_RANK if is_leftover(entry) else _RANK[entry.status]


def status_label(entry: DiffEntry) -> str:
    label = STATUS_LOOKS[entry.status].label
    if is_leftover(entry):
        return f"{label} ({entry.role.value})"
    return label


def _size(shape: tuple | None) -> int:
    """Elements of a shape for sorting: -1 for none or an unknown dimension."""
    if shape is None or any(d is None for d in shape):
        return -1
    return math.prod(shape)


def entry_haystack(entry: DiffEntry) -> str:
    parts = (
        entry.model,
        entry.checkpoint_key,
        entry.checkpoint_name,
        status_label(entry),
        entry.role.value,
        entry.note,
    )
    return "\n".join(p for p in parts if p).lower()


def count_by_status(
    entries: tuple[DiffEntry, ...] | list[DiffEntry], *, leftovers: bool
) -> Counter[MatchStatus | None]:
    """How many entries each status filter shows (``None``: all of them)."""
    counts: Counter[MatchStatus | None] = Counter()
    for entry in entries:
        if is_leftover(entry) and not leftovers:
            continue
        counts[entry.status] += 1
        counts[None] += 1
    return counts


class DiffEntriesModel(RecordTableModel[DiffEntry]):
    COLUMNS = (
        "Status",
        "Model variable",
        "Checkpoint name",
        "Checkpoint key",
        "Model shape",
        "Checkpoint shape",
        "Model dtype",
        "Checkpoint dtype",
        "Role",
    )
    (
        STATUS,
        MODEL,
        NAME,
        CHECKPOINT,
        MODEL_SHAPE,
        CHECKPOINT_SHAPE,
        MODEL_DTYPE,
        CHECKPOINT_DTYPE,
        ROLE,
    ) = range(9)

    haystack_of = staticmethod(entry_haystack)

    def record_data(self, entry: DiffEntry, column: int, role: int):
        look = status_look(entry.status)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(look.background)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(look.status_color if column == self.STATUS else look.text_color)
        if role == Qt.ItemDataRole.FontRole:
            if column == self.STATUS and rank(entry) < _RANK[MatchStatus.UNUSED]:
                return theme.bold_font()
            if self._is_conflict(entry, column):
                return theme.bold_font()
            if column == self.CHECKPOINT and entry.checkpoint_key:
                return theme.monospace_font()
        return None

    def _display(self, entry: DiffEntry, column: int) -> str:
        if column == self.STATUS:
            return status_label(entry)
        if column == self.MODEL:
            return entry.model or ""
        if column == self.NAME:
            return entry.distinct_name or ""
        if column == self.CHECKPOINT:
            return entry.checkpoint_key or ""
        if column == self.MODEL_SHAPE:
            return shape_text(entry.model_shape)
        if column == self.CHECKPOINT_SHAPE:
            return shape_text(entry.checkpoint_shape)
        if column == self.MODEL_DTYPE:
            return entry.model_dtype or ""
        if column == self.CHECKPOINT_DTYPE:
            return entry.checkpoint_dtype or ""
        return entry.role.value

    def _is_conflict(self, entry: DiffEntry, column: int) -> bool:
        """The cells that say what does not fit: both shapes, or both dtypes."""
        if entry.status is MatchStatus.SHAPE_MISMATCH:
            return column in (self.MODEL_SHAPE, self.CHECKPOINT_SHAPE)
        if entry.status is MatchStatus.DTYPE_MISMATCH:
            return column in (self.MODEL_DTYPE, self.CHECKPOINT_DTYPE)
        return False

    @staticmethod
    def _tooltip(entry: DiffEntry) -> str:
        lines = [status_label(entry)]
        if entry.model:
            lines.append(f"Model: {entry.model}")
        if entry.checkpoint_key:
            lines.append(f"Checkpoint: {entry.checkpoint_key}")
        if entry.distinct_name:
            lines.append(f"Checkpoint name: {entry.distinct_name}")
        if entry.note:
            lines.append(entry.note)
        return "\n".join(lines)


class DiffFilterProxy(RecordFilterProxy[DiffEntry]):
    """Shows one status (or all), entries whose text holds every filter term, and unused
    optimizer state and bookkeeping only when ``set_show_leftovers(True)``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status: MatchStatus | None = None
        self._leftovers = False

    def set_status(self, status: MatchStatus | None) -> None:
        if status != self._status:
            self._change(lambda: setattr(self, "_status", status))

    def set_show_leftovers(self, show: bool) -> None:
        if show != self._leftovers:
            self._change(lambda: setattr(self, "_leftovers", show))

    def status(self) -> MatchStatus | None:
        return self._status

    def shows_leftovers(self) -> bool:
        return self._leftovers

    def accepts(self, entry: DiffEntry) -> bool:
        if is_leftover(entry) and not self._leftovers:
            return False
        return self._status is None or entry.status is self._status

    @staticmethod
    def sort_key(entry: DiffEntry, column: int) -> tuple:
        name = (entry.model or entry.checkpoint_name or entry.checkpoint_key or "").lower()
        tie = (rank(entry), name, entry.checkpoint_key or "")
        if column == DiffEntriesModel.MODEL:
            return ((entry.model or "\uffff").lower(), *tie)
        if column == DiffEntriesModel.NAME:
            return ((entry.distinct_name or "\uffff").lower(), *tie)
        if column == DiffEntriesModel.CHECKPOINT:
            return ((entry.checkpoint_key or "\uffff").lower(), *tie)
        if column == DiffEntriesModel.MODEL_SHAPE:
            return (_size(entry.model_shape), shape_text(entry.model_shape), *tie)
        if column == DiffEntriesModel.CHECKPOINT_SHAPE:
            return (_size(entry.checkpoint_shape), shape_text(entry.checkpoint_shape), *tie)
        if column == DiffEntriesModel.MODEL_DTYPE:
            return (entry.model_dtype or "\uffff", *tie)
        if column == DiffEntriesModel.CHECKPOINT_DTYPE:
            return (entry.checkpoint_dtype or "\uffff", *tie)
        if column == DiffEntriesModel.ROLE:
            return (entry.role.value, *tie)
        return tie
