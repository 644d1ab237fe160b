"""A ``keras.applications`` model by name, always built with ``weights=None``.

``weights=None`` is not negotiable: the checkpoint supplies the weights, and the worker must
never download ImageNet files at run time (it may be offline, and a diff should not wait on a
network).
"""

from __future__ import annotations

import difflib
from types import ModuleType
from typing import Any

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.architecture.user_traceback import exception_summary
from ckpt_inspector.core.errors import InspectorError


def application_names(keras: ModuleType) -> list[str]:
    """The model constructors ``keras.applications`` offers (``MobileNetV2``, ``ResNet50``)."""
    applications = keras.applications
    return sorted(
        name
        for name in dir(applications)
        if name[:1].isupper() and callable(getattr(applications, name))
    )


def load_application(spec: ModelSpec, keras: ModuleType) -> Any:
    name = spec.attribute or ""
    names = application_names(keras)
    if name not in names:
        raise InspectorError(
            f"keras.applications has no model named {name!r}; {_hint(name, names)}"
        )
    kwargs = dict(spec.model_args)
    if kwargs.get("weights") is not None:
        raise InspectorError(
            f"keras.applications.{name} is always built with weights=None (the checkpoint "
            "provides the weights and nothing is downloaded); remove the weights argument."
        )
    if len(spec.input_shapes) > 1:
        raise InspectorError(
            f"keras.applications.{name} takes one input shape, but {len(spec.input_shapes)} "
            "were given; give one, for example 224x224x3."
        )
    if spec.input_shapes:
        if "input_shape" in kwargs:
            raise InspectorError(
                f"keras.applications.{name} got its input shape twice (as an input shape and as "
                "the input_shape argument); give it once."
            )
        kwargs["input_shape"] = spec.input_shapes[0]
    kwargs["weights"] = None
    try:
        return getattr(keras.applications, name)(**kwargs)
    # The constructors validate their arguments with ValueError/TypeError; any failure here is
    # about the arguments the user gave.
    except Exception as exc:
        raise InspectorError(
            f"keras.applications.{name} refused its arguments ({exception_summary(exc)}); "
            "change the input shape or model arguments."
        ) from exc


def _hint(name: str, names: list[str]) -> str:
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3)
    if close:
        return f"did you mean {', '.join(by_lower[c] for c in close)}?"
    if len(names) <= 6:
        return f"it offers {', '.join(names)}."
    return f"it offers {', '.join(names[:6])} and {len(names) - 6} more."
