"""The "Inference" dock: bottom area, tabbed with the diff dock (its architecture is the one the
diff panel chose), its content built on first use."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.docks import bottom_dock, raise_dock
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
        self.dock = bottom_dock(
            window, "Inference", "inferenceDock", self.page, toggle_text="Show Inference"
        )

    def _build(self) -> QWidget:
        panel = self._factory()
        theme.apply_stylesheet(panel, "inference")
        return panel

    def open(self) -> None:
        """Show the dock (tabbed with the diff dock when that is up) and raise it."""
        raise_dock(self._window, self.dock, DOCK_HEIGHT, tab_with=self._tab_with)
        # A widget added to a shown layout is shown by a queued call; show it now, so that what
        # follows (focus, an --infer run) finds it on screen.
        self.page.content().show()
