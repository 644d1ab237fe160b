"""The Compare tab's legends sit above their plots, where they cover none of the bars."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from gui_fakes import comparison_of, mlp_variables

from ckpt_inspector.gui.comparison_view import ComparisonView

KERNEL = mlp_variables()[2]


@pytest.fixture
def view(qtbot) -> ComparisonView:
    widget = ComparisonView()
    qtbot.addWidget(widget)
    widget.resize(560, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


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
