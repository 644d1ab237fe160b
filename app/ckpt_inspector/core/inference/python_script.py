""" "Copy as Python": a short script that repeats a run in the user's own code base.

It uses only TensorFlow, NumPy and the user's file, restores with TensorFlow's own API, and
draws random inputs exactly as the app did (``numpy.random.default_rng(seed)`` in signature
order), so running it prints the outputs the window showed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ckpt_inspector.core.architecture.spec import ModelSpec, SourceKind
from ckpt_inspector.core.inference.records import InputSource, InputSpec
from ckpt_inspector.core.matching.records import DiffReport, MatchMethod


def _build_lines(spec: ModelSpec) -> list[str]:
    kwargs = ", ".join(f"{k}={v!r}" for k, v in spec.model_args)
    kind = spec.kind
    if kind is SourceKind.PYTHON:
        name = spec.attribute or "build_model"
        return [
            "import importlib.util",
            "",
            f"_spec = importlib.util.spec_from_file_location('user_model', {spec.file!r})",
            "user_model = importlib.util.module_from_spec(_spec)",
            "_spec.loader.exec_module(user_model)",
            f"model = user_model.{name}({kwargs})  # drop the call if {name} is an object",
        ]
    if kind is SourceKind.KERAS_ARCHIVE:
        return [f"model = keras.saving.load_model({spec.file!r}, compile=False)"]
    if kind is SourceKind.CONFIG_JSON:
        return [
            f"with open({spec.file!r}) as f:",
            "    model = keras.models.model_from_json(f.read())",
        ]
    if kind is SourceKind.APPLICATION:
        shape = f", input_shape={spec.input_shapes[0]!r}" if spec.input_shapes else ""
        extra = f", {kwargs}" if kwargs else ""
        return [f"model = keras.applications.{spec.attribute}(weights=None{shape}{extra})"]
    return [f"model = tf.saved_model.load({spec.file!r})"]


def _restore_lines(report: DiffReport) -> list[str]:
    prefix = report.checkpoint
    if report.method is MatchMethod.KERAS_WEIGHTS:
        return [f"model.load_weights({prefix!r})"]
    if report.attach:
        return [f"tf.train.Checkpoint({report.attach}=model).restore({prefix!r}).expect_partial()"]
    return [f"tf.train.Checkpoint(root=model).restore({prefix!r}).expect_partial()"]


def _input_lines(specs: Sequence[InputSpec], source: InputSource) -> list[str]:
    lines = [f"rng = np.random.default_rng({source.seed})"]
    if source.kind == "file" and source.path and source.path.endswith(".npy"):
        return [f"inputs = [np.load({source.path!r})]"]
    if source.kind != "random":
        return ["inputs = [...]  # the arrays you fed in the window"]
    arrays = []
    for spec in specs:
        shape = spec.concrete_shape(source.batch)
        kind = source.distribution
        if kind in {"zeros", "ones"}:
            arrays.append(f"np.{kind}({shape!r}, {spec.dtype!r})")
        elif kind == "integers" or spec.dtype.startswith(("int", "uint")):
            arrays.append(
                f"rng.integers({int(source.low)}, {int(source.high)}, size={shape!r})"
                f".astype({spec.dtype!r})"
            )
        elif kind == "uniform":
            bounds = f"{source.low!r}, {source.high!r}"
            arrays.append(f"rng.uniform({bounds}, size={shape!r}).astype({spec.dtype!r})")
        else:
            arrays.append(f"rng.standard_normal({shape!r}).astype({spec.dtype!r})")
    lines.append("inputs = [")
    lines.extend(f"    {a}," for a in arrays)
    lines.append("]")
    return lines


def python_script(
    spec: ModelSpec, report: DiffReport, specs: Sequence[InputSpec], source: InputSource
) -> str:
    header = [
        f"# Reproduces a Checkpoint Inspector run: {os.path.basename(report.checkpoint)} in "
        f"{spec.describe()}.",
    ]
    if spec.keras == "2":
        header += ["import os", "", "os.environ['TF_USE_LEGACY_KERAS'] = '1'  # Keras 2 (tf_keras)"]
    imports = ["import numpy as np", "import tensorflow as tf"]
    if spec.kind in {SourceKind.KERAS_ARCHIVE, SourceKind.CONFIG_JSON, SourceKind.APPLICATION}:
        imports.append("import tf_keras as keras" if spec.keras == "2" else "import keras")
    call = "model(inputs[0] if len(inputs) == 1 else inputs, training=False)"
    lines = [
        *header,
        *imports,
        "",
        *_build_lines(spec),
        *_restore_lines(report),
        "",
        *_input_lines(specs, source),
        f"outputs = {call}",
        "print(outputs)",
    ]
    return "\n".join(lines) + "\n"
