"""The Compare tab: which checkpoint is offered first, and both histograms, the difference and
the relative change read back from the plot items and the table."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from gui_fakes import checkpoint, comparison_of, mlp_variables, read_csv
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from ckpt_inspector.gui.analysis import default_reference
from ckpt_inspector.gui.comparison_view import ComparisonView, relative_change_text

KERNEL = mlp_variables()[2]
RUN = "/data/run"
CKPTS = tuple(checkpoint(RUN, f"ckpt-{s}", s) for s in (1, 2, 3))


@pytest.fixture
def view(qtbot) -> ComparisonView:
    widget = ComparisonView()
    qtbot.addWidget(widget)
    widget.resize(560, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_default_is_the_previous_checkpoint_by_step():
    one, two, three = CKPTS
    shuffled = (three, one, two)
    assert default_reference(shuffled, three) == two
    assert default_reference(shuffled, two) == one
    assert default_reference(shuffled, one) == two  # nothing earlier: the next one
    assert default_reference((one,), one) is None
    assert default_reference(shuffled, None) is None
    # Without steps: the one listed before it, else the first other one.
    a, b = checkpoint(RUN, "a.weights.h5"), checkpoint(RUN, "b.weights.h5")
    assert default_reference((a, b), b) == a
    assert default_reference((a, b), a) == b


def test_the_combo_offers_every_other_checkpoint(qtbot, view):
    one, two, three = CKPTS
    view.set_checkpoints(CKPTS, two, one)
    texts = [view.combo.itemText(i) for i in range(view.combo.count())]
    assert texts == ["ckpt-1 · step 1", "ckpt-3 · step 3"]
    assert view.reference() == one
    with qtbot.waitSignal(view.referenceChanged) as chosen:
        view.combo.setCurrentIndex(1)
        view.combo.activated.emit(1)
    assert chosen.args == [three]
    view.set_checkpoints((two,), two, None)
    assert view.reference() is None and not view.combo.isEnabled()


def test_both_histograms_share_axes_and_the_difference_is_below(view):
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 500)
    b = a + rng.normal(0, 0.1, 500)
    comparison = comparison_of(KERNEL, a, b, a=f"{RUN}/ckpt-1", b=f"{RUN}/ckpt-2")
    view.set_checkpoints(CKPTS, CKPTS[1], CKPTS[0])
    view.show_loading(KERNEL)
    assert view.show_comparison(comparison)

    assert set(view.overlay.curves) == {"a: ckpt-1", "b: ckpt-2"}
    edges_a, counts_a = view.overlay.curve_data("a: ckpt-1")
    edges_b, counts_b = view.overlay.curve_data("b: ckpt-2")
    np.testing.assert_array_equal(edges_a, edges_b)  # shared edges, shared axes
    np.testing.assert_array_equal(counts_a, comparison.a.histogram.counts)
    np.testing.assert_array_equal(counts_b, comparison.b.histogram.counts)
    assert view.overlay.curves["a: ckpt-1"].opts["pen"].color() != (
        view.overlay.curves["b: ckpt-2"].opts["pen"].color()
    )
    legend = [label.text for _sample, label in view.overlay.legend.items]
    assert legend == ["a: ckpt-1", "b: ckpt-2"]

    diff_edges, diff_counts = view.difference.curve_data("b − a")
    np.testing.assert_array_equal(diff_edges, comparison.difference.histogram.edges)
    np.testing.assert_array_equal(diff_counts, comparison.difference.histogram.counts)

    change = np.linalg.norm(b - a) / np.linalg.norm(a)
    assert view.change.text() == (
        f"Relative change ‖b − a‖ / ‖a‖ = {change:.4g} ({100 * change:.3g} %)"
    )
    model = view.table_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Statistic", "a: ckpt-1", "b: ckpt-2", "b − a"]
    assert model.value("Mean", 2) == pytest.approx(comparison.difference.mean)


def test_shapes_that_differ_have_no_difference(view):
    comparison = comparison_of(KERNEL, [1.0, 2.0], [1.0, 3.0], a="/r/ckpt-1", b="/r/ckpt-2")
    comparison = dataclasses.replace(
        comparison, difference=None, relative_change=None, note="shapes 2 and 3 differ"
    )
    view.show_loading(KERNEL)
    view.show_comparison(comparison)
    assert view.change.text() == (
        "Relative change ‖b − a‖ / ‖a‖: not defined (shapes 2 and 3 differ)"
    )
    assert view.difference.curves == {}
    assert view.table_model.columnCount() == 3
    assert relative_change_text(dataclasses.replace(comparison, note="")).endswith(
        "(the shapes or dtypes differ)"
    )


def test_export_bins_of_both(view, monkeypatch, tmp_path):
    comparison = comparison_of(KERNEL, [0.0, 1.0, 2.0], [0.5, 1.0, 2.5], a="/r/c-1", b="/r/c-2")
    view.show_loading(KERNEL)
    view.show_comparison(comparison)
    out = tmp_path / "bins.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    view.export.actions_by_text()["Bins as CSV…"].trigger()
    rows = read_csv(out)
    assert rows[0] == ["lower_edge", "upper_edge", "count_a", "count_b"]
    assert [int(r[2]) for r in rows[1:]] == comparison.a.histogram.counts.tolist()
    assert [int(r[3]) for r in rows[1:]] == comparison.b.histogram.counts.tolist()


def test_the_default_stays_in_the_same_run_and_other_runs_are_labelled(view):
    """A workspace with sub-folders: the demo's ``training_checkpoints/checkpoint-2`` must be
    compared with its own ``checkpoint-1``, not with another run's ``ckpt-1``."""
    other = checkpoint("/ws/custom", "ckpt-1", step=1)
    first = checkpoint("/ws/training", "checkpoint-1", step=1)
    second = checkpoint("/ws/training", "checkpoint-2", step=2)
    listing = (other, first, second)
    assert default_reference(listing, second) == first
    assert default_reference((other, second), second) == other  # no sibling: any other run
    view.set_checkpoints(listing, second, first)
    labels = [view.combo.itemText(i) for i in range(view.combo.count())]
    assert labels == ["custom/ckpt-1 · step 1", "checkpoint-1 · step 1"]
    assert view.reference() == first


# -- legends: above their plots, where they cover none of the bars ---------------------------


def _comparison():
    rng = np.random.default_rng(5)
    a = rng.uniform(-1, 1, 400)
    return comparison_of(KERNEL, a, a + rng.normal(0, 0.05, 400), a="/r/ckpt-1", b="/r/ckpt-2")


def _assert_above(qtbot, drawing) -> None:
    legend, box = drawing.legend, drawing.plot.getViewBox()

    def laid_out() -> None:
        shown, plot = legend.sceneBoundingRect(), box.sceneBoundingRect()
        assert legend.items and shown.height() > 0
        assert shown.bottom() <= plot.top() and not shown.intersects(plot)
        # Right-aligned over the plot, not left at the scene's corner.
        assert shown.right() > plot.center().x()

    qtbot.waitUntil(laid_out)


def test_both_legends_are_above_their_plots(qtbot, view):
    view.show_loading(KERNEL)
    view.show_comparison(_comparison())
    labels = [label.text for _sample, label in view.overlay.legend.items]
    assert labels == ["a: ckpt-1", "b: ckpt-2"]
    assert [label.text for _sample, label in view.difference.legend.items] == ["b − a"]
    _assert_above(qtbot, view.overlay)
    _assert_above(qtbot, view.difference)
    # On a log axis the histograms are drawn again, into the same legends.
    view.log.setChecked(True)
    assert len(view.overlay.legend.items) == 2
    _assert_above(qtbot, view.overlay)
    _assert_above(qtbot, view.difference)


def test_no_difference_leaves_its_legend_empty(view):
    comparison = dataclasses.replace(_comparison(), difference=None, relative_change=None)
    view.show_loading(KERNEL)
    view.show_comparison(comparison)
    assert view.difference.legend is None or view.difference.legend.items == []
    assert view.difference.plot.titleLabel.text.startswith("No difference histogram")
