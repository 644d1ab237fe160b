"""An image file as a model input: decoded with Qt, resized to the input's H×W, converted to
grayscale or RGB, scaled to the range the model was trained on.

Pure Qt GUI + NumPy (no widgets), so a test can feed it a ``QImage`` it painted itself. The
preprocessing is returned as one sentence, shown under the image choice and passed on as the
input's note, because a model that looks wrong is often a model fed the wrong scaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSpec

# (label, key): how 0-255 pixel values are mapped.
SCALINGS = (("0 – 1", "unit"), ("−1 – 1", "signed"), ("0 – 255", "bytes"))
_SCALING_TEXT = {"unit": "[0, 1]", "signed": "[−1, 1]", "bytes": "0–255"}


@dataclass(frozen=True)
class ImageLayout:
    """Where an image goes in one example of an input: ``height`` / ``width`` ``None`` take the
    image's own size; ``kind`` is ``hwc`` (H×W×C), ``hw`` (H×W) or ``flat`` (H·W values)."""

    height: int | None
    width: int | None
    channels: int
    kind: str


def image_layout(spec: InputSpec) -> ImageLayout | None:
    """How an image fits ``spec`` (batch dimension first), or ``None`` when it does not."""
    example = spec.shape[1:] if spec.shape and spec.shape[0] is None else spec.shape
    if len(example) == 3 and example[2] in (1, 3):
        return ImageLayout(example[0], example[1], int(example[2]), "hwc")
    if len(example) == 2 and all(d is None or d > 1 for d in example):
        return ImageLayout(example[0], example[1], 1, "hw")
    if len(example) == 1 and example[0] is not None:
        side = math.isqrt(int(example[0]))
        if side > 1 and side * side == example[0]:
            return ImageLayout(side, side, 1, "flat")
    return None


def image_array(
    image: QImage, layout: ImageLayout, scaling: str = "unit", dtype: str = "float32"
) -> tuple[np.ndarray, str]:
    """One example (without the batch dimension) from ``image``, and the sentence saying how it
    was made."""
    if image.isNull():
        raise InspectorError("The image could not be decoded; choose a PNG, JPEG or BMP file.")
    height = layout.height or image.height()
    width = layout.width or image.width()
    steps = [f"{image.width()}×{image.height()}"]
    if (width, height) != (image.width(), image.height()):
        image = image.scaled(
            width,
            height,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        steps.append(f"resized to {width}×{height} (aspect ratio not kept)")
    gray = layout.channels == 1
    image = image.convertToFormat(
        QImage.Format.Format_Grayscale8 if gray else QImage.Format.Format_RGB888
    )
    steps.append("grayscale" if gray else "RGB")
    pixels = _pixels(image, 1 if gray else 3)

    wanted = np.dtype(dtype)
    if wanted.kind in "iu":
        values = pixels.astype(wanted)
        steps.append("values 0–255")
    else:
        values = pixels.astype(np.float64)
        if scaling == "unit":
            values = values / 255.0
        elif scaling == "signed":
            values = values / 127.5 - 1.0
        values = values.astype(wanted if wanted.kind == "f" else np.float32)
        steps.append(f"scaled to {_SCALING_TEXT.get(scaling, scaling)}")
    if layout.kind == "hw":
        values = values[:, :, 0]
    elif layout.kind == "flat":
        values = values.reshape(-1)
        steps.append(f"flattened to {values.size} values")
    return values, ", ".join(steps)


def _pixels(image: QImage, channels: int) -> np.ndarray:
    """The image's bytes as H×W×C, without the padding Qt adds to each line."""
    height, width, per_line = image.height(), image.width(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), np.uint8, count=per_line * height)
    return raw.reshape(height, per_line)[:, : width * channels].reshape(height, width, channels)
