"""The Compare tab: the selected variable in another checkpoint of the folder, overlaid.

``a`` is the reference checkpoint chosen in the combo (by default the previous one by step),
``b`` the selected checkpoint. Both histograms share their bin edges and axes; below them the
histogram of ``b - a`` and the relative change ``‖b − a‖ / ‖a‖`` show how far training moved
the variable.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.records import CheckpointRecord, VariableRecord
from ckpt_inspector.core.statistics.records import Comparison
from ckpt_inspector.gui import formatting, plotting
from ckpt_inspector.gui.export_menu import CSV, PNG, SVG, ExportButton, bins_table, write_csv
from ckpt_inspector.gui.histogram_plot import HistogramDrawing
from ckpt_inspector.gui.plot_or_message import PlotOrMessage
from ckpt_inspector.gui.plotting import pg
from ckpt_inspector.gui.stats_table_model import StatsTableModel, not_finite_text


def checkpoint_label(record: CheckpointRecord) -> str:
    step = "" if record.step is None else f" · step {formatting.count(record.step)}"
    return f"{record.name}{step}"


def relative_change_text(comparison: Comparison) -> str:
    change = comparison.relative_change
    if change is None:
        reason = comparison.note or (
            "the shapes or dtypes differ" if comparison.difference is None else "‖a‖ is 0"
        )
        return f"Relative change ‖b − a‖ / ‖a‖: not defined ({reason})"
    return f"Relative change ‖b − a‖ / ‖a‖ = {change:.4g} ({100 * change:.3g} %)"


class ComparisonView(QWidget):
    referenceChanged = Signal(object)  # CheckpointRecord chosen by the user

    PLOTS, MESSAGE = range(2)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: VariableRecord | None = None
        self._comparison: Comparison | None = None
        self._checkpoints: list[CheckpointRecord] = []
        self._filling = False
        self._build()
        self.clear()

    def _build(self) -> None:
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setToolTip("The checkpoint to compare with (a); the selected one is b")
        self.combo.activated.connect(self._on_combo_activated)
        self.log = QCheckBox("Log counts")
        self.log.toggled.connect(self._on_log_toggled)
        self.export = ExportButton()
        self.export.add("Plot as PNG…", PNG, "comparison", self._write_png)
        self.export.add("Plot as SVG…", SVG, "comparison", self._write_svg)
        self.export.add("Bins as CSV…", CSV, "comparison-bins", self._write_bins)
        self.export.add("Difference bins as CSV…", CSV, "difference-bins", self._write_diff_bins)
        self.export.add("Statistics as CSV…", CSV, "comparison-statistics", self._write_stats)
        self.export.exported.connect(lambda path: self.status.setText(f"Saved {path}"))
        self.export.failed.connect(lambda message: self.status.setText(message))
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Compare with"))
        controls.addWidget(self.combo, 1)
        controls.addWidget(self.log)
        controls.addWidget(self.export)

        self.change = QLabel(objectName="sectionTitle", wordWrap=True)
        self.change.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alarm = QLabel(objectName="alarmText", wordWrap=True)
        self.note = QLabel(objectName="noteText", wordWrap=True)
        self.status = QLabel(objectName="mutedText", wordWrap=True)

        # One scene for both plots, so that an exported picture holds both; each legend in
        # the row above its plot.
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumHeight(220)
        self.overlay = HistogramDrawing(self.graphics.ci, row=1)
        self.difference = HistogramDrawing(self.graphics.ci, row=3)
        self._legend_above(self.overlay, row=0)
        self._legend_above(self.difference, row=2)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(3, 2)
        self.table_model = StatsTableModel(self)
        self.table = QTableView(objectName="statsTable")
        self.table.setModel(self.table_model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.setChildrenCollapsible(False)
        plots.addWidget(self.graphics)
        plots.addWidget(self.table)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 2)
        self.stack = PlotOrMessage(plots)
        self.message = self.stack.message

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.change)
        layout.addWidget(self.alarm)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)

    # -- public API ----------------------------------------------------------------------------

    def set_checkpoints(
        self,
        checkpoints: Sequence[CheckpointRecord],
        current: CheckpointRecord | None,
        reference: CheckpointRecord | None,
    ) -> None:
        """Offer every checkpoint but ``current``; select ``reference``."""
        self._checkpoints = [
            c for c in checkpoints if current is None or c.prefix != current.prefix
        ]
        self._filling = True
        try:
            self.combo.clear()
            here = current.prefix.replace("\\", "/").rsplit("/", 1)[0] if current else None
            for record in self._checkpoints:
                folder = record.prefix.replace("\\", "/").rsplit("/", 1)[0]
                # Checkpoints of other sub-folders (other runs) carry their folder's name.
                label = checkpoint_label(record)
                if folder != here:
                    label = f"{folder.rsplit('/', 1)[-1]}/{label}"
                self.combo.addItem(label, record.prefix)
                self.combo.setItemData(
                    self.combo.count() - 1, record.prefix, Qt.ItemDataRole.ToolTipRole
                )
            index = self.combo.findData(reference.prefix) if reference is not None else -1
            self.combo.setCurrentIndex(index)
        finally:
            self._filling = False
        self.combo.setEnabled(bool(self._checkpoints))

    def reference(self) -> CheckpointRecord | None:
        index = self.combo.currentIndex()
        return self._checkpoints[index] if 0 <= index < len(self._checkpoints) else None

    def comparison(self) -> Comparison | None:
        return self._comparison

    def record(self) -> VariableRecord | None:
        """The variable shown or awaited."""
        return self._record

    def error(self) -> str:
        return self.stack.error()

    def clear(self, message: str = "") -> None:
        self._record = None
        self.show_message(message)

    def show_loading(self, record: VariableRecord) -> None:
        self._record = record
        self.export.set_stem(lambda: formatting.file_stem(record))
        reference = self.reference()
        self.show_message(
            f"Comparing with {reference.name}…"
            if reference is not None
            else "There is no other checkpoint in this folder to compare with."
        )

    def show_message(self, text: str, *, error: bool = False) -> None:
        self._comparison = None
        self.overlay.clear()
        self.difference.clear()
        self.table_model.set_stats([])
        for label in (self.change, self.alarm, self.note, self.status):
            label.setText("")
            label.hide()
        self.stack.show_message(text, error=error)
        self.export.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.show_message(message, error=True)

    def show_comparison(self, comparison: Comparison) -> bool:
        """Show ``comparison`` if it is for the variable shown; returns whether it was."""
        if self._record is None or comparison.key != self._record.key:
            return False
        self._comparison = comparison
        name_a, name_b = self._names(comparison)
        self.change.setText(relative_change_text(comparison))
        self.change.show()
        self.note.setText(comparison.note)
        self.note.setVisible(bool(comparison.note))
        alarms = [
            f"{name}: {text}"
            for name, text in (
                (name_a, not_finite_text(comparison.a)),
                (name_b, not_finite_text(comparison.b)),
            )
            if text
        ]
        self.alarm.setText("⚠ Not in the bins — " + "; ".join(alarms) if alarms else "")
        self.alarm.setVisible(bool(alarms))
        self.status.hide()
        self._show_overlay(comparison, name_a, name_b)
        self._show_difference(comparison)
        columns = [(name_a, comparison.a), (name_b, comparison.b)]
        if comparison.difference is not None:
            columns.append(("b − a", comparison.difference))
        self.table_model.set_stats(columns)
        self.stack.show_plot(self.PLOTS)
        self.export.setEnabled(True)
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _legend_above(self, drawing: HistogramDrawing, *, row: int) -> None:
        """``drawing``'s legend in ``row`` of the scene, right-aligned, in one line.

        pyqtgraph anchors a legend inside the view box, where it lay over the tallest bins. The
        drawing's own ``addLegend`` call then returns this legend (``PlotItem.addLegend`` makes
        one legend per plot), and named curves still enter it through ``PlotItem.addItem``.
        """
        legend = drawing.plot.addLegend(offset=None, colCount=2)
        legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.graphics.ci.addItem(legend, row=row, col=0)
        self.graphics.ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignRight)

    @staticmethod
    def _names(comparison: Comparison) -> tuple[str, str]:
        def short(prefix: str) -> str:
            return prefix.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]

        name_a, name_b = short(comparison.checkpoint_a), short(comparison.checkpoint_b)
        if name_a == name_b:
            name_a, name_b = comparison.checkpoint_a, comparison.checkpoint_b
        return f"a: {name_a}", f"b: {name_b}"

    def _show_overlay(self, comparison: Comparison, name_a: str, name_b: str) -> None:
        shown = [
            (name, stats.histogram, color)
            for name, stats, color in (
                (name_a, comparison.a, plotting.REFERENCE),
                (name_b, comparison.b, plotting.SELECTED),
            )
            if stats.histogram is not None
        ]
        self.overlay.set_histograms(shown, x_label="value", legend=True)

    def _show_difference(self, comparison: Comparison) -> None:
        difference = comparison.difference
        if difference is None or difference.histogram is None:
            self.difference.clear()
            self.difference.plot.setTitle("No difference histogram: the shapes or dtypes differ")
            return
        self.difference.plot.setTitle(None)
        self.difference.set_histograms(
            [("b − a", difference.histogram, plotting.DIFFERENCE)], x_label="b − a", legend=True
        )

    # -- export writers ------------------------------------------------------------------------

    def _write_png(self, path: str) -> None:
        plotting.export_image(self.graphics.ci, path)

    def _write_svg(self, path: str) -> None:
        plotting.export_svg(self.graphics.ci, path)

    def _write_bins(self, path: str) -> None:
        comparison = self._comparison
        histograms = []
        if comparison is not None:
            name_a, name_b = self._names(comparison)
            for name, stats in ((name_a, comparison.a), (name_b, comparison.b)):
                if stats.histogram is not None:
                    histograms.append((name.split(": ", 1)[0], stats.histogram))
        write_csv(path, bins_table(histograms))

    def _write_diff_bins(self, path: str) -> None:
        comparison = self._comparison
        difference = comparison.difference if comparison is not None else None
        histogram = difference.histogram if difference is not None else None
        write_csv(path, bins_table([("b_minus_a", histogram)] if histogram is not None else []))

    def _write_stats(self, path: str) -> None:
        write_csv(path, self.table_model.table())

    # -- slots ---------------------------------------------------------------------------------

    def _on_combo_activated(self, _index: int) -> None:
        if not self._filling and self.reference() is not None:
            self.referenceChanged.emit(self.reference())

    def _on_log_toggled(self, checked: bool) -> None:
        self.overlay.set_log(checked)
        self.difference.set_log(checked)
