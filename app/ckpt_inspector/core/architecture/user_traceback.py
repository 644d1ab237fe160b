"""The user's own traceback lines when their model code fails, without ours or the libraries'.

A model file that raises is the user's bug, and they need the lines of *their* code that led to
it, not fifty frames of importlib, Keras and this app. So we keep a frame when its file is the
user's (``user_files.is_user_file``): in the model file's folder, or anywhere that is neither
this package nor the Python installation.
"""

from __future__ import annotations

import os
import re
import traceback

from ckpt_inspector.core.architecture.user_files import is_user_file
from ckpt_inspector.core.errors import UserCodeError

_SUMMARY_CHARS = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# keras/src/utils/traceback_utils.py: "Exception encountered when calling Net.call()."
_KERAS_CALL_WRAPPER = re.compile(r"^Exception encountered when calling (?P<where>.+?)\.?$")


def user_code_error(
    exc: BaseException, action: str, path: str, *, advice: str = ""
) -> UserCodeError:
    """``"<action> raised ValueError: <message>; <advice>its traceback is below."``.

    ``action`` says what ran (``build_model() in /x/model.py``); ``advice``, when given, ends
    with a separator (``"check the input shape; "``).
    """
    return UserCodeError(
        f"{action} raised {exception_summary(exc)}; {advice}its traceback is below.",
        user_traceback=user_traceback(exc, os.path.dirname(os.path.abspath(path))),
        path=path,
    )


def exception_summary(exc: BaseException) -> str:
    """``ValueError: width must be positive``: the type and the first line of the message.

    Keras 3 wraps errors raised in a layer's ``call()`` as "Exception encountered when calling
    Net.call()." followed by the real message in ANSI bold; the real message is the useful one.
    """
    lines = [line.strip() for line in _ANSI.sub("", str(exc)).strip().splitlines()]
    name = type(exc).__name__
    wrapped = _KERAS_CALL_WRAPPER.match(lines[0]) if lines else None
    if wrapped:
        name = f"{name} in {wrapped['where']}"
        lines = lines[1:]
    text = next((line for line in lines if line), "").rstrip(".")
    if len(text) > _SUMMARY_CHARS:
        text = text[: _SUMMARY_CHARS - 1].rstrip() + "…"
    return f"{name}: {text}" if text else name


def user_traceback(exc: BaseException, user_folder: str | None = None) -> str:
    """``exc`` formatted as Python prints it, keeping only frames of the user's files."""
    formatted = traceback.TracebackException.from_exception(exc)
    _keep_user_frames(formatted, user_folder, set())
    # Keras 3 puts ANSI bold codes in its messages; the window and logs show them as garbage.
    return _ANSI.sub("", "".join(formatted.format())).rstrip("\n")


def _keep_user_frames(
    formatted: traceback.TracebackException, user_folder: str | None, seen: set[int]
) -> None:
    if id(formatted) in seen:
        return
    seen.add(id(formatted))
    formatted.stack = traceback.StackSummary.from_list(
        [frame for frame in formatted.stack if is_user_file(frame.filename, user_folder)]
    )
    for chained in (formatted.__cause__, formatted.__context__):
        if chained is not None:
            _keep_user_frames(chained, user_folder, seen)
    for member in getattr(formatted, "exceptions", None) or ():  # exception groups
        _keep_user_frames(member, user_folder, seen)
