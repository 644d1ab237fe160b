"""What a model takes and gives: its input signature, a call, and named outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSpec


def _dtype_name(dtype: Any) -> str:
    return str(getattr(dtype, "name", dtype) or "float32")


def input_specs(root: Any, spec: ModelSpec) -> tuple[InputSpec, ...]:
    """The model's inputs: a Keras model's ``inputs``, a ``tf.function`` input signature, or
    the input shapes the user gave (float32) for subclassed models."""
    keras_inputs = _keras_inputs(root)
    if keras_inputs:
        return tuple(
            InputSpec(
                name=_input_name(t, i),
                shape=tuple(None if d is None else int(d) for d in t.shape),
                dtype=_dtype_name(t.dtype),
            )
            for i, t in enumerate(keras_inputs)
        )
    signature = getattr(_class_call(root), "input_signature", None)
    if signature:
        return tuple(
            InputSpec(
                name=s.name or f"input_{i}",
                shape=tuple(None if d is None else int(d) for d in s.shape),
                dtype=_dtype_name(s.dtype),
            )
            for i, s in enumerate(signature)
        )
    if spec.input_shapes:
        return tuple(
            InputSpec(f"input_{i}", (None, *shape)) for i, shape in enumerate(spec.input_shapes)
        )
    raise InspectorError(
        f"The inputs of {spec.describe()} are not known; give its input shape (for example "
        "--input-shape 784)."
    )


def _class_call(root: Any) -> Any:
    """The ``__call__`` the class defines (a ``tf.function`` keeps its ``input_signature``)."""
    for cls in type(root).__mro__:
        if "__call__" in vars(cls):
            return vars(cls)["__call__"]
    return None


def _input_name(tensor: Any, index: int) -> str:
    """The input layer's name (``input_layer``), which the user set or Keras derived; Keras 3
    names the symbolic tensor itself ``keras_tensor``, which says nothing."""
    history = getattr(tensor, "_keras_history", None)
    operation = getattr(history, "operation", None) or (history[0] if history else None)
    name = getattr(operation, "name", None) or getattr(tensor, "name", None) or f"input_{index}"
    return str(name).split(":")[0]


def _keras_inputs(root: Any) -> list:
    try:
        inputs = getattr(root, "inputs", None)
    except (AttributeError, ValueError):  # Keras raises for subclassed models never called
        return []
    if isinstance(inputs, Mapping):
        return list(inputs.values())
    return list(inputs) if isinstance(inputs, (list, tuple)) else []


def call_model(root: Any, arrays: Sequence[np.ndarray]) -> Any:
    """One forward pass, in inference mode where the model knows the ``training`` flag."""
    if not callable(root):
        raise InspectorError(
            f"The architecture is a {type(root).__name__}, which cannot be called; point to "
            "the function that builds the model (file.py:name)."
        )
    args = arrays[0] if len(arrays) == 1 else list(arrays)
    if _keras_inputs(root) or _is_keras_layer(root):
        return root(args, training=False)
    return root(*arrays)


def _is_keras_layer(root: Any) -> bool:
    return any(c.__module__.split(".")[0] in {"keras", "tf_keras"} for c in type(root).__mro__)


def named_outputs(root: Any, result: Any) -> list[tuple[str, np.ndarray]]:
    """Every output as a NumPy array with a name: a Keras model's output names, dict keys, or
    ``output_<i>``."""
    if isinstance(result, Mapping):
        return [(str(k), _numpy(v)) for k, v in result.items()]
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    names = list(getattr(root, "output_names", None) or [])
    if len(names) != len(items):
        names = ["output"] if len(items) == 1 else [f"output_{i}" for i in range(len(items))]
    return [(name, _numpy(v)) for name, v in zip(names, items, strict=True)]


def _numpy(value: Any) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)
