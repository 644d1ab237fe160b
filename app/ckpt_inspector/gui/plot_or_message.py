"""A drawing, or a centred sentence in its place: why there is nothing to draw, or an error.

The histogram, heat map and compare tabs, and both sides of the diff's histograms, show one or
the other. The drawings are any widgets (a pyqtgraph view, or one beside a table); this module
does not import pyqtgraph, so it costs nothing before the plot tabs are built.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from ckpt_inspector.gui import theme


class PlotOrMessage(QStackedWidget):
    """Pages ``0 .. len(plots) - 1`` are the drawings, in the order given; the last page is the
    sentence (``message``)."""

    def __init__(self, *plots: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for plot in plots:
            self.addWidget(plot)
        self.message = QLabel(objectName="placeholderText", wordWrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.addWidget(self.message)

    def show_plot(self, index: int = 0) -> None:
        self.setCurrentIndex(index)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """``text`` instead of the drawings; they keep what they drew."""
        self.message.setText(text)
        theme.set_style_property(self.message, "error", error)
        self.setCurrentWidget(self.message)

    def error(self) -> str:
        """The last sentence if it was an error, else ``""``."""
        return self.message.text() if self.message.property("error") else ""
