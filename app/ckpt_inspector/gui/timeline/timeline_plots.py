"""The Timeline dock's plots: a metric over steps for the selected variables, and the
variables × checkpoints heat map of the relative change.

The heat map shows log10 of the relative change from the previous checkpoint, from 1e-6 (and
below) to 10; a change of exactly 0 (the variable was saved unchanged) gets its own darkest
colour one step below the scale, so frozen layers read as dark rows and an identical save as a
dark column. The first checkpoint and variables missing from a checkpoint have no value and
show the grey background. Importing this module imports pyqtgraph (``plotting``).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.timeline.records import Timeline, VariableSeries
from ckpt_inspector.gui import plotting
from ckpt_inspector.gui.plotting import pg

METRICS = (
    ("Relative change", "relative_change", True),
    ("L2 norm", "norm", True),
    ("Mean", "mean", False),
    ("Std", "std", False),
    ("max |x|", "max_abs", True),
)
LOG_FLOOR = -6.0  # log10 of the smallest relative change on the colour scale
LOG_CEILING = 1.0
UNCHANGED = LOG_FLOOR - 1.0  # where exactly-zero changes sit, below the scale
MAX_CURVES = 12
ROW_LABEL_PIXELS = 13  # variable names on the heat map's rows when each row is this tall
# Okabe-Ito, then darker variants: distinguishable with the common colour-vision deficiencies.
PALETTE = tuple(
    QColor(c)
    for c in (
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
        "#000000", "#8c564b", "#7f7f7f", "#bcbd22", "#17becf", "#9467bd",
    )
)  # fmt: skip


def x_values(timeline: Timeline) -> tuple[np.ndarray, str]:
    """The x of each checkpoint: its step when every checkpoint has one, else its position."""
    steps = [c.step for c in timeline.checkpoints]
    if all(s is not None for s in steps):
        return np.asarray(steps, dtype=np.float64), "step"
    return np.arange(len(steps), dtype=np.float64), "checkpoint"


def series_values(series: VariableSeries, attribute: str) -> np.ndarray:
    return np.asarray(
        [np.nan if v is None else v for v in getattr(series, attribute)], dtype=np.float64
    )


def change_image(rows: list[VariableSeries]) -> np.ndarray:
    """rows × checkpoints of log10(relative change), ``UNCHANGED`` for 0, NaN for none."""
    out = np.full((len(rows), len(rows[0].relative_change) if rows else 0), np.nan)
    for r, series in enumerate(rows):
        for t, value in enumerate(series.relative_change):
            if value is None:
                if series.identical[t]:
                    out[r, t] = UNCHANGED  # 0 / 0: a zero tensor saved unchanged
                continue
            out[r, t] = (
                UNCHANGED if value == 0 else min(max(math.log10(value), LOG_FLOOR), LOG_CEILING)
            )
    return out


class TimelinePlots(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timeline: Timeline | None = None
        self._selected: list[VariableSeries] = []
        self._rows: list[VariableSeries] = []
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._build()

    def _build(self) -> None:
        self.metric = QComboBox()
        for text, attribute, _log in METRICS:
            self.metric.addItem(text, attribute)
        self.log_scale = QCheckBox("Log scale", checked=True)
        self.note = QLabel(objectName="mutedText")
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Plot"))
        controls.addWidget(self.metric)
        controls.addWidget(self.log_scale)
        controls.addWidget(self.note, 1)

        self.curves_widget = pg.GraphicsLayoutWidget()
        self.curves_plot = plotting.new_plot(self.curves_widget.ci, bottom="step")
        self.curves_plot.getViewBox().setMouseEnabled(x=True, y=True)
        self.legend = self.curves_plot.addLegend(offset=(-10, 10), labelTextSize="8pt")

        self.heat_widget = pg.GraphicsLayoutWidget()
        self.heat_plot = plotting.new_plot(self.heat_widget.ci, bottom="step")
        self.heat_plot.showGrid(x=False, y=False)
        self.heat_plot.invertY(True)
        self.heat_plot.getViewBox().setBackgroundColor(plotting.NOT_FINITE)
        self.heat_plot.getViewBox().setMouseEnabled(x=False, y=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.heat_plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=(UNCHANGED, LOG_CEILING),
            colorMap=pg.colormap.get(plotting.SEQUENTIAL_MAP),
            interactive=False,
            width=14,
        )
        self.colorbar.setImageItem(self.image, insert_in=self.heat_plot)
        self.colorbar.axis.setLabel("log10 relative change")
        self.hover = QLabel(objectName="mutedText")
        self.heat_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

        curves_page = QWidget()
        curves_layout = QVBoxLayout(curves_page)
        curves_layout.setContentsMargins(0, 4, 0, 0)
        curves_layout.addLayout(controls)
        curves_layout.addWidget(self.curves_widget, 1)
        heat_page = QWidget()
        heat_layout = QVBoxLayout(heat_page)
        heat_layout.setContentsMargins(0, 4, 0, 0)
        heat_layout.addWidget(
            QLabel(
                "Relative change from the previous checkpoint; dark: saved unchanged, "
                "grey: no value.",
                objectName="mutedText",
                wordWrap=True,
            )
        )
        heat_layout.addWidget(self.heat_widget, 1)
        heat_layout.addWidget(self.hover)
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(heat_page, "Heat map")
        self.tabs.addTab(curves_page, "Curves")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.metric.currentIndexChanged.connect(self._on_metric_changed)
        self.log_scale.toggled.connect(self._on_log_scale_toggled)

    # -- public API ----------------------------------------------------------------------------

    def set_timeline(self, timeline: Timeline | None, rows: list[VariableSeries]) -> None:
        """Show ``timeline``; ``rows`` are the heat map's rows in the table's order."""
        self._timeline = timeline
        self._rows = list(rows)
        self._selected = []
        self._draw_heatmap()
        self._draw_curves()

    def set_rows(self, rows: list[VariableSeries]) -> None:
        self._rows = list(rows)
        self._draw_heatmap()

    def set_selected(self, selected: list[VariableSeries]) -> None:
        self._selected = list(selected)
        self._draw_curves()

    def set_metric(self, attribute: str) -> None:
        self.metric.setCurrentIndex(self.metric.findData(attribute))

    def curve_data(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per drawn variable key: the x and y the curve holds (log scale: y as given)."""
        return {key: (item.xData, item.yData) for key, item in self._curves.items()}

    def heatmap_values(self) -> np.ndarray:
        return np.array(self.image.image) if self.image.image is not None else np.empty((0, 0))

    def heatmap_rows(self) -> list[str]:
        return [s.key for s in self._rows]

    def export_curves(self, path: str, svg: bool = False) -> None:
        (plotting.export_svg if svg else plotting.export_image)(self.curves_widget.ci, path)

    def export_heatmap(self, path: str, svg: bool = False) -> None:
        (plotting.export_svg if svg else plotting.export_image)(self.heat_widget.ci, path)

    # -- drawing -------------------------------------------------------------------------------

    def _x_ticks(self, plot: pg.PlotItem, x: np.ndarray, label: str) -> None:
        plot.setLabel("bottom", label)
        if label == "checkpoint" and self._timeline is not None:
            names = [c.name for c in self._timeline.checkpoints]
            plot.getAxis("bottom").setTicks([list(zip(x.tolist(), names, strict=True))])
        else:
            plot.getAxis("bottom").setTicks(None)

    def _draw_curves(self) -> None:
        self.curves_plot.clear()
        self.legend.clear()
        self._curves = {}
        attribute = self.metric.currentData()
        log = self.log_scale.isChecked()
        self.curves_plot.setLogMode(y=log)
        self.curves_plot.setLabel("left", self.metric.currentText())
        if self._timeline is None or not self._selected:
            self.note.setText("Select variables in the table to plot them.")
            return
        x, label = x_values(self._timeline)
        self._x_ticks(self.curves_plot, x, label)
        shown = self._selected[:MAX_CURVES]
        zeros = False
        empty: list[str] = []
        for number, series in enumerate(shown):
            y = series_values(series, attribute)
            if log:
                zeros = zeros or bool(np.any(y == 0))
                y = np.where(y > 0, y, np.nan)  # 0 and negatives have no logarithm
            if not np.isfinite(y).any():
                empty.append(series.label)
                continue
            pen = pg.mkPen(PALETTE[number % len(PALETTE)], width=1.6)
            item = self.curves_plot.plot(
                x, y, pen=pen, symbol="o", symbolSize=5, symbolBrush=pen.color(),
                symbolPen=None, name=series.label, connect="finite",
            )  # fmt: skip
            self._curves[series.key] = item
        notes = []
        if len(self._selected) > MAX_CURVES:
            notes.append(f"Plotting the first {MAX_CURVES} of {len(self._selected)} selected.")
        if zeros:
            notes.append("Zeros are left out on the log scale.")
        if empty:
            notes.append("Nothing to plot for " + ", ".join(empty) + ".")
        self.note.setText(" ".join(notes))
        if self._curves:
            self.curves_plot.autoRange()

    def _draw_heatmap(self) -> None:
        if self._timeline is None or not self._rows:
            self.image.clear()
            return
        values = change_image(self._rows)
        self.image.setImage(values.astype(np.float32), autoLevels=False)
        self.colorbar.setLevels((UNCHANGED, LOG_CEILING))
        x, label = x_values(self._timeline)
        # Column t spans [t, t + 1); ticks at the centres carry the steps.
        self.image.setRect(QRectF(0, 0, values.shape[1], values.shape[0]))
        centres = [t + 0.5 for t in range(len(x))]
        names = [c.name for c in self._timeline.checkpoints]
        texts = names if label == "checkpoint" else [f"{v:g}" for v in x]
        every = max(1, len(texts) // 12)
        self.heat_plot.getAxis("bottom").setTicks(
            [
                [
                    (c, s)
                    for i, (c, s) in enumerate(zip(centres, texts, strict=True))
                    if i % every == 0
                ]
            ]
        )
        self.heat_plot.setLabel("bottom", label)
        self._row_labels()
        self.heat_plot.autoRange(padding=0)

    def _row_labels(self) -> None:
        """Every variable's name when the rows are tall enough to read, else row numbers."""
        left = self.heat_plot.getAxis("left")
        height = self.heat_plot.getViewBox().height()
        if self._rows and height / len(self._rows) >= ROW_LABEL_PIXELS:
            left.setTicks([[(r + 0.5, s.label) for r, s in enumerate(self._rows)]])
            left.setLabel("")
        else:
            left.setTicks(None)
            left.setLabel("variable (row of the table)")

    # -- Qt overrides --------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._row_labels()

    # -- slots ---------------------------------------------------------------------------------

    def _on_metric_changed(self, index: int) -> None:
        self.log_scale.blockSignals(True)
        self.log_scale.setChecked(METRICS[index][2])
        self.log_scale.blockSignals(False)
        self._draw_curves()

    def _on_log_scale_toggled(self, _checked: bool) -> None:
        self._draw_curves()

    def _on_mouse_moved(self, position: QPointF) -> None:
        if self._timeline is None or not self._rows:
            return
        point = self.heat_plot.getViewBox().mapSceneToView(position)
        row, column = math.floor(point.y()), math.floor(point.x())
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._timeline.checkpoints)):
            self.hover.setText("")
            return
        series = self._rows[row]
        value = series.relative_change[column]
        text = "no value" if value is None else f"relative change {value:.4g}"
        name = self._timeline.checkpoints[column].name
        self.hover.setText(f"{series.label} at {name}: {text}")
        self.hover.setAlignment(Qt.AlignmentFlag.AlignLeft)
