"""Fonts, colours and item-data roles shared by the panels.

Colours come in a light and a dark set. Models ask ``colors()`` when a view paints, so a theme
switch (``set_scheme``, called by ``appearance.Appearance``) shows on the next repaint; the style
sheets under ``resources/styles/`` name colours as ``@token`` and are rendered from the same
sets by ``apply_stylesheet``, which renders them again on a switch.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase

from ckpt_inspector.gui import resources

log = logging.getLogger(__name__)

# Code here reads records through the Python models (``record_at``), never ``QModelIndex.data``:
# it is faster than a round trip through Qt's QVariant conversion.
ModelIndex = QModelIndex | QPersistentModelIndex
NO_INDEX = QModelIndex()  # the invisible root, as a default argument

# Custom item-data roles: the record behind a row, a value to sort by, a problem sentence.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 3

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

LIGHT, DARK = "light", "dark"


@dataclass(frozen=True)
class Colors:
    """One scheme's colours, as ``#rrggbb``; the field names are the style sheets' tokens."""

    text: str
    muted: str  # secondary labels, sizes, rows shown only for context
    headline: str
    warning: str  # checkpoint rows with a problem
    error: str
    ok: str
    caution: str  # the diff and inference summaries when only part restores
    urgent: str  # timeline findings that need a look
    optimizer: str
    bookkeeping: str
    link: str
    link_hover: str
    alarm_background: str  # NaN/Inf counts
    alarm_border: str
    note_text: str  # partial restores, problems of a checkpoint
    note_background: str
    note_border: str
    info_background: str  # the message strip
    rule: str  # thin separators
    splitter: str


LIGHT_COLORS = Colors(
    text="#202124",
    muted="#5f6368",
    headline="#3c4043",
    warning="#b35c00",
    error="#b00020",
    ok="#1e7a34",
    caution="#a33d00",
    urgent="#b3261e",
    optimizer="#6a4c93",
    bookkeeping="#7a7a7a",
    link="#1a5fb4",
    link_hover="#0b3d91",
    alarm_background="#fdecea",
    alarm_border="#f5c2c0",
    note_text="#7a3e00",
    note_background="#fff4e5",
    note_border="#f5c98b",
    info_background="#e8f0fe",
    rule="#d0d0d0",
    splitter="#e0e0e0",
)

# Light text on dark greys; every foreground keeps a contrast of at least 4.5:1 with the
# dark window (#2b2c30) and with its own background.
DARK_COLORS = Colors(
    text="#e8eaed",
    muted="#9aa0a6",
    headline="#dadce0",
    warning="#f6ae5c",
    error="#ff8a80",
    ok="#81c995",
    caution="#ffb74d",
    urgent="#f28b82",
    optimizer="#c5a8ff",
    bookkeeping="#a0a0a0",
    link="#8ab4f8",
    link_hover="#aecbfa",
    alarm_background="#4a1f1f",
    alarm_border="#8c3b3b",
    note_text="#ffcc80",
    note_background="#3b2d14",
    note_border="#7a5a22",
    info_background="#1f2a3c",
    rule="#3c4043",
    splitter="#3c4043",
)

_COLORS = {LIGHT: LIGHT_COLORS, DARK: DARK_COLORS}
_scheme = LIGHT
_styled: weakref.WeakKeyDictionary[QObject, str] = weakref.WeakKeyDictionary()
_TOKEN = re.compile(r"@([a-z_]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def scheme() -> str:
    """``"light"`` or ``"dark"``: the colours shown now."""
    return _scheme


def colors() -> Colors:
    return _COLORS[_scheme]


def colors_of(scheme_name: str) -> Colors:
    return _COLORS[scheme_name]


def color(name: str) -> QColor:
    """``color("error")``: a colour of the current scheme."""
    return QColor(getattr(colors(), name))


_listeners: list[Callable[[str], None]] = []


def on_scheme_changed(callback: Callable[[str], None]) -> None:
    """Call ``callback(scheme)`` after every switch (the plots, which are not styled by QSS)."""
    _listeners.append(callback)


def set_scheme(name: str) -> None:
    """Switch the colours and render the registered style sheets again."""
    global _scheme
    if name not in _COLORS:
        raise ValueError(f"unknown colour scheme {name!r}")
    changed, _scheme = name != _scheme, name
    for target, sheet in list(_styled.items()):
        _set_sheet(target, sheet)
    if changed:
        for callback in _listeners:
            callback(name)


def render_stylesheet(name: str, scheme_name: str | None = None) -> str:
    """``resources/styles/<name>.qss`` with its ``@tokens`` replaced; an unknown token raises."""
    values = dataclasses.asdict(_COLORS[scheme_name or _scheme])

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token not in values:
            raise KeyError(f"{name}.qss names an unknown colour @{token}")
        return values[token]

    return _TOKEN.sub(replace, _COMMENT.sub("", resources.stylesheet(name)))


def apply_stylesheet(target: QObject, name: str) -> None:
    """Give ``target`` (a widget or the application) the style sheet ``name``, now and after
    every scheme switch."""
    _styled[target] = name
    _set_sheet(target, name)


def _set_sheet(target: QObject, name: str) -> None:
    try:
        sheet = render_stylesheet(name)
        # Setting the same sheet again would still restyle every widget it applies to.
        if target.styleSheet() != sheet:  # type: ignore[attr-defined]
            target.setStyleSheet(sheet)  # type: ignore[attr-defined]
    except RuntimeError:  # the C++ widget is gone
        _styled.pop(target, None)


@cache
def monospace_font() -> QFont:
    """The system's fixed-pitch font; call only once a QGuiApplication exists."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


@cache
def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


@cache
def italic_font() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


def restyle(widget) -> None:
    """Re-applies the style sheet to ``widget``: Qt does not restyle a widget by itself when a
    dynamic property or object name that the sheet selects on changes."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_style_property(widget, name: str, value: object) -> None:
    """Sets a property the style sheet selects on (``QLabel[error="true"]``) and restyles."""
    widget.setProperty(name, value)
    restyle(widget)
