"""``ckpt-inspector list``: the JSON contract, path forms, and one-sentence errors."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.cli.main import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def list_json(capsys, path: str) -> dict:
    status, out, err = run_cli(capsys, "list", path, "--json")
    assert status == 0, err
    return json.loads(out)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("every_kind")
    return {
        "tf2": checkpoint_factory.write_tf2_training(root / "tf2", saves=2, hidden=4),
        "manager": checkpoint_factory.write_checkpoint_manager(root / "manager", saves=3),
        "dtypes": checkpoint_factory.write_variables(
            root / "dtypes", checkpoint_factory.dtype_coverage_values()
        ),
        "keras2": checkpoint_factory.write_keras2_weights(root / "keras2"),
        "tf1": checkpoint_factory.write_tf1_saver(root / "tf1"),
        "saved_model": checkpoint_factory.write_saved_model(root / "saved_model"),
        "sharded": checkpoint_factory.write_sharded(root / "sharded"),
        "keras3_h5": checkpoint_factory.write_keras3_weights_h5(root / "keras3"),
        "keras3_archive": checkpoint_factory.write_keras3_archive(root / "keras3"),
    }


def test_folder_json_lists_each_save_with_step_size_and_completeness(capsys, every_kind):
    folder = Path(every_kind["tf2"]).parent
    listing = list_json(capsys, str(folder))
    assert listing["folder"] == str(folder)
    names = [Path(c["prefix"]).name for c in listing["checkpoints"]]
    assert names == ["ckpt-1", "ckpt-2"]
    for entry in listing["checkpoints"]:
        files = list(folder.glob(Path(entry["prefix"]).name + ".*"))
        assert entry["bytes"] == sum(f.stat().st_size for f in files)
        assert entry["format"] == "tf2"
        assert entry["complete"] is True
        assert entry["problem"] is None
    assert [c["step"] for c in listing["checkpoints"]] == [1, 2]


@pytest.mark.parametrize(
    ("kind", "expected_format"),
    [
        ("tf2", "tf2"),
        ("manager", "tf2"),
        ("dtypes", "tf2"),
        ("keras2", "keras2-tf"),
        ("tf1", "tf1"),
        ("sharded", "tf2"),
    ],
)
def test_checkpoint_json_matches_tensorflows_own_listing(capsys, every_kind, kind, expected_format):
    prefix = every_kind[kind]
    listing = list_json(capsys, prefix)
    assert listing["checkpoint"]["prefix"] == prefix
    assert listing["checkpoint"]["format"] == expected_format
    reader = tf.train.load_checkpoint(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    expected = {key: list(shape) for key, shape in tf.train.list_variables(prefix)}
    got = {v["key"]: v["shape"] for v in listing["variables"]}
    assert got == expected
    assert {v["key"]: v["dtype"] for v in listing["variables"]} == {
        key: dtypes[key].name for key in expected
    }
    assert {v["role"] for v in listing["variables"]} <= {"weight", "optimizer", "bookkeeping"}


def test_saved_model_folder_lists_its_variables_checkpoint(capsys, every_kind):
    folder = every_kind["saved_model"]
    listing = list_json(capsys, folder)
    [entry] = listing["checkpoints"]
    assert entry["format"] == "saved-model"
    assert entry["prefix"] == os.path.join(folder, "variables", "variables")


def test_sharded_checkpoint_reports_its_shard_count(capsys, every_kind):
    listing = list_json(capsys, every_kind["sharded"])
    shards = list(Path(every_kind["sharded"]).parent.glob("*.data-*"))
    assert listing["checkpoint"]["shards"] == len(shards) > 1
    assert listing["checkpoint"]["missing_shards"] == []


@pytest.mark.parametrize("suffix", [".index", ".data-00000-of-00001"])
def test_any_file_of_a_checkpoint_names_that_checkpoint(capsys, every_kind, suffix):
    prefix = every_kind["tf2"]
    listing = list_json(capsys, prefix + suffix)
    assert listing["checkpoint"]["prefix"] == prefix


def test_the_state_file_names_its_folder(capsys, every_kind):
    folder = Path(every_kind["tf2"]).parent
    listing = list_json(capsys, str(folder / "checkpoint"))
    assert [Path(c["prefix"]).name for c in listing["checkpoints"]] == ["ckpt-1", "ckpt-2"]


@pytest.mark.parametrize("kind", ["keras3_h5", "keras3_archive"])
def test_keras3_files_list_the_models_weights(capsys, every_kind, kind):
    listing = list_json(capsys, every_kind[kind])
    weights = [v for v in listing["variables"] if v["role"] == "weight"]
    assert sorted(tuple(v["shape"]) for v in weights) == sorted([(784, 8), (8,), (8, 10), (10,)])


def test_text_output_is_a_table_with_totals(capsys, every_kind):
    status, out, _ = run_cli(capsys, "list", every_kind["tf2"])
    assert status == 0
    assert out.splitlines()[0].split()[:5] == ["key", "shape", "dtype", "size", "role"]
    assert "parameters in weights" in out


def test_missing_path_is_one_sentence_and_exit_2(capsys, tmp_path):
    status, out, err = run_cli(capsys, "list", str(tmp_path / "nope"))
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(tmp_path / "nope") in err


def test_folder_without_checkpoints_is_one_sentence_and_exit_2(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("no checkpoints here")
    status, _, err = run_cli(capsys, "list", str(tmp_path))
    assert status == 2
    assert len(err.strip().splitlines()) == 1
    assert str(tmp_path) in err


def test_random_bytes_index_is_one_sentence_naming_the_file(capsys, tmp_path):
    (tmp_path / "broken.index").write_bytes(os.urandom(200))
    (tmp_path / "broken.data-00000-of-00001").write_bytes(os.urandom(100))
    status, _, err = run_cli(capsys, "list", str(tmp_path / "broken"))
    assert status == 2
    assert len(err.strip().splitlines()) == 1
    assert "broken.index" in err
    assert "Traceback" not in err


def test_bad_arguments_are_one_sentence_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["list"])
    assert exit_info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_listing_never_changes_the_inspected_folder(capsys, every_kind):
    roots = {Path(p).parent if not Path(p).is_dir() else Path(p) for p in every_kind.values()}
    before = {root: snapshot(root) for root in roots}
    for path in every_kind.values():
        list_json(capsys, path)
    for root in roots:
        list_json(capsys, str(root))
    assert {root: snapshot(root) for root in roots} == before


def test_installed_entry_point_runs_without_a_traceback(tmp_path):
    """The real console script, as users and scripts call it."""
    script = Path(sys.executable).with_name("ckpt-inspector")
    result = subprocess.run(
        [str(script), "list", str(tmp_path / "missing"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_window_without_a_display_says_how_to_proceed(tmp_path):
    script = Path(sys.executable).with_name("ckpt-inspector")
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [str(script), str(tmp_path)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "No display found" in line
    assert "xvfb-run make run" in line
    assert f"{script} --demo --screenshot" in line


def _without_root_file_access() -> list[str]:
    """A command prefix that drops root's permission bypass, so file modes apply to it too."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without util-linux setpriv: permissions cannot be enforced")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


@pytest.mark.parametrize("target", ["folder", "index"])
def test_permission_denied_is_one_sentence_naming_the_path(tmp_path, target):
    locked = tmp_path / "locked"
    checkpoint_factory.write_variables(locked, {"w": np.ones(3, np.float32)}, name="ckpt-1")
    path = locked if target == "folder" else locked / "ckpt-1.index"
    (locked / "ckpt-1.index").chmod(0)
    locked.chmod(0o300 if target == "index" else 0)
    try:
        script = Path(sys.executable).with_name("ckpt-inspector")
        result = subprocess.run(
            [*_without_root_file_access(), str(script), "list", str(path), "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        locked.chmod(0o755)
        (locked / "ckpt-1.index").chmod(0o644)
    assert result.returncode == 2, result.stdout
    [line] = result.stderr.strip().splitlines()
    assert "permission" in line.lower()
    assert str(locked) in line


def test_a_command_that_imports_tensorflow_prints_nothing_but_its_answer(every_kind):
    """``file://`` goes through tf.io.gfile and TensorFlow's reader, like ``gs://`` would."""
    script = Path(sys.executable).with_name("ckpt-inspector")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [str(script), "list", "file://" + every_kind["tf2"], "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    keys = {v["key"] for v in json.loads(result.stdout)["variables"]}
    assert keys == {key for key, _ in tf.train.list_variables(every_kind["tf2"])}


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    """``ckpt-inspector list CKPT | head -1``: the closed pipe ends the listing quietly."""
    prefix = checkpoint_factory.write_many_variables(tmp_path, n=3000)
    script = Path(sys.executable).with_name("ckpt-inspector")
    process = subprocess.Popen(
        [str(script), "list", prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_line = process.stdout.readline()
    process.stdout.close()  # the reader goes away with most of the table unread
    with process.stderr:
        stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert first_line.split()[:3] == ["key", "shape", "dtype"]
    assert stderr == ""
