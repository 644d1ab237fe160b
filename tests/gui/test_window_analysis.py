"""The window's histogram, heat map, compare and health-scan wiring against the stand-in client:
what it asks the worker for, which answers it keeps, where a click takes the user."""

from __future__ import annotations

import numpy as np
import pytest
from gui_fakes import (
    comparison_of,
    contents,
    finding,
    health_report,
    heatmap_of,
    listing,
    mlp_variables,
    preview_of,
    stats_of,
    variable,
)
from PySide6.QtCore import Qt
from test_main_window import FOLDER, KERNEL, open_and_load

from ckpt_inspector.core.records import CheckpointContents, VariableRole
from ckpt_inspector.core.statistics.records import FindingKind, HistogramOptions
from ckpt_inspector.gui.analysis import HEATMAP_MAX_SIDE
from ckpt_inspector.gui.variable_details import VariableDetails

BIAS = mlp_variables()[3]
M_SLOT, V_SLOT = mlp_variables()[6], mlp_variables()[7]


def answer(qtbot, client, job_name: str, make):
    """Wait for ``job_name``, answer it with ``make(job)`` and return the job."""
    qtbot.waitUntil(lambda: any(j.job_id in client.pending for j in client.jobs(job_name)))
    job = client.last(job_name)
    client.finish(job.job_id, make(job))
    return job


def settle(qtbot, window, client) -> None:
    """Answer every outstanding preview/stats request with plain data until nothing loads."""

    def record_of(job):
        return next(v for v in mlp_variables() if v.key == job.kwargs["key"])

    def done() -> bool:
        for job in list(client.pending.values()):
            if job.job == "preview":
                client.finish(job.job_id, preview_of(record_of(job)))
            elif job.job == "tensor_stats":
                client.finish(job.job_id, stats_of(record_of(job)))
        return window.is_loading_finished()

    qtbot.waitUntil(done, timeout=5000)


@pytest.fixture
def loaded(qtbot, window, fake_client):
    open_and_load(qtbot, window, fake_client)
    return window


def test_the_auto_selected_variable_gets_its_histogram(qtbot, loaded, fake_client):
    job = fake_client.last("tensor_stats")
    assert job.channel == "tensor_stats"
    assert job.kwargs["key"] == KERNEL.key
    assert job.kwargs["record"].name == "ckpt-2"
    assert job.kwargs["options"] == HistogramOptions()
    details = loaded.details
    assert details.current_tab() == VariableDetails.HISTOGRAM  # first for float tensors
    panel = details.histogram_panel()
    assert panel.stats().key == KERNEL.key
    np.testing.assert_array_equal(
        panel.plot.curve_data("value")[1], stats_of(KERNEL).histogram.counts
    )
    assert not fake_client.jobs("heatmap") and not fake_client.jobs("compare")  # not visible


def test_loading_is_not_finished_until_the_histogram_is_shown(qtbot, window, fake_client):
    """``--screenshot`` waits for this: the saved picture shows the histogram."""
    window.open_path(FOLDER)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))
    job = fake_client.last("list_variables")
    fake_client.finish(job.job_id, contents(job.kwargs["record"]))
    answer(qtbot, fake_client, "preview", lambda j: preview_of(KERNEL))
    assert not window.is_loading_finished()  # the histogram is still being computed
    with qtbot.waitSignal(window.loadingFinished):
        answer(qtbot, fake_client, "tensor_stats", lambda j: stats_of(KERNEL))
    assert window.details.histogram_panel().stats() is not None


def test_changing_a_control_asks_again_with_the_new_options(qtbot, loaded, fake_client):
    panel = loaded.details.histogram_panel()
    before = len(fake_client.jobs("tensor_stats"))
    panel.bins.setValue(16)
    panel.clip.setCurrentIndex(1)  # 0.1 – 99.9 %
    panel.zeros.setChecked(False)
    assert not loaded.is_loading_finished()  # a request is about to go out
    qtbot.waitUntil(lambda: len(fake_client.jobs("tensor_stats")) == before + 1, timeout=3000)
    job = fake_client.last("tensor_stats")
    wanted = HistogramOptions(bins=16, clip_percentiles=(0.1, 99.9), include_zeros=False)
    assert job.kwargs["options"] == wanted
    assert panel.status.text() == "Computing…"  # the old plot stays up meanwhile
    stats = stats_of(KERNEL, np.arange(10.0), bins=16)
    with qtbot.waitSignal(loaded.loadingFinished):
        fake_client.finish(job.job_id, stats)
    assert len(panel.plot.curve_data("value")[1]) == 16
    # Log counts only redraws.
    panel.log.setChecked(True)
    qtbot.wait(400)
    assert len(fake_client.jobs("tensor_stats")) == before + 1


def test_stale_histograms_are_dropped(qtbot, loaded, fake_client):
    panel = loaded.details.histogram_panel()
    before = len(fake_client.jobs("tensor_stats"))
    loaded.browser.select_key(BIAS.key)
    qtbot.waitUntil(lambda: len(fake_client.jobs("tensor_stats")) == before + 1)
    bias_job = fake_client.last("tensor_stats")
    # Quickly on to the kernel of the next layer: the bias request is cancelled...
    second = mlp_variables()[4]
    loaded.browser.select_key(second.key)
    assert bias_job.job_id in fake_client.cancel_requests
    qtbot.waitUntil(lambda: len(fake_client.jobs("tensor_stats")) == before + 2)
    # ...and an answer to it that was already on its way is not shown.
    fake_client.finished.emit(bias_job.job_id, stats_of(BIAS))
    assert panel.stats() is None
    assert panel.message.text() == "Computing the histogram…"
    settle(qtbot, loaded, fake_client)
    assert panel.stats().key == second.key


def test_clicking_through_fifty_variables_asks_once(qtbot, loaded, fake_client):
    before = len(fake_client.jobs("tensor_stats"))
    variables = mlp_variables()
    for i in range(50):
        loaded.browser.select_key(variables[i % len(variables)].key)
    settle(qtbot, loaded, fake_client)
    assert len(fake_client.jobs("tensor_stats")) == before + 1
    assert fake_client.last("tensor_stats").kwargs["key"] == loaded.browser.current_variable().key


def test_heat_map_tab_asks_for_a_heat_map_and_back_does_not_ask_again(qtbot, loaded, fake_client):
    stats_before = len(fake_client.jobs("tensor_stats"))
    loaded.details.set_current_tab(VariableDetails.HEATMAP)
    job = fake_client.last("heatmap")
    assert job.channel == "heatmap"
    assert job.kwargs["key"] == KERNEL.key and job.kwargs["max_side"] == HEATMAP_MAX_SIDE
    values = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    with qtbot.waitSignal(loaded.loadingFinished):
        fake_client.finish(job.job_id, heatmap_of(KERNEL, values))
    np.testing.assert_array_equal(loaded.details.heatmap_view().image.image, values)
    loaded.details.set_current_tab(VariableDetails.HISTOGRAM)
    loaded.details.set_current_tab(VariableDetails.HEATMAP)
    assert len(fake_client.jobs("heatmap")) == 1
    assert len(fake_client.jobs("tensor_stats")) == stats_before
    assert loaded.is_loading_finished()


def test_no_heat_map_is_asked_for_scalars(qtbot, loaded, fake_client):
    loaded.details.set_current_tab(VariableDetails.HEATMAP)
    fake_client.finish(fake_client.last("heatmap").job_id, heatmap_of(KERNEL, np.eye(2)))
    counter = mlp_variables()[0]
    loaded.browser.select_key(counter.key)
    view = loaded.details.heatmap_view()
    qtbot.waitUntil(lambda: view.message.text().startswith("A scalar has no heat map"))
    assert len(fake_client.jobs("heatmap")) == 1


def test_compare_defaults_to_the_previous_checkpoint(qtbot, loaded, fake_client):
    loaded.details.set_current_tab(VariableDetails.COMPARE)
    job = fake_client.last("compare")
    assert job.channel == "compare"
    assert job.kwargs["record_a"].name == "ckpt-1"  # the previous one by step
    assert job.kwargs["record_b"].name == "ckpt-2"  # the selected one
    assert job.kwargs["key"] == KERNEL.key
    assert job.kwargs["options"] == HistogramOptions()
    view = loaded.details.comparison_view()
    assert view.combo.currentText() == "ckpt-1 · step 1"
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    comparison = comparison_of(
        KERNEL, a, a * 1.1, a=job.kwargs["record_a"].prefix, b=job.kwargs["record_b"].prefix
    )
    with qtbot.waitSignal(loaded.loadingFinished):
        fake_client.finish(job.job_id, comparison)
    assert set(view.overlay.curves) == {"a: ckpt-1", "b: ckpt-2"}
    assert view.change.text().startswith("Relative change ‖b − a‖ / ‖a‖ = 0.1 (10 %)")

    # Choosing another checkpoint asks again, with that one as a.
    index = view.combo.findText("ckpt-3 · step 3")
    view.combo.setCurrentIndex(index)
    view.combo.activated.emit(index)
    job = fake_client.last("compare")
    assert job.kwargs["record_a"].name == "ckpt-3"
    # The choice is kept for the next variable.
    loaded.browser.select_key(BIAS.key)
    qtbot.waitUntil(lambda: fake_client.last("compare").kwargs["key"] == BIAS.key)
    assert fake_client.last("compare").kwargs["record_a"].name == "ckpt-3"


def test_a_failed_compare_is_said_in_its_tab(qtbot, loaded, fake_client):
    loaded.details.set_current_tab(VariableDetails.COMPARE)
    message = "ckpt-1 has no variable model/layer_with_weights-0/kernel."
    with qtbot.waitSignal(loaded.loadingFinished):
        fake_client.fail(fake_client.last("compare").job_id, message)
    assert loaded.details.comparison_view().error() == message
    assert loaded.details.values_error() == ""


def test_slot_links_go_to_the_slot_and_back(qtbot, loaded, fake_client):
    links = loaded.details.slots
    assert links.links() == [("m", M_SLOT.key), ("v", V_SLOT.key)]
    links.click("v")
    assert loaded.browser.current_variable() == V_SLOT
    qtbot.waitUntil(lambda: fake_client.last("tensor_stats").kwargs["key"] == V_SLOT.key)
    assert loaded.details.slots.links() == [("← kernel", KERNEL.key)]
    loaded.details.slots.click("← kernel")
    assert loaded.browser.current_variable() == KERNEL


def test_a_slot_hidden_by_the_filter_is_revealed(qtbot, loaded, fake_client):
    loaded.browser.role_boxes[VariableRole.OPTIMIZER].setChecked(False)
    loaded.browser.filter_edit.setText("kernel")
    loaded.browser.select_key(KERNEL.key)
    loaded.details.slots.click("m")
    assert loaded.browser.current_variable() == M_SLOT
    assert loaded.browser.filter_edit.text() == ""
    assert loaded.browser.role_boxes[VariableRole.OPTIMIZER].isChecked()


def test_health_scan_runs_shows_findings_and_navigates(qtbot, loaded, fake_client):
    assert not loaded.health_dock.isVisible()
    loaded.activateWindow()
    qtbot.waitUntil(loaded.isActiveWindow)
    qtbot.keyClick(loaded, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    job = fake_client.last("health_scan")
    assert job.channel == "health"
    assert job.kwargs == {"record": loaded.checkpoints.selected()}
    assert loaded.health_dock.isVisible()
    panel = loaded.health
    fake_client.progress.emit(job.job_id, 2, 8, "sequential/dense/bias")
    assert panel.progress.bar.value() == 2 and panel.progress.bar.maximum() == 8

    report = health_report(
        job.kwargs["record"].prefix,
        [
            finding(BIAS.key, FindingKind.ALL_ZERO, 2, 128, name=BIAS.name),
            finding(KERNEL.key, FindingKind.NAN_INF, 0, 3, name=KERNEL.name),
        ],
        scanned=8,
    )
    fake_client.finish(job.job_id, report)
    assert panel.summary.text() == "2 problems in 8 variables of ckpt-2, 1 critical."
    assert [f.key for f in panel.shown_findings()] == [KERNEL.key, BIAS.key]

    # Clicking the bias finding selects it and shows its histogram.
    loaded.details.set_current_tab(VariableDetails.VALUES)
    view = panel.view
    rect = view.visualRect(panel.proxy.index(1, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert loaded.browser.current_variable() == BIAS
    assert loaded.details.current_tab() == VariableDetails.HISTOGRAM
    qtbot.waitUntil(lambda: fake_client.last("tensor_stats").kwargs["key"] == BIAS.key)


def test_cancel_the_scan_from_the_panel(qtbot, loaded, fake_client):
    loaded.health_scan()
    job = fake_client.last("health_scan")
    with qtbot.waitSignal(loaded.loadingFinished):
        loaded.health.progress.cancel_button.click()
    assert job.job_id in fake_client.cancel_requests
    assert loaded.health.summary.text() == "The health scan was cancelled."


def test_the_status_bar_shows_the_scan_and_its_cancel_stops_it(qtbot, loaded, fake_client):
    loaded.health_scan()
    job = fake_client.last("health_scan")
    qtbot.waitUntil(loaded.job_status.is_shown, timeout=2000)
    fake_client.progress.emit(job.job_id, 5, 9, "Scanning sequential/dense_1/kernel")
    assert loaded.job_status.label.text() == "Scanning sequential/dense_1/kernel"
    assert (loaded.job_status.bar.value(), loaded.job_status.bar.maximum()) == (5, 9)
    with qtbot.waitSignal(loaded.loadingFinished):
        loaded.job_status.cancel_button.click()
    assert fake_client.cancel_requests[-1] == job.job_id
    assert not loaded.health.is_running()
    assert loaded.health.summary.text() == "The health scan was cancelled."


def test_a_finding_of_another_checkpoint_goes_there_first(qtbot, loaded, fake_client):
    loaded.health_scan()  # of ckpt-2
    job = fake_client.last("health_scan")
    report = health_report(
        job.kwargs["record"].prefix, [finding(BIAS.key, FindingKind.ALL_ZERO, 2)]
    )
    fake_client.finish(job.job_id, report)
    loaded.checkpoints.select(f"{FOLDER}/ckpt-1")
    listed = fake_client.last("list_variables")
    fake_client.finish(listed.job_id, contents(listed.kwargs["record"]))
    settle(qtbot, loaded, fake_client)
    loaded.health.select_row(0)
    assert loaded.checkpoints.selected().name == "ckpt-2"
    listed = fake_client.last("list_variables")
    fake_client.finish(listed.job_id, contents(listed.kwargs["record"]))
    assert loaded.browser.current_variable() == BIAS


def test_a_clean_scan_says_so(qtbot, loaded, fake_client):
    loaded.health_scan()
    job = fake_client.last("health_scan")
    fake_client.finish(job.job_id, health_report(job.kwargs["record"].prefix, (), scanned=9))
    assert loaded.health.summary.text() == "No problems found in 9 variables of ckpt-2."


def test_health_scan_needs_a_checkpoint(window, fake_client):
    assert not window.health_scan()
    assert window.statusBar().currentMessage() == "Select a checkpoint to scan."
    assert not fake_client.jobs("health_scan")


def test_string_scalar_and_empty_variables(qtbot, window, fake_client):
    text = variable("text", (3,), dtype="string")
    empty = variable("empty", (0, 3))
    window.open_path(FOLDER)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))
    job = fake_client.last("list_variables")
    fake_client.finish(job.job_id, CheckpointContents(job.kwargs["record"], (text, empty)))
    qtbot.waitUntil(lambda: bool(fake_client.jobs("tensor_stats")))
    assert fake_client.last("tensor_stats").kwargs["key"] == "text"
    window.details.set_current_tab(VariableDetails.HEATMAP)
    assert window.details.heatmap_view().message.text().startswith("Strings have no heat map")
    window.browser.select_key("empty")
    qtbot.waitUntil(
        lambda: window.details.heatmap_view().message.text().startswith("This tensor is empty")
    )
    assert not fake_client.jobs("heatmap")
