"""The Heat map tab: a tensor as an image with a colour bar, or a vector as a line.

The worker sends a ``HeatMap`` no larger than ``max_side`` per side; the view says how the
tensor was reshaped and how many values each pixel averages, and keeps the axes in the
tensor's own row/column numbers. Signed data uses a diverging map centred at 0, so the sign
of a weight reads straight from its colour. NaN and ±Inf pixels are transparent over grey.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ckpt_inspector.core.records import VariableRecord
from ckpt_inspector.core.statistics.records import HeatMap
from ckpt_inspector.gui import formatting, plotting
from ckpt_inspector.gui.export_menu import PNG, SVG, ExportButton
from ckpt_inspector.gui.plot_or_message import PlotOrMessage
from ckpt_inspector.gui.plotting import pg


def factor_text(heatmap: HeatMap) -> str:
    rows, columns = heatmap.factor
    if heatmap.values.ndim == 1:
        per_point = rows * columns
        if per_point == 1:
            return "One point per value."
        return f"Downsampled: each point is the mean of {formatting.count(per_point)} values."
    if (rows, columns) == (1, 1):
        return "Full resolution: one pixel per value."
    return f"Downsampled: each pixel is the mean of {rows} × {columns} values."


def range_text(heatmap: HeatMap, levels: tuple[float, float]) -> str:
    if heatmap.value_range is None:
        return "No finite values."
    lo, hi = heatmap.value_range
    text = f"Values {lo:.4g} … {hi:.4g}"
    if levels[0] < 0 < levels[1] and levels[0] == -levels[1]:
        text += f"; colours ±{levels[1]:.4g}, white at 0"
    return text + "."


class HeatmapView(QWidget):
    IMAGE, LINE, MESSAGE = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: VariableRecord | None = None
        self._heatmap: HeatMap | None = None
        self._build()
        self.clear()

    def _build(self) -> None:
        self.rule = QLabel(wordWrap=True)
        self.rule.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.factor = QLabel(objectName="mutedText", wordWrap=True)
        self.range = QLabel(objectName="mutedText", wordWrap=True)
        self.hover = QLabel(objectName="mutedText")
        self.export = ExportButton()
        self.export.add("Plot as PNG…", PNG, "heatmap", self._write_png)
        self.export.add("Plot as SVG…", SVG, "heatmap", self._write_svg)
        self.export.exported.connect(lambda path: self.hover.setText(f"Saved {path}"))
        self.export.failed.connect(self.hover.setText)
        header = QHBoxLayout()
        header.addWidget(self.rule, 1)
        header.addWidget(self.export, 0, Qt.AlignmentFlag.AlignTop)

        self.image_widget = pg.GraphicsLayoutWidget()
        self.image_plot = plotting.new_plot(self.image_widget.ci, left="row", bottom="column")
        self.image_plot.showGrid(x=False, y=False)
        self.image_plot.invertY(True)  # row 0 on top, as the tensor prints
        self.image_plot.getViewBox().setMouseEnabled(x=True, y=True)
        self.image_plot.getViewBox().setBackgroundColor(plotting.NOT_FINITE)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image_plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=(-1.0, 1.0),
            colorMap=plotting.colormap(signed=True),
            interactive=False,
            width=14,
        )
        self.colorbar.setImageItem(self.image, insert_in=self.image_plot)
        self.image_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.line_widget = pg.GraphicsLayoutWidget()
        self.line_plot = plotting.new_plot(self.line_widget.ci, left="value", bottom="index")
        self.line = pg.PlotDataItem(pen=pg.mkPen(plotting.SINGLE, width=1.2))
        self.line_plot.addItem(self.line)

        self.stack = PlotOrMessage(self.image_widget, self.line_widget)  # IMAGE, LINE, MESSAGE
        self.message = self.stack.message

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.factor)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.range)
        layout.addWidget(self.hover)

    # -- public API ----------------------------------------------------------------------------

    def heatmap(self) -> HeatMap | None:
        return self._heatmap

    def record(self) -> VariableRecord | None:
        """The variable shown or awaited."""
        return self._record

    def error(self) -> str:
        return self.stack.error()

    def levels(self) -> tuple[float, float]:
        return tuple(float(v) for v in self.colorbar.levels())

    def clear(self, message: str = "") -> None:
        self._record = None
        self.show_message(message)

    def show_loading(self, record: VariableRecord) -> None:
        self._record = record
        self.export.set_stem(lambda: formatting.file_stem(record))
        self.show_message("Computing the heat map…")

    def show_message(self, text: str, *, error: bool = False) -> None:
        self._heatmap = None
        self.image.clear()
        self.line.setData([], [])
        for label in (self.rule, self.factor, self.range, self.hover):
            label.setText("")
        self.factor.hide()
        self.stack.show_message(text, error=error)
        self.export.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.show_message(message, error=True)

    def show_heatmap(self, heatmap: HeatMap) -> bool:
        """Show ``heatmap`` if it is for the variable shown; returns whether it was."""
        if self._record is None or heatmap.key != self._record.key:
            return False
        values = np.asarray(heatmap.values, dtype=np.float32)
        if values.ndim not in (1, 2) or values.size == 0:
            self.show_message("Nothing to draw for this tensor.")
            return True
        self._heatmap = heatmap
        self.rule.setText(heatmap.reshape_rule)
        self.factor.setText(factor_text(heatmap))
        self.factor.show()
        self.hover.setText("")
        if values.ndim == 1:
            self._show_line(heatmap, values)
        else:
            self._show_image(heatmap, values)
        self.export.setEnabled(True)
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _show_image(self, heatmap: HeatMap, values: np.ndarray) -> None:
        levels = plotting.symmetric_levels(heatmap.value_range)
        signed = levels[0] < 0
        self.colorbar.setColorMap(plotting.colormap(signed=signed))
        self.image.setImage(values, autoLevels=False)
        self.colorbar.setLevels(levels)
        rows, columns = values.shape
        row_factor, column_factor = heatmap.factor
        # Axes in the tensor's own numbering: a pixel spans `factor` rows and columns.
        self.image.setRect(QRectF(0, 0, columns * column_factor, rows * row_factor))
        self.image_plot.autoRange(padding=0)
        text = range_text(heatmap, levels)
        if not np.isfinite(values).all():
            text += " Grey: NaN or ±Inf."
        self.range.setText(text)
        self.stack.show_plot(self.IMAGE)

    def _show_line(self, heatmap: HeatMap, values: np.ndarray) -> None:
        step = heatmap.factor[0] * heatmap.factor[1]
        self.line.setData(np.arange(values.size, dtype=np.float64) * step, values)
        self.line_plot.setLabel("bottom", "index" if step == 1 else f"index (mean of {step})")
        self.line_plot.autoRange(padding=0.02)
        lo_hi = heatmap.value_range
        self.range.setText(
            "No finite values." if lo_hi is None else f"Values {lo_hi[0]:.4g} … {lo_hi[1]:.4g}."
        )
        self.stack.show_plot(self.LINE)

    def _shown_plot(self) -> pg.GraphicsLayout:
        widget = self.line_widget if self.stack.currentIndex() == self.LINE else self.image_widget
        return widget.ci

    def _write_png(self, path: str) -> None:
        plotting.export_image(self._shown_plot(), path)

    def _write_svg(self, path: str) -> None:
        plotting.export_svg(self._shown_plot(), path)

    # -- slots ---------------------------------------------------------------------------------

    def _on_mouse_moved(self, position: QPointF) -> None:
        heatmap = self._heatmap
        if heatmap is None or heatmap.values.ndim != 2:
            return
        point = self.image_plot.getViewBox().mapSceneToView(position)
        row_factor, column_factor = heatmap.factor
        row, column = int(point.y() // row_factor), int(point.x() // column_factor)
        rows, columns = heatmap.values.shape
        if not (0 <= row < rows and 0 <= column < columns):
            self.hover.setText("")
            return
        value = float(heatmap.values[row, column])
        where = (
            f"row {row * row_factor}, column {column * column_factor}"
            if (row_factor, column_factor) == (1, 1)
            else f"rows {row * row_factor}–{(row + 1) * row_factor - 1}, "
            f"columns {column * column_factor}–{(column + 1) * column_factor - 1} (mean)"
        )
        self.hover.setText(f"{where}: {value:.6g}")
