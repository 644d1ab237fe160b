"""Build the model from the user's Python file: import it, find what builds the model, call it.

The file is imported under a fresh module name each time, with its folder on ``sys.path`` so
``from layers import Block`` finds a sibling file. Those siblings are dropped from
``sys.modules`` afterwards: the worker lives across many loads, and a user who edits
``layers.py`` and diffs again must get the edited code, not the copy imported last time.
Bytecode is not written: a ``.pyc`` from an edit within the same second (and of the same size)
would be taken for the new source, and we should not litter the user's folder anyway.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import inspect
import itertools
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ckpt_inspector.core.architecture.flavour import is_layer_class, model_class_flavour
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.architecture.user_files import inside, is_user_file
from ckpt_inspector.core.architecture.user_traceback import user_code_error
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.tensorflow_import import tensorflow

DEFAULT_FUNCTION = "build_model"
_module_numbers = itertools.count(1)


@dataclass(frozen=True)
class PythonModel:
    root: Any
    label: str  # "build_model()", "MyModel()", "model": what produced the root


@contextmanager
def user_folder_importable(path: str) -> Iterator[None]:
    """While open, the model file's siblings import; afterwards, they are forgotten."""
    folder = os.path.dirname(os.path.abspath(path))
    real_folder = os.path.realpath(folder)
    before = set(sys.modules)
    saved_bytecode_flag = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.path.insert(0, folder)
    importlib.invalidate_caches()  # a sibling created since the last load must be found
    try:
        yield
    finally:
        sys.dont_write_bytecode = saved_bytecode_flag
        if folder in sys.path:
            sys.path.remove(folder)
        # Only the user's own modules: when the model sits in a project whose virtualenv is
        # ``.venv`` inside it, Keras submodules first imported during the load are below
        # ``folder`` too, and forgetting those would split Keras into two copies.
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules.get(name), "__file__", None)
            if (
                module_file
                and inside(os.path.realpath(module_file), real_folder)
                and is_user_file(module_file, folder)
            ):
                del sys.modules[name]


def load_python_model(spec: ModelSpec, path: str) -> PythonModel:
    """The object ``spec`` names in the file at ``path``, called with the model arguments."""
    module = _import_file(path)
    name, target = _choose_target(module, path, spec.attribute)
    kwargs = dict(spec.model_args)
    if not _is_factory(target):
        if kwargs:
            raise InspectorError(
                f"{name} in {path} is an object, not a function, so it takes no model "
                f"arguments ({', '.join(kwargs)}); remove them or name a function that builds "
                "the model.",
                path=path,
            )
        return PythonModel(_checked_root(target, name, path, called=False), name)
    label = f"{name}()"
    _check_arguments(target, label, path, kwargs)
    try:
        result = target(**kwargs)
    except (Exception, SystemExit) as exc:  # anything the user's code raises is theirs to see
        raise user_code_error(exc, f"{label} in {path}", path) from exc
    return PythonModel(_checked_root(result, label, path, called=True), label)


def _import_file(path: str) -> ModuleType:
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    name = f"_inspected_model_{next(_module_numbers)}_{stem}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise InspectorError(f"{path} cannot be imported as Python; give a .py file.", path=path)
    module = importlib.util.module_from_spec(module_spec)
    # Registered before running it, as ``import`` does: dataclasses and typing look it up.
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # SyntaxError, ImportError, or the file's own raise
        raise user_code_error(exc, f"Importing {path}", path) from exc
    return module


def _choose_target(module: ModuleType, path: str, attribute: str | None) -> tuple[str, object]:
    namespace = vars(module)
    if attribute is not None:
        if attribute in namespace:
            return attribute, namespace[attribute]
        close = difflib.get_close_matches(attribute, [n for n in namespace if n[:1] != "_"])
        hint = f"did you mean {', '.join(close)}?" if close else _defines(_candidates(module))
        raise InspectorError(f"{path} defines no {attribute!r}; {hint}", path=path)
    if callable(namespace.get(DEFAULT_FUNCTION)):
        return DEFAULT_FUNCTION, namespace[DEFAULT_FUNCTION]
    candidates = _candidates(module)
    if len(candidates) == 1:
        return candidates[0], namespace[candidates[0]]
    file = os.path.basename(path)
    if candidates:
        raise InspectorError(
            f"{path} defines several things that could build the model "
            f"({', '.join(candidates)}); choose one as {file}:NAME, "
            f"for example {file}:{candidates[0]}.",
            path=path,
        )
    raise InspectorError(
        f"{path} defines no {DEFAULT_FUNCTION} function, no other public function, no Keras "
        "Model or tf.Module subclass and no module-level model object; define "
        f"{DEFAULT_FUNCTION}() returning the model, or name it as {file}:NAME.",
        path=path,
    )


def _defines(candidates: list[str]) -> str:
    if candidates:
        return f"it defines {', '.join(candidates)}."
    return "it defines no function, model class or model object."


def _candidates(module: ModuleType) -> list[str]:
    """Public functions and model classes defined in the file, and module-level model objects."""
    tf = tensorflow()
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and _could_be_the_model(value, module.__name__, tf)
    ]


def _could_be_the_model(value: object, module_name: str, tf: Any) -> bool:
    defined_here = getattr(value, "__module__", None) == module_name
    if inspect.isfunction(value):
        return defined_here  # not ``from helpers import load_data``
    if isinstance(value, type):
        return defined_here and _is_model_class(value, tf)
    return isinstance(value, tf.train.Checkpoint) or _is_model_class(type(value), tf)


def _is_model_class(cls: type, tf: Any) -> bool:
    """A Keras Model, or a tf.Module that is not a Keras layer (tf_keras layers are tf.Modules)."""
    if model_class_flavour(cls) is not None:
        return True
    return issubclass(cls, tf.Module) and not is_layer_class(cls)


def _is_factory(target: object) -> bool:
    """Functions and classes are called; objects (a Keras model is callable too) are not."""
    return (
        isinstance(target, type)
        or inspect.isroutine(target)
        or isinstance(target, functools.partial)
    )


def _check_arguments(target: object, label: str, path: str, kwargs: dict[str, object]) -> None:
    """Say which argument is wrong before calling, instead of a TypeError from deep inside."""
    try:
        signature = inspect.signature(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # builtins and some C types have no signature
        return
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        given = ", ".join(kwargs) or "no arguments"
        raise InspectorError(
            f"{label} in {path} cannot be called with {given} ({exc}); give its parameters "
            f"{_parameters(signature)} as K=V model arguments.",
            path=path,
        ) from exc


def _parameters(signature: inspect.Signature) -> str:
    names = [
        p.name
        for p in signature.parameters.values()
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    return f"({', '.join(names)})"


def _checked_root(value: object, label: str, path: str, *, called: bool) -> object:
    """``value`` when TensorFlow can match it against a checkpoint (it is ``Trackable``)."""
    tf = tensorflow()
    if isinstance(value, tf.__internal__.tracking.Trackable):
        return value
    verb = "returned" if called else "is"
    what = f"{verb} None" if value is None else f"{verb} a {type(value).__name__}"
    fix = "return the model from it" if called else "name the model object instead"
    raise InspectorError(
        f"{label} in {path} {what}, not a Keras model, tf.Module or tf.train.Checkpoint; {fix}.",
        path=path,
    )
