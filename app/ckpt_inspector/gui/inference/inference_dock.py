"""The "Inference" dock: bottom area, tabbed with the diff dock (its architecture is the one the
diff panel chose), its content built on first use."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.lazy_page import LazyPage

DOCK_HEIGHT = 460


class InferenceDock:
    def __init__(
        self, window: QMainWindow, tab_with: QDockWidget | None, factory: Callable[[], QWidget]
    ) -> None:
        self._window = window
        self._tab_with = tab_with
        self._factory = factory
        self.page = LazyPage(self._build)
        self.dock = QDockWidget("Inference", window, objectName="inferenceDock")
        self.dock.setWidget(self.page)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()  # until the action is used
        self.dock.toggleViewAction().setText("Show Inference")

    def _build(self) -> QWidget:
        panel = self._factory()
        theme.apply_stylesheet(panel, "inference")
        return panel

    def open(self) -> None:
        """Show the dock (tabbed with the diff dock when that is up) and raise it."""
        if self.dock.isHidden():
            tab_with = self._tab_with
            if tab_with is not None and tab_with.isVisible() and not tab_with.isFloating():
                self._window.tabifyDockWidget(tab_with, self.dock)
            self.dock.show()
            self._window.resizeDocks([self.dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.dock.raise_()
        # A widget added to a shown layout is shown by a queued call; show it now, so that what
        # follows (focus, an --infer run) finds it on screen.
        self.page.content().show()
