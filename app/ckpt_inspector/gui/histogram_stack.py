"""A histogram drawing, or a centred sentence in its place (an empty tensor, one value, an error).

The histogram panel and both sides of the diff's histograms show one or the other. Imports
pyqtgraph, so only modules built on first show may import it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ckpt_inspector.gui.histogram_plot import HistogramDrawing
from ckpt_inspector.gui.plot_or_message import PlotOrMessage
from ckpt_inspector.gui.plotting import pg


class HistogramStack(PlotOrMessage):
    PLOT, MESSAGE = range(2)

    def __init__(self, parent: QWidget | None = None) -> None:
        graphics = pg.GraphicsLayoutWidget()
        super().__init__(graphics, parent=parent)
        self.graphics = graphics
        self.plot = HistogramDrawing(graphics.ci)
