"""The "Inference" panel: what runs and on what input on the left, the answer on the right.

Before any output, the restore: a partial one is said prominently, and the user chooses to run
anyway or stop. Above the outputs, the result's own restore sentence, then the proof that the
weights mattered (max |Δ| against fresh weights, and against an A/B checkpoint) and the
timings. Errors are one red sentence, with the user's own traceback lines below.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InferenceResult, InputSpec
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.gui.inference.input_editor import InputEditor
from ckpt_inspector.gui.inference.model_chooser import ARCHITECTURE, GRAPH, SIGNATURE, ModelChooser
from ckpt_inspector.gui.inference.output_export import NPY, NPZ, save_outputs, suggested_name
from ckpt_inspector.gui.inference.output_view import OutputView
from ckpt_inspector.gui.job_progress import JobProgress
from ckpt_inspector.gui.outcome import SummaryLabel, TracebackBox, set_message

log = logging.getLogger(__name__)

IDLE_TEXT = (
    "Does the restored model produce sensible outputs? Choose the input on the left and press "
    "Run: the checkpoint is restored into the model, called on the input, and compared with "
    "the same model on fresh weights."
)
NO_OTHER = "none"


def partial_text(restored: int, of: int) -> str:
    return (
        f"Partial restore: {restored} of {of} variables would be restored; the others keep "
        "their initial values, so the outputs would not be the trained model's."
    )


def timings_text(result: InferenceResult) -> str:
    t = result.timings
    return (
        f"Restore {t.restore_ms:.1f} ms · first call {t.first_call_ms:.1f} ms · "
        f"median of {t.calls} calls {t.median_call_ms:.2f} ms"
    )


class InferencePanel(QWidget):
    runRequested = Signal()
    cancelRequested = Signal()
    runAnywayRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: InferenceResult | None = None
        self._checkpoint: CheckpointRecord | None = None  # of the result shown, or running
        self._selected: CheckpointRecord | None = None
        self.export_folder = str(Path.home())
        self._build()
        self.show_idle()

    def _build(self) -> None:
        self.chooser = ModelChooser()
        self.editor = InputEditor()
        self.other = QComboBox(objectName="abCheckpoint")
        self.other.setToolTip("Run the same input with a second checkpoint of the folder too")
        self.other.addItem(NO_OTHER, None)
        self.run_button = QPushButton("Run", objectName="runButton")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Restore the selected checkpoint and run it on this input")
        self.progress = JobProgress(
            "Stop; a model that does not stop is ended with its worker", keep_text=True
        )
        run_row = QHBoxLayout()
        run_row.addWidget(QLabel("A/B with"))
        run_row.addWidget(self.other, 1)
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.progress.cancel_button)
        self.input_error = QLabel(objectName="errorText", wordWrap=True)

        self.partial = QFrame(objectName="partialRestore")
        self.partial_text = QLabel(objectName="partialText", wordWrap=True)
        self.run_anyway = QPushButton("Run anyway")
        self.stop = QPushButton("Stop")
        partial_layout = QHBoxLayout(self.partial)
        partial_layout.addWidget(self.partial_text, 1)
        partial_layout.addWidget(self.run_anyway)
        partial_layout.addWidget(self.stop)

        setup = QWidget()
        left = QVBoxLayout(setup)
        left.setContentsMargins(0, 0, 4, 0)
        for widget in (self.chooser, self.editor):
            left.addWidget(widget)
        left.addLayout(run_row)
        for widget in (self.progress.bar, self.progress.text, self.input_error, self.partial):
            left.addWidget(widget)
        left.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        # Only vertical scrolling: the fields wrap and shrink instead of hiding to the left.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(360)
        scroll.setWidget(setup)

        self.summary = SummaryLabel("inferenceSummary")
        self.about = QLabel(objectName="mutedText", wordWrap=True)
        self.stale = QLabel(objectName="noteText", wordWrap=True)
        self.notes = QLabel(objectName="noteText", wordWrap=True)
        self.timings = QLabel(objectName="mutedText")
        for label in (self.about, self.notes, self.timings):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.traceback = TracebackBox()
        self.outputs = OutputView()
        self.copy_script = QPushButton("Copy as Python")
        self.copy_script.setToolTip("A short script that builds, restores and calls the model")
        self.save = QPushButton("Save outputs (.npy)…")
        self.message = QLabel(objectName="mutedText", wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_script)
        buttons.addWidget(self.save)
        buttons.addWidget(self.message, 1)
        results = QWidget()
        right = QVBoxLayout(results)
        right.setContentsMargins(4, 0, 0, 0)
        for widget in (self.summary, self.about, self.stale, self.notes, self.timings):
            right.addWidget(widget)
        right.addWidget(self.traceback, 1)
        right.addWidget(self.outputs, 1)
        # Takes the room of the outputs until there are some, so the sentences stay on top.
        self.filler = QWidget()
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        right.addWidget(self.filler, 1)
        right.addLayout(buttons)

        split = QSplitter(Qt.Orientation.Horizontal, objectName="inferenceSplit")
        split.setChildrenCollapsible(False)
        split.addWidget(scroll)
        split.addWidget(results)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([520, 780])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(split)

        self.run_button.clicked.connect(self.runRequested)
        self.progress.cancel_button.clicked.connect(self.cancelRequested)
        self.run_anyway.clicked.connect(self.runAnywayRequested)
        self.stop.clicked.connect(self._on_stop_clicked)
        self.editor.changed.connect(self._on_input_changed)
        self.chooser.inputsChanged.connect(self._on_chooser_inputs_changed)
        self.copy_script.clicked.connect(self._on_copy_script_clicked)
        self.save.clicked.connect(self._on_save_clicked)

    # -- public API ----------------------------------------------------------------------------

    def result(self) -> InferenceResult | None:
        return self._result

    def checkpoint(self) -> CheckpointRecord | None:
        return self._checkpoint

    def is_running(self) -> bool:
        return self.progress.is_running()

    def is_asking(self) -> bool:
        """The partial-restore question is on screen."""
        return not self.partial.isHidden()

    def error(self) -> str:
        return self.summary.error()

    def traceback_text(self) -> str:
        return self.traceback.shown_text()

    def set_other_checkpoints(self, records: Sequence[CheckpointRecord]) -> None:
        """The folder's other checkpoints for the A/B combo; keeps the chosen one if listed."""
        chosen = self.other.currentData()
        self.other.clear()
        self.other.addItem(NO_OTHER, None)
        for record in records:
            self.other.addItem(record.name, record)
            self.other.setItemData(
                self.other.count() - 1, record.prefix, Qt.ItemDataRole.ToolTipRole
            )
        prefixes = [self.other.itemData(i) for i in range(self.other.count())]
        keep = [
            i
            for i, r in enumerate(prefixes)
            if r is not None and chosen is not None and r.prefix == chosen.prefix
        ]
        self.other.setCurrentIndex(keep[0] if keep else 0)

    def other_checkpoint(self) -> CheckpointRecord | None:
        return self.other.currentData()

    def set_selected_checkpoint(self, checkpoint: CheckpointRecord | None) -> None:
        self._selected = checkpoint
        self._update_stale()

    def show_idle(self, text: str = IDLE_TEXT) -> None:
        self._show(None)
        self.summary.set_summary("")
        self._set_about(text)
        self._set_running(False)

    def show_running(self, checkpoint: CheckpointRecord, text: str) -> None:
        self._checkpoint = checkpoint
        self._show(None)
        self.summary.set_summary(f"Running {checkpoint.name}…")
        self._set_about("")
        self.progress.start(text)
        self._set_running(True)

    def show_progress(self, done: int, total: int, text: str = "") -> None:
        self.progress.show_progress(done, total, text)

    def ask_partial(self, restored: int, of: int) -> None:
        """Before running: only part of the model would be restored. Run anyway, or stop."""
        self._set_running(False)
        self.partial_text.setText(partial_text(restored, of))
        self.partial.show()
        self.summary.set_summary(f"Partial restore: {restored} of {of} variables.", level="warning")
        self.run_anyway.setFocus()

    def show_result(self, result: InferenceResult, other: CheckpointRecord | None) -> None:
        self._set_running(False)
        self.outputs.other_name = f"vs {other.name}" if other is not None else ""
        self._show(result)
        level = "ok" if not result.partial else ("error" if result.restored == 0 else "warning")
        self.summary.set_summary(result.restore_sentence(), level=level)
        inputs = ", ".join(f"{i.name} {tuple(i.values.shape)} ({i.source})" for i in result.inputs)
        self._set_about(f"{result.architecture} · input {inputs}")
        self.about.setToolTip(result.checkpoint)
        self.notes.setText("\n".join(f"⚠ {note}" for note in result.notes))
        self.notes.setVisible(bool(result.notes))
        self.timings.setText(timings_text(result))

    def show_error(self, message: str, details: str = "") -> None:
        self._set_running(False)
        self._show(None)
        self.summary.set_summary(message, level="error")
        self._set_about("")
        self.filler.setVisible(not self.traceback.show_details(details))

    def show_inputs(self, mode: str | None, result: object) -> None:
        """The answer to a request for the inputs (or endpoints) of what runs in ``mode``."""
        if mode == GRAPH:
            self.chooser.set_graph_endpoints(result)
        elif mode == SIGNATURE:
            self.chooser.set_signatures(tuple(result or ()))
            if not result:
                self.editor.set_specs((), note="The SavedModel has no serving signatures.")
        elif mode == ARCHITECTURE:
            specs = tuple(r for r in result or () if isinstance(r, InputSpec))
            self.editor.set_specs(specs, note="The model takes no inputs.")

    def show_input_error(self, message: str) -> None:
        """A complaint about the input choice itself, next to it."""
        self.input_error.setText(message)
        self.input_error.setVisible(bool(message))

    def show_cancelled(self, text: str = "The run was cancelled.") -> None:
        self._set_running(False)
        self._show(None)
        self.summary.set_summary(text)
        self._set_about("")

    def show_dropped(self, selected: CheckpointRecord | None) -> None:
        name = self._checkpoint.name if self._checkpoint is not None else "another checkpoint"
        where = f" on {selected.name}" if selected is not None else ""
        self.show_idle(f"Press Run to run it{where}.")
        self.summary.set_summary(f"The run of {name} was dropped: the selection changed.")

    def save_outputs(self, path: str) -> bool:
        if self._result is None:
            return False
        current = self.outputs.current()
        try:
            written = save_outputs(self._result, path, current.name if current else None)
        except InspectorError as error:
            log.info("saving the outputs failed: %s", error.message)
            self._set_message(error.message, error=True)
            return False
        self.export_folder = str(Path(written).parent)
        self._set_message(f"Saved {written}")
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _show(self, result: InferenceResult | None) -> None:
        self._result = result
        self.outputs.set_outputs(result.outputs if result is not None else ())
        for widget in (self.outputs, self.copy_script, self.save, self.timings):
            widget.setVisible(result is not None)
        self.filler.setVisible(result is None)
        self.copy_script.setEnabled(bool(result is not None and result.script))
        self.save.setText(
            "Save outputs (.npy)…"
            if result is None or len(result.outputs) < 2
            else "Save outputs (.npy, .npz)…"
        )
        self.notes.hide()
        self.traceback.hide()
        self.partial.hide()
        self._set_message("")
        self._update_stale()

    def _update_stale(self) -> None:
        shown, selected = self._checkpoint, self._selected
        stale = (
            self._result is not None
            and shown is not None
            and (selected is None or selected.prefix != shown.prefix)
        )
        if stale:
            now = f"the selected checkpoint is {selected.name}" if selected else "none is selected"
            self.stale.setText(f"These outputs are of {shown.name}; {now}. Press Run to run it.")
        self.stale.setVisible(stale)

    def _set_about(self, text: str) -> None:
        self.about.setText(text)
        self.about.setToolTip("")
        self.about.setVisible(bool(text))

    def _set_message(self, text: str, *, error: bool = False) -> None:
        set_message(self.message, text, error=error)  # stays shown: it holds the buttons left

    def _set_running(self, running: bool) -> None:
        self.progress.set_running(running)
        self.run_button.setEnabled(not running)
        if running:
            self.partial.hide()
            self.show_input_error("")

    # -- slots ---------------------------------------------------------------------------------

    def _on_stop_clicked(self) -> None:
        self.partial.hide()
        self.summary.set_summary("Stopped before running: the restore would be partial.")

    def _on_input_changed(self) -> None:
        self.show_input_error("")

    def _on_chooser_inputs_changed(self) -> None:
        if self.chooser.current_mode() != ARCHITECTURE:  # else the model's own inputs
            self.editor.set_specs(self.chooser.input_specs(), note="It takes no inputs.")

    def _on_copy_script_clicked(self) -> None:
        if self._result is not None and self._result.script:
            QGuiApplication.clipboard().setText(self._result.script)
            self._set_message("Copied the script to the clipboard.")

    def _on_save_clicked(self) -> None:
        result, current = self._result, self.outputs.current()
        if result is None or current is None:
            return
        kinds = [NPY] if len(result.outputs) < 2 else [NPY, NPZ]
        suggestion = str(Path(self.export_folder) / suggested_name(result, current.name, ".npy"))
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the Outputs", suggestion, ";;".join(k[0] for k in kinds)
        )
        if not path:
            return
        if chosen == NPZ[0] and not path.lower().endswith(".npz"):
            path = str(Path(path).with_suffix(".npz"))
        self.save_outputs(path)
