"""The window's menus, actions and keyboard shortcuts, and what the actions do.

Every action is also added to the window itself, so its shortcut works while the menu bar is
hidden. The next/previous checkpoint shortcuts use Ctrl+] / Ctrl+[ and Alt+PgDown / Alt+PgUp:
item views use the arrows and PgUp/PgDown with Ctrl and Shift, combo boxes open on Alt+Down,
and nothing in the window uses these.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog

from ckpt_inspector.gui import appearance
from ckpt_inspector.gui.about_dialog import AboutDialog
from ckpt_inspector.gui.recent_paths import RecentMenu
from ckpt_inspector.gui.variable_browser import VariableBrowser

if TYPE_CHECKING:
    from ckpt_inspector.gui.main_window import MainWindow

CHECKPOINT_FILTER = (
    "Checkpoints (*.index *.h5 *.hdf5 *.keras checkpoint saved_model.pb);;All files (*)"
)
THEME_LABELS = {appearance.SYSTEM: "&System", "light": "&Light", "dark": "&Dark"}


class WindowActions(QObject):
    """File, Edit, View and Help; the window inserts Analyze before Help."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._about: AboutDialog | None = None
        bar = window.menuBar()

        file_menu = bar.addMenu("&File")
        self.open_folder = self._action(
            "Open &Folder…", self._on_open_folder_triggered, QKeySequence.StandardKey.Open
        )
        self.open_file = self._action(
            "Open Checkpoint &File…", self._on_open_file_triggered, "Ctrl+Shift+O"
        )
        self.recent_menu = RecentMenu(window.recent, window)
        self.recent_menu.pathChosen.connect(self._on_recent_path_chosen)
        self.demo = self._action("Open &Demo Workspace", self._on_open_demo_triggered)
        self.refresh = self._action(
            "&Reload Folder", self._on_refresh_triggered, QKeySequence.StandardKey.Refresh
        )
        self.quit = self._action("&Quit", self._on_quit_triggered, QKeySequence.StandardKey.Quit)
        file_menu.addActions([self.open_folder, self.open_file])
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.demo, self.refresh])
        file_menu.addSeparator()
        file_menu.addAction(self.quit)

        edit_menu = bar.addMenu("&Edit")
        self.copy_key = self._action(
            "&Copy Variable Key", self._on_copy_key_triggered, QKeySequence.StandardKey.Copy
        )
        self.find = self._action(
            "&Filter Variables", self._on_find_triggered, QKeySequence.StandardKey.Find
        )
        edit_menu.addActions([self.copy_key, self.find])

        view_menu = bar.addMenu("&View")
        self.tree = self._action("Variables as &Tree", self._on_tree_triggered, "Ctrl+1")
        self.table = self._action("Variables as T&able", self._on_table_triggered, "Ctrl+2")
        self.next_checkpoint = self._action(
            "&Next Checkpoint", self._on_next_checkpoint_triggered, "Ctrl+]", "Alt+PgDown"
        )
        self.previous_checkpoint = self._action(
            "&Previous Checkpoint", self._on_previous_checkpoint_triggered, "Ctrl+[", "Alt+PgUp"
        )
        view_menu.addActions([self.tree, self.table])
        view_menu.addSeparator()
        view_menu.addActions([self.next_checkpoint, self.previous_checkpoint])
        view_menu.addSeparator()
        self.theme_menu = view_menu.addMenu("T&heme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice in appearance.CHOICES:
            action = self.theme_menu.addAction(THEME_LABELS[choice])
            action.setCheckable(True)
            action.setData(choice)
            action.setChecked(choice == window.appearance.choice())
            action.triggered.connect(self._on_theme_triggered)
            self.theme_group.addAction(action)
            self.theme_actions[choice] = action
        window.appearance.choiceChanged.connect(self._on_theme_choice_changed)

        self.help_menu = bar.addMenu("&Help")
        self.worker_log = self._action("Worker &Log…", self._on_worker_log_triggered)
        self.about = self._action("&About Checkpoint Inspector", self._on_about_triggered)
        self.help_menu.addActions([self.worker_log, self.about])

    def _action(self, text: str, slot, *shortcuts) -> QAction:
        action = QAction(text, self._window)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        self._window.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def about_dialog(self) -> AboutDialog:
        """The About dialog, made on first use and kept (it follows the worker's restarts)."""
        if self._about is None:
            self._about = AboutDialog(self._window.client(), self._window)
        return self._about

    def _start_folder(self) -> str:
        listing = self._window.listing()
        return listing.folder if listing is not None else os.path.expanduser("~")

    # -- slots ---------------------------------------------------------------------------------

    def _on_open_folder_triggered(self) -> None:
        window = self._window
        folder = QFileDialog.getExistingDirectory(
            window, "Open Checkpoint Folder", self._start_folder()
        )
        if folder:
            window.open_path(folder)

    def _on_open_file_triggered(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self._window, "Open Checkpoint File", self._start_folder(), CHECKPOINT_FILTER
        )
        if path:
            self._window.open_path(path)

    def _on_recent_path_chosen(self, path: str) -> None:
        self._window.open_path(path)

    def _on_open_demo_triggered(self) -> None:
        self._window.open_demo()

    def _on_refresh_triggered(self) -> None:
        self._window.refresh()

    def _on_quit_triggered(self) -> None:
        self._window.close()

    def _on_copy_key_triggered(self) -> None:
        record = self._window.browser.current_variable()
        if record is not None:
            QGuiApplication.clipboard().setText(record.key)
            self._window.statusBar().showMessage(f"Copied {record.key}", 3000)

    def _on_find_triggered(self) -> None:
        self._window.browser.focus_filter()

    def _on_tree_triggered(self) -> None:
        self._window.browser.set_view(VariableBrowser.TREE)

    def _on_table_triggered(self) -> None:
        self._window.browser.set_view(VariableBrowser.TABLE)

    def _on_next_checkpoint_triggered(self) -> None:
        self._window.checkpoints.select_adjacent(+1)

    def _on_previous_checkpoint_triggered(self) -> None:
        self._window.checkpoints.select_adjacent(-1)

    def _on_theme_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self._window.appearance.set_choice(action.data())

    def _on_theme_choice_changed(self, choice: str) -> None:
        self.theme_actions[choice].setChecked(True)

    def _on_worker_log_triggered(self) -> None:
        self._window.worker_log.open()

    def _on_about_triggered(self) -> None:
        dialog = self.about_dialog()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
