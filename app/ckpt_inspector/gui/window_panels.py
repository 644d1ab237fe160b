"""The window's central area: the message strip above either the empty page (hint, progress or
the error) or the three panels side by side (checkpoints, variables, details)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.gui.checkpoint_list import CheckpointList
from ckpt_inspector.gui.empty_state import EmptyState
from ckpt_inspector.gui.message_bar import MessageBar
from ckpt_inspector.gui.variable_browser import VariableBrowser
from ckpt_inspector.gui.variable_details import VariableDetails


class WindowPanels(QWidget):
    """Builds and lays out the panels; the window connects their signals."""

    EMPTY, MAIN = range(2)  # pages

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_bar = MessageBar()
        self.empty_state = EmptyState()

        self.checkpoints = CheckpointList()
        self.folder_label = QLabel(objectName="mutedText")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long path must not widen the checkpoint panel (and squeeze the variable names):
        # the label takes the width it is given and shows the whole path in its tooltip.
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Checkpoints", objectName="panelTitle"))
        left_layout.addWidget(self.folder_label)
        left_layout.addWidget(self.checkpoints, 1)

        self.browser = VariableBrowser()
        self.details = VariableDetails()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for widget in (left, self.browser, self.details):
            widget.setContentsMargins(6, 6, 6, 6)
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 4)
        self.splitter.setSizes([360, 545, 495])  # no elided checkpoint or variable names

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)
