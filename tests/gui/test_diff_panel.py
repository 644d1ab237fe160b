"""The diff dock in the window, against stand-in clients: what it asks which worker, which
answers it keeps, and what the panel shows. The real workers are in test_diff_end_to_end.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_fakes import FakeClient, contents, fake_workers, stats_of, variable, write_model_file
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog
from test_diff_model import KEY, sample_report
from test_main_window import FOLDER, open_and_load

from ckpt_inspector.core.matching.records import MatchStatus
from ckpt_inspector.gui.diff.architecture_picker import KERAS2_HINT
from ckpt_inspector.gui.diff.diff_controller import (
    CHECKPOINT_STATS,
    DIFF,
    MODEL_STATS,
    DiffController,
)
from ckpt_inspector.gui.diff.diff_histograms import CHECKPOINT_LABEL, MODEL_LABEL


@pytest.fixture
def diff_clients(monkeypatch) -> dict[str, FakeClient]:
    """The diff workers the controller starts, by Keras flavour."""
    return fake_workers(monkeypatch, DiffController)


@pytest.fixture
def loaded(qtbot, diff_clients, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    return window


@pytest.fixture
def model_file(tmp_path):
    return write_model_file(tmp_path / "models" / "mlp.py")


def start_diff(window, model_file, *, keras=None):
    window.diff.action.trigger()
    panel = window.diff.panel
    panel.picker.source.setEditText(str(model_file))
    if keras is not None:
        panel.picker.set_keras(keras, chosen=True)
    panel.run_button.click()
    return panel


def answer_histograms(qtbot, window, fake_client, diff_client):
    """Answer the two histogram requests of the selected row like the workers would."""
    qtbot.waitUntil(lambda: not window.diff._stats_timer.isActive(), timeout=2000)
    entry = window.diff.panel.proxy.record_at(window.diff.panel.view.currentIndex())
    values = {}
    if entry.checkpoint_key:
        job = fake_client.last("tensor_stats")
        assert job.channel == CHECKPOINT_STATS and job.kwargs["key"] == entry.checkpoint_key
        values["checkpoint"] = np.linspace(-0.5, 0.5, 40)
        record = variable(entry.checkpoint_key, entry.checkpoint_shape)
        fake_client.finish(job.job_id, stats_of(record, values["checkpoint"], bins=6))
    if entry.model:
        job = diff_client.last("model_variable_stats")
        assert job.channel == MODEL_STATS and job.kwargs["model_variable"] == entry.model
        values["model"] = np.zeros(10)
        record = variable(entry.model, entry.model_shape)
        diff_client.finish(job.job_id, stats_of(record, values["model"], bins=4))
    return entry, values


def test_ctrl_d_opens_the_dock_tabbed_with_nothing_run_yet(loaded, diff_clients):
    diff = loaded.diff
    assert diff.action.shortcut() == QKeySequence("Ctrl+D")
    assert diff.action in loaded.menuBar().actions()[-2].menu().actions()  # Analyze
    assert not diff.page.is_built() and diff.dock.isHidden()
    diff.action.trigger()
    assert diff.dock.isVisible() and diff.page.is_built()
    assert loaded.dockWidgetArea(diff.dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert diff.dock.windowTitle() == "Diff against model"
    assert not diff_clients  # the diff worker starts with the first diff


def test_a_diff_runs_on_the_selected_checkpoint_and_shows_the_report(
    qtbot, loaded, fake_client, diff_clients, model_file
):
    # The fake checkpoint's keys read layer_with_weights-N: Keras 2 is suggested and used.
    panel = start_diff(loaded, model_file)
    assert panel.picker.hint.isVisible() and panel.picker.hint.text() == KERAS2_HINT
    assert list(diff_clients) == ["2"]
    job = diff_clients["2"].last("diff")
    assert job.channel == DIFF
    assert job.kwargs["record"].prefix == f"{FOLDER}/ckpt-2"
    assert job.kwargs["spec"].source == str(model_file)
    assert job.kwargs["spec"].keras == "2" and job.kwargs["attach"] is None
    assert panel.is_running() and not panel.run_button.isEnabled()
    assert not loaded.is_loading_finished()

    diff_clients["2"].progress.emit(job.job_id, 1, 4, "Building the model…")
    assert panel.progress.bar.value() == 1 and panel.progress.text.text() == "Building the model…"

    report = sample_report(notes=("Two layers of the model have no counterpart.",))
    diff_clients["2"].finish(job.job_id, report)
    assert not panel.is_running()
    assert panel.summary.text() == "2 of 5 model variables would be restored (99.3% of parameters)."
    assert panel.summary.property("level") == "warning"
    assert panel.about.text() == (
        "ckpt-2 against mlp.py:build_model · Keras 3 · object-graph matching · attached at model"
    )
    assert panel.notes.isVisible() and "no counterpart" in panel.notes.text()
    assert [panel.status_buttons.button(i).text() for i in range(6)] == [
        "All (6)",
        "Matched (2)",
        "Shape (1)",
        "Dtype (1)",
        "Missing (1)",
        "Unused (1)",
    ]
    assert panel.leftovers.text() == "Show optimizer && bookkeeping (2)"
    assert panel.proxy.rowCount() == 6
    assert [panel.picker.attach.itemText(i) for i in range(3)] == [
        "Automatic",
        "model (2 variables)",
        "(checkpoint root) (0 variables)",
    ]

    # The first row (the shape mismatch) is selected: both histograms are asked and drawn.
    entry, _values = answer_histograms(qtbot, loaded, fake_client, diff_clients["2"])
    assert entry.status is MatchStatus.SHAPE_MISMATCH
    histograms = panel.histograms
    assert histograms.checkpoint.title.text() == CHECKPOINT_LABEL
    assert histograms.model.title.text() == MODEL_LABEL
    assert histograms.checkpoint.stats().count == 40
    edges, heights = histograms.checkpoint.plot.curve_data(CHECKPOINT_LABEL)
    assert heights.sum() == 40 and len(edges) == 7
    assert histograms.model.plot.curve_data(MODEL_LABEL)[1].sum() == 10
    assert "mean 0" in histograms.model.caption.text()
    qtbot.waitUntil(loaded.is_loading_finished, timeout=2000)


def test_rows_without_a_side_say_so_and_ask_only_the_other(
    qtbot, loaded, fake_client, diff_clients, model_file
):
    start_diff(loaded, model_file)
    diff_clients["2"].finish(diff_clients["2"].last("diff").job_id, sample_report())
    answer_histograms(qtbot, loaded, fake_client, diff_clients["2"])
    panel = loaded.diff.panel
    asked = len(fake_client.jobs("tensor_stats"))
    panel.select_row(2)  # missing in the checkpoint
    assert panel.histograms.checkpoint.text() == "Not in the checkpoint."
    qtbot.waitUntil(lambda: not loaded.diff._stats_timer.isActive(), timeout=2000)
    assert len(fake_client.jobs("tensor_stats")) == asked
    answer_histograms(qtbot, loaded, fake_client, diff_clients["2"])
    assert panel.histograms.model.stats() is not None


def test_filters_by_status_text_and_leftovers(qtbot, loaded, diff_clients, model_file):
    panel = start_diff(loaded, model_file)
    diff_clients["2"].finish(diff_clients["2"].last("diff").job_id, sample_report())
    panel.status_button(MatchStatus.UNUSED).click()
    assert [e.checkpoint_key for e in panel.shown_entries()] == [
        KEY("model/layer_with_weights-2/kernel")
    ]
    panel.leftovers.click()
    assert panel.proxy.rowCount() == 3
    assert panel.status_button(MatchStatus.UNUSED).text() == "Unused (3)"
    assert panel.status_button(None).text() == "All (8)"
    panel.filter_edit.setText("counter")
    assert [e.checkpoint_name for e in panel.shown_entries()] == ["save_counter"]
    panel.status_button(None).click()
    panel.filter_edit.clear()
    assert panel.proxy.rowCount() == 8


def test_invalid_arguments_are_said_inline_and_run_nothing(loaded, diff_clients, model_file):
    loaded.diff.action.trigger()
    panel = loaded.diff.panel
    panel.picker.source.setEditText(str(model_file))
    panel.picker.arguments.setText("hidden")
    panel.picker.arguments.returnPressed.emit()  # Enter runs it
    assert "has no value" in panel.picker.error.text() and panel.picker.error.isVisible()
    assert not diff_clients and not panel.is_running()


def test_user_code_failure_shows_one_sentence_and_their_traceback(loaded, diff_clients, model_file):
    panel = start_diff(loaded, model_file)
    traceback = (
        f'  File "{model_file}", line 2, in build_model\nZeroDivisionError: division by zero'
    )
    diff_clients["2"].fail(
        diff_clients["2"].last("diff").job_id,
        "build_model() in mlp.py raised ZeroDivisionError: division by zero.",
        traceback,
    )
    assert panel.error() == "build_model() in mlp.py raised ZeroDivisionError: division by zero."
    assert panel.summary.property("level") == "error"
    assert panel.traceback.isVisible() and str(model_file) in panel.traceback_text()
    assert panel.traceback.isReadOnly()
    assert panel.run_button.isEnabled() and loaded.isVisible()
    assert panel.report() is None and not panel.view.isVisible()


def test_cancel_stops_the_diff(loaded, diff_clients, model_file):
    panel = start_diff(loaded, model_file)
    job = diff_clients["2"].last("diff")
    panel.progress.cancel_button.click()
    assert job.job_id in diff_clients["2"].cancel_requests
    assert panel.summary.text() == "The diff was cancelled." and not panel.is_running()


def test_a_new_selection_drops_the_running_diff(
    qtbot, loaded, fake_client, diff_clients, model_file
):
    panel = start_diff(loaded, model_file)
    job = diff_clients["2"].last("diff")
    assert loaded.checkpoints.select(f"{FOLDER}/ckpt-1")
    assert job.job_id in diff_clients["2"].cancel_requests
    assert panel.summary.text() == "The diff of ckpt-2 was dropped: the selection changed."
    assert panel.about.text() == "Press Diff to run it on ckpt-1."
    diff_clients["2"].finished.emit(job.job_id, sample_report())  # a late answer
    assert panel.report() is None


def test_a_report_of_another_checkpoint_says_so(
    qtbot, loaded, fake_client, diff_clients, model_file
):
    panel = start_diff(loaded, model_file)
    diff_clients["2"].finish(diff_clients["2"].last("diff").job_id, sample_report())
    assert not panel.stale.isVisible()
    assert loaded.checkpoints.select(f"{FOLDER}/ckpt-1")
    assert panel.report() is not None and panel.stale.isVisible()
    assert panel.stale.text() == (
        "This report is for ckpt-2; the selected checkpoint is ckpt-1. "
        "Press Diff to diff the selection."
    )
    # A new diff targets the selection.
    panel.run_button.click()
    assert diff_clients["2"].last("diff").kwargs["record"].name == "ckpt-1"


def test_keras_3_runs_in_its_own_worker(loaded, fake_client, diff_clients, model_file):
    panel = start_diff(loaded, model_file, keras="3")
    assert list(diff_clients) == ["3"]
    assert diff_clients["3"].last("diff").kwargs["spec"].keras == "3"
    # The choice holds for this checkpoint; another one gets the flavour its keys suggest.
    assert loaded.checkpoints.select(f"{FOLDER}/ckpt-1")
    job = fake_client.last("list_variables")
    fake_client.finish(job.job_id, contents(job.kwargs["record"]))
    assert panel.picker.keras.currentData() == "2"


def test_double_click_selects_the_checkpoint_variable(qtbot, loaded, diff_clients, model_file):
    panel = start_diff(loaded, model_file)
    diff_clients["2"].finish(diff_clients["2"].last("diff").job_id, sample_report())
    panel.view.activated.emit(panel.proxy.index(0, 0))  # dense_1/kernel, shape mismatch
    assert loaded.browser.current_variable().key == KEY("model/layer_with_weights-1/kernel")


def test_export_json_and_markdown(qtbot, monkeypatch, loaded, diff_clients, model_file, tmp_path):
    panel = start_diff(loaded, model_file)
    report = sample_report()
    diff_clients["2"].finish(diff_clients["2"].last("diff").job_id, report)
    asked = []
    out = tmp_path / "exports"
    out.mkdir()

    def save(_parent, _title, suggestion, file_filter):
        asked.append((suggestion, file_filter))
        return str(out / ("report.json" if "JSON" in file_filter else "report")), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    panel.export_json.click()
    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == report.to_json()
    panel.export_markdown.click()
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.splitlines()[0] == f"# {report.summary_sentence()}"
    # The first dialog starts in the home folder, the next where the last export went.
    assert asked[0][0].endswith("diff-ckpt-2-mlp.json")
    assert not asked[0][0].startswith(FOLDER)
    assert asked[1][0] == str(out / "diff-ckpt-2-mlp.md")
    assert panel.message.text() == f"Saved {out / 'report.md'}"


def test_export_never_writes_into_the_checkpoint_folder(loaded, diff_clients, model_file, tmp_path):
    panel = start_diff(loaded, model_file)
    checkpoint_folder = tmp_path / "run"
    checkpoint_folder.mkdir()
    report = sample_report()
    report = type(report)(**{**report.__dict__, "checkpoint": str(checkpoint_folder / "ckpt-2")})
    diff_clients["2"].finish(diff_clients["2"].last("diff").job_id, report)
    assert not panel.export(str(checkpoint_folder / "report.json"))
    assert list(checkpoint_folder.iterdir()) == []
    assert "does not write into the checkpoint folder" in panel.message.text()
    assert panel.message.objectName() == "errorText"
