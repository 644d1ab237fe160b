"""The Histogram tab fed with statistics records: numbers read back from the plot items and the
table model first, then the controls and the exported files."""

from __future__ import annotations

import numpy as np
import pytest
from gui_fakes import histogram, mlp_variables, read_csv, stats_of, variable
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from ckpt_inspector.core.statistics.records import HistogramOptions, TensorStats, ValueKind
from ckpt_inspector.gui import plotting, theme
from ckpt_inspector.gui.histogram_panel import HistogramPanel, left_out_text
from ckpt_inspector.gui.stats_table_model import VALUE_ROLE, StatsTableModel

KERNEL = mlp_variables()[2]
BIAS = mlp_variables()[3]


@pytest.fixture
def panel(qtbot) -> HistogramPanel:
    widget = HistogramPanel()
    qtbot.addWidget(widget)
    widget.resize(560, 640)
    widget.show()
    return widget


def planted_values() -> np.ndarray:
    values = np.linspace(-2.0, 2.0, 200)
    values[:10] = 0.0
    values[10:13] = np.nan
    values[13] = np.inf
    values[14] = -np.inf
    return values


def cell(model: StatsTableModel, label: str, column: int = 1, role=Qt.ItemDataRole.DisplayRole):
    row = model.row_labels().index(label)
    return model.index(row, column).data(role)


def test_stats_model_passes_qtmodeltester(qtmodeltester):
    model = StatsTableModel()
    qtmodeltester.check(model)
    model.set_stats([("Value", stats_of(KERNEL, planted_values()))])
    qtmodeltester.check(model)
    flag = variable("flag", (3,), dtype="bool")
    model.set_stats([("Value", TensorStats("flag", "bool", (3,), ValueKind.BOOL, 3, true_count=2))])
    assert model.row_labels() == ["Elements", "True", "False", "Fraction true"]
    assert flag.dtype == "bool"
    model.set_stats([("a", stats_of(KERNEL)), ("b", stats_of(KERNEL)), ("b − a", stats_of(KERNEL))])
    qtmodeltester.check(model)
    model.set_stats([])


def test_histogram_and_statistics_are_the_numbers_fed_in(panel):
    values = planted_values()
    stats = stats_of(KERNEL, values, bins=16)
    panel.show_loading(KERNEL)
    assert panel.show_stats(stats)

    edges, heights = panel.plot.curve_data("value")
    np.testing.assert_array_equal(edges, stats.histogram.edges)
    np.testing.assert_array_equal(heights, stats.histogram.counts)
    assert heights.sum() == 200 - 5  # NaN and ±Inf are not in any bin
    assert panel.stack.currentIndex() == panel.PLOT
    assert panel.plot.plot.getAxis("bottom").labelText == "value"

    model = panel.table_model
    assert cell(model, "Elements") == "200"
    assert cell(model, "Mean", role=VALUE_ROLE) == pytest.approx(stats.mean)
    assert cell(model, "Min") == f"{stats.min:.6g}"
    assert cell(model, "Max |x|", role=VALUE_ROLE) == pytest.approx(2.0)
    assert cell(model, "L2 norm", role=VALUE_ROLE) == pytest.approx(stats.l2_norm)
    assert cell(model, "Zeros") == "5 % (10)"
    assert cell(model, "p50 (median)", role=VALUE_ROLE) == pytest.approx(stats.percentiles[50.0])
    assert [cell(model, label) for label in ("NaN", "+Inf", "−Inf")] == ["3", "1", "1"]

    # NaN/Inf are shouted, not dropped: red rows and a red line above the plot.
    assert model.alarms() == ["NaN", "+Inf", "−Inf"]
    assert cell(model, "NaN", role=Qt.ItemDataRole.ForegroundRole).color() == theme.color("error")
    assert cell(model, "Mean", role=Qt.ItemDataRole.ForegroundRole) is None
    assert panel.alarm.isVisibleTo(panel)
    assert panel.alarm.text().startswith("⚠ 3 NaN · 1 +Inf · 1 −Inf")
    assert "195 of 200 values are finite" in panel.alarm.text()


def test_finite_tensors_have_no_alarm(panel):
    panel.show_loading(BIAS)
    panel.show_stats(stats_of(BIAS))
    assert not panel.alarm.isVisibleTo(panel)
    assert panel.table_model.alarms() == []
    assert cell(panel.table_model, "NaN") == "0"


def test_log_counts_lift_empty_bins_to_the_floor(panel):
    stats = stats_of(KERNEL, histogram=histogram([0, 1, 2, 3, 4], [5, 0, 1, 1000]))
    panel.show_loading(KERNEL)
    panel.show_stats(stats)
    panel.log.setChecked(True)
    _edges, heights = panel.plot.curve_data("value")
    np.testing.assert_array_equal(heights, [5, plotting.LOG_FLOOR, 1, 1000])
    assert panel.plot.plot.getAxis("left").logMode
    panel.log.setChecked(False)
    np.testing.assert_array_equal(panel.plot.curve_data("value")[1], [5, 0, 1, 1000])


def test_a_bool_tensor_is_two_bars(panel):
    flag = variable("flag", (4, 5), dtype="bool")
    panel.show_loading(flag)
    panel.show_stats(TensorStats("flag", "bool", (4, 5), ValueKind.BOOL, count=20, true_count=7))
    assert panel.plot.bar_heights() == [13.0, 7.0]
    assert panel.plot.curves == {}
    assert cell(panel.table_model, "True") == "7"
    assert cell(panel.table_model, "False") == "13"
    assert cell(panel.table_model, "Fraction true") == "35 % (7)"
    assert not panel.bins.isEnabled() and not panel.clip.isEnabled()


def test_complex_shows_magnitudes_and_says_so(panel):
    z = variable("z", (2,), dtype="complex64")
    stats = stats_of(z, [3.0, 4.0], kind=ValueKind.COMPLEX, note="complex64: statistics of |z|")
    panel.show_loading(z)
    panel.show_stats(stats)
    assert panel.note.isVisibleTo(panel)
    assert panel.note.text() == "complex64: statistics of |z|"
    assert panel.plot.plot.getAxis("bottom").labelText == "|z| (magnitude)"


def test_strings_show_a_length_histogram_and_examples(panel):
    text = variable("text", (3,), dtype="string")
    stats = stats_of(
        text,
        [5.0, 0.0, 5.0],
        bins=2,
        kind=ValueKind.STRING,
        string_examples=("alpha", "", "über"),
        percentiles={},
    )
    panel.show_loading(text)
    panel.show_stats(stats)
    assert panel.examples_model.stringList() == ["'alpha'", "''", "'über'"]
    assert panel.examples.isVisibleTo(panel)
    assert panel.plot.plot.getAxis("bottom").labelText == "length (bytes)"
    assert panel.table_model.row_labels()[:4] == [
        "Elements",
        "Mean length",
        "Min length",
        "Max length",
    ]


def test_scalars_and_empty_tensors_get_a_sentence_not_an_error(panel):
    scalar = variable("scalar", (), dtype="float32")
    panel.show_loading(scalar)
    panel.show_stats(stats_of(scalar, [3.5]))
    assert panel.stack.currentIndex() == panel.MESSAGE
    assert panel.message.text().startswith("A single float32 value: 3.5")
    assert panel.error() == ""
    assert cell(panel.table_model, "Elements") == "1"

    empty = variable("empty", (0, 3), dtype="float32")
    panel.show_loading(empty)
    panel.show_stats(TensorStats("empty", "float32", (0, 3), ValueKind.EMPTY, count=0))
    assert panel.message.text() == "This tensor is empty (shape 0 × 3): it holds no values."
    assert panel.table_model.row_labels() == ["Elements"]
    assert panel.error() == ""


def test_all_nan_says_so(panel):
    panel.show_loading(BIAS)
    panel.show_stats(stats_of(BIAS, np.full(128, np.nan)))
    assert panel.message.text() == "No finite values: all 128 are NaN or ±Inf."
    assert panel.alarm.text().startswith("⚠ 128 NaN")


def test_what_the_options_leave_out_is_said():
    stats = stats_of(
        KERNEL,
        histogram=histogram(
            [0, 1, 2], [4, 4], clipped_below=12, clipped_above=3, excluded_zeros=1500
        ),
    )
    options = HistogramOptions(clip_percentiles=(1.0, 99.0), include_zeros=False)
    assert left_out_text(stats, options) == (
        "12 below and 3 above the 1–99 percentile window are not in the bins. "
        "1,500 exact zeros left out."
    )


def test_stats_for_another_variable_are_ignored(panel):
    panel.show_loading(BIAS)
    assert not panel.show_stats(stats_of(KERNEL))
    assert panel.stats() is None
    assert panel.message.text() == "Computing the histogram…"


def test_controls_emit_the_chosen_options_once_settled(qtbot, panel):
    emitted = []
    panel.optionsChanged.connect(emitted.append)
    with qtbot.waitSignal(panel.optionsChanged, timeout=2000):
        panel.bins.setValue(32)
        panel.clip.setCurrentIndex(2)  # 1 – 99 %
        panel.zeros.setChecked(False)
        assert panel.is_pending()
    assert emitted == [HistogramOptions(bins=32, clip_percentiles=(1.0, 99.0), include_zeros=False)]
    assert not panel.is_pending()
    # Log counts only redraw: no new request.
    panel.log.setChecked(True)
    assert not panel.is_pending()


def _save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def test_export_png_svg_and_csv(panel, monkeypatch, tmp_path):
    stats = stats_of(KERNEL, planted_values(), bins=5)
    panel.show_loading(KERNEL)
    panel.show_stats(stats)
    actions = panel.export.actions_by_text()

    _save_as(monkeypatch, tmp_path / "plot")  # the extension is added
    actions["Plot as PNG…"].trigger()
    image = QImage(str(tmp_path / "plot.png"))
    assert image.width() >= 800 and image.height() > 100
    assert panel.status.text() == f"Saved {tmp_path / 'plot.png'}"

    _save_as(monkeypatch, tmp_path / "plot.svg")
    actions["Plot as SVG…"].trigger()
    svg = (tmp_path / "plot.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<path" in svg
    # Painted at the screen's resolution: at the generator's default 72 dpi the axis text came
    # out scaled by 72/96 and no longer lined up with the data.
    assert "matrix(0.75," not in svg

    _save_as(monkeypatch, tmp_path / "bins.csv")
    actions["Bins as CSV…"].trigger()
    rows = read_csv(tmp_path / "bins.csv")
    assert rows[0] == ["lower_edge", "upper_edge", "count"]
    np.testing.assert_array_equal(
        [float(r[0]) for r in rows[1:]] + [float(rows[-1][1])], stats.histogram.edges
    )
    assert [int(r[2]) for r in rows[1:]] == stats.histogram.counts.tolist()

    _save_as(monkeypatch, tmp_path / "stats.csv")
    actions["Statistics as CSV…"].trigger()
    table = {r[0]: r[1] for r in read_csv(tmp_path / "stats.csv")}
    assert table["statistic"] == "Value"
    assert int(table["NaN"]) == 3 and int(table["Elements"]) == 200
    assert float(table["Mean"]) == pytest.approx(stats.mean)
    assert float(table["p99"]) == pytest.approx(stats.percentiles[99.0])


def test_export_suggests_a_name_in_the_home_folder_never_the_checkpoint_folder(
    panel, monkeypatch, tmp_path
):
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(a) or ("", ""))
    panel.show_loading(KERNEL)
    panel.show_stats(stats_of(KERNEL))
    panel.export.actions_by_text()["Bins as CSV…"].trigger()
    suggestion = asked[0][2]
    assert suggestion.endswith("/sequential_dense_kernel-bins.csv")
    assert suggestion.startswith(str(panel.export.folder))
    assert panel.status.text() == ""  # cancelled: nothing written, nothing said


def test_a_failed_write_is_said(panel, monkeypatch, tmp_path):
    panel.show_loading(KERNEL)
    panel.show_stats(stats_of(KERNEL))
    _save_as(monkeypatch, tmp_path / "missing-folder" / "bins.csv")
    panel.export.actions_by_text()["Bins as CSV…"].trigger()
    assert panel.status.text().startswith(f"Could not write {tmp_path / 'missing-folder'}")
