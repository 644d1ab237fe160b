"""Smoke test of the built bundle: `make package-test` (not part of `make test`).

    .venv/bin/python packaging/package_test.py [dist/ckpt-inspector/ckpt-inspector]

Starts the bundle as a user would on a machine without our Python: from a neutral folder, with
no PYTHONPATH or virtualenv, and with empty per-user data, config and cache folders, so that the
bundle itself must build the demo workspace (its frozen worker imports TensorFlow, trains the
demo's Keras model and writes checkpoints). Checks, in order:

1. ``--worker`` turns the executable into a worker that says it is ready on the protocol pipe,
   and runs the compiled statistics passes (the bundle carries ``_kernels``);
2. ``--demo --screenshot FILE`` exits 0 and FILE is a PNG of the window's size that is not blank;
3. the demo workspace was completed by the bundle's worker;
4. the bundle's command line lists the demo's checkpoints (``list --json``).

The screenshot is kept (the last line printed says where) so that a person can look at it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUNDLE = ROOT / "dist" / "ckpt-inspector" / "ckpt-inspector"
SCREENSHOT = Path(tempfile.gettempdir()) / "ckpt-inspector-package-test.png"
# MainWindow's initial size (gui/main_window.py); the offscreen platform renders at scale 1.
EXPECTED_SIZE = (1400, 850)
# The first start builds the demo (imports TensorFlow, trains five epochs) on two slow cores.
TIMEOUT_S = 600


class PackageTestError(Exception):
    pass


def _clean_environment(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"} and not key.startswith("QT_")
    }
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    for variable, folder in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        env[variable] = str(home / folder)
    env.pop("CKPT_INSPECTOR_DATA_DIR", None)
    env.pop("CKPT_INSPECTOR_CACHE_DIR", None)
    return env


def _run(command: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )


def _check_worker(bundle: Path, *, env: dict[str, str], cwd: Path) -> None:
    """The executable started as the window starts its worker answers with WorkerReady."""
    from ckpt_inspector.worker import launch, protocol

    # stderr to a file: a pipe nobody reads while we wait on stdout could fill up and block.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [str(bundle), launch.WORKER_FLAG],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        try:
            decoder = protocol.FrameDecoder()
            messages: list[object] = []
            while not messages:
                chunk = process.stdout.read1(65536)
                if not chunk:
                    break
                messages = decoder.feed(chunk)
            process.stdin.close()  # as when the window goes away: the worker shuts down
            process.wait(timeout=TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()
        log.seek(0)
        stderr = log.read().decode(errors="replace")
    if not messages or not isinstance(messages[0], protocol.WorkerReady):
        raise PackageTestError(
            f"`{bundle.name} {launch.WORKER_FLAG}` did not start a worker (exit "
            f"{process.returncode}); stderr:\n{stderr[-4000:]}"
        )
    if process.returncode != 0:
        raise PackageTestError(f"the worker exited {process.returncode} on shutdown: {stderr}")
    statistics = messages[0].versions.get("statistics")
    if statistics != "compiled (C)":
        raise PackageTestError(
            f"the bundle's worker runs {statistics!r} statistics passes: is _kernels bundled?"
        )


def _check_image(path: Path) -> str:
    """Exists, is a PNG of EXPECTED_SIZE, and shows more than a blank or single-colour window."""
    if not path.is_file():
        raise PackageTestError(f"no screenshot was written to {path}")
    if path.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        raise PackageTestError(f"{path} is not a PNG file")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(str(path))
    if image.isNull():
        raise PackageTestError(f"{path} cannot be read as an image")
    size = (image.width(), image.height())
    if size != EXPECTED_SIZE:
        raise PackageTestError(f"{path} is {size[0]}x{size[1]}, expected {EXPECTED_SIZE}")
    # Every 7th pixel of every 7th row: plenty for "is anything drawn", fast in pure Python.
    colours = set()
    greys = []
    for y in range(0, image.height(), 7):
        for x in range(0, image.width(), 7):
            rgb = image.pixel(x, y) & 0xFFFFFF
            colours.add(rgb)
            greys.append(((rgb >> 16) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) / 3)
    mean = sum(greys) / len(greys)
    std = (sum((g - mean) ** 2 for g in greys) / len(greys)) ** 0.5
    del app
    # A window with text, tables and a plot has hundreds of colours; a blank one has one or two.
    if len(colours) < 50 or std < 10:
        raise PackageTestError(
            f"{path} looks blank ({len(colours)} colours in the sample, grey std {std:.1f})"
        )
    return f"{size[0]}x{size[1]}, {len(colours)} colours sampled, grey std {std:.1f}"


def run(bundle: Path) -> str:
    if not os.access(bundle, os.X_OK):
        raise PackageTestError(f"{bundle} is not an executable: run `make package` first")
    home = Path(tempfile.mkdtemp(prefix="ckpt-inspector-package-test-"))
    try:
        env = _clean_environment(home)
        _check_worker(bundle, env=env, cwd=home)
        SCREENSHOT.unlink(missing_ok=True)
        started = time.monotonic()
        window = _run([str(bundle), "--demo", "--screenshot", str(SCREENSHOT)], env=env, cwd=home)
        seconds = time.monotonic() - started
        if window.returncode != 0:
            raise PackageTestError(
                f"--demo --screenshot exited {window.returncode} (the worker answers, so does the "
                "window start it with launch.worker_command()?); stderr:\n"
                f"{window.stderr[-4000:]}"
            )
        image = _check_image(SCREENSHOT)

        workspace = home / "data" / "ckpt-inspector" / "demo-workspace"
        if not (workspace / ".complete").is_file():
            raise PackageTestError(f"the bundle's worker did not complete the demo in {workspace}")

        listing = _run(
            [str(bundle), "list", "--json", str(workspace / "training_checkpoints")],
            env=env,
            cwd=home,
        )
        if listing.returncode != 0:
            raise PackageTestError(f"list --json exited {listing.returncode}: {listing.stderr}")
        checkpoints = json.loads(listing.stdout)["checkpoints"]
        if not checkpoints or not all(c["complete"] for c in checkpoints):
            raise PackageTestError(f"list --json found no complete checkpoint: {listing.stdout}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return (
        f"package-test passed: window in {seconds:.0f} s (demo built by the bundle), "
        f"screenshot {image}, `list` found {len(checkpoints)} checkpoints.\n"
        f"Look at the screenshot: {SCREENSHOT}\n"
    )


def main(argv: list[str]) -> int:
    bundle = Path(argv[0]) if argv else DEFAULT_BUNDLE
    try:
        sys.stdout.write(run(bundle.resolve()))
    except (PackageTestError, subprocess.TimeoutExpired) as error:
        sys.stderr.write(f"package-test FAILED: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
