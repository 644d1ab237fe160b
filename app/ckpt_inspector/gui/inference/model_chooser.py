"""What runs: the architecture chosen in the diff panel, a SavedModel's serving signature, or a
TF1 checkpoint's own ``.meta`` graph (placeholders in, chosen tensors out).

The architecture itself is edited in the "Diff against model" panel (one place for it, with its
recents); this row only names it and offers "Change…". SavedModel folders and checkpoints with a
``.meta`` graph need no architecture: their modes are offered, and chosen by default, when the
selected checkpoint has one.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.inference.records import InputSpec
from ckpt_inspector.core.records import CheckpointFormat, CheckpointRecord
from ckpt_inspector.gui import theme

ARCHITECTURE, SIGNATURE, GRAPH = "architecture", "signature", "graph"
MODE_LABELS = {
    ARCHITECTURE: "Architecture from the diff panel",
    SIGNATURE: "SavedModel signature",
    GRAPH: "Graph in the .meta file",
}


def modes_for(record: CheckpointRecord | None) -> tuple[list[str], str]:
    """The ways ``record`` can run, and the one chosen by default."""
    modes = [ARCHITECTURE]
    if record is not None and record.format is CheckpointFormat.SAVED_MODEL:
        modes.insert(0, SIGNATURE)
    if record is not None and record.has_meta_graph:
        modes.insert(0, GRAPH)
    return modes, modes[0]


def names(items: Sequence[object]) -> list[str]:
    """Tensor names from strings or records with a ``name``."""
    return [str(getattr(item, "name", item)) for item in items]


class ModelChooser(QWidget):
    modeChanged = Signal(str)
    inputsChanged = Signal()  # the chosen signature (or graph) feeds other inputs now
    architectureRequested = Signal()  # "Change…": show the diff panel's picker

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._signatures: tuple = ()
        self._placeholders: tuple[InputSpec, ...] = ()
        self._build()
        self.set_modes((ARCHITECTURE,))

    def _build(self) -> None:
        self.mode = QComboBox(objectName="inferenceMode")
        self.model_text = QLabel(objectName="modelText", wordWrap=True)
        self.model_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change = QPushButton("Change…")
        self.change.setToolTip("Choose the architecture in the Diff against model panel")
        self.signature = QComboBox(objectName="signatureChoice")
        self.signature_outputs = QLabel(objectName="mutedText", wordWrap=True)
        self.outputs_model = QStandardItemModel(self)
        self.outputs_proxy = QSortFilterProxyModel(self)
        self.outputs_proxy.setSourceModel(self.outputs_model)
        self.outputs_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.outputs_filter = QLineEdit(placeholderText="Filter tensors", clearButtonEnabled=True)
        self.outputs_view = QListView(objectName="graphOutputs")
        self.outputs_view.setModel(self.outputs_proxy)
        self.outputs_view.setMaximumHeight(110)
        self.outputs_view.setToolTip("Tick the tensors to fetch; none ticked: the likely outputs")

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.mode_label = QLabel("Run")
        grid.addWidget(self.mode_label, 0, 0)
        grid.addWidget(self.mode, 0, 1)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_text, 1)
        model_row.addWidget(self.change)
        self.model_label = QLabel("Model")
        grid.addWidget(self.model_label, 1, 0)
        grid.addLayout(model_row, 1, 1)
        self.signature_label = QLabel("Signature")
        grid.addWidget(self.signature_label, 2, 0)
        grid.addWidget(self.signature, 2, 1)
        grid.addWidget(self.signature_outputs, 3, 1)
        self.outputs_label = QLabel("Outputs")
        grid.addWidget(self.outputs_label, 4, 0, Qt.AlignmentFlag.AlignTop)
        outputs = QVBoxLayout()
        outputs.addWidget(self.outputs_filter)
        outputs.addWidget(self.outputs_view)
        grid.addLayout(outputs, 4, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)

        self.mode.currentIndexChanged.connect(self._on_mode_current_index_changed)
        self.change.clicked.connect(self.architectureRequested)
        self.signature.currentIndexChanged.connect(self._on_signature_current_index_changed)
        self.outputs_filter.textChanged.connect(self.outputs_proxy.setFilterFixedString)

    # -- public API ----------------------------------------------------------------------------

    def current_mode(self) -> str:
        return self.mode.currentData() or ARCHITECTURE

    def set_modes(self, modes: Sequence[str], default: str | None = None) -> None:
        """The ways the selected checkpoint can run; keeps the current one when offered."""
        current = self.mode.currentData()
        wanted = current if current in modes and default is None else (default or modes[0])
        self.mode.blockSignals(True)
        self.mode.clear()
        for mode in modes:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setCurrentIndex(max(self.mode.findData(wanted), 0))
        self.mode.blockSignals(False)
        for widget in (self.mode, self.mode_label):
            widget.setVisible(len(modes) > 1)
        self._show_mode()
        if self.current_mode() != current:
            self.modeChanged.emit(self.current_mode())

    def set_mode(self, mode: str) -> None:
        index = self.mode.findData(mode)
        if index >= 0:
            self.mode.setCurrentIndex(index)

    def set_model_text(self, text: str, *, error: bool = False) -> None:
        self.model_text.setText(text)
        self.model_text.setObjectName("errorText" if error else "modelText")
        theme.restyle(self.model_text)

    def set_signatures(self, signatures: Sequence[object]) -> None:
        """``SignatureInfo`` records (``name``, ``inputs``, ``outputs``); ``serving_default``
        first when there is one."""
        self._signatures = tuple(signatures)
        self.signature.blockSignals(True)
        self.signature.clear()
        for info in self._signatures:
            self.signature.addItem(str(info.name), str(info.name))
        self.signature.setCurrentIndex(max(self.signature.findData("serving_default"), 0))
        self.signature.blockSignals(False)
        self._on_signature_current_index_changed(self.signature.currentIndex())

    def signature_name(self) -> str | None:
        return self.signature.currentData()

    def set_graph_endpoints(self, endpoints: object) -> None:
        """``GraphEndpoints``: placeholders, likely outputs (ticked) and other candidates."""
        self._placeholders = tuple(getattr(endpoints, "placeholders", ()))
        likely = names(getattr(endpoints, "likely_outputs", ()))
        others = [n for n in names(getattr(endpoints, "candidates", ())) if n not in likely]
        self.outputs_model.clear()
        for name in likely + others:
            item = QStandardItem(name)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(Qt.CheckState.Checked if name in likely else Qt.CheckState.Unchecked)
            self.outputs_model.appendRow(item)
        self.inputsChanged.emit()

    def chosen_outputs(self) -> tuple[str, ...] | None:
        chosen = tuple(
            self.outputs_model.item(row).text()
            for row in range(self.outputs_model.rowCount())
            if self.outputs_model.item(row).checkState() == Qt.CheckState.Checked
        )
        return chosen or None

    def input_specs(self) -> tuple[InputSpec, ...]:
        """The inputs of the chosen signature or the graph's placeholders (architecture mode:
        none here, they come from the model)."""
        if self.current_mode() == GRAPH:
            return self._placeholders
        if self.current_mode() == SIGNATURE:
            index = self.signature.currentIndex()
            if 0 <= index < len(self._signatures):
                return tuple(self._signatures[index].inputs)
        return ()

    def clear_endpoints(self) -> None:
        self._signatures, self._placeholders = (), ()
        self.signature.clear()
        self.signature_outputs.setText("")
        self.outputs_model.clear()

    # -- helpers -------------------------------------------------------------------------------

    def _show_mode(self) -> None:
        mode = self.current_mode()
        for widget in (self.model_label, self.model_text, self.change):
            widget.setVisible(mode == ARCHITECTURE)
        for widget in (self.signature_label, self.signature, self.signature_outputs):
            widget.setVisible(mode == SIGNATURE)
        for widget in (self.outputs_label, self.outputs_filter, self.outputs_view):
            widget.setVisible(mode == GRAPH)

    # -- slots ---------------------------------------------------------------------------------

    def _on_mode_current_index_changed(self, _index: int) -> None:
        self._show_mode()
        self.modeChanged.emit(self.current_mode())

    def _on_signature_current_index_changed(self, index: int) -> None:
        if 0 <= index < len(self._signatures):
            outputs = names(getattr(self._signatures[index], "outputs", ()))
            self.signature_outputs.setText("Outputs: " + (", ".join(outputs) or "none"))
        else:
            self.signature_outputs.setText("")
        self.inputsChanged.emit()
