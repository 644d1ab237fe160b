"""What the user chose to diff against, as plain data: the source, its arguments, Keras flavour.

A ``ModelSpec`` crosses the process boundary (the window builds it, the worker loads it), so it
is pure Python and never imports TensorFlow. The text the user typed is parsed here, once, into
values: model arguments are Python literals read with ``ast.literal_eval`` and never evaluated
as code, because a ``--model-arg`` must not be a way to run arbitrary expressions.
"""

from __future__ import annotations

import ast
import keyword
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from ckpt_inspector.core.errors import InspectorError, NotFoundError

APPLICATION_PREFIX = "applications:"
KERAS_FLAVOURS = ("3", "2")

_ACCEPTED_FORMS = (
    "give a .py file (optionally file.py:function), a .keras file, a model config .json, "
    "a SavedModel folder or applications:Name"
)
# "model.py:build_model" -> ("model.py", "build_model"). Anchored on ".py:" followed by an
# identifier, so a Windows drive letter ("C:\\x\\model.py") is not taken for a separator.
_PYTHON_ATTRIBUTE = re.compile(r"^(?P<file>.+\.py):(?P<attribute>[A-Za-z_]\w*)$")
_SHAPE_SEPARATORS = re.compile(r"[,xX×]")


class SourceKind(str, Enum):
    PYTHON = "python"
    KERAS_ARCHIVE = "keras-archive"
    CONFIG_JSON = "config-json"
    SAVED_MODEL = "saved-model"
    APPLICATION = "application"


@dataclass(frozen=True)
class ModelSpec:
    """An architecture to load: ``source`` as the user gave it, plus how to build it."""

    source: str
    model_args: tuple[tuple[str, object], ...] = ()
    keras: str = "3"
    input_shapes: tuple[tuple[int | None, ...], ...] = ()

    @property
    def kind(self) -> SourceKind:
        return classify_source(self.source)

    @property
    def file(self) -> str | None:
        """The file or folder part of ``source``; ``None`` for a ``keras.applications`` name."""
        return _split_source(self.source)[0]

    @property
    def attribute(self) -> str | None:
        """``build`` of ``model.py:build``, ``MobileNetV2`` of ``applications:MobileNetV2``."""
        return _split_source(self.source)[1]

    def describe(self) -> str:
        """Short text for titles and logs, e.g. ``build_model() in model.py (Keras 3)``."""
        file, attribute = _split_source(self.source)
        args = ", ".join(f"{k}={v!r}" for k, v in self.model_args)
        flavour = f"(Keras {self.keras})"
        if file is None:
            return f"keras.applications.{attribute}({args}) {flavour}"
        name = os.path.basename(os.path.normpath(file)) or file
        if attribute is not None:
            return f"{attribute}({args}) in {name} {flavour}"
        if args:
            return f"{name} with {args} {flavour}"
        return f"{name} {flavour}"


def _split_source(source: str) -> tuple[str | None, str | None]:
    """(file, attribute) of a source string, by its syntax only (no file system access)."""
    if source.startswith(APPLICATION_PREFIX):
        return None, source[len(APPLICATION_PREFIX) :].strip() or None
    match = _PYTHON_ATTRIBUTE.match(source)
    if match:
        return match["file"], match["attribute"]
    return source, None


def classify_source(source: str) -> SourceKind:
    """Which loader ``source`` needs; raises when it names nothing we can load."""
    file, attribute = _split_source(source)
    if file is None:
        if attribute is None or not attribute.isidentifier():
            raise InspectorError(
                f"{source!r} names no keras.applications model; write it as "
                "applications:Name, for example applications:MobileNetV2."
            )
        return SourceKind.APPLICATION
    path = os.path.expanduser(file)
    if not os.path.exists(path):
        raise NotFoundError(f"{file} does not exist; {_ACCEPTED_FORMS}.", path=file)
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "saved_model.pb")):
            return SourceKind.SAVED_MODEL
        raise InspectorError(
            f"Folder {file} has no saved_model.pb, so it is not a SavedModel; {_ACCEPTED_FORMS}.",
            path=file,
        )
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".py":
        return SourceKind.PYTHON
    if attribute is None and suffix == ".keras":
        return SourceKind.KERAS_ARCHIVE
    if attribute is None and suffix == ".json":
        return SourceKind.CONFIG_JSON
    hint = (
        " (an .h5 file holds weights, not the code that builds the model)"
        if suffix in {".h5", ".hdf5"}
        else ""
    )
    raise InspectorError(
        f"{file} is not a model source Checkpoint Inspector can load{hint}; {_ACCEPTED_FORMS}.",
        path=file,
    )


def parse_model_args(texts: Sequence[str]) -> tuple[tuple[str, object], ...]:
    """``["units=[64, 32]", "act=relu"]`` -> ``(("units", [64, 32]), ("act", "relu"))``.

    Values are Python literals; a bare word that is not one (``relu``) is taken as a string, so
    the common case of naming an activation or initializer needs no quotes.
    """
    parsed: dict[str, object] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            missing = "value" if not sep else "name"
            raise InspectorError(
                f"The model argument {text!r} has no {missing}; write it as K=V, "
                "for example vocab_size=4."
            )
        if not name.isidentifier() or keyword.iskeyword(name):
            raise InspectorError(
                f"The model argument {text!r} is named {name!r}, which is not a Python "
                "keyword-argument name; write it as K=V, for example vocab_size=4."
            )
        if name in parsed:
            raise InspectorError(f"The model argument {name} is given twice; give each K=V once.")
        parsed[name] = _literal(text, value)
    return tuple(parsed.items())


def _literal(text: str, value: str) -> object:
    if not value:
        raise InspectorError(
            f"The model argument {text!r} has an empty value; write it as K=V, "
            "for example vocab_size=4."
        )
    try:
        return ast.literal_eval(value)
    # literal_eval reports a non-literal as ValueError/TypeError, bad syntax as SyntaxError, and
    # very deep nesting as RecursionError/MemoryError.
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        if value.isidentifier():
            return value
    raise InspectorError(
        f"The model argument {text!r} has a value that is not a Python literal; write it as "
        "K=V with V a number, a quoted string, a list, tuple or dict of those, True, False, "
        "None or a bare word."
    )


def parse_input_shape(text: str) -> tuple[int | None, ...]:
    """``"28x28x1"``, ``"28,28,1"``, ``"(28, 28, 1)"``, ``"None,10"`` -> sizes without batch."""
    inner = text.strip()
    if inner[:1] in "([" and inner[-1:] in ")]":
        inner = inner[1:-1]
    parts = [p.strip() for p in _SHAPE_SEPARATORS.split(inner)]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # "(784,)"
    sizes: list[int | None] = []
    for part in parts:
        if part in {"None", "none", "?"}:
            sizes.append(None)
        elif part.isascii() and part.isdigit() and int(part) > 0:
            sizes.append(int(part))
        else:
            raise InspectorError(
                f"The input shape {text!r} is not a list of positive sizes; write it without "
                "the batch dimension as 784, 28,28,1 or 28x28x1 (None for a free size)."
            )
    return tuple(sizes)
