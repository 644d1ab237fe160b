"""Per-user data and cache folders, worked out without Qt.

The worker process builds the demo workspace and has no ``QStandardPaths``, so the folders are
derived here from the platform's own conventions: the XDG base directory spec on Linux and other
Unixes, ``~/Library`` on macOS and ``%LOCALAPPDATA%`` on Windows. ``CKPT_INSPECTOR_DATA_DIR``
overrides the data folder and ``CKPT_INSPECTOR_CACHE_DIR`` the cache folder, so that tests and
portable installs never touch the real home folder.

Nothing here creates a folder: callers that write make the folder they need, so asking where the
data lives stays free of side effects.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_FOLDER = "ckpt-inspector"
DATA_DIR_ENV = "CKPT_INSPECTOR_DATA_DIR"
CACHE_DIR_ENV = "CKPT_INSPECTOR_CACHE_DIR"
DEMO_WORKSPACE = "demo-workspace"


def data_dir() -> Path:
    """Where the app keeps files it made for the user (the demo workspace)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        return _windows_local_app_data() / APP_FOLDER
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_FOLDER
    return _xdg_base("XDG_DATA_HOME", Path(".local", "share")) / APP_FOLDER


def cache_dir() -> Path:
    """Where the app keeps files it can rebuild at any time."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        return _windows_local_app_data() / APP_FOLDER / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_FOLDER
    return _xdg_base("XDG_CACHE_HOME", Path(".cache")) / APP_FOLDER


def demo_workspace_dir() -> Path:
    """The folder ``make run`` opens on first start, built there by the worker."""
    return data_dir() / DEMO_WORKSPACE


def _xdg_base(variable: str, default_under_home: Path) -> Path:
    # The XDG spec says a relative value is invalid and must be ignored, as must an empty one.
    value = os.environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / default_under_home


def _windows_local_app_data() -> Path:
    # LOCALAPPDATA is set in every interactive session; services and some CI shells lack it.
    value = os.environ.get("LOCALAPPDATA", "")
    if value:
        return Path(value)
    return Path.home() / "AppData" / "Local"
