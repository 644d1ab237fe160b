"""Desktop packaging: the Linux desktop files, the icons, the bundle's contents, the worker launch.

The freedesktop validators run when they are installed (`.ci/run` installs them); the XML and
key checks below do not need them, so a broken file fails the suite on any machine.
"""

from __future__ import annotations

import configparser
import fnmatch
import importlib
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import ckpt_inspector
from ckpt_inspector import resources_path
from ckpt_inspector.worker import launch, protocol

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.ckpt_inspector.CheckpointInspector"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
MIME = LINUX / f"{APP_ID}.mime.xml"
SPEC = ROOT / "packaging" / "ckpt-inspector.spec"
ICON_SVG = ROOT / "resources" / "icons" / "app.svg"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _mime_types() -> dict[str, ET.Element]:
    root = ET.parse(MIME).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    return {node.get("type"): node for node in root.iter(f"{MIME_NS}mime-type")}


def _globs(mime_type: str) -> list[str]:
    return [glob.get("pattern") for glob in _mime_types()[mime_type].iter(f"{MIME_NS}glob")]


def _mime_type_of(file_name: str) -> set[str]:
    # shared-mime-info globs are fnmatch patterns, case-insensitive unless case-sensitive="true".
    found = set()
    for name, node in _mime_types().items():
        for glob in node.iter(f"{MIME_NS}glob"):
            pattern = glob.get("pattern")
            if glob.get("case-sensitive") == "true":
                matched = fnmatch.fnmatchcase(file_name, pattern)
            else:
                matched = fnmatch.fnmatchcase(file_name.lower(), pattern.lower())
            if matched:
                found.add(name)
    return found


def _packaging_module(name: str):
    # packaging/ is not a package (and `import packaging` is PyPI's packaging): load by path.
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_tool(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (Debian: desktop-file-utils / appstream)")
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env)


# --- the .desktop file ------------------------------------------------------------------------
def test_desktop_entry_launches_the_command_on_one_file():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Checkpoint Inspector"
    # A pip or venv install provides `ckpt-inspector`; `make install-desktop` rewrites this
    # prefix to an absolute path, so its sed pattern must keep matching.
    assert entry["Exec"] == "ckpt-inspector %f"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"


def test_desktop_entry_opens_every_file_type_we_define():
    declared = {t for t in _desktop_entry()["MimeType"].split(";") if t}
    assert declared == set(_mime_types())


def test_desktop_file_validate_accepts_the_desktop_file():
    result = _run_tool("desktop-file-validate", str(DESKTOP))
    assert result.returncode == 0, result.stdout + result.stderr
    # Hints are advice, but our file has none: keep it that way.
    assert "error" not in result.stdout and "warning" not in result.stdout, result.stdout


# --- AppStream metainfo -----------------------------------------------------------------------
def test_metainfo_describes_this_app_and_release():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "Apache-2.0"  # pyproject.toml's license
    assert root.find("launchable").text == DESKTOP.name
    assert root.find("content_rating").get("type") == "oars-1.1"
    releases = [r.get("version") for r in root.iter("release")]
    assert releases and releases[0] == ckpt_inspector.__version__, "newest release comes first"
    assert set(root.find("provides").itertext()) >= set(_mime_types())


def test_metainfo_screenshots_are_the_readme_screenshots():
    images = [node.text for node in ET.parse(METAINFO).getroot().iter("image")]
    assert images
    for url in images:
        assert url.startswith("https://")
        relative = url.split("/main/", 1)[1]
        assert relative.startswith("resources/screenshots/")
        assert (ROOT / relative).is_file(), f"{relative} is not in the repository"


def test_appstreamcli_validates_the_metainfo():
    result = _run_tool("appstreamcli", "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


# --- shared-mime-info -------------------------------------------------------------------------
def test_mime_globs_name_checkpoint_files_and_nothing_near_them():
    assert _mime_type_of("ckpt-3.index") == {"application/x-tensorflow-checkpoint-index"}
    assert _mime_type_of("model.ckpt-1000.data-00000-of-00001") == {
        "application/x-tensorflow-checkpoint-data"
    }
    assert _mime_type_of("checkpoint") == {"application/x-tensorflow-checkpoint-state"}
    for other in ("checkpoints", "Checkpoint", "ckpt-3.indexes", "ckpt-3.data", "index.html"):
        assert _mime_type_of(other) == set(), other


@pytest.mark.slow
def test_mime_types_match_the_files_tensorflow_writes(demo_like_folder: Path):
    names = {path.name: _mime_type_of(path.name) for path in demo_like_folder.iterdir()}
    assert any(t == {"application/x-tensorflow-checkpoint-index"} for t in names.values()), names
    assert any(t == {"application/x-tensorflow-checkpoint-data"} for t in names.values()), names
    assert names["checkpoint"] == {"application/x-tensorflow-checkpoint-state"}
    # The state file's magic is how TensorFlow starts it, so a renamed copy is still recognised.
    magic = _mime_types()["application/x-tensorflow-checkpoint-state"].find(
        f"{MIME_NS}magic/{MIME_NS}match"
    )
    assert magic.get("offset") == "0"
    assert (demo_like_folder / "checkpoint").read_text().startswith(magic.get("value"))


def test_update_mime_database_accepts_the_definition(tmp_path: Path):
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME, packages / f"{APP_ID}.xml")
    # Inside XDG_DATA_HOME, or the tool adds a note that desktops will not search there.
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    result = _run_tool("update-mime-database", str(tmp_path / "mime"), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    globs = (tmp_path / "mime" / "globs2").read_text()
    assert ":application/x-tensorflow-checkpoint-index:*.index" in globs


# --- icons ------------------------------------------------------------------------------------
def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_exists_at_its_size(size: int):
    path = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert path.is_file(), f"{path} is missing: run packaging/render_icons.py"
    assert _png_size(path) == (size, size)


def test_icon_svg_is_square_and_rendered_in_every_size():
    root = ET.parse(ICON_SVG).getroot()
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == height
    render_icons = _packaging_module("render_icons")
    assert render_icons.APP_ID == APP_ID
    assert tuple(render_icons.SIZES) == ICON_SIZES


# --- the PyInstaller bundle -------------------------------------------------------------------
def test_bundle_ships_every_resource_folder_the_app_reads():
    bundled = {Path(target).name for _, target in _packaging_module("bundle_data").resource_datas()}
    assert {"demo", "icons", "styles"} <= bundled
    assert "screenshots" not in bundled
    used = set()
    for source in (ROOT / "app").rglob("*.py"):
        used.update(re.findall(r"resource_file\(\s*\"(\w+)\"", source.read_text(encoding="utf-8")))
    assert used and used <= bundled, f"not in the bundle: {used - bundled}"


def test_spec_bundles_the_resources_entry_script_and_keras_flavours():
    text = SPEC.read_text(encoding="utf-8")
    assert "bundle_data.resource_datas(RESOURCES)" in text
    assert '"ckpt_inspector" / "__main__.py"' in text  # handles --worker before the CLI
    for package in ("keras", "tf_keras", "ml_dtypes", "ckpt_inspector"):
        assert f'"{package}"' in text, package
    assert 'name="ckpt-inspector"' in text  # dist/ckpt-inspector/ckpt-inspector


# --- starting the worker ----------------------------------------------------------------------
def test_worker_command_from_a_python_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert launch.worker_command() == (sys.executable, ["-m", "ckpt_inspector.worker"])


def test_worker_command_from_the_bundle(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/ckpt-inspector/ckpt-inspector")
    assert launch.worker_command() == ("/opt/ckpt-inspector/ckpt-inspector", ["--worker"])
    assert launch.is_worker_invocation(["--worker"])
    assert not launch.is_worker_invocation(["--demo"])
    assert not launch.is_worker_invocation([])


def test_frozen_resources_are_found_in_the_bundle_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    try:
        importlib.reload(resources_path)
        assert tmp_path / "resources" == resources_path._RESOURCES
    finally:
        monkeypatch.undo()
        importlib.reload(resources_path)
    assert resources_path.resources_dir() == ROOT / "resources"


@pytest.mark.slow
def test_entry_script_runs_the_worker_with_the_worker_flag():
    """What the bundle's executable does when the window starts it with ``--worker``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ckpt_inspector", launch.WORKER_FLAG],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        decoder = protocol.FrameDecoder()
        messages: list[object] = []
        while not messages:
            chunk = process.stdout.read1(65536)
            assert chunk, "the worker closed its output before saying it was ready"
            messages = decoder.feed(chunk)
        assert isinstance(messages[0], protocol.WorkerReady)
        process.stdin.close()  # the window went away: the worker shuts down
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
