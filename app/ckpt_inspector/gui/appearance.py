"""Light and dark: View > Theme (System, Light, Dark), remembered in QSettings.

"System" follows the desktop's colour scheme as Qt 6.5+ reports it
(``QStyleHints.colorScheme`` and its ``colorSchemeChanged`` signal); where the platform does not
say (``Qt.ColorScheme.Unknown``), the palette's window colour decides. Choosing the scheme the
desktop does not use sets our own palette, on the Fusion style: the native styles of Windows
and macOS draw with the system's colours whatever palette they are given.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ckpt_inspector.gui import theme

log = logging.getLogger(__name__)

SYSTEM = "system"
CHOICES = (SYSTEM, theme.LIGHT, theme.DARK)
_KEY = "view/theme"

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup


def _palette(scheme: str) -> QPalette:
    """A complete palette for ``scheme``, used when it is not the desktop's."""
    dark = scheme == theme.DARK
    c = theme.colors_of(scheme)
    window, base, alternate, button = (
        ("#2b2c30", "#1f2023", "#26272b", "#35363b")
        if dark
        else ("#f3f3f3", "#ffffff", "#f5f6f7", "#ececec")
    )
    highlight = "#3d6fb4" if dark else "#3874c8"
    palette = QPalette()
    roles = {
        _Role.Window: window,
        _Role.WindowText: c.text,
        _Role.Base: base,
        _Role.AlternateBase: alternate,
        _Role.ToolTipBase: button,
        _Role.ToolTipText: c.text,
        _Role.PlaceholderText: c.muted,
        _Role.Text: c.text,
        _Role.Button: button,
        _Role.ButtonText: c.text,
        _Role.BrightText: "#ffffff",
        _Role.Highlight: highlight,
        _Role.HighlightedText: "#ffffff",
        _Role.Link: c.link,
        _Role.LinkVisited: c.optimizer,
        _Role.Light: "#3c4043" if dark else "#ffffff",
        _Role.Midlight: "#34353a" if dark else "#e3e3e3",
        _Role.Mid: "#4a4c50" if dark else "#b8b8b8",
        _Role.Dark: "#151618" if dark else "#9f9f9f",
        _Role.Shadow: "#000000" if dark else "#767676",
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    disabled = "#6f7378" if dark else "#a0a0a0"
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(_Group.Disabled, role, QColor(disabled))
    return palette


def _is_dark(palette: QPalette) -> bool:
    return palette.color(_Role.Window).lightness() < 128


# The application's look is process-wide, so what it was before any change is kept here
# (a second window must not take our palette for the desktop's), with the style set now.
_native: tuple[str, bool] | None = None
_forced_style: str | None = None


def _native_look(app: QApplication) -> tuple[str, bool]:
    """The desktop's style name and whether its palette is dark, before we change them."""
    global _native
    if _native is None:
        style = app.style()
        # Under an application style sheet style() is Qt's style-sheet wrapper, named "".
        name = style.name() or style.metaObject().className().removeprefix("Q")
        _native = (name.removesuffix("Style").lower(), _is_dark(app.palette()))
    return _native


def _use_style(app: QApplication, forced: str | None) -> None:
    """``forced`` None: the desktop's style."""
    global _forced_style
    if forced != _forced_style:
        _forced_style = forced
        app.setStyle(forced or _native_look(app)[0])


class Appearance(QObject):
    """Applies the chosen theme to the application: palette, style sheet, model colours."""

    changed = Signal(str)  # the scheme shown now: "light" or "dark"
    choiceChanged = Signal(str)  # "system", "light" or "dark"

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._app = QApplication.instance()
        self._native_dark = _native_look(self._app)[1]
        hints = QGuiApplication.styleHints()
        self._system = hints.colorScheme()
        hints.colorSchemeChanged.connect(self._on_color_scheme_changed)
        stored = str(settings.value(_KEY, SYSTEM))
        self._choice = stored if stored in CHOICES else SYSTEM
        self._shown: str | None = None
        self._apply()

    def choice(self) -> str:
        """``"system"``, ``"light"`` or ``"dark"``: what the user chose."""
        return self._choice

    def scheme(self) -> str:
        """``"light"`` or ``"dark"``: what is shown."""
        return theme.scheme()

    def system_scheme(self) -> str:
        if self._system == Qt.ColorScheme.Dark:
            return theme.DARK
        if self._system == Qt.ColorScheme.Light:
            return theme.LIGHT
        return theme.DARK if self._native_dark else theme.LIGHT

    def set_choice(self, choice: str, *, remember: bool = True) -> None:
        """Show ``choice``; ``remember`` False (``--theme``) leaves the stored choice alone."""
        if choice not in CHOICES:
            raise ValueError(f"unknown theme {choice!r}; choose one of {', '.join(CHOICES)}")
        changed = choice != self._choice
        self._choice = choice
        if remember:
            self._settings.setValue(_KEY, choice)
        self._apply()
        if changed:
            self.choiceChanged.emit(choice)

    def _apply(self) -> None:
        system = self.system_scheme()
        scheme = system if self._choice == SYSTEM else self._choice
        app = self._app
        if scheme == system:
            # The desktop's own palette and style: an empty palette resolves entirely to it.
            _use_style(app, None)
            app.setPalette(QPalette())
        else:
            _use_style(app, "Fusion")
            app.setPalette(_palette(scheme))
        theme.set_scheme(scheme)
        try:
            theme.apply_stylesheet(app, "app")
        except FileNotFoundError as error:  # an unpackaged resource folder: plain look
            log.warning("%s", error)
        if scheme != self._shown:
            self._shown = scheme
            self.changed.emit(scheme)

    # -- slots ---------------------------------------------------------------------------------

    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        self._system = scheme
        self._apply()
