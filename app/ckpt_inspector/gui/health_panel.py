"""The health-scan panel: progress while the worker scans a checkpoint, then its findings.

Selecting a finding (click, arrow keys, double-click) emits ``findingActivated`` and the window
shows that variable's histogram. A clean report says how many variables were scanned.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.statistics.records import HealthFinding, HealthReport
from ckpt_inspector.gui.health_model import HealthFilterProxy, HealthFindingsModel, summary_text
from ckpt_inspector.gui.job_progress import JobProgress
from ckpt_inspector.gui.outcome import SummaryLabel
from ckpt_inspector.gui.record_table import record_table_view

IDLE_TEXT = (
    "Health scan (Ctrl+H) reads every variable of the selected checkpoint and lists NaN/Inf, "
    "all-zero tensors, dead rows and columns, constant tensors and extreme norms."
)
SEVERITY_CHOICES = (
    ("All findings", None),
    ("NaN / Inf only", 0),
    ("Unreadable, broken and worse", 2),
)


class HealthPanel(QWidget):
    findingActivated = Signal(object)  # HealthFinding
    scanRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checkpoint: CheckpointRecord | None = None
        self._report: HealthReport | None = None
        self._build()
        self.show_idle()

    def _build(self) -> None:
        self.summary = SummaryLabel("healthSummary", IDLE_TEXT)
        self.scan_button = QPushButton("Scan")
        self.scan_button.setToolTip("Scan the selected checkpoint (Ctrl+H)")
        self.scan_button.clicked.connect(self.scanRequested)
        self.progress = JobProgress("Stop the scan; the worker stays up")
        self.progress.cancel_button.clicked.connect(self.cancelRequested)
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        header.addWidget(self.scan_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.progress.cancel_button, 0, Qt.AlignmentFlag.AlignTop)

        self.filter_edit = QLineEdit(objectName="healthFilter")
        self.filter_edit.setPlaceholderText("Filter findings by variable, problem or message")
        self.filter_edit.setClearButtonEnabled(True)
        self.severity = QComboBox()
        for label, value in SEVERITY_CHOICES:
            self.severity.addItem(label, value)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.severity)

        self.model = HealthFindingsModel(self)
        self.proxy = HealthFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = record_table_view(self.proxy, "healthTable", HealthFindingsModel.SEVERITY)
        header_view = self.view.horizontalHeader()
        for column in range(len(HealthFindingsModel.COLUMNS) - 1):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header_view.setStretchLastSection(True)
        self.skipped = QLabel(objectName="mutedText", wordWrap=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(self.progress.bar)
        layout.addWidget(self.progress.text)
        layout.addLayout(filter_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.skipped)

        self.filter_edit.textChanged.connect(self._on_filter_text_changed)
        self.severity.currentIndexChanged.connect(self._on_severity_changed)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.view.activated.connect(self._on_view_activated)

    # -- public API ----------------------------------------------------------------------------

    def checkpoint(self) -> CheckpointRecord | None:
        """The checkpoint the shown (or running) scan is about."""
        return self._checkpoint

    def report(self) -> HealthReport | None:
        return self._report

    def is_running(self) -> bool:
        return self.progress.is_running()

    def show_idle(self) -> None:
        self._set_report(None)
        self.summary.set_summary(IDLE_TEXT)
        self._set_running(False)

    def show_running(self, checkpoint: CheckpointRecord) -> None:
        self._checkpoint = checkpoint
        self._set_report(None)
        self.summary.set_summary(f"Scanning {checkpoint.name}…")
        self.progress.start()
        self._set_running(True)

    def show_progress(self, done: int, total: int, text: str = "") -> None:
        self.progress.show_progress(done, total, text)

    def show_report(self, report: HealthReport) -> None:
        self._set_running(False)
        self._set_report(report)
        name = self._checkpoint.name if self._checkpoint is not None else report.checkpoint
        self.summary.set_summary(summary_text(report, name), level="" if report.findings else "ok")
        if report.skipped:
            shown = ", ".join(report.skipped[:5]) + (" …" if len(report.skipped) > 5 else "")
            self.skipped.setText(f"Not scanned: {shown}")
        self.skipped.setVisible(bool(report.skipped))

    def show_error(self, message: str) -> None:
        self._set_running(False)
        self._set_report(None)
        self.summary.set_summary(message, level="error")

    def show_cancelled(self) -> None:
        self._set_running(False)
        self._set_report(None)
        self.summary.set_summary("The health scan was cancelled.")

    def select_row(self, row: int) -> HealthFinding | None:
        """Select the ``row``-th finding as shown (sorted, filtered); returns it."""
        index = self.proxy.index(row, 0)
        if not index.isValid():
            return None
        self.view.setCurrentIndex(index)
        return self.proxy.record_at(index)

    def shown_findings(self) -> list[HealthFinding]:
        """The findings in the order the table shows them."""
        return self.proxy.shown_records()

    # -- helpers -------------------------------------------------------------------------------

    def _set_report(self, report: HealthReport | None) -> None:
        self._report = report
        self.model.set_records(report.findings if report is not None else ())
        has_findings = report is not None and bool(report.findings)
        for widget in (self.view, self.filter_edit, self.severity):
            widget.setVisible(has_findings)
        self.skipped.hide()

    def _set_running(self, running: bool) -> None:
        self.progress.set_running(running)
        self.scan_button.setEnabled(not running)

    # -- slots ---------------------------------------------------------------------------------

    def _on_filter_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)

    def _on_severity_changed(self, _index: int) -> None:
        self.proxy.set_max_severity(self.severity.currentData())

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.proxy.record_at(current) if current.isValid() else None
        if finding is not None:
            self.findingActivated.emit(finding)

    def _on_view_activated(self, index: QModelIndex) -> None:
        finding = self.proxy.record_at(index)
        if finding is not None:
            self.findingActivated.emit(finding)
