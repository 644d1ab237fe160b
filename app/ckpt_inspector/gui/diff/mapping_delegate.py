"""The combo that edits a mapping row's checkpoint key.

It lists the checkpoint weights of the model variable's shape (an ambiguous row's candidates
first), then, under a separator and greyed, the weights of other shapes: choosing one of those
is refused with a sentence that says why, which is how the user learns that a tensor they expected
cannot go there. Optimizer state and bookkeeping are never listed. The choice applies as soon as
it is made.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.diff.mapping_model import CANDIDATES_ROLE, short_key

NONE_TEXT = "(none: leave it unmapped)"
ModelIndex = QModelIndex | QPersistentModelIndex


def fill_key_combo(combo: QComboBox, same: list[str], other: list[str], current: str) -> None:
    """Items carry the full key as their data ("" for none)."""
    combo.clear()
    combo.addItem(NONE_TEXT, "")
    for key in same:
        combo.addItem(short_key(key), key)
        combo.setItemData(combo.count() - 1, key, Qt.ItemDataRole.ToolTipRole)
    if other:
        combo.insertSeparator(combo.count())
        muted = QBrush(theme.color("muted"))
        for key in other:
            combo.addItem(f"{short_key(key)} (other shape)", key)
            combo.setItemData(combo.count() - 1, muted, Qt.ItemDataRole.ForegroundRole)
    position = combo.findData(current)
    combo.setCurrentIndex(max(position, 0))


class KeyComboDelegate(QStyledItemDelegate):
    # -- Qt overrides --------------------------------------------------------------------------

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        combo = QComboBox(parent, objectName="mappingKeyCombo")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.activated.connect(lambda _position: self._on_combo_activated(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        same, other = index.data(CANDIDATES_ROLE) or ((), ())
        fill_key_combo(editor, list(same), list(other), index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex) -> None:
        model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)

    # -- slots ---------------------------------------------------------------------------------

    def _on_combo_activated(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)
