"""The Histogram tab: the distribution of the selected variable's values and its statistics.

Controls (bins, range, zeros) change what the worker computes: the panel emits
``optionsChanged`` once the user stops changing them for ``DEBOUNCE_MS`` and the window asks
again. "Log counts" only changes the drawing. NaN and ±Inf never land in a bin; a red line
above the plot says how many there are.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.records import VariableRecord
from ckpt_inspector.core.statistics.records import HistogramOptions, TensorStats, ValueKind
from ckpt_inspector.gui import formatting, plotting
from ckpt_inspector.gui.export_menu import CSV, PNG, SVG, ExportButton, bins_table, write_csv
from ckpt_inspector.gui.histogram_stack import HistogramStack
from ckpt_inspector.gui.stats_table_model import StatsTableModel, format_stat, not_finite_text

# (label, clip_percentiles) for the range combo.
CLIP_CHOICES: tuple[tuple[str, tuple[float, float] | None], ...] = (
    ("Full range", None),
    ("0.1 – 99.9 %", (0.1, 99.9)),
    ("1 – 99 %", (1.0, 99.0)),
    ("5 – 95 %", (5.0, 95.0)),
)
X_LABELS = {
    ValueKind.REAL: "value",
    ValueKind.COMPLEX: "|z| (magnitude)",
    ValueKind.STRING: "length (bytes)",
}


def left_out_text(stats: TensorStats, options: HistogramOptions | None) -> str:
    """What the bins leave out besides NaN/Inf: values outside the clip window, zeros."""
    histogram = stats.histogram
    if histogram is None:
        return ""
    parts = []
    if histogram.clipped_below or histogram.clipped_above:
        window = ""
        if options is not None and options.clip_percentiles is not None:
            lo, hi = options.clip_percentiles
            window = f" the {lo:g}–{hi:g} percentile window"
        parts.append(
            f"{formatting.count(histogram.clipped_below)} below and "
            f"{formatting.count(histogram.clipped_above)} above{window or ' the range'} "
            "are not in the bins."
        )
    if histogram.excluded_zeros:
        parts.append(f"{formatting.count(histogram.excluded_zeros)} exact zeros left out.")
    return " ".join(parts)


def single_value_text(stats: TensorStats) -> str:
    """What a scalar holds, for the sentence shown instead of a plot."""
    if stats.kind is ValueKind.BOOL and stats.true_count is not None:
        return "True" if stats.true_count else "False"
    if stats.kind is ValueKind.STRING and stats.string_examples:
        return repr(stats.string_examples[0])
    if stats.nan:
        return "NaN"
    if stats.posinf:
        return "+Inf"
    if stats.neginf:
        return "−Inf"
    return format_stat(stats.mean, "float")


class HistogramPanel(QWidget):
    optionsChanged = Signal(object)  # HistogramOptions, after the user stopped changing them

    DEBOUNCE_MS = 300
    PLOT, MESSAGE = HistogramStack.PLOT, HistogramStack.MESSAGE

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: VariableRecord | None = None
        self._stats: TensorStats | None = None
        self._debounce = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self._build()
        self.clear()

    def _build(self) -> None:
        self.bins = QSpinBox(minimum=4, maximum=1024, value=HistogramOptions().bins)
        self.bins.setKeyboardTracking(False)
        self.bins.setToolTip("Number of bins")
        self.clip = QComboBox()
        for label, window in CLIP_CHOICES:
            self.clip.addItem(label, window)
        self.clip.setToolTip(
            "Bin only the values between these percentiles of the finite values; "
            "the counts left out are said below the plot"
        )
        self.zeros = QCheckBox("Zeros", checked=True)
        self.zeros.setToolTip("Include exact zeros in the bins (sparse or pruned weights)")
        self.log = QCheckBox("Log counts")
        self.log.setToolTip(
            "Counts on a logarithmic axis, to see the tails; empty bins lie on the bottom line"
        )
        self.export = ExportButton()
        self.export.add("Plot as PNG…", PNG, "histogram", self._write_png)
        self.export.add("Plot as SVG…", SVG, "histogram", self._write_svg)
        self.export.add("Bins as CSV…", CSV, "bins", self._write_bins)
        self.export.add("Statistics as CSV…", CSV, "statistics", self._write_statistics)
        self.export.exported.connect(self._on_exported)
        self.export.failed.connect(self._on_export_failed)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Bins"))
        controls.addWidget(self.bins)
        controls.addWidget(self.clip)
        controls.addWidget(self.zeros)
        controls.addWidget(self.log)
        controls.addStretch(1)
        controls.addWidget(self.export)
        self.bins.valueChanged.connect(self._on_control_changed)
        self.clip.currentIndexChanged.connect(self._on_control_changed)
        self.zeros.toggled.connect(self._on_control_changed)
        self.log.toggled.connect(self._on_log_toggled)

        self.status = QLabel(objectName="mutedText", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alarm = QLabel(objectName="alarmText", wordWrap=True)
        self.alarm.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(objectName="noteText", wordWrap=True)
        self.stack = HistogramStack()
        self.stack.graphics.setMinimumHeight(140)
        self.plot, self.message = self.stack.plot, self.stack.message
        self.left_out = QLabel(objectName="mutedText", wordWrap=True)

        self.table_model = StatsTableModel(self)
        self.table = QTableView(objectName="statsTable")
        self.table.setModel(self.table_model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(19)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.examples_model = QStringListModel(self)
        self.examples = QListView(objectName="stringExamples")
        self.examples.setModel(self.examples_model)
        self.examples_title = QLabel("Examples", objectName="sectionTitle")

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.alarm)
        top_layout.addWidget(self.note)
        top_layout.addWidget(self.stack, 1)
        top_layout.addWidget(self.left_out)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.table, 2)
        bottom_layout.addWidget(self.examples_title)
        bottom_layout.addWidget(self.examples, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        # The plot keeps the larger share when the panel is short (e.g. the health dock open).
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([300, 260])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.splitter, 1)

    # -- public API ----------------------------------------------------------------------------

    def options(self) -> HistogramOptions:
        return HistogramOptions(
            bins=self.bins.value(),
            clip_percentiles=self.clip.currentData(),
            include_zeros=self.zeros.isChecked(),
        )

    def stats(self) -> TensorStats | None:
        return self._stats

    def record(self) -> VariableRecord | None:
        """The variable shown or awaited."""
        return self._record

    def error(self) -> str:
        return self.message.text() if self.message.property("error") else ""

    def is_pending(self) -> bool:
        """A control changed and ``optionsChanged`` is still to come."""
        return self._debounce.isActive()

    def clear(self, message: str = "") -> None:
        self._record = None
        self._show_nothing(message)

    def show_loading(self, record: VariableRecord, *, keep: bool = False) -> None:
        """Waiting for ``record``'s statistics; ``keep`` leaves the last plot up (the same
        variable with other options) instead of blanking it."""
        self._record = record
        self.export.set_stem(lambda: formatting.file_stem(record))
        if not keep or self._stats is None or self._stats.key != record.key:
            self._show_nothing("Computing the histogram…")
        self._set_status("Computing…" if keep else "")

    def show_error(self, message: str) -> None:
        self._show_nothing(message, error=True)

    def show_stats(self, stats: TensorStats, options: HistogramOptions | None = None) -> bool:
        """Show ``stats`` if they are for the variable shown; returns whether they were."""
        if self._record is None or stats.key != self._record.key:
            return False
        self._stats = stats
        self._set_status("")
        self.table_model.set_stats([("Value", stats)])
        self.table.resizeRowsToContents()
        self._show_alarm(stats)
        self.note.setText(stats.note)
        self.note.setVisible(bool(stats.note))
        self._show_plot(stats)
        self.left_out.setText(left_out_text(stats, options))
        self.left_out.setVisible(bool(self.left_out.text()))
        self._show_examples(stats)
        self._enable_controls(stats.kind)
        self.export.setEnabled(True)
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _show_nothing(self, message: str, *, error: bool = False) -> None:
        self._stats = None
        self.plot.clear()
        self.table_model.set_stats([])
        self.examples_model.setStringList([])
        for widget in (self.alarm, self.note, self.left_out, self.examples, self.examples_title):
            widget.hide()
        self._set_status("")
        self.stack.show_message(message, error=error)
        self.export.setEnabled(False)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _show_alarm(self, stats: TensorStats) -> None:
        text = not_finite_text(stats)
        if text:
            text = (
                f"⚠ {text} — not in the bins, nor in mean, std, min, max and norms "
                f"({formatting.count(stats.finite)} of {formatting.count(stats.count)} "
                "values are finite)."
            )
        self.alarm.setText(text)
        self.alarm.setVisible(bool(text))

    def _show_plot(self, stats: TensorStats) -> None:
        record = self._record
        if stats.kind is ValueKind.EMPTY or stats.count == 0:
            shape = formatting.shape_text(stats.shape)
            self.stack.show_message(f"This tensor is empty (shape {shape}): it holds no values.")
        elif not stats.shape and stats.count == 1:
            dtype = record.dtype if record is not None else stats.dtype
            self.stack.show_message(
                f"A single {dtype} value: {single_value_text(stats)}\n"
                "(one value has no distribution to plot)"
            )
        elif stats.kind is ValueKind.BOOL and stats.true_count is not None:
            self.plot.set_bool(stats.count - stats.true_count, stats.true_count, plotting.SINGLE)
            self.stack.show_plot()
        elif stats.histogram is None or int(stats.histogram.counts.sum()) == 0:
            if stats.finite == 0:
                self.stack.show_message(
                    f"No finite values: all {formatting.count(stats.count)} are NaN or ±Inf."
                )
            else:
                self.stack.show_message(
                    "Every value was left out of the bins by the options above."
                )
        else:
            self.plot.set_histograms(
                [("value", stats.histogram, plotting.SINGLE)],
                x_label=X_LABELS.get(stats.kind, "value"),
            )
            self.stack.show_plot()

    def _show_examples(self, stats: TensorStats) -> None:
        shown = stats.kind is ValueKind.STRING and bool(stats.string_examples)
        self.examples_model.setStringList([repr(s) for s in stats.string_examples])
        self.examples.setVisible(shown)
        self.examples_title.setVisible(shown)

    def _enable_controls(self, kind: ValueKind) -> None:
        binned = kind in (ValueKind.REAL, ValueKind.COMPLEX, ValueKind.STRING)
        self.bins.setEnabled(binned)
        self.log.setEnabled(binned)
        self.clip.setEnabled(kind in (ValueKind.REAL, ValueKind.COMPLEX))
        self.zeros.setEnabled(kind in (ValueKind.REAL, ValueKind.COMPLEX))

    # -- export writers ------------------------------------------------------------------------

    def _write_png(self, path: str) -> None:
        plotting.export_image(self.stack.graphics.ci, path)

    def _write_svg(self, path: str) -> None:
        plotting.export_svg(self.stack.graphics.ci, path)

    def _write_bins(self, path: str) -> None:
        stats = self._stats
        if stats is not None and stats.kind is ValueKind.BOOL and stats.true_count is not None:
            false_count = stats.count - stats.true_count
            write_csv(
                path, [["value", "count"], ["False", false_count], ["True", stats.true_count]]
            )
            return
        histogram = stats.histogram if stats is not None else None
        write_csv(path, bins_table([("", histogram)] if histogram is not None else []))

    def _write_statistics(self, path: str) -> None:
        write_csv(path, self.table_model.table())

    # -- slots ---------------------------------------------------------------------------------

    def _on_control_changed(self, *_args: object) -> None:
        self._debounce.start()

    def _on_debounce_timeout(self) -> None:
        self.optionsChanged.emit(self.options())

    def _on_log_toggled(self, checked: bool) -> None:
        self.plot.set_log(checked)

    def _on_exported(self, path: str) -> None:
        self._set_status(f"Saved {path}")

    def _on_export_failed(self, message: str) -> None:
        self._set_status(message)
