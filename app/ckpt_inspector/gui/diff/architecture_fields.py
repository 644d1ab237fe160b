"""What the user typed to say which architecture to diff against, before any widget: parsing
it into a ``ModelSpec`` (``ArchitectureFields.to_spec`` raises an ``InspectorError`` with one
sentence on bad input; nothing here runs the user's code), and the recent architectures with
what was typed for each, kept in QSettings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QSettings

from ckpt_inspector.core.architecture.spec import ModelSpec, parse_input_shape, parse_model_args
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.flavour import suggested_keras
from ckpt_inspector.core.records import VariableRecord

_RECENT_KEY = "diff/recent"
_REMEMBERED_KEY = "diff/remembered"


# -- parsing (no widgets) ----------------------------------------------------------------------


def suggest_keras(variables: Iterable[VariableRecord]) -> str | None:
    """``"2"`` when the checkpoint's keys look like Keras 2 (``tf_keras``) wrote them, ``"3"``
    when they look like Keras 3, else ``None`` (the same rule as ``diff --keras auto``)."""
    return suggested_keras(record.key for record in variables)


def split_source(text: str) -> tuple[str, str]:
    """``"model.py:build"`` -> ``("model.py", "build")``; anything else -> ``(text, "")``."""
    text = text.strip()
    head, sep, tail = text.rpartition(".py:")
    if sep and tail and "/" not in tail and "\\" not in tail:
        return head + ".py", tail.strip()
    return text, ""


def is_python_source(source: str) -> bool:
    return split_source(source)[0].lower().endswith(".py")


def normalised_source(source: str) -> str:
    """Local paths made absolute (the recent list must not depend on the working folder);
    ``applications:Name`` and remote paths stay as typed."""
    source = source.strip()
    if not source or source.startswith("applications:") or "://" in source:
        return source
    return os.path.abspath(os.path.expanduser(source))


def split_arguments(text: str) -> list[str]:
    """``"a=1, shape=(28, 28), name='x,y'"`` -> ``["a=1", "shape=(28, 28)", "name='x,y'"]``:
    commas inside brackets or quotes do not separate arguments."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, char in enumerate(text):
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def split_input_shapes(text: str) -> list[str]:
    """One text per model input: inputs are separated by ``;``."""
    return [p.strip() for p in text.split(";") if p.strip()]


@dataclass(frozen=True)
class ArchitectureFields:
    """What the user typed, before parsing."""

    source: str
    function: str = ""
    arguments: str = ""
    input_shape: str = ""
    keras: str = "3"

    def spec_source(self) -> str:
        path, function = split_source(self.source)
        function = self.function.strip() or function
        if function and is_python_source(path):
            return f"{normalised_source(path)}:{function}"
        return normalised_source(self.source)

    def to_spec(self) -> ModelSpec:
        """The spec for the worker; raises ``InspectorError`` (one sentence) on bad input."""
        if not self.source.strip():
            raise InspectorError(
                "Choose an architecture: a model .py file, a .keras or config .json file, "
                "a SavedModel folder, or applications:Name."
            )
        args = parse_model_args(split_arguments(self.arguments))
        shapes = tuple(parse_input_shape(s) for s in split_input_shapes(self.input_shape))
        return ModelSpec(
            source=self.spec_source(),
            model_args=args,
            keras=self.keras,
            input_shapes=shapes,
        )


# -- settings ----------------------------------------------------------------------------------


class RecentArchitectures:
    """The last architectures diffed against, and what was typed for each, in QSettings."""

    LIMIT = 10
    REMEMBERED_LIMIT = 50

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def sources(self) -> list[str]:
        stored = self._settings.value(_RECENT_KEY, [], type=list) or []
        return [str(s) for s in stored if s]

    def remembered(self, source: str) -> dict[str, str]:
        return self._all_remembered().get(source, {})

    def add(self, fields: ArchitectureFields) -> None:
        source = normalised_source(split_source(fields.source)[0])
        if not source:
            return
        recent = [source] + [s for s in self.sources() if s != source]
        self._settings.setValue(_RECENT_KEY, recent[: self.LIMIT])
        remembered = self._all_remembered()
        remembered.pop(source, None)
        entry = {
            "function": fields.function.strip() or split_source(fields.source)[1],
            "arguments": fields.arguments.strip(),
            "input_shape": fields.input_shape.strip(),
        }
        remembered[source] = entry
        kept = list(remembered.items())[-self.REMEMBERED_LIMIT :]
        self._settings.setValue(_REMEMBERED_KEY, json.dumps(dict(kept)))
        self._settings.sync()

    def clear(self) -> None:
        self._settings.setValue(_RECENT_KEY, [])
        self._settings.sync()

    def _all_remembered(self) -> dict[str, dict[str, str]]:
        text = self._settings.value(_REMEMBERED_KEY, "", type=str)
        try:
            value = json.loads(text) if text else {}
        except ValueError:
            return {}  # written by another version: start afresh rather than fail
        return value if isinstance(value, dict) else {}
