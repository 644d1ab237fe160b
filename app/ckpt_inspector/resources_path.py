"""Where the app's plain resource files (icons, styles, demo model code) live.

``resources/`` sits at the top of the source tree, beside ``app/``, rather than inside the
package: the demo's model files are meant to be read by users as ordinary scripts, and the app
loads them by file path exactly as it loads a user's own ``model.py``. This works for the
editable install ``make run`` uses; a wheel has to ship the folder at the same relative place.
The PyInstaller bundle (``packaging/ckpt-inspector.spec``) puts it at the top of its data folder,
``sys._MEIPASS``. A missing folder is reported as an install problem instead of surfacing later
as a confusing "file not found" for one resource.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ckpt_inspector.core.errors import NotFoundError

if getattr(sys, "frozen", False):
    # PyInstaller sets sys._MEIPASS to the bundle's data folder (``_internal/`` beside the
    # executable of a one-folder build); see its "Run-time information" documentation.
    _RESOURCES = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
else:
    # app/ckpt_inspector/resources_path.py -> parents[2] holds app/ and resources/.
    _RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resources_dir() -> Path:
    """The ``resources`` folder; raises ``NotFoundError`` when the install lacks it."""
    if not _RESOURCES.is_dir():
        raise NotFoundError(
            f"Checkpoint Inspector's resources folder is missing (expected {_RESOURCES}); "
            "reinstall the app from a full source checkout with `make run`.",
            path=str(_RESOURCES),
        )
    return _RESOURCES


def resource_file(*parts: str) -> Path:
    """One file under ``resources/`` by name; raises ``NotFoundError`` for an unknown name."""
    path = resources_dir().joinpath(*parts)
    if not path.is_file():
        raise NotFoundError(
            f"Checkpoint Inspector's resource {'/'.join(parts)} is missing (expected {path}); "
            "reinstall the app from a full source checkout with `make run`.",
            path=str(path),
        )
    return path
