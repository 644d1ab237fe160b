"""The sample-input editor and image preprocessing on images painted by the test, and the
output view's chart, softmax, labels and image tab with numbers."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from test_inference_panel import result

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSpec, OutputRecord
from ckpt_inspector.gui.inference.image_input import ImageLayout, image_array, image_layout
from ckpt_inspector.gui.inference.input_editor import FILE, IMAGE, RANDOM, TABLE, InputEditor
from ckpt_inspector.gui.inference.output_view import OutputView


def painted(width: int, height: int, color: str = "#ff8000") -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    return image


@pytest.fixture
def editor(qtbot) -> InputEditor:
    widget = InputEditor()
    qtbot.addWidget(widget)
    return widget


def test_image_layouts_from_the_signature():
    assert image_layout(InputSpec("x", (None, 28, 28, 1))) == ImageLayout(28, 28, 1, "hwc")
    assert image_layout(InputSpec("x", (None, None, None, 3))) == ImageLayout(None, None, 3, "hwc")
    assert image_layout(InputSpec("x", (None, 8, 6))) == ImageLayout(8, 6, 1, "hw")
    assert image_layout(InputSpec("x", (None, 784))) == ImageLayout(28, 28, 1, "flat")
    assert image_layout(InputSpec("x", (None, 10))) is None
    assert image_layout(InputSpec("x", (None, 4, 4, 2))) is None


def test_an_image_is_resized_converted_and_scaled(qapp):
    image = painted(40, 20)  # orange: (255, 128, 0)
    rgb, text = image_array(image, ImageLayout(4, 6, 3, "hwc"), "unit")
    assert rgb.shape == (4, 6, 3) and rgb.dtype == np.float32
    np.testing.assert_allclose(rgb[0, 0], [1.0, 128 / 255, 0.0], atol=1e-6)
    assert text == "40×20, resized to 6×4 (aspect ratio not kept), RGB, scaled to [0, 1]"

    signed, text = image_array(image, ImageLayout(4, 6, 3, "hwc"), "signed")
    np.testing.assert_allclose(signed[1, 2], [1.0, 128 / 127.5 - 1, -1.0], atol=1e-6)
    assert text.endswith("scaled to [−1, 1]")

    # A gray image keeps its level whatever weights Qt gives the channels.
    gray, text = image_array(painted(56, 56, "#808080"), ImageLayout(28, 28, 1, "flat"), "bytes")
    assert gray.shape == (784,) and gray.dtype == np.float32
    assert gray.min() == gray.max() == 128.0
    assert text.endswith("grayscale, scaled to 0–255, flattened to 784 values")

    same_size, text = image_array(painted(5, 3), ImageLayout(None, None, 1, "hw"), "unit")
    assert same_size.shape == (3, 5) and "resized" not in text
    ints, _text = image_array(image, ImageLayout(2, 2, 3, "hwc"), dtype="uint8")
    assert ints.dtype == np.uint8 and ints[0, 0].tolist() == [255, 128, 0]
    with pytest.raises(InspectorError, match="could not be decoded"):
        image_array(QImage(), ImageLayout(2, 2, 1, "hwc"))


def test_random_source_shows_and_takes_the_seed(editor):
    editor.set_specs([InputSpec("ids", (None, 5), "int32")])
    assert "ids" in editor.inputs.text() and "(1, 5)" in editor.inputs.text()
    editor.batch.setValue(3)
    editor.distribution.setCurrentText("integers")
    assert editor.high.value() == 10.0  # an integer range needs more than [0, 1)
    editor.seed.setValue(42)
    source = editor.source()
    assert (source.kind, source.distribution, source.seed, source.batch) == (
        "random",
        "integers",
        42,
        3,
    )
    assert (source.low, source.high) == (0.0, 10.0)
    editor.new_seed.click()
    assert editor.source().seed == editor.seed.value()
    editor.distribution.setCurrentText("zeros")
    assert not editor.seed.isEnabled() and not editor.low.isEnabled()


def test_file_source_needs_a_path(editor, tmp_path):
    editor.set_kind(FILE)
    with pytest.raises(InspectorError, match="Choose the input file"):
        editor.source()
    editor.file_path.setText(str(tmp_path / "x.npy"))
    source = editor.source()
    assert (source.kind, source.path) == ("file", str(tmp_path / "x.npy"))


def test_image_source_feeds_the_preprocessed_array(editor, tmp_path):
    path = tmp_path / "digit.png"
    assert painted(56, 56, "#ffffff").save(str(path))
    editor.set_specs([InputSpec("pixels", (None, 784))])
    assert editor.kind.model().item(editor.kind.findData(IMAGE)).isEnabled()
    assert not editor.kind.model().item(editor.kind.findData(TABLE)).isEnabled()  # 784 > 64
    editor.set_kind(IMAGE)
    assert not editor.batch.isEnabled()
    with pytest.raises(InspectorError, match="Choose an image"):
        editor.source()
    editor.set_image(str(path))
    assert editor.preprocessing.text() == (
        "56×56, resized to 28×28 (aspect ratio not kept), grayscale, scaled to [0, 1], "
        "flattened to 784 values"
    )
    source = editor.source()
    [(name, values)] = source.arrays
    assert source.kind == "values" and name == "pixels"
    assert values.shape == (1, 784) and values.dtype == np.float32
    np.testing.assert_allclose(values, 1.0)
    editor.scaling.setCurrentIndex(editor.scaling.findData("signed"))
    assert "[−1, 1]" in editor.preprocessing.text()
    editor.set_specs([InputSpec("x", (None, 3))])  # no image fits: back to random
    assert editor.current_kind() == RANDOM


def test_table_source_gives_typed_values(editor):
    editor.set_specs([InputSpec("a", (None, 2)), InputSpec("b", (None, 3), "int64")])
    editor.set_kind(TABLE)
    editor.batch.setValue(2)
    a, b = editor.tables()
    a.setData(a.index(1, 0), "1.5")
    b.set_row(0, [1, 2, 3])
    source = editor.source()
    assert source.kind == "values" and source.batch == 2
    arrays = dict(source.arrays)
    assert arrays["a"].tolist() == [[0.0, 0.0], [1.5, 0.0]]
    assert arrays["b"].dtype == np.int64 and arrays["b"].tolist() == [[1, 2, 3], [0, 0, 0]]
    assert editor.tabs.count() == 2 and editor.tabs.tabText(1) == "b"


def test_output_view_offers_softmax_for_logits_and_uses_labels(qtbot, tmp_path):
    view = OutputView()
    qtbot.addWidget(view)
    logits = result().outputs[0]  # [[2, -1, 0.5], [0.1, 0.2, 3]]
    view.set_outputs((logits,))
    assert view.tab_enabled(view.TOP_K) and not view.tab_enabled(view.IMAGE)
    assert view.softmax.isEnabled() and view.softmax.isChecked()
    np.testing.assert_allclose(view.bar_heights, [0.7856, 0.0391, 0.1753], atol=1e-4)
    view.softmax.setChecked(False)
    np.testing.assert_allclose(view.bar_heights, [2.0, -1.0, 0.5])
    view.k.setValue(2)
    labels = tmp_path / "labels.txt"
    labels.write_text("cat\ndog\nbird\n", encoding="utf-8")
    from ckpt_inspector.gui.inference.output_view import read_labels

    view.set_labels(read_labels(str(labels)), labels.name)
    assert [row[:2] for row in view.top_k_model.rows()] == [(0, "cat"), (2, "bird")]
    assert view.labels_name.text() == "labels.txt (3 labels)"
    ticks = view.plot.getAxis("bottom")._tickLevels[0]
    assert [text for _x, text in ticks] == ["cat", "dog", "bird"]

    picture = np.zeros((1, 4, 6, 1), np.float32)
    picture[0, :, 3:] = 1.0
    view.set_outputs((OutputRecord("mask", picture), logits))
    assert not view.output.isHidden() and view.current().name == "mask"
    assert view.tab_enabled(view.IMAGE) and not view.tab_enabled(view.TOP_K)
    pixmap = view.image.pixmap()
    assert not pixmap.isNull() and pixmap.width() > pixmap.height()
    view.select_output("logits")
    assert view.tab_enabled(view.TOP_K)
