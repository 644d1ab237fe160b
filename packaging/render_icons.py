"""Render the app icon's PNG sizes from ``resources/icons/app.svg``.

    .venv/bin/python packaging/render_icons.py

writes ``resources/icons/hicolor/NxN/apps/<APP_ID>.png`` for every size desktops look up in the
hicolor theme (the freedesktop Icon Theme Specification). The PNGs are committed, so installing
the desktop files needs no Qt; run this again after changing the SVG. Qt's own SVG renderer is
used so that the PNGs match what the window shows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "app.svg"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
APP_ID = "io.github.ckpt_inspector.CheckpointInspector"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def icon_path(size: int) -> Path:
    return HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(size: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {SOURCE} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    target = icon_path(size)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), "PNG"):
        raise SystemExit(f"render_icons: could not write {target}")


def main() -> int:
    # Rendering into a QImage needs a QGuiApplication but no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    for size in SIZES:
        render(size)
    del app
    sys.stderr.write(f"render_icons: wrote {len(SIZES)} sizes under {HICOLOR}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
