"""The options that name an architecture (``--model``, ``--model-arg``, ``--keras``,
``--input-shape``), shared by the commands that need one.

The Keras flavour has to be settled before TensorFlow is imported in this process:
``TF_USE_LEGACY_KERAS`` is read once, when ``tf.keras`` is first resolved, so ``--keras 2``
(or ``auto`` choosing it) sets the variable here, before any command code touches TensorFlow.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable

from ckpt_inspector.core.architecture.spec import ModelSpec, parse_input_shape, parse_model_args
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.flavour import suggested_keras


def add_model_arguments(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    *,
    required: bool = True,
    keras_help: str = "Keras flavour: 3, or 2 (tf_keras); auto picks 2 when the checkpoint's "
    "keys were written by Keras 2 (default)",
) -> None:
    """``--model``, ``--model-arg``, ``--keras`` and ``--input-shape``, for the ``diff`` command
    and for the window (where ``--model`` is optional and opens the diff panel)."""
    parser.add_argument(
        "--model",
        required=required,
        metavar="SPEC",
        help="the architecture: model.py[:function], a .keras file, a model config .json, "
        "a SavedModel folder, or applications:Name",
    )
    parser.add_argument(
        "--model-arg",
        action="append",
        default=[],
        metavar="K=V",
        help="keyword argument for the model function (a Python literal; repeatable)",
    )
    parser.add_argument(
        "--keras",
        choices=("auto", "3", "2"),
        default="auto",
        help=keras_help,
    )
    parser.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="SHAPE",
        help="input shape without the batch size (e.g. 784 or 28,28,1) for models that are "
        "built by calling them; repeat for several inputs",
    )


def model_spec(args: argparse.Namespace, checkpoint_keys: Iterable[str]) -> ModelSpec:
    """The spec the options describe, with ``auto`` resolved from ``checkpoint_keys``; sets up
    this process's Keras flavour to match."""
    keras = args.keras
    if keras == "auto":
        keras = "2" if suggested_keras(checkpoint_keys) == "2" else "3"
    use_keras(keras)
    return ModelSpec(
        source=args.model,
        model_args=parse_model_args(args.model_arg),
        keras=keras,
        input_shapes=tuple(parse_input_shape(text) for text in args.input_shape),
    )


def use_keras(flavour: str) -> None:
    """Make this process's TensorFlow use Keras ``flavour``; only possible before its import."""
    wanted = "1" if flavour == "2" else None
    if os.environ.get("TF_USE_LEGACY_KERAS") == wanted:
        return
    if "tensorflow" in sys.modules:
        raise InspectorError(
            f"TensorFlow was imported before Keras {flavour} could be chosen; run the command "
            "again with TF_USE_LEGACY_KERAS set accordingly."
        )
    if wanted is None:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
    else:
        os.environ["TF_USE_LEGACY_KERAS"] = wanted
