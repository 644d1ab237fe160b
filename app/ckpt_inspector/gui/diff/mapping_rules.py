"""The rule editor next to the mapping table: prefix swaps and regular expressions that map
many checkpoint names onto model variables at once (``core.mapping.rules``).

The editor only says what the user wants (``rulesRequested`` with the whole new list); the
mapping table's draft applies them and refuses a bad regular expression in one sentence, and
only then does the list here change.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from ckpt_inspector.core.mapping.rules import MappingRule
from ckpt_inspector.gui.column_headers import ReadOnlyColumnsMixin
from ckpt_inspector.gui.theme import NO_INDEX, ModelIndex

KINDS = (("Prefix", "prefix"), ("Regex", "regex"))
HINT = (
    "Rules rewrite a checkpoint name into a model variable name and fill the rows nobody "
    "decided: prefix model/ → sequential/, or regex layer_with_weights-(\\d+)/(.*) → dense_\\1/\\2."
)


class RulesModel(ReadOnlyColumnsMixin, QAbstractTableModel):
    COLUMNS = ("Kind", "Pattern", "Replacement")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rules: list[MappingRule] = []

    def rules(self) -> list[MappingRule]:
        return list(self._rules)

    def set_rules(self, rules: list[MappingRule]) -> None:
        self.beginResetModel()
        self._rules = list(rules)
        self.endResetModel()

    # -- Qt overrides --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rules)

    def columnCount(self, parent: ModelIndex = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        rule = self._rules[index.row()]
        return (rule.kind, rule.pattern, rule.replacement)[index.column()]


class RulesEditor(QWidget):
    rulesRequested = Signal(list)  # the whole list of MappingRule the user asks for

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for label, kind in KINDS:
            self.kind.addItem(label, kind)
        self.pattern = QLineEdit(placeholderText="Checkpoint name (or prefix)")
        self.replacement = QLineEdit(placeholderText="Model variable name (or prefix)")
        self.add_button = QPushButton("Add rule")
        self.remove_button = QPushButton("Remove rule")
        self.model = RulesModel(self)
        self.view = QTableView(objectName="mappingRules")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setShowGrid(False)
        self.view.setMinimumHeight(44)
        for widget in (self.pattern, self.replacement, self.view):
            widget.setToolTip(HINT)
        title = QLabel("Rules", objectName="sectionTitle")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(3)
        layout.addWidget(title, 0, 0)
        layout.addWidget(self.remove_button, 0, 2, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.kind, 1, 0)
        layout.addWidget(self.pattern, 1, 1, 1, 2)
        layout.addWidget(self.add_button, 2, 0)
        layout.addWidget(self.replacement, 2, 1, 1, 2)
        layout.addWidget(self.view, 3, 0, 1, 3)
        layout.setRowStretch(3, 1)
        layout.setColumnStretch(1, 1)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.pattern.returnPressed.connect(self._on_add_clicked)
        self.replacement.returnPressed.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._update_buttons()

    # -- public API ----------------------------------------------------------------------------

    def rules(self) -> list[MappingRule]:
        return self.model.rules()

    def set_rules(self, rules: list[MappingRule]) -> None:
        """The rules as the draft accepted them."""
        self.model.set_rules(rules)
        self._update_buttons()

    def request_rule(self, kind: str, pattern: str, replacement: str) -> None:
        self.rulesRequested.emit([*self.rules(), MappingRule(kind, pattern, replacement)])

    def clear_fields(self) -> None:
        self.pattern.clear()
        self.replacement.clear()

    # -- helpers -------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.view.selectionModel().hasSelection())

    # -- slots ---------------------------------------------------------------------------------

    def _on_add_clicked(self) -> None:
        if self.pattern.text():
            self.request_rule(self.kind.currentData(), self.pattern.text(), self.replacement.text())

    def _on_remove_clicked(self) -> None:
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        self.rulesRequested.emit([r for i, r in enumerate(self.rules()) if i not in rows])

    def _on_selection_changed(self, *_args) -> None:
        self._update_buttons()
