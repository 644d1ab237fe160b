"""Start the window: ``run(path, demo=..., screenshot=..., model=..., timeline=..., infer=...,
theme=...)`` returns the exit code."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from ckpt_inspector import __version__
from ckpt_inspector.gui import resources, startup_trace
from ckpt_inspector.gui.main_window import MainWindow
from ckpt_inspector.gui.screenshot import ScreenshotWhenLoaded
from ckpt_inspector.gui.worker_client import WorkerClient

log = logging.getLogger(__name__)

ORGANIZATION = "ckpt-inspector"
APPLICATION = "Checkpoint Inspector"
SCREENSHOT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ModelRequest:
    """``--model SPEC`` with its ``--model-arg``/``--input-shape``/``--keras``: the diff to run
    on the selected checkpoint once the folder has loaded. ``keras`` None: as suggested."""

    source: str
    arguments: tuple[str, ...] = ()
    input_shapes: tuple[str, ...] = ()
    keras: str | None = None


def _apply_icon(app: QApplication) -> None:
    # The style sheet is the window's: gui/appearance.py renders it for the light or dark theme.
    try:
        app.setWindowIcon(resources.icon("app"))
    except FileNotFoundError as error:  # an unpackaged resource folder: no icon, still works
        log.warning("%s", error)


def create_application() -> QApplication:
    qInstallMessageHandler(_on_qt_message)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "ckpt-inspector"])
    # Before any QSettings is made: they name the settings file.
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    # Lets desktops (Wayland especially) tie the window to its menu entry and icon; the id is
    # the name of packaging/linux/io.github.ckpt_inspector.CheckpointInspector.desktop.
    app.setDesktopFileName("io.github.ckpt_inspector.CheckpointInspector")
    app.setApplicationVersion(__version__)
    # pyqtgraph (its Qt binding and look) is set up in gui/plotting.py, imported by the plot
    # tabs when they are first shown: not here, so that it costs nothing before the window.
    _apply_icon(app)
    return app


def open_initial(window: MainWindow, path: str | None, *, demo: bool) -> None:
    """``--demo``, else the given path, else the most recent folder, else the demo."""
    if demo:
        window.open_demo()
    elif path:
        window.open_path(path)
    else:
        recent = window.recent.paths()
        if recent:
            window.open_path(recent[0])
        else:
            window.open_demo()


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _on_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # Qt's offscreen platform (screenshots, CI) warns about this on every top-level window
    # with size constraints; it is a stub in that plugin and says nothing about the app.
    if message.startswith("This plugin does not support propagateSizeHints"):
        return
    level = _QT_LEVELS.get(mode, logging.WARNING)
    logging.getLogger("qt").log(level, "%s", message)


def _scan_when_loaded(window: MainWindow) -> None:
    """Health-scan the selected checkpoint once the folder has loaded (``--health``)."""

    def scan_once() -> None:
        if window.health_scanner.scan_selected():
            window.loadingFinished.disconnect(scan_once)

    window.loadingFinished.connect(scan_once)


def run(
    path: str | None,
    *,
    demo: bool,
    screenshot: str | None,
    keras: str = "3",
    screenshot_timeout_s: float = SCREENSHOT_TIMEOUT_S,
    model: ModelRequest | None = None,
    timeline: bool = False,
    infer: bool = False,
    theme: str | None = None,
    health: bool = False,
) -> int:
    """``theme`` ("system", "light" or "dark") applies to this run only, not remembered."""
    app = create_application()
    client = WorkerClient(keras=keras)
    # The worker's interpreter starts while the window is being built: on two cores the two
    # start-ups overlap instead of adding up.
    client.start()
    window = MainWindow(client)
    if theme is not None:
        window.appearance.set_choice(theme, remember=False)
    shooter = None
    if screenshot:
        shooter = ScreenshotWhenLoaded(window, screenshot, timeout_s=screenshot_timeout_s)
        shooter.done.connect(app.exit)
    window.show()  # before the worker is up: it says "Starting TensorFlow worker…"
    startup_trace.mark("window_shown")
    open_initial(window, path, demo=demo)
    if timeline:
        window.timeline.run_when_loaded()
    if health:
        _scan_when_loaded(window)
    if model is not None:
        window.diff.run_when_loaded(
            model.source,
            arguments=model.arguments,
            input_shapes=model.input_shapes,
            keras=model.keras,
        )
    if infer:
        window.inference.run_when_loaded(prefer_architecture=model is not None)
    try:
        code = app.exec()
    finally:
        window.diff.shutdown()  # the diff workers; closeEvent does not run on app.exit()
        window.inference.shutdown()
        client.shutdown()
    if shooter is not None and shooter.exit_code is not None:
        return shooter.exit_code
    return code
