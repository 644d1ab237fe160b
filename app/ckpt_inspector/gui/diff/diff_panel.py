"""The "Diff against model" panel: the architecture picker, progress, then the report.

The summary sentence comes first and large, with the report's notes (why nothing matched) as a
visible warning under it. The table below filters by status (buttons with counts) and text;
unused optimizer state and bookkeeping stay hidden behind a checkbox that says how many there
are. Selecting a row emits ``entrySelected`` (the controller fetches both histograms);
double-click or Enter emits ``entryActivated`` (the window selects the checkpoint variable).
Errors are one red sentence, with the user's own traceback lines below when their code failed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.markdown import attach_text
from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchStatus
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.gui import formatting
from ckpt_inspector.gui.diff.architecture_picker import ArchitecturePicker
from ckpt_inspector.gui.diff.diff_export import JSON, MARKDOWN, suggested_name, write_report
from ckpt_inspector.gui.diff.diff_histograms import DiffHistograms
from ckpt_inspector.gui.diff.diff_model import (
    DiffEntriesModel,
    DiffFilterProxy,
    count_by_status,
    is_leftover,
)
from ckpt_inspector.gui.job_progress import JobProgress
from ckpt_inspector.gui.outcome import SummaryLabel, TracebackBox, set_message
from ckpt_inspector.gui.record_table import record_table_view

log = logging.getLogger(__name__)

IDLE_TEXT = (
    "Which variables of a model would a restore of the selected checkpoint load? Choose the "
    "architecture above and press Diff (Ctrl+D): every match, shape or dtype mismatch, "
    "missing and unused variable is listed."
)
# (button label, status shown; None = all)
STATUS_FILTERS: tuple[tuple[str, MatchStatus | None], ...] = (
    ("All", None),
    ("Matched", MatchStatus.MATCHED),
    ("Shape", MatchStatus.SHAPE_MISMATCH),
    ("Dtype", MatchStatus.DTYPE_MISMATCH),
    ("Missing", MatchStatus.MISSING),
    ("Unused", MatchStatus.UNUSED),
)
NAME_COLUMN_MAX = 340
LEFTOVERS_TEXT = "Show optimizer && bookkeeping ({})"  # && is a literal ampersand in Qt text


def architecture_name(architecture: str) -> str:
    """``/home/u/models/mlp.py:build`` -> ``mlp.py:build``: the report line stays short."""
    if architecture.startswith("applications:"):
        return architecture
    return Path(architecture.rstrip("/\\")).name or architecture


class DiffPanel(QWidget):
    runRequested = Signal()
    cancelRequested = Signal()
    entrySelected = Signal(object)  # DiffEntry | None
    entryActivated = Signal(object)  # DiffEntry

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: DiffReport | None = None
        self._checkpoint: CheckpointRecord | None = None  # the report's (or running diff's)
        self._selected: CheckpointRecord | None = None  # the checkpoint list's selection
        self.export_folder = str(Path.home())
        self._build(settings)
        self.show_idle()

    def _build(self, settings: QSettings) -> None:
        self.picker = ArchitecturePicker(settings)
        self.picker.submitted.connect(self.runRequested)
        self.run_button = QPushButton("Diff", objectName="diffButton")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Diff the selected checkpoint against this architecture")
        self.run_button.clicked.connect(self.runRequested)
        self.progress = JobProgress(
            "Stop the diff; a model that does not stop is ended with its worker", keep_text=True
        )
        self.progress.cancel_button.clicked.connect(self.cancelRequested)
        buttons = QVBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.progress.cancel_button)
        buttons.addStretch(1)
        header = QHBoxLayout()
        header.addWidget(self.picker, 1)
        header.addLayout(buttons)

        self.summary = SummaryLabel("diffSummary")
        # Shown when variables stay unrestored; the "Key mapping" tab is added by its controller.
        self.propose_button = QPushButton("Propose key mapping", objectName="proposeMapping")
        self.propose_button.setToolTip("Pair the checkpoint's weights with the model's variables")
        self.about = QLabel(objectName="mutedText", wordWrap=True)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stale = QLabel(objectName="noteText", wordWrap=True)
        self.notes = QLabel(objectName="noteText", wordWrap=True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.traceback = TracebackBox()
        self.traceback.setMinimumHeight(80)

        self.status_buttons = QButtonGroup(self)
        self.status_buttons.setExclusive(True)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(4)
        for position, (_label, _status) in enumerate(STATUS_FILTERS):
            button = QToolButton(checkable=True, autoRaise=False)
            button.setChecked(position == 0)
            self.status_buttons.addButton(button, position)
            filter_row.addWidget(button)
        self.filter_edit = QLineEdit(objectName="diffFilter")
        self.filter_edit.setPlaceholderText("Filter by variable, key, status or note")
        self.filter_edit.setClearButtonEnabled(True)
        self.leftovers = QCheckBox(LEFTOVERS_TEXT.format(0))
        self.leftovers.setToolTip(
            "Unused optimizer slots, step counters and other bookkeeping: expected after "
            "training, so hidden unless asked for"
        )
        self.export_json = QPushButton("Export JSON…")
        self.export_markdown = QPushButton("Export Markdown…")
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.leftovers)
        filter_row.addWidget(self.export_json)
        filter_row.addWidget(self.export_markdown)

        self.model = DiffEntriesModel(self)
        self.proxy = DiffFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = record_table_view(self.proxy, "diffTable", DiffEntriesModel.STATUS)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.histograms = DiffHistograms()
        self.results = QSplitter(Qt.Orientation.Horizontal, objectName="diffResults")
        self.results.setChildrenCollapsible(False)
        self.results.addWidget(self.view)
        self.results.addWidget(self.histograms)
        self.results.setStretchFactor(0, 3)
        self.results.setStretchFactor(1, 2)
        self.results.setSizes([620, 380])
        self.message = QLabel(objectName="mutedText", wordWrap=True)
        # Takes the room of the results until there are some, so the fields stay together.
        self.filler = QWidget()
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(self.progress.bar)
        layout.addWidget(self.progress.text)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.propose_button)
        layout.addLayout(summary_row)
        layout.addWidget(self.about)
        layout.addWidget(self.stale)
        layout.addWidget(self.notes)
        layout.addWidget(self.traceback, 1)
        report_page = QWidget()
        report_layout = QVBoxLayout(report_page)
        report_layout.setContentsMargins(0, 4, 0, 0)
        report_layout.addLayout(filter_row)
        report_layout.addWidget(self.results, 1)
        self.tabs = QTabWidget(objectName="diffTabs", documentMode=True)
        self.tabs.addTab(report_page, "Report")
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.filler, 1)
        layout.addWidget(self.message)
        self._filter_widgets = (
            *self.status_buttons.buttons(),
            self.filter_edit,
            self.leftovers,
            self.export_json,
            self.export_markdown,
            self.results,
            self.tabs,
        )

        self.status_buttons.idClicked.connect(self._on_status_button_clicked)
        self.filter_edit.textChanged.connect(self._on_filter_text_changed)
        self.leftovers.toggled.connect(self._on_leftovers_toggled)
        self.export_json.clicked.connect(self._on_export_json_clicked)
        self.export_markdown.clicked.connect(self._on_export_markdown_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.view.activated.connect(self._on_view_activated)

    # -- public API ----------------------------------------------------------------------------

    def report(self) -> DiffReport | None:
        return self._report

    def checkpoint(self) -> CheckpointRecord | None:
        """The checkpoint of the report shown, or of the diff running."""
        return self._checkpoint

    def is_running(self) -> bool:
        return self.progress.is_running()

    def error(self) -> str:
        return self.summary.error()

    def traceback_text(self) -> str:
        return self.traceback.shown_text()

    def show_idle(self) -> None:
        self._checkpoint = None
        self._set_report(None)
        self.summary.set_summary("")
        self._set_about(IDLE_TEXT)
        self._set_running(False)

    def show_running(self, checkpoint: CheckpointRecord, architecture: str, keras: str) -> None:
        self._checkpoint = checkpoint
        self._set_report(None)
        self.summary.set_summary(
            f"Diffing {checkpoint.name} against {architecture_name(architecture)}…"
        )
        self._set_about("")
        self.progress.start(f"Starting the Keras {keras} worker and building the model…")
        self._set_running(True)

    def show_progress(self, done: int, total: int, text: str = "") -> None:
        self.progress.show_progress(done, total, text)

    def show_report(self, report: DiffReport) -> None:
        self._set_running(False)
        self._set_report(report)
        level = "ok" if report.complete else ("error" if report.restored == 0 else "warning")
        self.summary.set_summary(report.summary_sentence(), level=level)
        self.propose_button.setVisible(not report.complete)
        self._update_about()
        self.notes.setText("\n".join(f"⚠ {note}" for note in report.notes))
        self.notes.setVisible(bool(report.notes))
        self._fit_columns()
        self.select_row(0)

    def show_error(self, message: str, details: str = "") -> None:
        self._set_running(False)
        self._set_report(None)
        self.summary.set_summary(message, level="error")
        self._set_about("")
        self.filler.setVisible(not self.traceback.show_details(details))

    def show_cancelled(self) -> None:
        self._set_running(False)
        self._set_report(None)
        self.summary.set_summary("The diff was cancelled.")
        self._set_about("")

    def show_dropped(self, selected: CheckpointRecord | None) -> None:
        """The running diff was for a checkpoint no longer selected: it was dropped."""
        name = self._checkpoint.name if self._checkpoint is not None else "another checkpoint"
        self.show_idle()
        where = f" on {selected.name}" if selected is not None else ""
        self.summary.set_summary(f"The diff of {name} was dropped: the selection changed.")
        self._set_about(f"Press Diff to run it{where}.")

    def set_selected_checkpoint(self, checkpoint: CheckpointRecord | None) -> None:
        """The checkpoint list's selection; the report says when it is about another one."""
        self._selected = checkpoint
        self._update_stale()

    def select_row(self, row: int) -> DiffEntry | None:
        """Select the ``row``-th entry as shown (sorted, filtered); returns it."""
        index = self.proxy.index(row, 0)
        if not index.isValid():
            self.entrySelected.emit(None)
            return None
        self.view.setCurrentIndex(index)
        return self.proxy.record_at(index)

    def shown_entries(self) -> list[DiffEntry]:
        return self.proxy.shown_records()

    def status_button(self, status: MatchStatus | None) -> QToolButton:
        position = [s for _label, s in STATUS_FILTERS].index(status)
        return self.status_buttons.button(position)

    def export(self, path: str) -> bool:
        """Write the report to ``path`` (JSON for ``.json``, else Markdown); says the outcome
        under the table. False when there is no report or it could not be written."""
        if self._report is None:
            return False
        try:
            write_report(self._report, path)
        except InspectorError as error:
            log.info("export of the diff report failed: %s", error.message)
            self._set_message(error.message, error=True)
            return False
        self.export_folder = str(Path(path).parent)
        self._set_message(f"Saved {path}")
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _set_report(self, report: DiffReport | None) -> None:
        self._report = report
        self.model.set_records(report.entries if report is not None else ())
        self._update_counts()
        for widget in self._filter_widgets:
            widget.setVisible(report is not None)
        self.filler.setVisible(report is None)
        self.propose_button.hide()
        self.notes.hide()
        self.traceback.hide()
        self.stale.hide()
        self._set_message("")
        if report is None:
            self.histograms.clear()
        else:
            self._update_stale()

    def _fit_columns(self) -> None:
        """Columns as wide as their contents, names and keys at most ``NAME_COLUMN_MAX``
        (the tooltip has them in full)."""
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in (DiffEntriesModel.MODEL, DiffEntriesModel.NAME, DiffEntriesModel.CHECKPOINT):
            header.resizeSection(column, min(header.sectionSize(column), NAME_COLUMN_MAX))

    def _update_counts(self) -> None:
        entries = self.model.records()
        counts = count_by_status(entries, leftovers=self.leftovers.isChecked())
        for position, (label, status) in enumerate(STATUS_FILTERS):
            button = self.status_buttons.button(position)
            button.setText(f"{label} ({formatting.count(counts[status])})")
            button.setEnabled(status is None or counts[status] > 0 or button.isChecked())
        leftovers = sum(1 for e in entries if is_leftover(e))
        self.leftovers.setText(LEFTOVERS_TEXT.format(formatting.count(leftovers)))
        self.leftovers.setEnabled(leftovers > 0)

    def _update_about(self) -> None:
        report, checkpoint = self._report, self._checkpoint
        if report is None:
            return
        name = checkpoint.name if checkpoint is not None else report.checkpoint
        architecture = architecture_name(report.architecture)
        parts = [f"{name} against {architecture}"]
        if f"Keras {report.keras}" not in architecture:
            parts.append(f"Keras {report.keras}")
        parts += [
            f"{report.method.value} matching",
            f"attached at {attach_text(report.attach).strip('`')}",
        ]
        self._set_about(" · ".join(parts))
        self.about.setToolTip(f"{report.checkpoint}\n{report.architecture}")

    def _update_stale(self) -> None:
        report, shown, selected = self._report, self._checkpoint, self._selected
        stale = (
            report is not None
            and shown is not None
            and (selected is None or selected.prefix != shown.prefix)
        )
        if stale:
            now = f"the selected checkpoint is {selected.name}" if selected else "none is selected"
            self.stale.setText(
                f"This report is for {shown.name}; {now}. Press Diff to diff the selection."
            )
        self.stale.setVisible(stale)

    def _set_about(self, text: str) -> None:
        self.about.setText(text)
        self.about.setToolTip("")
        self.about.setVisible(bool(text))

    def _set_message(self, text: str, *, error: bool = False) -> None:
        set_message(self.message, text, error=error)
        self.message.setVisible(bool(text))

    def _set_running(self, running: bool) -> None:
        self.progress.set_running(running)
        self.run_button.setEnabled(not running)

    def _export_to(self, kind: tuple[str, str]) -> None:
        report = self._report
        if report is None:
            return
        file_filter, extension = kind
        suggestion = str(Path(self.export_folder) / suggested_name(report, extension))
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the Diff Report", suggestion, file_filter
        )
        if not path:
            return
        if not path.lower().endswith(extension):
            path += extension
        self.export(path)

    # -- slots ---------------------------------------------------------------------------------

    def _on_status_button_clicked(self, position: int) -> None:
        self.proxy.set_status(STATUS_FILTERS[position][1])

    def _on_filter_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)

    def _on_leftovers_toggled(self, checked: bool) -> None:
        self.proxy.set_show_leftovers(checked)
        self._update_counts()

    def _on_export_json_clicked(self) -> None:
        self._export_to(JSON)

    def _on_export_markdown_clicked(self) -> None:
        self._export_to(MARKDOWN)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.entrySelected.emit(self.proxy.record_at(current) if current.isValid() else None)

    def _on_view_activated(self, index: QModelIndex) -> None:
        entry = self.proxy.record_at(index)
        if entry is not None:
            self.entryActivated.emit(entry)
