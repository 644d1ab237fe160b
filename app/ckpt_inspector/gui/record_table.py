"""A read-only table of records (variables, health findings, diff entries), its filter proxy and
its view.

The model holds a list of frozen records and, per row, the lower-cased text the filter box
searches, built once when the records are set. The proxy keeps the rows whose text holds every
filter term and sorts through the records themselves, never ``data()``. Subclasses say what a
row shows (``record_data``), what it is searched by (``haystack_of``), which rows their own
filters keep (``accepts``) and how a column sorts (``sort_key``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QTableView

from ckpt_inspector.gui.column_headers import ReadOnlyColumnsMixin
from ckpt_inspector.gui.theme import NO_INDEX, RECORD_ROLE, ModelIndex

R = TypeVar("R")


class RecordTableModel(ReadOnlyColumnsMixin, QAbstractTableModel, Generic[R]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[R] = []
        self._haystacks: list[str] = []

    # -- public API ----------------------------------------------------------------------------

    def set_records(self, records: Iterable[R]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._haystacks = [self.haystack_of(r) for r in self._records]
        self.endResetModel()

    def records(self) -> list[R]:
        return list(self._records)

    def record(self, row: int) -> R:
        return self._records[row]

    def record_at(self, index: ModelIndex) -> R | None:
        return self._records[index.row()] if index.isValid() else None

    def haystack(self, row: int) -> str:
        return self._haystacks[row]

    # -- for subclasses ------------------------------------------------------------------------

    @staticmethod
    def haystack_of(record: R) -> str:
        """What the filter box searches in ``record``, lower-cased."""
        raise NotImplementedError

    def record_data(self, record: R, column: int, role: int):
        """``data()`` for a valid index other than ``RECORD_ROLE``."""
        return None

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._records)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        record = self._records[index.row()]
        if role == RECORD_ROLE:
            return record
        return self.record_data(record, index.column(), role)


class TermFilterProxy(QSortFilterProxyModel):
    """Keeps the rows whose search text holds every whitespace-separated term of ``set_text``;
    subclasses say what a row's text is and call ``matches`` from ``filterAcceptsRow``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self.setDynamicSortFilter(True)

    def set_text(self, text: str) -> None:
        terms = tuple(text.lower().split())
        if terms != self._terms:
            self._change(lambda: setattr(self, "_terms", terms))

    def has_terms(self) -> bool:
        return bool(self._terms)

    def matches(self, haystack: str) -> bool:
        """Every term occurs in ``haystack`` (lower-cased by the caller)."""
        return all(term in haystack for term in self._terms)

    def _change(self, apply: Callable[[], object]) -> None:
        # invalidateFilter() is deprecated since Qt 6.10; begin/endFilterChange replace it.
        self.beginFilterChange()
        apply()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)


class RecordFilterProxy(TermFilterProxy, Generic[R]):
    """Also sorts through the records themselves (``sort_key``), never ``data()``."""

    def record_at(self, index: ModelIndex) -> R | None:
        return self.sourceModel().record_at(self.mapToSource(index))

    def shown_records(self) -> list[R]:
        """The records in the order the proxy shows them (sorted, filtered)."""
        return [self.record_at(self.index(row, 0)) for row in range(self.rowCount())]

    # -- for subclasses ------------------------------------------------------------------------

    def accepts(self, record: R) -> bool:
        """The subclass's own filters, checked before the text."""
        return True

    @staticmethod
    def sort_key(record: R, column: int) -> tuple:
        raise NotImplementedError

    # -- Qt overrides --------------------------------------------------------------------------

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model: RecordTableModel[R] = self.sourceModel()
        if not self.accepts(model.record(source_row)):
            return False
        return self.matches(model.haystack(source_row))

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        model: RecordTableModel[R] = self.sourceModel()
        a, b = model.record(left.row()), model.record(right.row())
        return self.sort_key(a, left.column()) < self.sort_key(b, left.column())


def compact_table_view(model: QAbstractItemModel, object_name: str) -> QTableView:
    """A compact view of ``model``: whole rows selected, never edited, no grid, no row
    numbers, 22-pixel rows."""
    view = QTableView(objectName=object_name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    return view


def record_table_view(proxy: RecordFilterProxy, object_name: str, sort_column: int) -> QTableView:
    """A compact view of ``proxy``: rows selected one at a time, sorted by ``sort_column``
    until a header is clicked."""
    view = compact_table_view(proxy, object_name)
    view.setSortingEnabled(True)
    view.sortByColumn(sort_column, Qt.SortOrder.AscendingOrder)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view
