"""The Timeline dock's widget: progress while the worker computes, then the variables table,
the findings and the plots (built on first show: they import pyqtgraph).

Selecting rows plots those variables; choosing a finding selects the variables it names. The
heat map's rows follow the table's sorting and filter.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.timeline.records import Timeline, TimelineFindingKind, VariableSeries
from ckpt_inspector.gui.export_menu import CSV, PNG, SVG, ExportButton, write_csv
from ckpt_inspector.gui.job_progress import JobProgress
from ckpt_inspector.gui.lazy_page import LazyPage
from ckpt_inspector.gui.outcome import SummaryLabel
from ckpt_inspector.gui.record_table import compact_table_view
from ckpt_inspector.gui.timeline.timeline_models import (
    TimelineFilterProxy,
    TimelineFindingsModel,
    TimelineVariablesModel,
)

IDLE_TEXT = (
    "Timeline (Ctrl+T) puts the checkpoints of the opened folder in training order and shows "
    "how every variable changed from one to the next."
)
DEFAULT_CURVES = 4
CSV_HEADER = (
    "key", "name", "role", "checkpoint", "step", "norm", "mean", "std", "max_abs",
    "relative_change", "nonfinite",
)  # fmt: skip


def csv_rows(timeline: Timeline) -> list[list[object]]:
    """One row per variable and checkpoint (long format), empty cells where there is no value."""
    rows: list[list[object]] = [list(CSV_HEADER)]
    for series in timeline.variables:
        for t, checkpoint in enumerate(timeline.checkpoints):
            rows.append(
                [
                    series.key, series.name or "", series.role, checkpoint.prefix,
                    checkpoint.step, series.norm[t], series.mean[t], series.std[t],
                    series.max_abs[t], series.relative_change[t], series.nonfinite[t],
                ]
            )  # fmt: skip
    return rows


class TimelinePanel(QWidget):
    runRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timeline: Timeline | None = None
        self._build()
        self.show_idle()

    def _build(self) -> None:
        self.summary = SummaryLabel("timelineSummary", IDLE_TEXT)
        self.run_button = QPushButton("Compute")
        self.run_button.setToolTip("Compute the timeline of the opened folder (Ctrl+T)")
        self.run_button.clicked.connect(self.runRequested)
        self.progress = JobProgress()
        self.progress.cancel_button.clicked.connect(self.cancelRequested)
        self.order = QLabel(objectName="mutedText", wordWrap=True)
        self.saved = QLabel(objectName="mutedText")
        self.export = ExportButton()
        self.export.set_stem(lambda: "timeline")
        self.export.add("Table as CSV…", CSV, "table", self._write_csv)
        self.export.add("Curves as PNG…", PNG, "curves", self._write_curves_png)
        self.export.add("Curves as SVG…", SVG, "curves", self._write_curves_svg)
        self.export.add("Heat map as PNG…", PNG, "heatmap", self._write_heatmap_png)
        self.export.add("Heat map as SVG…", SVG, "heatmap", self._write_heatmap_svg)
        self.export.exported.connect(lambda path: self.saved.setText(f"Saved {path}"))
        self.export.failed.connect(self.saved.setText)
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        for button in (self.run_button, self.progress.cancel_button, self.export):
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

        self.filter_edit = QLineEdit(objectName="timelineFilter")
        self.filter_edit.setPlaceholderText("Filter variables by name or key")
        self.filter_edit.setClearButtonEnabled(True)
        self.model = TimelineVariablesModel(self)
        self.proxy = TimelineFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = compact_table_view(self.proxy, "timelineTable")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the checkpoint's own order
        header_view = self.view.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.findings_model = TimelineFindingsModel(self)
        self.findings_view = compact_table_view(self.findings_model, "timelineFindings")
        self.findings_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findings_view.horizontalHeader().setStretchLastSection(True)
        self.findings_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter_edit)
        table_split = QSplitter(Qt.Orientation.Vertical)
        table_split.addWidget(self.view)
        table_split.addWidget(self.findings_view)
        table_split.setSizes([300, 140])
        left_layout.addWidget(table_split, 1)
        self.page = LazyPage(self._make_plots)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.page)
        self.splitter.setSizes([600, 800])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(self.progress.bar)
        layout.addWidget(self.progress.text)
        layout.addWidget(self.order)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.saved)

        self.filter_edit.textChanged.connect(self._on_filter_text_changed)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.proxy.layoutChanged.connect(self._on_rows_changed)
        self.proxy.rowsInserted.connect(self._on_rows_changed)
        self.proxy.rowsRemoved.connect(self._on_rows_changed)
        self.findings_view.selectionModel().currentRowChanged.connect(self._on_finding_chosen)

    def _make_plots(self) -> QWidget:
        from ckpt_inspector.gui.timeline.timeline_plots import TimelinePlots

        plots = TimelinePlots()
        plots.set_timeline(self._timeline, self.proxy.shown_series())
        plots.set_selected(self.selected_series())
        return plots

    # -- public API ----------------------------------------------------------------------------

    def timeline(self) -> Timeline | None:
        return self._timeline

    def plots(self):
        """The plots widget (``TimelinePlots``), built now if it was not yet."""
        return self.page.content()

    def is_running(self) -> bool:
        return self.progress.is_running()

    def show_idle(self) -> None:
        self._set_timeline(None)
        self.summary.set_summary(IDLE_TEXT)
        self._set_running(False)

    def show_running(self, folder: str) -> None:
        self.summary.set_summary(f"Computing the timeline of {folder}…")
        self.progress.start()
        self._set_running(True)

    def show_progress(self, done: int, total: int, text: str = "") -> None:
        self.progress.show_progress(done, total, text)

    def show_timeline(self, timeline: Timeline) -> None:
        self._set_running(False)
        self.page.content()  # the plots: pyqtgraph is imported now, on the first result
        self._set_timeline(timeline)
        count = len(timeline.checkpoints)
        problems = len(timeline.findings)
        text = f"{count} checkpoints, {len(timeline.variables)} variables: " + (
            f"{problems} findings." if problems else "no findings."
        )
        urgent = [
            f
            for f in timeline.findings
            if f.kind in (TimelineFindingKind.NAN_INF, TimelineFindingKind.BLOW_UP)
        ]
        self.summary.set_summary(text, level="error" if urgent else ("" if problems else "ok"))
        cached = f" {timeline.cached} of {count} from the cache." if timeline.cached else ""
        notes = (" " + " ".join(timeline.notes)) if timeline.notes else ""
        self.order.setText(f"Ordered by {timeline.order_text}.{cached}{notes}")
        self._select_default(timeline)

    def show_error(self, message: str) -> None:
        self._set_running(False)
        self.summary.set_summary(message, level="error")

    def show_cancelled(self) -> None:
        self._set_running(False)
        self.summary.set_summary("The timeline was cancelled; what was computed is cached.")

    def select_keys(self, keys: list[str]) -> None:
        """Select the rows of ``keys`` (as shown: filtered and sorted)."""
        selection = QItemSelection()
        first = None
        for key in keys:
            row = self.model.row_of(key)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index)
                first = first or index
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.selectionModel().select(selection, flags)
        if first is not None:
            self.view.scrollTo(first)

    def selected_series(self) -> list[VariableSeries]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.proxy.series_at(self.proxy.index(r, 0)) for r in rows]

    # -- helpers -------------------------------------------------------------------------------

    def _set_timeline(self, timeline: Timeline | None) -> None:
        self._timeline = timeline
        self.model.set_timeline(timeline)
        self.findings_model.set_timeline(timeline)
        self.findings_view.setVisible(bool(timeline and timeline.findings))
        self.export.setEnabled(timeline is not None)
        self.order.setVisible(timeline is not None)
        if timeline is None:
            self.order.setText("")
        plots = self.page.built_content()
        if plots is not None:
            plots.set_timeline(timeline, self.proxy.shown_series())

    def _select_default(self, timeline: Timeline) -> None:
        """The variables of the most urgent finding, else the first few weights."""
        for finding in timeline.findings:
            if finding.keys and finding.kind is not TimelineFindingKind.NEVER_CHANGES:
                self.select_keys(list(finding.keys))
                return
        weights = [s.key for s in self.proxy.shown_series() if s.role == "weight"]
        self.select_keys(weights[:DEFAULT_CURVES])

    def _set_running(self, running: bool) -> None:
        self.progress.set_running(running)
        self.run_button.setEnabled(not running)

    def _write_csv(self, path: str) -> None:
        if self._timeline is not None:
            write_csv(path, csv_rows(self._timeline))

    def _write_curves_png(self, path: str) -> None:
        self.plots().export_curves(path)

    def _write_curves_svg(self, path: str) -> None:
        self.plots().export_curves(path, svg=True)

    def _write_heatmap_png(self, path: str) -> None:
        self.plots().export_heatmap(path)

    def _write_heatmap_svg(self, path: str) -> None:
        self.plots().export_heatmap(path, svg=True)

    # -- slots ---------------------------------------------------------------------------------

    def _on_filter_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)

    def _on_rows_changed(self, *_args) -> None:
        plots = self.page.built_content()
        if plots is not None:
            plots.set_rows(self.proxy.shown_series())

    def _on_selection_changed(self, *_args) -> None:
        plots = self.page.built_content()
        if plots is not None:
            plots.set_selected(self.selected_series())

    def _on_finding_chosen(self, current, _previous) -> None:
        if current.isValid():
            finding = self.findings_model.finding(current.row())
            if finding.keys:
                self.select_keys(list(finding.keys))
