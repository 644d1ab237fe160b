"""The Timeline dock: models checked by qtmodeltester, numbers read back from the table and the
plot items, findings selecting variables, CSV/PNG/SVG export, and the window's job round trip
on a fake worker and on the real one."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.timeline.cache import TimelineCache
from ckpt_inspector.core.timeline.compute import timeline_of_path
from ckpt_inspector.core.timeline.records import TimelineFindingKind
from ckpt_inspector.gui.main_window import MainWindow
from ckpt_inspector.gui.timeline.timeline_models import (
    TimelineFilterProxy,
    TimelineFindingsModel,
    TimelineVariablesModel,
)
from ckpt_inspector.gui.timeline.timeline_panel import TimelinePanel, csv_rows
from ckpt_inspector.gui.worker_client import WorkerClient


@pytest.fixture(scope="module")
def result(timeline_folder, tmp_path_factory):
    cache = TimelineCache(tmp_path_factory.mktemp("cache"))
    return run_to_completion(timeline_of_path(str(timeline_folder), cache=cache))


@pytest.fixture
def panel(qtbot) -> TimelinePanel:
    widget = TimelinePanel()
    qtbot.addWidget(widget)
    widget.resize(1300, 600)
    widget.show()
    return widget


def test_models_pass_qtmodeltester(qtmodeltester, result):
    model = TimelineVariablesModel()
    qtmodeltester.check(model)
    model.set_timeline(result)
    qtmodeltester.check(model)
    proxy = TimelineFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(TimelineVariablesModel.LARGEST_CHANGE)
    qtmodeltester.check(proxy)
    proxy.set_text("kernel aux")
    qtmodeltester.check(proxy)
    assert {s.label for s in proxy.shown_series()} == {
        "aux/kernel",
        "adam/aux_kernel_momentum",
        "adam/aux_kernel_velocity",
    }
    findings = TimelineFindingsModel()
    findings.set_timeline(result)
    qtmodeltester.check(findings)


def test_table_shows_the_numbers(panel, result):
    panel.show_timeline(result)
    model = panel.model
    for series in result.variables:
        row = model.row_of(series.key)
        last = model.index(row, TimelineVariablesModel.LAST_NORM).data()
        assert last == f"{series.norm[-1]:.4g}"
    aux = next(s for s in result.variables if s.label == "aux/kernel")
    row = model.row_of(aux.key)
    assert model.index(row, TimelineVariablesModel.LARGEST_CHANGE).data().endswith("at step 30")
    assert model.index(row, TimelineVariablesModel.NONFINITE).data() == "step 35"
    frozen = next(s for s in result.variables if s.label == "frozen/kernel")
    cell = model.index(model.row_of(frozen.key), TimelineVariablesModel.LARGEST_CHANGE)
    assert cell.data() == "none"
    assert panel.summary.text() == "8 checkpoints, 21 variables: 7 findings."
    assert "step variable" in panel.order.text()


def test_plots_hold_the_selected_series_and_the_heat_map(panel, result):
    panel.show_timeline(result)
    plots = panel.plots()
    # The most urgent finding (NaN in aux/kernel) is selected at first.
    assert [s.label for s in panel.selected_series()] == ["aux/kernel"]
    names = ["hidden/kernel", "head/bias"]
    panel.select_keys([s.key for s in result.variables if s.label in names])
    plots.set_metric("norm")
    data = plots.curve_data()
    assert {result.series(k).label for k in data} == set(names)
    steps = [c.step for c in result.checkpoints]
    for key, (x, y) in data.items():
        assert x.tolist() == steps
        np.testing.assert_allclose(y, result.series(key).norm)
    plots.set_metric("relative_change")
    for key, (_x, y) in plots.curve_data().items():
        expected = [math.nan if v in (None, 0.0) else v for v in result.series(key).relative_change]
        np.testing.assert_allclose(y, expected)  # zeros are left out on the log scale
    image = plots.heatmap_values()
    assert image.shape == (len(result.variables), len(result.checkpoints))
    for r, key in enumerate(plots.heatmap_rows()):
        series = result.series(key)
        assert math.isnan(image[r, 0])
        for t in range(1, len(result.checkpoints)):
            value = series.relative_change[t]
            if value is None:
                assert math.isnan(image[r, t]) or series.identical[t]
            elif value == 0:
                assert image[r, t] == -7.0
            else:
                assert image[r, t] == pytest.approx(min(max(math.log10(value), -6), 1), abs=1e-5)
    identical = next(f for f in result.findings if f.kind is TimelineFindingKind.IDENTICAL)
    assert (image[:, identical.checkpoint] == -7.0).all()  # a dark column
    # Filtering the table filters the heat map's rows.
    panel.filter_edit.setText("hidden")
    assert {result.series(k).label for k in plots.heatmap_rows()} == {
        "hidden/kernel",
        "hidden/bias",
        "adam/hidden_kernel_momentum",
        "adam/hidden_kernel_velocity",
        "adam/hidden_bias_momentum",
        "adam/hidden_bias_velocity",
    }
    assert plots.heatmap_values().shape[0] == 6


def test_choosing_a_finding_selects_its_variables(panel, result):
    panel.show_timeline(result)
    row = next(i for i, f in enumerate(result.findings) if f.kind.value == "never-changes")
    panel.findings_view.setCurrentIndex(panel.findings_model.index(row, 0))
    assert [s.key for s in panel.selected_series()] == list(result.findings[row].keys)


def test_exports(panel, result, tmp_path):
    panel.show_timeline(result)
    path = tmp_path / "t.csv"
    panel._write_csv(str(path))
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == [str(c) for c in csv_rows(result)[0]]
    assert len(rows) == 1 + len(result.variables) * len(result.checkpoints)
    first = result.variables[0]
    assert float(rows[2][5]) == pytest.approx(first.norm[1])
    assert rows[1][9] == ""  # no relative change for the first checkpoint
    for name, write in (
        ("c.png", panel._write_curves_png),
        ("c.svg", panel._write_curves_svg),
        ("h.png", panel._write_heatmap_png),
        ("h.svg", panel._write_heatmap_svg),
    ):
        write(str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000, name
    assert (tmp_path / "h.svg").read_text().lstrip().startswith("<?xml")


def test_window_runs_the_job_and_shows_the_result(window, fake_client, result):
    listing = discover(result.folder)
    window.open_path(result.folder)
    fake_client.finish(fake_client.last("discover").job_id, listing)
    assert window.timeline.dock.isHidden()
    window.timeline.action.trigger()
    job = fake_client.last("timeline")
    assert job.kwargs == {"records": listing.checkpoints, "folder": listing.folder}
    assert window.timeline.panel.is_running()
    fake_client.progress.emit(job.job_id, 3, 10, "Reading hidden/kernel in ckpt-3")
    assert window.timeline.panel.progress.bar.value() == 3
    fake_client.finish(job.job_id, result)
    assert not window.timeline.panel.is_running()
    assert window.timeline.panel.timeline() is result
    # Cancel from the panel reaches the worker.
    window.timeline.run()
    job = fake_client.last("timeline")
    window.timeline.panel.progress.cancel_button.click()
    assert job.job_id in fake_client.cancel_requests
    assert "cancelled" in window.timeline.panel.summary.text()


@pytest.mark.slow
def test_real_worker_computes_the_timeline(monkeypatch, tmp_path, qtbot, timeline_folder, result):
    monkeypatch.setenv("CKPT_INSPECTOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CKPT_INSPECTOR_WORKER_WARM_UP", "0")
    client = WorkerClient()
    try:
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(client, settings=settings)
        qtbot.addWidget(window)
        window.show()
        client.start()
        window.timeline.run_when_loaded()
        window.open_path(str(timeline_folder))
        qtbot.waitUntil(lambda: window.timeline.panel.timeline() is not None, timeout=60_000)
        shown = window.timeline.panel.timeline()
        assert shown.variables == result.variables and shown.findings == result.findings
        assert len(list((tmp_path / "cache" / "timeline").glob("*.json"))) == 8
    finally:
        client.shutdown()
