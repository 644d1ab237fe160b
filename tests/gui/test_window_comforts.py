"""Everyday comforts: drag and drop, shortcuts, remembered state, light and dark, About and the
worker log. The About dialog and the log are also checked against the real worker process."""

from __future__ import annotations

from importlib import metadata

import pytest
from gui_fakes import FakeClient, fake_workers, write_model_file
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import QApplication, QFileDialog
from test_diff_panel import start_diff
from test_main_window import FOLDER, open_and_load

from ckpt_inspector.core.records import CheckpointRecord, FolderListing
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.about_dialog import NOT_YET, version_rows
from ckpt_inspector.gui.checkpoint_list import CheckpointListModel, item_identity
from ckpt_inspector.gui.diff.diff_controller import DiffController
from ckpt_inspector.gui.diff.diff_model import DARK_STATUS_LOOKS, STATUS_LOOKS, status_look
from ckpt_inspector.gui.health_model import DARK_SEVERITY_LOOK, SEVERITY_LOOK, severity_look
from ckpt_inspector.gui.main_window import MainWindow

ECHO_LINE = "echo job writing to stdout must not corrupt the protocol"  # diagnostic_jobs.echo


@pytest.fixture(autouse=True)
def back_to_light():
    """The theme is the application's: leave it as the other tests expect it."""
    yield
    theme.set_scheme(theme.LIGHT)
    QApplication.instance().setPalette(QPalette())


def drag_and_drop(window, urls: list[QUrl]) -> tuple[bool, bool]:
    """Sends a drag-enter and a drop with ``urls``; returns whether each was accepted."""
    mime = QMimeData()
    mime.setUrls(urls)
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


def press(qtbot, window, sequence: str) -> None:
    """Types ``sequence`` (``"Ctrl+]"``) into the focused widget of the active window."""
    combination = QKeySequence(sequence)[0]
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, combination.key(), combination.keyboardModifiers())


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


# -- drag and drop ---------------------------------------------------------------------------


def test_dropping_a_folder_opens_it(window, fake_client, tmp_path):
    assert drag_and_drop(window, [QUrl.fromLocalFile(str(tmp_path))]) == (True, True)
    assert fake_client.last("discover").kwargs == {"path": str(tmp_path)}


def test_dropping_a_checkpoint_file_opens_that_checkpoint(window, fake_client, tmp_path):
    index = tmp_path / "ckpt-7.index"
    index.write_bytes(b"")
    other = tmp_path / "notes.txt"
    assert drag_and_drop(window, [QUrl.fromLocalFile(str(index)), QUrl.fromLocalFile(str(other))])
    assert fake_client.last("discover").kwargs == {"path": str(index)}  # the first one


def test_dropping_a_web_address_is_refused(window, fake_client):
    assert drag_and_drop(window, [QUrl("https://example.com/ckpt-1.index")]) == (False, False)
    assert not fake_client.jobs("discover")


# -- shortcuts -------------------------------------------------------------------------------


def test_every_shortcut_is_unique_and_listed_in_a_menu(window):
    actions = window.menu_actions
    menus = {m.title(): m for m in (a.menu() for a in window.menuBar().actions()) if m}
    shown = {a for menu in menus.values() for a in menu.actions()}
    for action in (actions.next_checkpoint, actions.previous_checkpoint, actions.find):
        assert action in shown
    assert actions.next_checkpoint.shortcuts() == [
        QKeySequence("Ctrl+]"),
        QKeySequence("Alt+PgDown"),
    ]
    assert actions.previous_checkpoint.shortcuts() == [
        QKeySequence("Ctrl+["),
        QKeySequence("Alt+PgUp"),
    ]
    seen: dict[str, str] = {}
    for action in window.actions():
        for sequence in action.shortcuts():
            key = sequence.toString()
            assert key not in seen, f"{key} is both {seen[key]!r} and {action.text()!r}"
            seen[key] = action.text()


@pytest.mark.parametrize("keys", [("Ctrl+]", "Ctrl+["), ("Alt+PgDown", "Alt+PgUp")])
def test_next_and_previous_checkpoint_shortcuts(qtbot, window, fake_client, keys):
    open_and_load(qtbot, window, fake_client)
    order = [item_identity(i) for i in window.checkpoints.model.items()]
    assert window.checkpoints.selected().name == "ckpt-2"  # the latest
    start = order.index(f"{FOLDER}/ckpt-2")
    activate(qtbot, window)
    window.checkpoints.view.setFocus()  # where arrows move the row; these keys must not
    next_key, previous_key = keys
    press(qtbot, window, next_key)
    assert item_identity(window.checkpoints.selected()) == order[start + 1]
    job = fake_client.last("list_variables")  # the newly selected checkpoint is read
    assert job.kwargs["record"].prefix == order[start + 1]
    press(qtbot, window, previous_key)
    press(qtbot, window, previous_key)
    assert item_identity(window.checkpoints.selected()) == order[start - 1]
    for _ in range(len(order)):  # past the first row: the selection stays on it
        press(qtbot, window, previous_key)
    assert item_identity(window.checkpoints.selected()) == order[0]
    window.browser.focus_filter()  # also while typing in the filter
    press(qtbot, window, next_key)
    assert item_identity(window.checkpoints.selected()) == order[1]


def test_next_checkpoint_crosses_into_the_next_folder_group(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    model: CheckpointListModel = window.checkpoints.model
    last_of_first_group = model.items()[-2]
    window.checkpoints.select(item_identity(last_of_first_group))
    window.menu_actions.next_checkpoint.trigger()
    selected = window.checkpoints.selected()
    assert isinstance(selected, CheckpointRecord) and selected.name == "best.weights.h5"
    assert not window.checkpoints.select_adjacent(+1)  # the end


def test_find_copy_open_reload_and_view_shortcuts(qtbot, window, fake_client, monkeypatch):
    open_and_load(qtbot, window, fake_client)
    activate(qtbot, window)
    window.checkpoints.view.setFocus()
    press(qtbot, window, "Ctrl+F")
    assert window.browser.filter_edit.hasFocus()
    window.browser.tree_view.setFocus()
    QGuiApplication.clipboard().clear()
    press(qtbot, window, "Ctrl+C")
    assert QGuiApplication.clipboard().text() == window.browser.current_variable().key
    press(qtbot, window, "Ctrl+2")
    assert window.browser.current_view() == window.browser.TABLE
    press(qtbot, window, "Ctrl+1")
    assert window.browser.current_view() == window.browser.TREE
    discovers = len(fake_client.jobs("discover"))
    press(qtbot, window, QKeySequence(QKeySequence.StandardKey.Refresh).toString())
    assert len(fake_client.jobs("discover")) == discovers + 1
    asked = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a: asked.append(a) or ("/picked/ckpt-1.index", "")
    )
    press(qtbot, window, "Ctrl+Shift+O")
    assert asked and fake_client.last("discover").kwargs == {"path": "/picked/ckpt-1.index"}


# -- remembered state ------------------------------------------------------------------------


def test_geometry_theme_and_recent_folders_are_remembered(qtbot, fake_client, settings, tmp_path):
    folder = str(tmp_path)
    first = MainWindow(fake_client, settings=settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.resize(first.minimumSizeHint().width(), 560)  # the default is 1400x850
    first.open_path(folder)  # nothing in it: the window keeps the empty page
    fake_client.finish(fake_client.last("discover").job_id, FolderListing(folder, ()))
    first.appearance.set_choice("dark")
    geometry = first.geometry()
    first.close()

    second = MainWindow(FakeClient(), settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    # The offscreen screen (800x800) is narrower than the window can be: restoring fits the
    # width to the screen, and keeps the height.
    assert second.height() == geometry.height() == 560
    assert second.width() == min(geometry.width(), second.screen().availableGeometry().width() - 2)
    assert second.appearance.choice() == "dark" and theme.scheme() == theme.DARK
    assert second.menu_actions.theme_actions["dark"].isChecked()
    assert second.recent.paths() == [folder]
    second.recent_menu.rebuild()
    assert second.recent_menu.actions()[0].data() == folder
    second.appearance.set_choice("system")


def test_splitter_and_docks_are_remembered(qtbot, fake_client, settings):
    first = MainWindow(fake_client, settings=settings)
    qtbot.addWidget(first)
    first.show()
    open_and_load(qtbot, first, fake_client)
    first.splitter.setSizes([300, 700, 400])
    sizes = first.splitter.sizes()
    first.worker_log.open()
    first.health_dock.show()
    size = first.size()
    first.close()
    second_client = FakeClient()
    second = MainWindow(second_client, settings=settings)
    qtbot.addWidget(second)
    second.show()
    assert second.worker_log.dock.isVisible() and second.health_dock.isVisible()
    assert not second.diff.dock.isVisible() and not second.timeline.dock.isVisible()
    second.resize(size)  # the offscreen screen is narrower than this window: restore clamps it
    open_and_load(qtbot, second, second_client)
    assert second.splitter.sizes() == sizes


def test_a_theme_given_for_one_run_is_not_remembered(window, settings):
    window.appearance.set_choice("dark", remember=False)
    assert theme.scheme() == theme.DARK
    assert settings.value("view/theme") is None


# -- light and dark --------------------------------------------------------------------------


def test_dark_and_light_change_palette_style_sheet_and_model_colours(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    app = QApplication.instance()
    checkpoints = window.checkpoints.model
    ckpt_3 = checkpoints.index_of(f"{FOLDER}/ckpt-3")  # missing a shard: a warning row
    with qtbot.waitSignal(window.appearance.changed, check_params_cb=lambda s: s == "dark"):
        window.menu_actions.theme_actions["dark"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() == "#2b2c30"
    assert app.palette().color(QPalette.ColorRole.Text).name() == theme.DARK_COLORS.text
    assert "#ff8a80" in app.styleSheet() and "#b00020" not in app.styleSheet()
    assert checkpoints.data(ckpt_3, Qt.ItemDataRole.ForegroundRole).color().name() == "#f6ae5c"
    assert status_look(next(iter(STATUS_LOOKS))) == next(iter(DARK_STATUS_LOOKS.values()))
    assert severity_look(0) == DARK_SEVERITY_LOOK[0]
    # Every dark foreground stands out from the dark window (WCAG contrast >= 4.5).
    window_colour = app.palette().color(QPalette.ColorRole.Window)
    for name in ("text", "muted", "warning", "error", "ok", "caution", "link", "optimizer"):
        assert contrast(theme.color(name), window_colour) >= 4.5, name

    with qtbot.waitSignal(window.appearance.changed, check_params_cb=lambda s: s == "light"):
        window.menu_actions.theme_actions["light"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert "#b00020" in app.styleSheet() and "#ff8a80" not in app.styleSheet()
    assert checkpoints.data(ckpt_3, Qt.ItemDataRole.ForegroundRole).color().name() == "#b35c00"
    assert severity_look(0) == SEVERITY_LOOK[0]
    for name in ("text", "muted", "warning", "error", "ok", "caution", "link", "optimizer"):
        assert contrast(theme.color(name), QColor("#ffffff")) >= 4.5, name


def test_system_choice_follows_the_desktop_colour_scheme(qtbot, window):
    hints = QGuiApplication.styleHints()
    assert window.appearance.choice() == "system"
    with qtbot.waitSignal(window.appearance.changed, check_params_cb=lambda s: s == "dark"):
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.scheme() == theme.DARK
    window.appearance.set_choice("light")  # a choice holds whatever the desktop does
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.scheme() == theme.LIGHT
    window.appearance.set_choice("system")
    assert theme.scheme() == theme.DARK
    with qtbot.waitSignal(window.appearance.changed, check_params_cb=lambda s: s == "light"):
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.scheme() == theme.LIGHT


def test_panel_style_sheets_and_plots_follow_a_switch(window):
    from ckpt_inspector.gui.plotting import pg  # imported by the diff panel anyway

    window.diff.action.trigger()
    panel = window.diff.panel
    plots = panel.findChildren(pg.GraphicsView)
    assert plots and "#1e7a34" in panel.styleSheet()  # ok, light
    assert {p.backgroundBrush().color().name() for p in plots} == {"#ffffff"}
    window.appearance.set_choice("dark")
    assert "#81c995" in panel.styleSheet() and "#1e7a34" not in panel.styleSheet()
    assert {p.backgroundBrush().color().name() for p in plots} == {"#1b1c1e"}
    axis = plots[0].scene().items()
    axes = [item for item in axis if isinstance(item, pg.AxisItem)]
    assert axes and {a.textPen().color().name() for a in axes} == {"#dadce0"}
    window.appearance.set_choice("system")
    assert {p.backgroundBrush().color().name() for p in plots} == {"#ffffff"}


def contrast(a, b) -> float:
    def luminance(colour) -> float:
        channels = []
        for value in (colour.redF(), colour.greenF(), colour.blueF()):
            channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
        r, g, b_ = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- About and the worker log ----------------------------------------------------------------


def test_about_before_the_worker_answered_fills_in_when_it_does(window, fake_client):
    window.menu_actions.about.trigger()
    dialog = window.menu_actions.about_dialog()
    assert dialog.isVisible()
    assert f"TensorFlow: {NOT_YET}" in dialog.text()
    fake_client.versions = {"tensorflow": "2.99.0", "keras_flavour": "2", "keras": "2.99.1"}
    fake_client.ready.emit(fake_client.versions)
    assert "TensorFlow: 2.99.0" in dialog.text()
    assert "Keras: 2.99.1 (Keras 2, tf_keras)" in dialog.text()
    assert "2.99.0" in dialog.versions_label.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.text()


def test_worker_log_follows_lines_copies_and_clears(qtbot, window, fake_client):
    fake_client.log("INFO tensorflow: first line")
    window.menu_actions.worker_log.trigger()
    log = window.worker_log.log
    assert window.worker_log.dock.isVisible() and log.view.isReadOnly()
    assert log.view.font().fixedPitch() or log.view.font() == theme.monospace_font()
    assert log.text() == "INFO tensorflow: first line"
    for n in range(200):
        fake_client.log(f"line {n}")
    bar = log.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()  # follows the newest line
    log.copy_button.click()
    assert QGuiApplication.clipboard().text().splitlines()[-1] == "line 199"
    log.clear_button.click()
    assert log.text() == "" and fake_client.log_lines == []
    fake_client.log("after clearing")
    assert log.text() == "after clearing"


def test_worker_log_offers_the_diff_workers_once_started(
    qtbot, window, fake_client, monkeypatch, tmp_path
):
    diff_clients = fake_workers(monkeypatch, DiffController)
    open_and_load(qtbot, window, fake_client)
    model_file = write_model_file(tmp_path / "mlp.py")
    log = window.worker_log.log
    assert log.sources() == ["Browsing worker"]
    start_diff(window, model_file, keras="3")
    assert log.sources() == ["Browsing worker", "Diff worker (Keras 3)"]
    fake_client.log("browsing")
    diff_clients["3"].log("model code printed this")
    log.choose("Diff worker (Keras 3)")
    assert log.text() == "model code printed this"
    fake_client.log("not shown while the diff worker is chosen")
    assert "not shown" not in log.text()


@pytest.mark.slow
def test_about_and_log_with_the_real_worker(qtbot, live_window, real_client):
    with qtbot.waitSignal(real_client.ready, timeout=60000) as ready:
        pass
    versions = ready.args[0]
    assert versions["tensorflow"] == metadata.version("tensorflow")
    assert versions["keras_flavour"] == "3" and versions["keras"] == metadata.version("keras")
    live_window.menu_actions.about.trigger()
    text = live_window.menu_actions.about_dialog().text()
    assert f"TensorFlow: {versions['tensorflow']}" in text
    assert f"Keras: {versions['keras']} (Keras 3)" in text
    assert dict(version_rows(versions))["Qt"] in text
    assert "Statistics passes: compiled (C)" in text

    live_window.menu_actions.worker_log.trigger()
    log = live_window.worker_log.log
    with qtbot.waitSignal(real_client.logged, timeout=30000, check_params_cb=ECHO_LINE.__eq__):
        real_client.submit("diagnostic.echo", value=1)
    assert ECHO_LINE in log.text().splitlines()
