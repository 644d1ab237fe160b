"""The window's own logic against a stand-in client: what it asks for, which answers it keeps
and what it shows. Real checkpoints and the real worker are in test_end_to_end.py."""

from __future__ import annotations

import numpy as np
import pytest
from gui_fakes import contents, listing, mlp_variables, preview_of, stats_of
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog

from ckpt_inspector.core.records import FolderListing, StaleStateEntry
from ckpt_inspector.gui.empty_state import HINT
from ckpt_inspector.gui.main_window import MainWindow

KERNEL = mlp_variables()[2]
FOLDER = "/data/run"


def open_and_load(qtbot, window, client, *, focus=None, folder=FOLDER) -> FolderListing:
    """Open ``folder`` and answer discover, list_variables, preview and tensor_stats like the
    worker would."""
    data = listing(folder, focus=focus)
    window.open_path(folder)
    client.finish(client.last("discover").job_id, data)
    job = client.last("list_variables")
    client.finish(job.job_id, contents(job.kwargs["record"]))
    with qtbot.waitSignal(window.loadingFinished, timeout=5000):
        qtbot.waitUntil(lambda: bool(client.jobs("preview")), timeout=2000)
        qtbot.waitUntil(lambda: bool(client.jobs("tensor_stats")), timeout=2000)
        preview = client.last("preview")
        variable = next(v for v in mlp_variables() if v.key == preview.kwargs["key"])
        client.finish(preview.job_id, preview_of(variable))
        stats = client.last("tensor_stats")
        client.finish(stats.job_id, stats_of(variable))
    return data


def test_starts_empty_with_a_hint_and_the_worker_state(window, fake_client):
    assert window.size().width() == 1400 and window.size().height() == 850
    assert window.pages.currentIndex() == MainWindow.EMPTY
    assert window.empty_state.headline.text() == HINT
    assert window.worker_label.text() == "Starting TensorFlow worker…"
    assert not window.job_status.is_shown()
    fake_client.ready.emit({"python": "3.11.7", "keras_flavour": "3", "pid": "7"})
    assert window.worker_label.text() == "Worker ready · Keras 3"
    assert "python: 3.11.7" in window.worker_label.toolTip()
    fake_client.ready.emit({"python": "3.11.7", "tensorflow": "2.21.0"})
    assert window.worker_label.text() == "TensorFlow 2.21.0"
    assert window.is_worker_ready()


def test_open_selects_focus_then_first_weight_and_shows_its_preview(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client, focus=f"{FOLDER}/ckpt-1")
    assert fake_client.last("discover").kwargs == {"path": FOLDER}
    assert fake_client.last("discover").channel == "discover"
    assert fake_client.last("list_variables").kwargs["record"].name == "ckpt-1"
    assert window.pages.currentIndex() == MainWindow.MAIN
    assert window.checkpoints.selected().name == "ckpt-1"
    assert window.browser.current_variable() == KERNEL
    preview_job = fake_client.last("preview")
    assert preview_job.kwargs["key"] == KERNEL.key
    assert preview_job.kwargs["record"].name == "ckpt-1"
    grid = window.details.preview_model.grid()
    np.testing.assert_array_equal(grid, np.arange(24, dtype=np.float32).reshape(4, 6) / 8)
    assert window.is_loading_finished()
    assert window.windowTitle().startswith(FOLDER)


def test_without_focus_the_latest_checkpoint_is_selected(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    assert window.checkpoints.selected().name == "ckpt-2"


def test_clicking_through_many_variables_computes_only_the_last_preview(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    before = len(fake_client.jobs("preview"))
    variables = [v for v in mlp_variables()]
    for i in range(50):
        window.browser.select_key(variables[i % len(variables)].key)
    last = window.browser.current_variable()
    stats_before = len(fake_client.jobs("tensor_stats"))
    with qtbot.waitSignal(window.loadingFinished, timeout=5000):
        qtbot.waitUntil(lambda: len(fake_client.jobs("preview")) == before + 1, timeout=2000)
        job = fake_client.last("preview")
        assert job.kwargs["key"] == last.key
        fake_client.finish(job.job_id, preview_of(last, np.full((2, 2), 7.0)))
        stats = fake_client.last("tensor_stats")
        assert stats.kwargs["key"] == last.key
        fake_client.finish(stats.job_id, stats_of(last))
    assert len(fake_client.jobs("preview")) == before + 1
    assert len(fake_client.jobs("tensor_stats")) == stats_before + 1  # one histogram too
    assert window.details.preview_model.grid().tolist() == [[7.0, 7.0], [7.0, 7.0]]


def test_late_answers_to_superseded_requests_are_ignored(qtbot, window, fake_client):
    window.open_path(FOLDER)
    stale_discover = fake_client.last("discover").job_id
    window.open_path("/other")
    fake_client.finished.emit(stale_discover, listing(FOLDER))  # a late answer
    assert window.listing() is None
    fake_client.finish(fake_client.last("discover").job_id, listing("/other"))
    first = fake_client.last("list_variables")
    index = window.checkpoints.model.index_of("/other/ckpt-1")
    window.checkpoints.view.setCurrentIndex(index)
    second = fake_client.last("list_variables")
    assert second.job_id != first.job_id
    fake_client.finished.emit(first.job_id, contents(first.kwargs["record"]))
    assert window.browser.contents() is None  # still waiting for ckpt-1's variables
    fake_client.finish(second.job_id, contents(second.kwargs["record"]))
    assert window.browser.contents().checkpoint.name == "ckpt-1"


def test_discover_error_is_shown_in_the_window(qtbot, window, fake_client):
    window.open_path("/nowhere")
    with qtbot.waitSignal(window.loadingFinished):
        fake_client.fail(
            fake_client.last("discover").job_id,
            "The folder /nowhere does not exist; check the path.",
        )
    assert window.pages.currentIndex() == MainWindow.EMPTY
    assert window.empty_state.is_error()
    assert (
        window.empty_state.headline.text() == "The folder /nowhere does not exist; check the path."
    )
    assert window.message_bar.text() == ""  # said once, on the page
    assert window.is_showing_error()
    assert window.recent.paths() == []  # failures are not remembered


def test_variable_and_preview_errors_are_shown_inline(qtbot, window, fake_client):
    window.open_path(FOLDER)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))
    fake_client.fail(
        fake_client.last("list_variables").job_id,
        "The index file ckpt-2.index is truncated; the checkpoint was not fully written.",
        "Traceback (most recent call last): ...",
    )
    assert window.browser.stack.currentIndex() == window.browser.MESSAGE
    assert window.browser.message.text().startswith("The index file ckpt-2.index")
    assert window.message_bar.details_button.isVisibleTo(window.message_bar)
    # Choose another checkpoint: its preview fails inline.
    window.checkpoints.select("/data/run/ckpt-1")
    job = fake_client.last("list_variables")
    fake_client.finish(job.job_id, contents(job.kwargs["record"]))
    qtbot.waitUntil(lambda: bool(fake_client.jobs("preview")))
    with qtbot.waitSignal(window.loadingFinished):
        fake_client.fail(fake_client.last("tensor_stats").job_id, "The data shard is missing.")
        fake_client.fail(fake_client.last("preview").job_id, "The data shard is missing.")
    # Said once, above the tabs; the histogram tab points there instead of repeating it.
    assert window.details.error.text() == "The data shard is missing."
    assert window.details.error.isVisibleTo(window.details)
    assert window.details.histogram_panel().error() == "The values could not be read (see above)."


def test_problems_and_stale_entries_are_shown(qtbot, window, fake_client):
    window.open_path(FOLDER)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))
    window.checkpoints.select(f"{FOLDER}/ckpt-3")
    assert "data shards are missing" in window.browser.problem.text()
    assert window.browser.problem.isVisibleTo(window.browser)
    window.checkpoints.select(f"{FOLDER}/ckpt-0")
    assert isinstance(window.checkpoints.selected(), StaleStateEntry)
    assert window.browser.problem.text() == (
        "The state file names ckpt-0, but its files were deleted."
    )
    assert window.browser.stack.currentIndex() == window.browser.MESSAGE


def test_a_folder_without_checkpoints(qtbot, window, fake_client):
    window.open_path("/empty")
    fake_client.finish(fake_client.last("discover").job_id, FolderListing("/empty", ()))
    assert window.empty_state.headline.text() == "No checkpoints found in /empty."
    assert window.pages.currentIndex() == MainWindow.EMPTY


def test_slow_jobs_show_progress_and_can_be_cancelled(qtbot, window, fake_client):
    window.open_demo()
    job = fake_client.last("build_demo")
    assert not window.job_status.is_shown()  # not before ~0.3 s
    qtbot.waitUntil(window.job_status.is_shown, timeout=2000)
    fake_client.progress.emit(job.job_id, 3, 10, "Training the demo model…")
    assert window.job_status.bar.maximum() == 10 and window.job_status.bar.value() == 3
    assert window.job_status.label.text() == "Training the demo model…"
    with qtbot.waitSignal(window.loadingFinished):
        window.job_status.cancel_button.click()
    assert fake_client.cancel_requests == [job.job_id]
    assert not window.job_status.is_shown()
    assert window.empty_state.headline.text() == HINT


def test_quick_jobs_never_show_the_progress_bar(qtbot, window, fake_client):
    window.open_path(FOLDER)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))  # answered at once
    assert not window.job_status.is_shown()
    job = fake_client.last("list_variables")
    assert window.job_status.shown_job() == job.job_id
    qtbot.waitUntil(window.job_status.is_shown, timeout=2000)  # this one takes > 0.3 s
    assert window.job_status.label.text() == "Reading ckpt-2…"
    fake_client.finish(job.job_id, contents(job.kwargs["record"]))
    assert not window.job_status.is_shown()


def test_demo_result_is_opened(qtbot, window, fake_client):
    window.open_demo()
    fake_client.finish(fake_client.last("build_demo").job_id, "/home/u/.local/demo")
    assert fake_client.last("discover").kwargs == {"path": "/home/u/.local/demo"}


def test_worker_crash_is_reported_and_the_window_keeps_working(qtbot, window, fake_client):
    crash = "The worker process crashed while running 'preview'; it has been restarted."
    open_and_load(qtbot, window, fake_client)
    window.browser.select_key(mlp_variables()[3].key)
    qtbot.waitUntil(lambda: fake_client.last("preview").kwargs["key"] == mlp_variables()[3].key)
    fake_client.fail(fake_client.last("preview").job_id, crash, "worker log lines")
    fake_client.crashed.emit(crash)
    assert window.worker_label.text() == "Restarting the worker…"
    assert window.message_bar.text() == crash
    assert window.details.error.text() == crash
    fake_client.ready.emit({"python": "3.11.7", "keras_flavour": "3"})
    assert window.worker_label.text() == "Worker ready · Keras 3"
    window.browser.select_key(KERNEL.key)  # the window keeps working
    qtbot.waitUntil(lambda: fake_client.last("preview").kwargs["key"] == KERNEL.key)


def test_crash_before_anything_is_open_is_said_once(qtbot, window, fake_client):
    window.open_path(FOLDER)
    crash = "The worker process crashed while running 'discover'; it has been restarted."
    fake_client.fail(fake_client.last("discover").job_id, crash)
    fake_client.crashed.emit(crash)
    assert window.empty_state.headline.text() == crash
    assert window.message_bar.text() == ""
    window.open_path(FOLDER)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))
    assert window.pages.currentIndex() == MainWindow.MAIN


def test_export_goes_through_the_worker(qtbot, window, fake_client, monkeypatch, tmp_path):
    open_and_load(qtbot, window, fake_client)
    out = str(tmp_path / "kernel.npy")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (out, ""))
    window.details.export_button.click()
    job = fake_client.last("export_npy")
    assert job.kwargs["key"] == KERNEL.key and job.kwargs["out_path"] == out
    fake_client.finish(job.job_id, out)
    assert window.details.export_status.text() == f"Saved {out}"
    # An export still running when the user moves on is reported in the status bar.
    window.details.export_button.click()
    window.browser.select_key(mlp_variables()[3].key)
    fake_client.finish(fake_client.last("export_npy").job_id, out)
    assert window.statusBar().currentMessage() == f"Saved {out}"
    assert window.details.export_status.text() == ""


def test_recent_paths_most_recent_first_pruned_and_capped(qtbot, window, fake_client, tmp_path):
    folders = []
    for i in range(12):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        folders.append(str(folder))
        window.open_path(str(folder))
        fake_client.finish(fake_client.last("discover").job_id, listing(str(folder)))
    recent = window.recent.paths()
    assert recent == folders[::-1][:10]
    (tmp_path / "run11").rmdir()
    assert window.recent.paths()[0] == folders[10]
    window.recent_menu.rebuild()
    labels = [a.text() for a in window.recent_menu.actions() if a.data()]
    assert labels[0].endswith(folders[10])
    window.recent_menu.actions()[1].trigger()
    assert fake_client.last("discover").kwargs == {"path": folders[9]}


def test_drop_a_folder_onto_the_window_opens_it(qtbot, window, fake_client, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path))])
    enter = QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    assert fake_client.last("discover").kwargs == {"path": str(tmp_path)}


def test_keyboard_open_find_and_copy_key(qtbot, window, fake_client, monkeypatch):
    open_and_load(qtbot, window, fake_client)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.browser.tree_view.setFocus()
    qtbot.keyClick(window.browser.tree_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == KERNEL.key
    window.browser.set_view(window.browser.TABLE)
    window.browser.table_view.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.browser.table_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == KERNEL.key
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.browser.filter_edit.hasFocus()
    asked = []
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda *a: asked.append(a) or "/picked"
    )
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked and fake_client.last("discover").kwargs == {"path": "/picked"}


@pytest.mark.parametrize("view", ["tree", "table"])
def test_refresh_keeps_the_selection(qtbot, window, fake_client, tmp_path, view):
    folder = str(tmp_path)
    data = open_and_load(qtbot, window, fake_client, folder=folder)
    window.browser.set_view(window.browser.TREE if view == "tree" else window.browser.TABLE)
    bias = mlp_variables()[3]
    window.browser.select_key(bias.key)
    qtbot.waitUntil(lambda: fake_client.last("preview").kwargs["key"] == bias.key)
    fake_client.finish(fake_client.last("preview").job_id, preview_of(bias))
    fake_client.finish(fake_client.last("tensor_stats").job_id, stats_of(bias))
    lists_before = len(fake_client.jobs("list_variables"))
    discovers_before = len(fake_client.jobs("discover"))
    assert folder in window.watcher.folders()
    (tmp_path / "ckpt-4.index").write_bytes(b"")  # training saved another checkpoint
    qtbot.waitUntil(lambda: len(fake_client.jobs("discover")) == discovers_before + 1, timeout=5000)
    assert fake_client.last("discover").kwargs == {"path": folder}
    newer = FolderListing(
        folder=folder,
        checkpoints=(*data.checkpoints, *listing(folder).checkpoints[:1]),
    )
    with qtbot.waitSignal(window.loadingFinished):
        fake_client.finish(fake_client.last("discover").job_id, newer)
    assert window.checkpoints.selected().name == "ckpt-2"
    assert len(fake_client.jobs("list_variables")) == lists_before  # nothing reloaded
    assert window.browser.current_variable() == bias


def test_a_failed_open_keeps_the_folder_that_is_shown(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    window.open_path("/bad")
    fake_client.fail(fake_client.last("discover").job_id, "/bad does not exist; check the path.")
    assert window.pages.currentIndex() == MainWindow.MAIN
    assert window.message_bar.text() == "/bad does not exist; check the path."
    assert window.opened_path() == FOLDER
    window.refresh()
    assert fake_client.last("discover").kwargs == {"path": FOLDER}


def test_demo_progress_is_shown_on_the_empty_page(window, fake_client):
    window.open_demo()
    job = fake_client.last("build_demo")
    fake_client.progress.emit(job.job_id, 2, 9, "Trained the MLP, epoch 1 of 3")
    assert window.empty_state.detail.text() == "Trained the MLP, epoch 1 of 3 (2/9)"


def test_a_long_folder_path_does_not_widen_the_checkpoint_panel(qtbot, window, fake_client):
    long_folder = "/tmp/" + "very-long-folder-name/" * 20 + "run"
    open_and_load(qtbot, window, fake_client, folder=long_folder)
    assert window.folder_label.text() == long_folder
    assert window.folder_label.toolTip() == long_folder
    left = window.splitter.widget(0)
    assert left.minimumSizeHint().width() < 400
