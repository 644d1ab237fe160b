"""The filter behind the variable tree and table: multi-term text over key and name, and roles.

Every whitespace-separated term must occur (case-insensitive) in the key or the human name. The
source model answers ``filter_item(row, parent)`` with the lower-cased text and the role, so
filtering 10,000 rows does not go through ``data()``.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush

from ckpt_inspector.core.records import VariableRole
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.theme import SORT_ROLE
from ckpt_inspector.gui.variable_table_model import haystack

ALL_ROLES = frozenset(VariableRole)


def parse_terms(text: str) -> tuple[str, ...]:
    return tuple(text.lower().split())


class VariableFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None, *, recursive: bool = False) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self._roles: frozenset[VariableRole] = ALL_ROLES
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # In the tree a group stays visible while any variable below it matches.
        self.setRecursiveFilteringEnabled(recursive)

    # -- public API ----------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        terms = parse_terms(text)
        if terms != self._terms:
            self._change(lambda: setattr(self, "_terms", terms))

    def set_roles(self, roles: frozenset[VariableRole] | set[VariableRole]) -> None:
        roles = frozenset(roles)
        if roles != self._roles:
            self._change(lambda: setattr(self, "_roles", roles))

    def terms(self) -> tuple[str, ...]:
        return self._terms

    def roles(self) -> frozenset[VariableRole]:
        return self._roles

    def is_filtering(self) -> bool:
        return bool(self._terms) or self._roles != ALL_ROLES

    def accepts(self, haystack: str, role: VariableRole) -> bool:
        return role in self._roles and all(term in haystack for term in self._terms)

    def _change(self, apply) -> None:
        # invalidateFilter() is deprecated since Qt 6.10; begin/endFilterChange replace it.
        self.beginFilterChange()
        apply()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    # -- Qt overrides --------------------------------------------------------------------------

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        # Ask our Python source model directly instead of through super().data(): a view asks
        # for a dozen roles per cell on every paint, and a round trip through Qt converts each
        # unanswered role to and from an invalid QVariant.
        source = self.sourceModel()
        source_index = self.mapToSource(index)
        if role == Qt.ItemDataRole.ForegroundRole and self.is_filtering():
            # A variable shown only because a slot below it matched is drawn muted.
            record = source.record_at(source_index)
            if record is not None and not self.accepts(haystack(record), record.role):
                return QBrush(theme.color("muted"))
        return source.data(source_index, role)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        item = self.sourceModel().filter_item(source_row, source_parent)
        if item is None:
            # A group: shown by recursive filtering when a variable below it is accepted.
            return not self.is_filtering()
        return self.accepts(*item)
