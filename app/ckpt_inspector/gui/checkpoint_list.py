"""The checkpoints of the open folder, grouped by sub-folder, with their problems marked."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.records import CheckpointRecord, FolderListing, StaleStateEntry
from ckpt_inspector.gui import formatting, theme
from ckpt_inspector.gui.theme import NO_INDEX, PROBLEM_ROLE, RECORD_ROLE, ModelIndex

Item = CheckpointRecord | StaleStateEntry


def _posix(path: str) -> str:
    return path.replace("\\", "/").rstrip("/")


def item_identity(item: Item) -> str:
    """What stays the same for one row across refreshes of the folder."""
    return item.prefix if isinstance(item, CheckpointRecord) else item.written_path


def problem_text(item: Item) -> str | None:
    """The one sentence that says what is wrong with a row, or ``None``."""
    if isinstance(item, StaleStateEntry):
        return item.reason
    if item.problem:
        return item.problem
    if item.missing_shards:
        missing = ", ".join(posixpath.basename(_posix(s)) for s in item.missing_shards)
        return f"{len(item.missing_shards)} of {item.shards} data shards are missing: {missing}."
    return None


@dataclass
class _Group:
    label: str
    items: list[Item] = field(default_factory=list)


class CheckpointListModel(QAbstractItemModel):
    """Two levels: sub-folder groups, then their checkpoints and stale state-file entries.

    Indexes carry ``internalId`` 0 for groups and ``group row + 1`` for items, so no Python
    object has to outlive the index.
    """

    COLUMNS = ("Name", "Format", "Step", "Size", "Status")
    NAME, FORMAT, STEP, SIZE, STATUS = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[_Group] = []
        self._folder = ""

    # -- public API ----------------------------------------------------------------------------

    def set_listing(self, listing: FolderListing | None) -> None:
        self.beginResetModel()
        self._groups = self._group(listing) if listing is not None else []
        self._folder = listing.folder if listing is not None else ""
        self.endResetModel()

    def item(self, index: ModelIndex) -> Item | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._groups[index.internalId() - 1].items[index.row()]

    def index_of(self, identity: str) -> QModelIndex:
        for g, group in enumerate(self._groups):
            for r, item in enumerate(group.items):
                if item_identity(item) == identity:
                    return self.createIndex(r, 0, g + 1)
        return QModelIndex()

    def items(self) -> list[Item]:
        return [item for group in self._groups for item in group.items]

    def group_labels(self) -> list[str]:
        return [g.label for g in self._groups]

    def _group(self, listing: FolderListing) -> list[_Group]:
        root = _posix(listing.folder)
        groups: dict[str, _Group] = {}

        def group_for(path: str) -> _Group:
            folder = posixpath.dirname(_posix(path))
            rel = posixpath.relpath(folder, root) if folder.startswith(root) else folder
            label = posixpath.basename(root) or root if rel == "." else rel
            return groups.setdefault(rel, _Group(label))

        for record in listing.checkpoints:
            group_for(record.prefix).items.append(record)
        for stale in listing.stale_entries:
            # Its written path may be relative or from another machine: it belongs to the
            # folder of the state file that names it.
            group_for(stale.state_file).items.append(stale)
        # The folder itself first, then sub-folders by name.
        return [groups[k] for k in sorted(groups, key=lambda k: (k != ".", k))]

    # -- Qt overrides --------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = NO_INDEX) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: ModelIndex | None = None) -> QModelIndex:  # type: ignore[override]
        if index is None:
            return QObject.parent(self)  # type: ignore[return-value]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()].items)
        return 0

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (self.STEP, self.SIZE):
                return theme.RIGHT
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(self._groups[index.row()], index.column(), role)
        item = self._groups[index.internalId() - 1].items[index.row()]
        if role == RECORD_ROLE:
            return item
        if role in (PROBLEM_ROLE, Qt.ItemDataRole.ToolTipRole):
            problem = problem_text(item)
            if role == PROBLEM_ROLE or problem:
                return problem
            return item.prefix if isinstance(item, CheckpointRecord) else None
        if isinstance(item, StaleStateEntry):
            return self._stale_data(item, index.column(), role)
        return self._record_data(item, index.column(), role)

    # -- cell contents -------------------------------------------------------------------------

    def _group_data(self, group: _Group, column: int, role: int):
        if column != self.NAME:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{group.label}/"
        if role == Qt.ItemDataRole.FontRole:
            return theme.bold_font()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{len(group.items)} entries"
        return None

    def _record_data(self, record: CheckpointRecord, column: int, role: int):
        problem = problem_text(record)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return record.name
            if column == self.FORMAT:
                return record.format.value
            if column == self.STEP:
                return "" if record.step is None else formatting.count(record.step)
            if column == self.SIZE:
                return formatting.human_bytes(record.bytes)
            if column == self.STATUS:
                return formatting.checkpoint_status(record)
        elif role == Qt.ItemDataRole.TextAlignmentRole and column in (self.STEP, self.SIZE):
            return theme.RIGHT
        elif role == Qt.ItemDataRole.ForegroundRole:
            if problem:
                return QBrush(theme.color("warning"))
            if column == self.FORMAT:
                return QBrush(theme.color("muted"))
        elif role == Qt.ItemDataRole.FontRole and column == self.NAME and record.latest:
            return theme.bold_font()
        elif role == Qt.ItemDataRole.DecorationRole and column == self.STATUS and problem:
            return _warning_icon()
        return None

    def _stale_data(self, stale: StaleStateEntry, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return posixpath.basename(_posix(stale.written_path))
            if column == self.STATUS:
                return "stale entry"
            return "—" if column == self.FORMAT else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(theme.color("warning"))
        if role == Qt.ItemDataRole.FontRole and column == self.NAME:
            return theme.italic_font()
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return _warning_icon()
        return None


def _warning_icon():
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


class CheckpointList(QWidget):
    """The checkpoint list view; says which checkpoint (or stale entry) the user picked."""

    checkpointSelected = Signal(object)  # CheckpointRecord | StaleStateEntry | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CheckpointListModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("checkpointList")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAllColumnsShowFocus(True)
        self.view.setIndentation(14)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(CheckpointListModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(CheckpointListModel.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

    def set_listing(
        self, listing: FolderListing | None, *, select: Sequence[str | None] = ()
    ) -> None:
        """Show ``listing`` and select the first row of ``select`` (identities) that exists.

        ``checkpointSelected`` is emitted once, and only when the selection really changed.
        """
        before = self.selected()
        self.blockSignals(True)
        try:
            self.model.set_listing(listing)
            for row in range(self.model.rowCount()):  # a group's name may use the whole row
                self.view.setFirstColumnSpanned(row, QModelIndex(), True)
            self.view.expandAll()
            for identity in select:
                if identity is not None and self.select(identity):
                    break
        finally:
            self.blockSignals(False)
        after = self.selected()
        if after != before:
            self.checkpointSelected.emit(after)

    def select(self, identity: str) -> bool:
        index = self.model.index_of(identity)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def selected(self) -> Item | None:
        return self.model.item(self.view.currentIndex())

    def select_adjacent(self, step: int) -> bool:
        """Select the checkpoint (or stale entry) ``step`` rows after the selected one, across
        sub-folder groups; the first (``step`` > 0) or last when none is selected. False at
        either end, where the selection stays."""
        items = self.model.items()
        if not items:
            return False
        current = self.selected()
        if current is None:
            target = 0 if step > 0 else len(items) - 1
        else:
            identities = [item_identity(item) for item in items]
            target = identities.index(item_identity(current)) + step
            if not 0 <= target < len(items):
                return False
        return self.select(item_identity(items[target]))

    # -- slots ---------------------------------------------------------------------------------

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.checkpointSelected.emit(self.model.item(current))
