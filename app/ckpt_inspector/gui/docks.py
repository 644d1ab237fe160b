"""The window's bottom docks (health findings, diff, inference, timeline, worker log): made
hidden until their action is used, then shown at a useful height the first time and raised."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget


def bottom_dock(
    window: QMainWindow,
    title: str,
    object_name: str,
    widget: QWidget,
    *,
    toggle_text: str = "",
    tab_with: QDockWidget | None = None,
) -> QDockWidget:
    """A hidden dock in the bottom area (tabbed with ``tab_with`` now, if given); ``toggle_text``
    names its View-menu action."""
    dock = QDockWidget(title, window, objectName=object_name)
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    if tab_with is not None:
        window.tabifyDockWidget(tab_with, dock)
    dock.hide()  # until it is asked for
    if toggle_text:
        dock.toggleViewAction().setText(toggle_text)
    return dock


def raise_dock(
    window: QMainWindow, dock: QDockWidget, height: int, *, tab_with: QDockWidget | None = None
) -> None:
    """Show ``dock`` (``height`` pixels high the first time; tabbed with ``tab_with`` when that
    is docked and shown) and bring it to the front."""
    if dock.isHidden():
        if tab_with is not None and tab_with.isVisible() and not tab_with.isFloating():
            window.tabifyDockWidget(tab_with, dock)
        dock.show()
        window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
    dock.raise_()


def dock_action(
    window: QMainWindow, text: str, shortcut: str, tooltip: str, slot: Callable[[], object]
) -> QAction:
    """The Analyze-menu action that opens (and runs) a dock; added to the window too, so that
    its shortcut works with the menu bar hidden."""
    action = QAction(text, window)
    action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tooltip)
    action.triggered.connect(slot)
    window.addAction(action)
    return action
