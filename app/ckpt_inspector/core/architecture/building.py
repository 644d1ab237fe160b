"""Create a model's variables by calling it once, when loading it left it without any.

A subclassed Keras model, a ``Sequential`` without ``Input`` or a ``tf.Module`` that creates
variables on first call has nothing to compare with a checkpoint until it has seen an input, so
we call it on zeros of the shape the user gave (batch of one). A model that already has its
weights is never called: calling runs user code for nothing, and could fail for nothing.
"""

from __future__ import annotations

from typing import Any

from ckpt_inspector.core.architecture.flavour import is_layer_class, model_class_flavour
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.architecture.user_traceback import exception_summary, user_code_error
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.tensorflow_import import tensorflow


def needs_building(root: Any) -> bool:
    """True for a Keras model/layer not built yet, or a tf.Module that has no variables."""
    tf = tensorflow()
    cls = type(root)
    if model_class_flavour(cls) is not None or is_layer_class(cls):
        # ``built`` first: tf_keras raises on ``weights`` of a model that is not built.
        return not root.built or not root.weights
    if isinstance(root, tf.Module):
        return not root.variables
    return False


def build(root: Any, spec: ModelSpec, *, label: str, user_code: bool) -> None:
    """Call ``root`` on zeros of ``spec.input_shapes``; ``label`` names it for messages.

    ``user_code`` says the model came from the user's Python file, so a failure is reported with
    their traceback lines (``UserCodeError``) rather than as a plain one-sentence error.
    """
    source = spec.file or spec.source
    if not spec.input_shapes:
        raise InspectorError(
            f"{source}'s model has no weights until it is called; give its input shape "
            "(for example --input-shape 784).",
            path=spec.file,
        )
    if not callable(root):
        raise InspectorError(
            f"{label} in {source} has no variables and cannot be called to create them; "
            "create its variables in __init__ or give it a __call__ method.",
            path=spec.file,
        )
    tf = tensorflow()
    # Free sizes (None) only matter to the layers that accept them; any size builds the weights.
    zeros = [tf.zeros((1, *(size or 1 for size in shape))) for shape in spec.input_shapes]
    shapes = " and ".join(str(tuple(z.shape)) for z in zeros)
    action = f"Calling {label} in {source} on zeros of shape {shapes}"
    try:
        root(zeros[0] if len(zeros) == 1 else zeros)
    except (Exception, SystemExit) as exc:  # the model's call() is user code, or Keras refusing it
        if user_code and spec.file is not None:
            raise user_code_error(
                exc, action, spec.file, advice="check the input shape and the model's call(); "
            ) from exc
        raise InspectorError(
            f"{action} failed ({exception_summary(exc)}); check the input shape.",
            path=spec.file,
        ) from exc
