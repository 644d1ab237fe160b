"""Sample inputs for a model's signature: random with a seed, from files, or given values.

Random inputs use ``numpy.random.default_rng(seed)``, drawing the inputs in signature order, so
the "Copy as Python" script can reproduce them with NumPy alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ckpt_inspector.core.errors import InspectorError, NotFoundError
from ckpt_inspector.core.inference.records import (
    DISTRIBUTIONS,
    InputSource,
    InputSpec,
    PreparedInput,
)

_INTEGER_DEFAULT_HIGH = 10


def _shape_text(shape: Sequence[int | None]) -> str:
    return (
        "("
        + ", ".join("batch" if i == 0 and d is None else str(d) for i, d in enumerate(shape))
        + ")"
    )


def random_array(spec: InputSpec, source: InputSource, rng: np.random.Generator) -> np.ndarray:
    shape = spec.concrete_shape(source.batch)
    dtype = np.dtype(spec.dtype) if spec.dtype != "string" else np.dtype(object)
    kind = source.distribution
    if kind not in DISTRIBUTIONS:
        raise InspectorError(
            f"{kind!r} is not a distribution; choose one of {', '.join(DISTRIBUTIONS)}."
        )
    if kind == "zeros":
        return np.zeros(shape, dtype)
    if kind == "ones":
        return np.ones(shape, dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu" or kind == "integers":
        high = (
            source.high
            if source.high > source.low + 1 or kind == "integers"
            else _INTEGER_DEFAULT_HIGH
        )
        return rng.integers(int(source.low), int(high), size=shape).astype(dtype)
    if kind == "uniform":
        return rng.uniform(source.low, source.high, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def prepare_inputs(specs: Sequence[InputSpec], source: InputSource) -> tuple[PreparedInput, ...]:
    """Input arrays for ``specs`` from ``source``, checked against the signature."""
    if source.batch < 1:
        raise InspectorError(f"The batch size must be at least 1, not {source.batch}.")
    if source.kind == "random":
        rng = np.random.default_rng(source.seed)
        text = source.describe()
        return tuple(PreparedInput(s.name, random_array(s, source, rng), text) for s in specs)
    if source.kind == "file":
        arrays = read_input_file(source.path or "", specs)
        text = f"file {os.path.basename(source.path or '')}"
        if os.path.splitext(source.path or "")[1].lower() in IMAGE_SUFFIXES and specs:
            height, width, channels, flat = image_target(specs[0])
            colour = {1: "grayscale", 3: "RGB", 4: "RGBA"}[channels]
            text = (
                f"image {os.path.basename(source.path or '')} resized to {height}×{width} "
                f"{colour}, scaled to [0, 1]" + (", flattened" if flat else "")
            )
    elif source.kind == "values":
        arrays = dict(source.arrays)
        text = "values given"
    else:
        raise InspectorError(f"{source.kind!r} is not an input source; use random, file or values.")
    return tuple(_checked(spec, arrays, text, len(specs)) for spec in specs)


def _checked(
    spec: InputSpec, arrays: dict[str, np.ndarray], text: str, count: int
) -> PreparedInput:
    if spec.name in arrays:
        values = arrays[spec.name]
    elif count == 1 and len(arrays) == 1:
        values = next(iter(arrays.values()))
    else:
        given = ", ".join(sorted(arrays)) or "none"
        raise InspectorError(
            f"No values for input {spec.name!r} (given: {given}); name the arrays after the "
            "model's inputs."
        )
    values = np.asarray(values)
    expected = spec.shape
    # A single example without its batch dimension is accepted as a batch of one.
    if values.ndim == len(expected) - 1 and expected and expected[0] is None:
        values = values[np.newaxis]
    if values.ndim != len(expected) or any(
        d is not None and d != v for d, v in zip(expected, values.shape, strict=False)
    ):
        raise InspectorError(
            f"Input {spec.name!r} must have shape {_shape_text(expected)} {spec.dtype}, but the "
            f"{text} gives {tuple(values.shape)} {values.dtype}; reshape it to fit."
        )
    note = ""
    wanted = np.dtype(spec.dtype) if spec.dtype != "string" else np.dtype(object)
    if values.dtype != wanted:
        if not np.can_cast(values.dtype, wanted, casting="same_kind") and not (
            values.dtype.kind in "iub" and wanted.kind == "f"
        ):
            raise InspectorError(
                f"Input {spec.name!r} must be {spec.dtype}, but the {text} gives "
                f"{values.dtype}; convert the values first."
            )
        note = f"converted from {values.dtype} to {spec.dtype}"
        values = values.astype(wanted)
    return PreparedInput(spec.name, values, text, note)


def read_input_file(path: str, specs: Sequence[InputSpec]) -> dict[str, np.ndarray]:
    """Arrays by input name from a .npy (the only input), .npz (by name or in order) or .csv
    (rows are examples, reshaped to the input's shape) file. Pickled arrays are refused."""
    if not os.path.isfile(path):
        raise NotFoundError(f"Input file {path} does not exist; check the path.", path=path)
    suffix = os.path.splitext(path)[1].lower()
    try:
        if suffix == ".npy":
            return {specs[0].name if specs else "input": np.load(path, allow_pickle=False)}
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                loaded = {name: archive[name] for name in archive.files}
            if all(s.name in loaded for s in specs):
                return loaded
            if len(loaded) == len(specs) and all(n.startswith("arr_") for n in loaded):
                return {s.name: loaded[f"arr_{i}"] for i, s in enumerate(specs)}
            return loaded
        if suffix in {".csv", ".txt"}:
            table = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64)
            if len(specs) != 1:
                raise InspectorError(
                    f"{path} is one table, but the model has {len(specs)} inputs; use an .npz file."
                )
            features = specs[0].concrete_shape(1)[1:]
            if int(np.prod(features)) != table.shape[1]:
                raise InspectorError(
                    f"Each row of {path} has {table.shape[1]} values, but input "
                    f"{specs[0].name!r} takes {int(np.prod(features))} per example "
                    f"{_shape_text(specs[0].shape)}."
                )
            return {specs[0].name: table.reshape((table.shape[0], *features))}
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "pickled" in str(exc):
            raise InspectorError(
                f"{path} holds pickled objects, which are never loaded (they can run code); save "
                "plain arrays instead."
            ) from None
        raise InspectorError(f"{path} could not be read as input ({exc}).", path=path) from None
    except OSError as exc:
        raise InspectorError(
            f"{path} could not be read ({exc.strerror or exc}).", path=path
        ) from None
    if suffix in IMAGE_SUFFIXES:
        if len(specs) != 1:
            raise InspectorError(
                f"{path} is one image, but the model has {len(specs)} inputs; use an .npz file."
            )
        return {specs[0].name: read_image(path, specs[0])}
    raise InspectorError(
        f"{os.path.basename(path)} is not an input file this reads; use .npy, .npz, .csv or an "
        "image (PNG, JPEG, BMP or GIF)."
    )


IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif"})


def image_target(spec: InputSpec) -> tuple[int, int, int, bool]:
    """``(height, width, channels, flat)`` an image must become for ``spec``: ``(batch, H, W,
    C)`` inputs take it as is; a flat ``(batch, n)`` input with a square ``n`` takes a
    grayscale ``sqrt(n)`` square, flattened (784 -> 28x28, as MNIST models expect)."""
    dims = spec.concrete_shape(1)[1:]
    if len(dims) == 3 and dims[2] in (1, 3, 4):
        return dims[0], dims[1], dims[2], False
    if len(dims) == 1 and round(dims[0] ** 0.5) ** 2 == dims[0]:
        side = round(dims[0] ** 0.5)
        return side, side, 1, True
    raise InspectorError(
        f"Input {spec.name!r} {_shape_text(spec.shape)} is not image-shaped (height, width, "
        "channels, or a square number of values); give an array file instead."
    )


def read_image(path: str, spec: InputSpec) -> np.ndarray:
    """Decode, resize (bilinear) and scale to [0, 1] with TensorFlow's image ops: the command
    line has no Qt (the window loads images with Qt itself)."""
    from ckpt_inspector.core.tensorflow_import import tensorflow

    tf = tensorflow()
    height, width, channels, flat = image_target(spec)
    try:
        data = tf.io.read_file(path)
        image = tf.io.decode_image(data, channels=channels, expand_animations=False)
    except (tf.errors.OpError, ValueError) as exc:
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        raise InspectorError(f"{path} is not a readable image ({message}).", path=path) from None
    resized = tf.image.resize(tf.cast(image, tf.float32) / 255.0, (height, width))
    values = resized.numpy()[np.newaxis]
    return values.reshape(1, -1) if flat else values
