"""Header, column count and flags shared by the table models over named columns (variables,
health findings, diff entries, timeline, key mapping).

They show named columns, numbers right-aligned, and (but for the key mapping's table) rows that
can be selected but not edited; mixins keep that in one place. They must come before the Qt
base class so that their methods override Qt's virtuals.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.theme import NO_INDEX, ModelIndex


class ColumnsMixin:
    COLUMNS: tuple[str, ...] = ()
    RIGHT_ALIGNED: frozenset[int] = frozenset()  # columns holding numbers

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        """``COLUMNS``; none under a row (a flat table; tree models override this)."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if section in self.RIGHT_ALIGNED else theme.LEFT
        return None


class ReadOnlyColumnsMixin(ColumnsMixin):
    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
