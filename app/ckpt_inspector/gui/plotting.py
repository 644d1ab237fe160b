"""The one door to pyqtgraph: picks the Qt binding before pyqtgraph is imported, sets the look.

Every plot module imports ``pg`` from here, never ``pyqtgraph`` directly: pyqtgraph chooses its
binding on first import and would otherwise pick whichever Qt it finds first. Importing
pyqtgraph costs about 0.2 s, so only the plot modules import this one, and the window builds
them on first use (see ``lazy_page.py``), after it is on screen.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # registers pg.exporters
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from ckpt_inspector.gui import theme

# Plot background and axis colour by colour scheme (pyqtgraph is not styled by the QSS).
PLOT_COLORS = {theme.LIGHT: ("#ffffff", "#000000"), theme.DARK: ("#1b1c1e", "#dadce0")}

# Row-major: image[row, column] as NumPy prints it, so a kernel's rows are the image's rows.
pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")

__all__ = ["pg"]


def apply_scheme(scheme: str) -> None:
    """New plots get ``scheme``'s background and axis colour; plots on screen are recoloured."""
    background, foreground = PLOT_COLORS[scheme]
    pg.setConfigOptions(background=background, foreground=foreground)
    for widget in QApplication.allWidgets():
        if isinstance(widget, pg.GraphicsView):
            widget.setBackground(background)
            for item in widget.scene().items():
                if isinstance(item, pg.AxisItem):
                    item.setPen(foreground)
                    item.setTextPen(foreground)


apply_scheme(theme.scheme())
theme.on_scheme_changed(apply_scheme)

# Okabe-Ito-like pair, distinguishable with the common colour-vision deficiencies.
SELECTED = QColor("#d55e00")  # the selected checkpoint (b)
REFERENCE = QColor("#0072b2")  # the checkpoint compared with (a)
SINGLE = QColor("#3b6ea8")  # a histogram on its own
DIFFERENCE = QColor("#5b8a3c")
NOT_FINITE = QColor("#bdbdbd")  # shown through transparent NaN pixels of a heat map

DIVERGING_MAP = "CET-D1A"  # blue - white - red, for signed values centred at 0
SEQUENTIAL_MAP = "viridis"  # for values that are all >= 0

# On a log axis a bin with no values would be log10(0); it is drawn at this floor instead.
LOG_FLOOR = 0.1


def translucent(color: QColor, alpha: int) -> QColor:
    out = QColor(color)
    out.setAlpha(alpha)
    return out


def colormap(signed: bool) -> pg.ColorMap:
    return pg.colormap.get(DIVERGING_MAP if signed else SEQUENTIAL_MAP)


def symmetric_levels(value_range: tuple[float, float] | None) -> tuple[float, float]:
    """Colour levels for a heat map: centred at 0 for signed data, ``(lo, hi)`` otherwise."""
    if value_range is None:
        return (-1.0, 1.0)
    lo, hi = float(value_range[0]), float(value_range[1])
    if lo < 0:
        extent = max(abs(lo), abs(hi)) or 1.0
        return (-extent, extent)
    if hi <= lo:
        return (lo, lo + 1.0)
    return (lo, hi)


def counts_for_display(counts: np.ndarray, log: bool) -> np.ndarray:
    """Heights as drawn: the counts, or on a log axis empty bins lifted to ``LOG_FLOOR``."""
    heights = np.asarray(counts, dtype=np.float64)
    if log:
        heights = np.where(heights > 0, heights, LOG_FLOOR)
    return heights


def new_plot(layout: pg.GraphicsLayout, *, row: int | None = None, **labels: str) -> pg.PlotItem:
    """A plot in ``layout`` that does not pan or zoom on the wheel while the panel scrolls."""
    plot = layout.addPlot(row=row, col=0) if row is not None else layout.addPlot()
    plot.setMenuEnabled(False)
    plot.showGrid(x=False, y=True, alpha=0.25)
    plot.getViewBox().setMouseEnabled(x=True, y=False)
    for side in ("left", "bottom"):
        # Tick labels in the data's own units: "x0.001" after the axis title is easy to miss.
        plot.getAxis(side).enableAutoSIPrefix(False)
    for side, text in labels.items():
        plot.setLabel(side, text)
    return plot


def export_image(item: pg.GraphicsObject, path: str) -> None:
    """PNG of ``item`` at twice its size on screen; raises ``OSError`` when it cannot be
    written."""
    exporter = pg.exporters.ImageExporter(item)
    width = int(exporter.parameters()["width"])
    exporter.parameters()["width"] = max(width * 2, 800)
    image = exporter.export(toBytes=True)
    if not image.save(path):
        raise OSError(f"Qt could not write the image to {path}")


def export_svg(item: pg.GraphicsObject, path: str) -> None:
    """Vector SVG of ``item`` as Qt's SVG generator paints it.

    Not ``pg.exporters.SVGExporter``: with Qt 6 it fails on every plot, because Qt now closes
    rectangles with "Z" and the exporter's path rewriting cannot parse that (pyqtgraph issue
    #3495, still open in 0.14.0). Painting the scene into a ``QSvgGenerator`` is what that
    exporter does before its rewriting step.
    """
    rect = item.sceneBoundingRect()
    views = item.scene().views()
    generator = QSvgGenerator()
    # At the generator's default 72 dpi, text measured for the screen is drawn 3/4 size and
    # the axes no longer line up with the data: paint at the view's own resolution.
    if views:
        generator.setResolution(views[0].logicalDpiX())
    generator.setFileName(path)
    generator.setSize(rect.size().toSize())
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle("Checkpoint Inspector plot")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"Qt could not write the drawing to {path}")
    try:
        item.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    finally:
        painter.end()
