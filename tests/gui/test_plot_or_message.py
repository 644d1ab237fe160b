"""PlotOrMessage: the drawings first, the sentence last; an error is styled and reported."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ckpt_inspector.gui.histogram_stack import HistogramStack
from ckpt_inspector.gui.plot_or_message import PlotOrMessage


def test_pages_are_the_drawings_then_the_message(qtbot):
    first, second = QLabel("first"), QLabel("second")
    stack = PlotOrMessage(first, second)
    qtbot.addWidget(stack)
    assert [stack.widget(i) for i in range(stack.count())] == [first, second, stack.message]
    assert stack.message.objectName() == "placeholderText"

    stack.show_message("Computing…")
    assert stack.currentWidget() is stack.message and stack.error() == ""
    stack.show_plot(1)
    assert stack.currentWidget() is second
    stack.show_message("The data shard is missing.", error=True)
    assert stack.message.property("error") is True
    assert stack.error() == "The data shard is missing."
    stack.show_message("Strings have no heat map.")
    assert stack.error() == ""


def test_the_histogram_stack_is_one_drawing_and_its_message(qtbot):
    stack = HistogramStack()
    qtbot.addWidget(stack)
    assert stack.widget(HistogramStack.PLOT) is stack.graphics
    assert stack.widget(HistogramStack.MESSAGE) is stack.message
    stack.show_plot()
    assert stack.currentIndex() == HistogramStack.PLOT
    stack.show_message("A single value.")
    assert stack.currentIndex() == HistogramStack.MESSAGE
