"""Models saved as files: a ``.keras`` archive, a ``model.to_json()`` config, a SavedModel folder.

Only the architecture matters here (the checkpoint supplies the weights), so a ``.keras`` file's
own weights are loaded and ignored. Keras' safe mode stays on: a ``Lambda`` layer's Python code
would run on load, and a file picked in an inspector must not be able to run code. Keras says
what went wrong in long, version-specific texts, so we pick out the facts the user can act on
(safe mode refused it, which class is unknown, which Keras saved it) and say those.
"""

from __future__ import annotations

import json
import re
import zipfile
from types import ModuleType
from typing import Any

from ckpt_inspector.core.architecture.user_traceback import exception_summary
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.tensorflow_import import tensorflow

# Keras 3: "Could not locate class 'Foo'", "Could not deserialize 'keras.layers.Foo' because
# it is not a KerasSaveable subclass"; tf_keras: "Unknown layer: 'Foo'", and from Sequential
# "The added layer must be an instance of class Layer. Received: layer=Foo of type <class 'str'>".
_UNKNOWN_CLASS = (
    re.compile(r"Could not (?:locate class|deserialize) '([\w.]+)'"),
    re.compile(r"Unknown (?:layer|object|class)\w*: '?([\w.]+)"),
    re.compile(r"Received: layer=([\w.]+) of type <class 'str'>"),
)
_REWRITE = "build the model from the Python file that defines it instead"


def load_keras_archive(path: str, keras: ModuleType, flavour: str) -> Any:
    """``keras.saving.load_model`` in safe mode, without compiling (no optimizer is built)."""
    if not zipfile.is_zipfile(path):
        raise InspectorError(
            f"{path} is not a .keras archive (model.save writes a zip file); give the .keras "
            "file model.save wrote.",
            path=path,
        )
    load = keras.models.load_model if flavour == "2" else keras.saving.load_model
    try:
        return load(path, compile=False, safe_mode=True)
    # Deserialising runs arbitrary Keras code paths, which raise ValueError, TypeError,
    # KeyError, OSError and more; each becomes one sentence below.
    except Exception as exc:
        raise InspectorError(_archive_problem(path, exc, flavour), path=path) from exc


def _archive_problem(path: str, exc: Exception, flavour: str) -> str:
    known = _deserialisation_problem(path, exc)
    if known:
        return known
    saved_by = _saved_keras_version(path)
    if saved_by and saved_by.split(".")[0] != flavour:
        return (
            f"{path} was saved by Keras {saved_by}, and Keras {flavour} cannot load it "
            f"({exception_summary(exc)}); choose Keras {saved_by.split('.')[0]} for it."
        )
    return (
        f"{path} could not be loaded as a Keras model ({exception_summary(exc)}); check that "
        "model.save wrote it completely."
    )


def _saved_keras_version(path: str) -> str | None:
    """``keras_version`` from the archive's ``metadata.json``, ``None`` when unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            metadata = json.loads(archive.read("metadata.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    return version if isinstance(version, str) and version else None


def load_config_json(path: str, keras: ModuleType) -> Any:
    """``keras.models.model_from_json`` of the text ``model.to_json()`` wrote."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InspectorError(
            f"{path} could not be read ({exception_summary(exc)}); check that it is a text "
            "file you can read.",
            path=path,
        ) from exc
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InspectorError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "give the text model.to_json() wrote.",
            path=path,
        ) from exc
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise InspectorError(
            f"{path} is JSON but not a Keras model config (it has no class_name and config); "
            "give the text model.to_json() wrote.",
            path=path,
        )
    try:
        return keras.models.model_from_json(text)
    except Exception as exc:  # deserialising a config raises whatever the layer classes raise
        message = _deserialisation_problem(path, exc) or (
            f"{path} is a Keras config Keras could not build a model from "
            f"({exception_summary(exc)}); give the text model.to_json() wrote."
        )
        raise InspectorError(message, path=path) from exc


def _deserialisation_problem(path: str, exc: Exception) -> str | None:
    """The sentence for a refusal by safe mode or an unknown class; ``None`` for others."""
    text = str(exc)
    if "safe_mode" in text:
        what = (
            "a Lambda layer whose function is a Python lambda"
            if "Lambda" in text
            else ("Python code")
        )
        return (
            f"{path} holds {what}, which Keras' safe mode refuses to load because loading it "
            f"would run that code; {_REWRITE}."
        )
    for pattern in _UNKNOWN_CLASS:
        match = pattern.search(text)
        if match:
            name = match.group(1).rsplit(".", 1)[-1]
            return (
                f"{path} uses the class {name}, which Keras does not know in this process "
                f"(a custom or misspelled class); {_REWRITE}."
            )
    return None


def load_saved_model(path: str) -> Any:
    """``tf.saved_model.load``: the restored object graph, which is what a checkpoint matches."""
    tf = tensorflow()
    try:
        return tf.saved_model.load(path)
    # Loading raises OpError for damaged files and ValueError/KeyError/TypeError for graphs it
    # cannot rebuild (custom ops, newer protos); all mean the same thing to the user.
    except Exception as exc:
        raise InspectorError(
            f"SavedModel {path} could not be loaded ({exception_summary(exc)}); check that "
            "tf.saved_model.save wrote it completely.",
            path=path,
        ) from exc
