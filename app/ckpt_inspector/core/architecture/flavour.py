"""Which Keras this process runs (3, or 2 through tf_keras), and the Keras module to use for one.

TensorFlow routes ``tf.keras`` to Keras 3 or to tf_keras once, by ``TF_USE_LEGACY_KERAS``, when
``tf.keras`` is first used (``KerasLazyLoader`` in ``tensorflow/python/util/lazy_loader.py``).
User code written for Keras 2 says ``tf.keras`` and means tf_keras, so the flavour is a property
of the process: callers start a worker with the right environment, and loading checks that they
did rather than building a model in a Keras its checkpoint was not written by.
"""

from __future__ import annotations

import sys
from types import ModuleType

from ckpt_inspector.core.architecture.spec import KERAS_FLAVOURS
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.tensorflow_import import tensorflow

# The package each flavour's classes come from.
_PACKAGES = {"3": "keras", "2": "tf_keras"}


def running_keras_flavour() -> str:
    """``"2"`` when this process's ``tf.keras`` is tf_keras, else ``"3"``."""
    tf = tensorflow()
    return "2" if tf.keras.Model.__module__.startswith("tf_keras.") else "3"


def require_flavour(flavour: str) -> None:
    """Raise unless this process runs Keras ``flavour`` (a guard for callers, not for users)."""
    if flavour not in KERAS_FLAVOURS:
        raise InspectorError(f"Keras {flavour!r} is not a Keras version; choose 3 or 2.")
    running = running_keras_flavour()
    if running != flavour:
        how = "with" if flavour == "2" else "without"
        raise InspectorError(
            f"This process runs Keras {running}, but the architecture needs Keras {flavour}; "
            f"load it in a process started {how} TF_USE_LEGACY_KERAS=1."
        )


def keras_module(flavour: str) -> ModuleType:
    """``keras`` for ``"3"``, ``tf_keras`` for ``"2"``, after checking the process runs it."""
    require_flavour(flavour)
    if flavour == "2":
        import tf_keras

        return tf_keras
    import keras

    return keras


def model_class_flavour(cls: type) -> str | None:
    """``"3"``/``"2"`` when ``cls`` is a Keras Model class of that flavour, else ``None``.

    Only packages already imported are consulted: a class cannot derive from a package nobody
    imported, and importing the other Keras just to ask would cost seconds.
    """
    for flavour, package in _PACKAGES.items():
        module = sys.modules.get(package)
        model = getattr(module, "Model", None)
        if isinstance(model, type) and issubclass(cls, model):
            return flavour
    return None


def is_layer_class(cls: type) -> bool:
    """True for a Keras layer of either flavour that is not a whole model (a building block)."""
    if model_class_flavour(cls) is not None:
        return False
    for package in _PACKAGES.values():
        layers = getattr(sys.modules.get(package), "layers", None)
        layer = getattr(layers, "Layer", None)
        if isinstance(layer, type) and issubclass(cls, layer):
            return True
    return False
