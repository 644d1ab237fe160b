"""Fixtures for widget tests: a window on a fake client, with settings in a temporary file, and
a window on the real worker process for the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_fakes import FakeClient
from PySide6.QtCore import QSettings

from ckpt_inspector.gui.main_window import MainWindow
from ckpt_inspector.gui.worker_client import WorkerClient

# Qt's offscreen platform plugin (QT_QPA_PLATFORM=offscreen, set in tests/conftest.py) logs these
# warnings whenever a shown top-level widget has size constraints, or a dialog is raised:
# QPlatformWindow's default propagateSizeHints() and raise() are stubs there. They say nothing
# about our code, so widget tests ignore them (as regular expressions: escaped).
OFFSCREEN_NOISE = (
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def fake_client() -> FakeClient:
    return FakeClient()


@pytest.fixture
def window(qtbot, fake_client, settings) -> MainWindow:
    win = MainWindow(fake_client, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def real_client(monkeypatch, tmp_path):
    monkeypatch.setenv("CKPT_INSPECTOR_WORKER_WARM_UP", "0")
    monkeypatch.setenv("CKPT_INSPECTOR_DATA_DIR", str(tmp_path / "data"))
    client = WorkerClient()
    yield client
    client.shutdown()


@pytest.fixture
def live_window(qtbot, real_client, settings) -> MainWindow:
    window = MainWindow(real_client, settings=settings)
    qtbot.addWidget(window)
    window.show()
    real_client.start()
    return window
