"""Which of our own files go into the PyInstaller bundle, for the spec and for the tests.

``resources/`` is a plain folder of files that the app looks up by name at run time
(``ckpt_inspector.resources_path``), which in the bundle is found at the top of its data folder
(``sys._MEIPASS``). Every subfolder goes in, so that a new kind of resource cannot be missing from
the bundle alone, except the ones written for people rather than for the app.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
# The README's screenshots: documentation, never opened by the app.
RESOURCES_NOT_BUNDLED = frozenset({"screenshots"})


def resource_datas(resources: Path = RESOURCES) -> list[tuple[str, str]]:
    """PyInstaller ``datas`` entries: (folder on disk, folder inside the bundle)."""
    return [
        (str(folder), f"resources/{folder.name}")
        for folder in sorted(resources.iterdir())
        if folder.is_dir() and folder.name not in RESOURCES_NOT_BUNDLED
    ]
