"""Histograms, heat maps, comparisons and the health scan with the real worker, on checkpoints
TensorFlow wrote with planted NaN, Inf and zeros.

The expected numbers come from the arrays written (NumPy in this test process); the window
never imports TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_end_to_end import LOAD_MS

import checkpoint_factory
from ckpt_inspector.core.statistics.records import FindingKind
from ckpt_inspector.gui.variable_details import VariableDetails

pytestmark = pytest.mark.slow

KEY = "{}/.ATTRIBUTES/VARIABLE_VALUE".format


def _values(step: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    kernel = rng.normal(0.0, 0.1, (96, 40)).astype(np.float32)
    kernel += np.float32(0.01 * step)
    kernel[0, :4] = np.nan
    kernel[1, 0] = np.inf
    kernel[2, 1] = -np.inf
    kernel[5:9, :] = 0.0  # pruned rows: 160 exact zeros
    dead = rng.normal(0.0, 0.2, (24, 12)).astype(np.float32)
    dead[[3, 7, 11], :] = 0.0  # three inputs the layer ignores
    return {
        "kernel": kernel,
        "dense": rng.normal(0.0, 0.2, (32, 8)).astype(np.float32) * (1.0 + 0.1 * step),
        "dead": dead,
        "zeros": np.zeros((16, 4), np.float32),  # a kernel of rank 2: flagged
        "flag": np.array([True, False, True, True]),
        "text": np.array([b"alpha", b"", b"gamma"], dtype=object),
        "scalar": np.float32(3.5),
    }


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("planted") / "run"
    for step in (1, 2):
        checkpoint_factory.write_variables(folder, _values(step), name=f"ckpt-{step}")
    return folder


def _open_and_select(qtbot, window, folder: Path, name: str) -> None:
    with qtbot.waitSignal(window.loadingFinished, timeout=LOAD_MS):
        window.open_path(str(folder))
    assert window.checkpoints.selected().name == "ckpt-2"
    if window.browser.current_variable().key == KEY(name):
        return  # selected on opening, its histogram already shown
    with qtbot.waitSignal(window.loadingFinished, timeout=LOAD_MS):
        assert window.browser.select_key(KEY(name))


def test_histogram_of_a_tensor_with_nan_inf_and_zeros(qtbot, live_window, planted):
    _open_and_select(qtbot, live_window, planted, "kernel")
    kernel = _values(2)["kernel"]
    finite = kernel[np.isfinite(kernel)]
    panel = live_window.details.histogram_panel()
    stats = panel.stats()
    assert stats is not None and stats.key == KEY("kernel")
    assert (stats.count, stats.nan, stats.posinf, stats.neginf) == (kernel.size, 4, 1, 1)
    assert stats.zeros == int((kernel == 0).sum())
    assert stats.mean == pytest.approx(float(finite.mean()), rel=1e-5)
    assert stats.min == pytest.approx(float(finite.min()))
    assert stats.max == pytest.approx(float(finite.max()))

    # What is drawn is what the worker computed, and every finite value is in a bin.
    edges, heights = panel.plot.curve_data("value")
    np.testing.assert_array_equal(edges, stats.histogram.edges)
    np.testing.assert_array_equal(heights, stats.histogram.counts)
    assert int(heights.sum()) == finite.size
    assert len(heights) == panel.bins.value()
    np.testing.assert_array_equal(np.histogram(finite, bins=edges)[0], heights)

    assert panel.alarm.isVisible()
    assert panel.alarm.text().startswith("⚠ 4 NaN · 1 +Inf · 1 −Inf")
    assert panel.table_model.alarms() == ["NaN", "+Inf", "−Inf"]

    # Fewer bins, zeros left out: asked again, drawn again.
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        panel.bins.setValue(10)
        panel.zeros.setChecked(False)
    stats = panel.stats()
    assert len(stats.histogram.counts) == 10
    assert stats.histogram.excluded_zeros == int((kernel == 0).sum()) == 160
    assert int(panel.plot.curve_data("value")[1].sum()) == int((finite != 0).sum())
    assert panel.left_out.text() == "160 exact zeros left out."


def test_heat_map_of_the_kernel(qtbot, live_window, planted):
    _open_and_select(qtbot, live_window, planted, "kernel")
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        live_window.details.set_current_tab(VariableDetails.HEATMAP)
    view = live_window.details.heatmap_view()
    heatmap = view.heatmap()
    assert heatmap is not None and heatmap.factor == (1, 1)
    kernel = _values(2)["kernel"]
    shown = np.where(np.isfinite(kernel), kernel, np.nan)
    np.testing.assert_allclose(view.image.image, shown, equal_nan=True)
    low, high = view.levels()
    assert low == -high  # signed: centred at 0
    assert high == pytest.approx(float(np.abs(kernel[np.isfinite(kernel)]).max()))


def test_compare_with_the_previous_checkpoint(qtbot, live_window, planted):
    _open_and_select(qtbot, live_window, planted, "dense")
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        live_window.details.set_current_tab(VariableDetails.COMPARE)
    view = live_window.details.comparison_view()
    comparison = view.comparison()
    assert comparison is not None
    assert Path(comparison.checkpoint_a).name == "ckpt-1"
    assert Path(comparison.checkpoint_b).name == "ckpt-2"
    a, b = _values(1)["dense"], _values(2)["dense"]
    expected = float(np.linalg.norm(b - a) / np.linalg.norm(a))
    assert comparison.relative_change == pytest.approx(expected, rel=1e-4)
    edges_a, counts_a = view.overlay.curve_data("a: ckpt-1")
    edges_b, counts_b = view.overlay.curve_data("b: ckpt-2")
    np.testing.assert_array_equal(edges_a, edges_b)
    assert int(counts_a.sum()) == a.size and int(counts_b.sum()) == b.size
    assert view.difference.curves  # b - a drawn below


def test_dtype_views_bool_string_scalar(qtbot, live_window, planted):
    _open_and_select(qtbot, live_window, planted, "flag")
    panel = live_window.details.histogram_panel()
    assert panel.plot.bar_heights() == [1.0, 3.0]
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        live_window.browser.select_key(KEY("text"))
    assert panel.error() == ""
    assert len(panel.examples_model.stringList()) == 3
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        live_window.browser.select_key(KEY("scalar"))
    assert panel.message.text().startswith("A single float32 value: 3.5")


def test_health_scan_finds_what_was_planted(qtbot, live_window, planted):
    _open_and_select(qtbot, live_window, planted, "dense")
    live_window.activateWindow()
    qtbot.waitUntil(live_window.isActiveWindow)
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        qtbot.keyClick(live_window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    report = live_window.health.report()
    assert report is not None, live_window.health.summary.text()
    kinds = {(f.key, f.kind) for f in report.findings}
    assert (KEY("kernel"), FindingKind.NAN_INF) in kinds
    assert (KEY("zeros"), FindingKind.ALL_ZERO) in kinds
    assert (KEY("dead"), FindingKind.DEAD_ROWS) in kinds
    dead_rows = next(f for f in report.findings if f.kind is FindingKind.DEAD_ROWS)
    assert dead_rows.count == 3
    shown = live_window.health.shown_findings()
    assert shown[0].severity == min(f.severity for f in report.findings)
    assert shown[0].kind is FindingKind.NAN_INF  # the worst on top

    # Choosing the finding shows that variable's histogram.
    live_window.details.set_current_tab(VariableDetails.VALUES)
    with qtbot.waitSignal(live_window.loadingFinished, timeout=LOAD_MS):
        live_window.health.select_row(0)
    assert live_window.browser.current_variable().key == KEY("kernel")
    assert live_window.details.current_tab() == VariableDetails.HISTOGRAM
    assert live_window.details.histogram_panel().stats().key == KEY("kernel")


def test_health_option_scans_once_the_folder_has_loaded(qtbot, live_window, planted):
    """``ckpt-inspector FOLDER --health``: the scan starts by itself after the first load."""
    from ckpt_inspector.gui.app import _scan_when_loaded

    _scan_when_loaded(live_window)
    live_window.open_path(str(planted))
    qtbot.waitUntil(lambda: live_window.health.report() is not None, timeout=LOAD_MS)
    report = live_window.health.report()
    assert report.checkpoint.endswith("ckpt-2")
    assert any(f.kind is FindingKind.NAN_INF for f in report.findings)
    assert live_window.health_dock.isVisible()
