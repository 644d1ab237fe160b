"""The "Key mapping" tab of the diff panel: review a proposed mapping and use it.

Actions on top (propose, load and save the JSON, diff and run inference through the mapping,
export converted weights), the live summary ("N of M model variables would be restored (P% of
parameters)") with the count of rows per status under it, then the table with the rule editor
beside it. The summary is recounted in this process on every edit; only proposing and exporting
go to the diff's worker, with progress and Cancel here.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.mapping.records import KeyMapping
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.diff import mapping_files
from ckpt_inspector.gui.diff.mapping_delegate import KeyComboDelegate
from ckpt_inspector.gui.diff.mapping_draft import MappingDraft, RowStatus
from ckpt_inspector.gui.diff.mapping_model import MappingFilterProxy, MappingTableModel
from ckpt_inspector.gui.diff.mapping_rules import RulesEditor
from ckpt_inspector.gui.job_progress import JobProgress
from ckpt_inspector.gui.outcome import set_message
from ckpt_inspector.gui.record_table import compact_table_view

log = logging.getLogger(__name__)

EMPTY_TEXT = (
    "No key mapping yet. Propose one: checkpoint weights are paired with the model's variables "
    "by Keras 2 layer order, by name and by shapes only one tensor has; ties are shown as "
    "ambiguous, never guessed. Or load a mapping saved before."
)
NAME_COLUMN_MAX = 300


class MappingPanel(QWidget):
    proposeRequested = Signal()
    cancelRequested = Signal()
    mappingLoaded = Signal(object, str)  # KeyMapping, the file it came from
    diffRequested = Signal()
    inferenceRequested = Signal()
    exportRequested = Signal(str, str, bool)  # "checkpoint" | "weights", path, overwrite

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = str(Path.home())
        self._build()
        self.show_empty(can_propose=False)

    def _build(self) -> None:
        self.propose_button = QPushButton("Propose key mapping", objectName="proposeMapping")
        self.load_button = QPushButton("Load mapping…")
        self.save_button = QPushButton("Save mapping…")
        self.diff_button = QPushButton("Diff through mapping")
        self.diff_button.setToolTip("Show the diff report as it stands through this mapping")
        self.infer_button = QPushButton("Run inference through mapping")
        self.infer_button.setToolTip(
            "Restore the checkpoint into the model through this mapping and run it"
        )
        self.export_menu = QMenu(self)
        self.export_checkpoint = self.export_menu.addAction("Export checkpoint…")
        self.export_weights = self.export_menu.addAction("Export .weights.h5…")
        self.export_button = QToolButton(text="Export", objectName="exportMapping")
        self.export_button.setMenu(self.export_menu)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolTip(
            "Write the mapped weights to a new checkpoint or Keras 3 .weights.h5 file"
        )
        actions = QHBoxLayout()
        for widget in (self.propose_button, self.load_button, self.save_button):
            actions.addWidget(widget)
        actions.addSpacing(12)
        for widget in (self.diff_button, self.infer_button, self.export_button):
            actions.addWidget(widget)
        actions.addStretch(1)

        self.summary = QLabel(objectName="diffSummary", wordWrap=True)
        self.summary.setToolTip("What a restore through this mapping would load")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counts = QLabel(objectName="mutedText")
        self.allow_cast = QCheckBox("Allow dtype casts")
        self.allow_cast.setToolTip("Map a tensor onto a variable of another dtype (cast on load)")
        self.use_for_inference = QCheckBox("Use for inference")
        self.use_for_inference.setToolTip("The Inference dock restores through this mapping")
        self.filter_edit = QLineEdit(objectName="mappingFilter", clearButtonEnabled=True)
        self.filter_edit.setPlaceholderText("Filter by variable, key, status or reason")
        self.filter_edit.setFixedWidth(250)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addSpacing(8)
        summary_row.addWidget(self.filter_edit)
        summary_row.addWidget(self.allow_cast)
        summary_row.addWidget(self.use_for_inference)

        self.progress = JobProgress(keep_text=True)
        running = QHBoxLayout()
        running.addWidget(self.progress.bar, 1)
        running.addWidget(self.progress.text, 2)
        running.addWidget(self.progress.cancel_button)

        self.model = MappingTableModel(self)
        self.proxy = MappingFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = compact_table_view(self.proxy, "mappingTable")
        self.view.setItemDelegateForColumn(MappingTableModel.KEY, KeyComboDelegate(self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's order at first
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.rules = RulesEditor()
        # Scrolls rather than making the dock taller than the window leaves it.
        rules_area = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        rules_area.setWidget(self.rules)
        rules_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QSplitter(Qt.Orientation.Horizontal, objectName="mappingBody")
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.view)
        self.body.addWidget(rules_area)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 1)
        self.body.setSizes([760, 300])
        self.empty = QLabel(EMPTY_TEXT, objectName="mutedText", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.message = QLabel(objectName="mutedText", wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(actions)
        layout.addLayout(running)
        layout.addLayout(summary_row)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.empty, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counts)
        bottom.addSpacing(12)
        bottom.addWidget(self.message, 1)
        layout.addLayout(bottom)
        self._draft_widgets = (self.summary, self.counts, self.filter_edit, self.body)
        self._draft_widgets += (self.allow_cast, self.use_for_inference)

        self.propose_button.clicked.connect(self.proposeRequested)
        self.progress.cancel_button.clicked.connect(self.cancelRequested)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.diff_button.clicked.connect(self.diffRequested)
        self.infer_button.clicked.connect(self._on_infer_clicked)
        self.export_checkpoint.triggered.connect(self._on_export_checkpoint_triggered)
        self.export_weights.triggered.connect(self._on_export_weights_triggered)
        self.allow_cast.toggled.connect(self._on_allow_cast_toggled)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.rules.rulesRequested.connect(self._on_rules_requested)
        self.model.changed.connect(self._on_model_changed)
        self.model.refused.connect(self._on_model_refused)
        self.view.customContextMenuRequested.connect(self._on_context_menu_requested)

    # -- public API ----------------------------------------------------------------------------

    def draft(self) -> MappingDraft | None:
        return self.model.draft()

    def mapping(self) -> KeyMapping | None:
        draft = self.model.draft()
        return draft.mapping() if draft is not None else None

    def is_running(self) -> bool:
        return self.progress.is_running()

    def show_empty(self, *, can_propose: bool) -> None:
        """No mapping: a report is up (``can_propose``) or not."""
        self.model.set_draft(None)
        self.rules.set_rules([])
        self.use_for_inference.setChecked(False)
        self._set_running(False)
        self._set_message("")
        self._show_draft_widgets(False)
        self.propose_button.setEnabled(can_propose)
        self.load_button.setEnabled(can_propose)
        self.empty.setText(
            EMPTY_TEXT if can_propose else "Diff a checkpoint against a model first."
        )

    def show_draft(self, draft: MappingDraft, message: str = "") -> None:
        self._set_running(False)
        self.allow_cast.blockSignals(True)
        self.allow_cast.setChecked(draft.allow_cast)
        self.allow_cast.blockSignals(False)
        self.rules.set_rules(draft.rules)
        self.model.set_draft(draft)
        self._show_draft_widgets(True)
        self._fit_columns()
        self._set_message(message)

    def show_running(self, text: str) -> None:
        self.progress.start(text)
        self._set_running(True)
        self._set_message("")

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.progress.show_progress(done, total, text)

    def show_finished(self, message: str = "", *, error: bool = False) -> None:
        self._set_running(False)
        self._set_message(message, error=error)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def row_status(self, model_variable: str) -> RowStatus:
        return self.model.draft().rows()[self.model.row_of(model_variable)].status

    # -- helpers -------------------------------------------------------------------------------

    def _show_draft_widgets(self, shown: bool) -> None:
        for widget in self._draft_widgets:
            widget.setVisible(shown)
        self.empty.setVisible(not shown)
        for widget in (self.save_button, self.diff_button, self.infer_button, self.export_button):
            widget.setEnabled(shown and not self.is_running())

    def _set_running(self, running: bool) -> None:
        self.progress.set_running(running)
        has_draft = self.model.draft() is not None
        self.propose_button.setEnabled(not running)
        self.load_button.setEnabled(not running)
        for widget in (self.save_button, self.diff_button, self.infer_button, self.export_button):
            widget.setEnabled(has_draft and not running)

    def _set_message(self, text: str, *, error: bool = False) -> None:
        set_message(self.message, text, error=error)
        self.message.setVisible(bool(text))

    def _fit_columns(self) -> None:
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in (MappingTableModel.MODEL, MappingTableModel.KEY):
            header.resizeSection(column, min(header.sectionSize(column), NAME_COLUMN_MAX))

    def _update_summary(self) -> None:
        draft = self.model.draft()
        if draft is None:
            return
        report = draft.applied_report()
        level = "ok" if report.complete else ("error" if report.restored == 0 else "warning")
        self.summary.setText(draft.summary())
        theme.set_style_property(self.summary, "level", level)
        counts = draft.counts()
        parts = [f"{counts[s]} {s.value}" for s in RowStatus if counts[s]]
        self.counts.setText(" · ".join(parts))

    def _export_path(self, kind: str) -> None:
        draft = self.model.draft()
        if draft is None:
            return
        stem = str(Path(self.folder) / mapping_files.suggested_stem(draft.original))
        if kind == "weights":
            title, suggestion = "Export Keras 3 Weights", stem + mapping_files.WEIGHTS_SUFFIX
            file_filter = mapping_files.WEIGHTS_FILTER
        else:
            title, suggestion = "Export a Checkpoint (prefix)", stem
            file_filter = mapping_files.CHECKPOINT_FILTER
        path, _filter = QFileDialog.getSaveFileName(
            self,
            title,
            suggestion,
            file_filter,
            options=QFileDialog.Option.DontConfirmOverwrite,  # asked below, for every file
        )
        if path:
            self.export_to(kind, path)

    def export_to(self, kind: str, path: str) -> bool:
        """Check ``path`` (never the checkpoint's folder; replacing files only when the user
        confirms), then ask the controller to export; False when nothing is asked."""
        draft = self.model.draft()
        if draft is None:
            return False
        try:
            target, existing = mapping_files.check_export(kind, path, draft.original.checkpoint)
        except InspectorError as error:
            self._set_message(error.message, error=True)
            return False
        if existing:
            answer = QMessageBox.question(
                self,
                "Replace Files?",
                "These files exist and would be replaced:\n" + "\n".join(existing),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self._set_message("Nothing was exported: the files exist.")
                return False
        self.folder = str(Path(target).parent)
        self.exportRequested.emit(kind, target, bool(existing))
        return True

    def save_to(self, path: str) -> bool:
        draft = self.model.draft()
        if draft is None:
            return False
        try:
            mapping_files.write_mapping(draft.mapping(), path, draft.original.checkpoint)
        except InspectorError as error:
            log.info("saving the key mapping failed: %s", error.message)
            self._set_message(error.message, error=True)
            return False
        self.folder = str(Path(path).parent)
        self._set_message(f"Saved {path}")
        return True

    def load_from(self, path: str) -> bool:
        try:
            mapping = mapping_files.load_mapping(path)
        except InspectorError as error:
            self._set_message(error.message, error=True)
            return False
        self.folder = str(Path(path).parent)
        self.mappingLoaded.emit(mapping, path)
        return True

    # -- slots ---------------------------------------------------------------------------------

    def _on_load_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Load a Key Mapping", self.folder, mapping_files.MAPPING_FILTER
        )
        if path:
            self.load_from(path)

    def _on_save_clicked(self) -> None:
        draft = self.model.draft()
        if draft is None:
            return
        suggestion = str(
            Path(self.folder) / (mapping_files.suggested_stem(draft.original) + ".json")
        )
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the Key Mapping", suggestion, mapping_files.MAPPING_FILTER
        )
        if path:
            self.save_to(path if path.lower().endswith(".json") else path + ".json")

    def _on_infer_clicked(self) -> None:
        self.use_for_inference.setChecked(True)
        self.inferenceRequested.emit()

    def _on_export_checkpoint_triggered(self) -> None:
        self._export_path("checkpoint")

    def _on_export_weights_triggered(self) -> None:
        self._export_path("weights")

    def _on_allow_cast_toggled(self, checked: bool) -> None:
        self.model.set_allow_cast(checked)

    def _on_rules_requested(self, rules: list) -> None:
        if self.model.set_rules(rules):
            self.rules.set_rules(rules)
            self.rules.clear_fields()

    def _on_model_changed(self) -> None:
        self._update_summary()
        self._set_message("")

    def _on_model_refused(self, message: str) -> None:
        self._set_message(message, error=True)

    def _on_context_menu_requested(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        row = self.proxy.row_at(index)
        draft_row = self.model.draft().row(row)
        menu = QMenu(self)
        accept = menu.addAction("Accept", lambda: self.model.accept(row))
        reject = menu.addAction("Reject", lambda: self.model.reject(row))
        accept.setEnabled(draft_row.checkpoint_key is not None)
        reject.setEnabled(draft_row.checkpoint_key is not None)
        key = index.siblingAtColumn(MappingTableModel.KEY)
        menu.addAction("Choose the checkpoint tensor…", lambda: self.view.edit(key))
        menu.popup(self.view.viewport().mapToGlobal(position))
