"""A histogram drawing, or a centred sentence in its place (an empty tensor, one value, an error).

The histogram panel and both sides of the diff's histograms show one or the other. Imports
pyqtgraph, so only modules built on first show may import it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.histogram_plot import HistogramDrawing
from ckpt_inspector.gui.plotting import pg


class HistogramStack(QStackedWidget):
    PLOT, MESSAGE = range(2)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = HistogramDrawing(self.graphics.ci)
        self.message = QLabel(objectName="placeholderText", wordWrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.addWidget(self.graphics)
        self.addWidget(self.message)

    def show_plot(self) -> None:
        self.setCurrentIndex(self.PLOT)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """``text`` instead of the plot; the plot keeps what it drew."""
        self.message.setText(text)
        theme.set_style_property(self.message, "error", error)
        self.setCurrentIndex(self.MESSAGE)
