"""``ckpt-inspector diff``: the JSON contract, exit statuses and messages, on real checkpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import checkpoint_factory
from ckpt_inspector.cli.main import main
from ckpt_inspector.resources_path import resource_file

DEMO_MODEL = str(resource_file("demo", "mlp_model.py"))

CHANGED_MODEL = """
import keras

def build_model(hidden=64):
    return keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
        keras.layers.Dense(3),
    ])
"""

RAISING_MODEL = """
import keras

def helper(width):
    if width < 1:
        raise ValueError(f"width must be positive, got {width}")
    return keras.layers.Dense(width)

def build_model(width=0):
    return keras.Sequential([keras.Input(shape=(4,)), helper(width)])
"""


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    status = main(["diff", *argv, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out)


def test_demo_checkpoint_against_the_demo_model_restores_everything(capsys, demo_like_folder):
    status, report = run_json(capsys, str(demo_like_folder), "--model", DEMO_MODEL)
    assert status == 0
    summary = report["summary"]
    assert summary["model_variables"] == summary["restored"] == 4
    assert summary["restored_params_fraction"] == 1.0
    assert summary["attach"] == "model" and summary["keras"] == "3"
    assert {e["shape"][0] for e in report["matched"]} == {784, 128, 10}
    assert report["shape_mismatch"] == report["missing_in_checkpoint"] == []
    assert all(e["role"] != "weight" for e in report["unused_in_checkpoint"])


def test_changed_architecture_lists_every_mismatch_and_exits_1(capsys, demo_like_folder, tmp_path):
    model = tmp_path / "changed.py"
    model.write_text(CHANGED_MODEL)
    status, report = run_json(capsys, str(demo_like_folder), "--model", str(model))
    assert status == 1
    shapes = {
        (tuple(e["model_shape"]), tuple(e["checkpoint_shape"])) for e in report["shape_mismatch"]
    }
    assert shapes == {((784, 64), (784, 128)), ((64,), (128,)), ((64, 10), (128, 10))}
    assert sorted(tuple(e["shape"]) for e in report["missing_in_checkpoint"]) == [(3,), (10, 3)]
    assert all(e["checkpoint_key"] is None for e in report["missing_in_checkpoint"])
    assert report["summary"]["restored"] == 1  # the output layer's bias

    status, report = run_json(
        capsys, str(demo_like_folder), "--model", str(model), "--model-arg", "hidden=128"
    )
    assert status == 1 and report["shape_mismatch"] == []
    assert report["summary"]["restored"] == 4


def test_text_report_puts_the_summary_first(capsys, demo_like_folder, tmp_path):
    model = tmp_path / "changed.py"
    model.write_text(CHANGED_MODEL)
    assert main(["diff", str(demo_like_folder), "--model", str(model)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[3] == "1 of 6 model variables would be restored (0.0% of parameters)."
    assert any(line.startswith("Shape mismatches (3)") for line in out)
    assert any("784×64" in line and "784×128" in line for line in out)
    assert "bookkeeping tensors (--all lists them)." in out[-1]


def test_text_report_names_the_checkpoint_tensor_beside_its_key(capsys, demo_like_folder):
    """Keras 3 saves the model's kernels under the optimizer's path; the name column says
    which layer each is, and tables whose keys already read well have no such column."""
    assert main(["diff", str(demo_like_folder), "--model", DEMO_MODEL, "--all"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[out.index("Matched (4)") + 1].split()
    assert header[:5] == ["model", "variable", "checkpoint", "name", "checkpoint"]
    kernel = next(line for line in out if line.startswith("sequential/dense/kernel "))
    assert kernel.split()[:3] == [
        "sequential/dense/kernel",
        "sequential/dense/kernel",
        "optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE",
    ]


def test_markdown_report(capsys, demo_like_folder):
    assert main(["diff", str(demo_like_folder), "--model", DEMO_MODEL, "--markdown"]) == 0
    text = capsys.readouterr().out
    assert "4 of 4 model variables would be restored" in text
    assert "| " in text and "kernel" in text


def test_model_code_that_raises_shows_the_users_traceback(capsys, demo_like_folder, tmp_path):
    model = tmp_path / "broken.py"
    model.write_text(RAISING_MODEL)
    status = main(["diff", str(demo_like_folder), "--model", str(model)])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert "broken.py" in err[0] and "ValueError" in err[0]
    trace = "\n".join(err[1:])
    assert f'File "{model}", line 6, in helper' in trace
    assert "width must be positive, got 0" in trace
    assert "ckpt_inspector" not in trace and "site-packages" not in trace


def test_bad_model_argument_is_one_sentence(capsys, demo_like_folder):
    status = main(["diff", str(demo_like_folder), "--model", DEMO_MODEL, "--model-arg", "oops"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and "oops" in err[0]


def test_name_based_checkpoint_against_a_model_with_the_same_names(capsys, tmp_path):
    prefix = checkpoint_factory.write_tf1_saver(tmp_path / "tf1", partitioned=True)
    model = tmp_path / "tf1_names.py"
    model.write_text(
        textwrap.dedent(
            """
            import tensorflow as tf

            class Names(tf.Module):
                def __init__(self):
                    super().__init__()
                    with tf.name_scope("dense"):
                        self.kernel = tf.Variable(tf.zeros((16, 8)), name="kernel")
                        self.bias = tf.Variable(tf.zeros((8,)), name="bias")
                    self.embedding = tf.Variable(tf.zeros((9, 4)), name="embedding")

            model = Names()
            """
        )
    )
    status, report = run_json(capsys, prefix, "--model", f"{model}:model")
    assert status == 0
    assert report["summary"]["method"] == "name-based"
    assert {e["checkpoint_key"] for e in report["matched"]} == {
        "dense/kernel",
        "dense/bias",
        "embedding",
    }
    assert [e["checkpoint_key"] for e in report["unused_in_checkpoint"]] == ["global_step"]


KERAS2_MODEL = """
import tensorflow as tf

def build_model():
    # With TF_USE_LEGACY_KERAS=1, tf.keras is Keras 2 (tf_keras).
    return tf.keras.Sequential([
        tf.keras.layers.Dense(8, activation="relu", input_shape=(16,)),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
"""

KERAS3_MODEL = """
import keras

def build_model():
    return keras.Sequential([
        keras.Input(shape=(16,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
"""


def _cli(*argv: str) -> subprocess.CompletedProcess:
    """The installed command in a fresh process: the Keras flavour is chosen per process."""
    script = Path(sys.executable).with_name("ckpt-inspector")
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    return subprocess.run(
        [str(script), *argv], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def keras2_checkpoint(tmp_path_factory) -> str:
    return checkpoint_factory.write_keras2_weights(tmp_path_factory.mktemp("k2"), hidden=8)


def test_keras2_checkpoint_is_diffed_under_keras2_automatically(keras2_checkpoint, tmp_path):
    model = tmp_path / "k2.py"
    model.write_text(KERAS2_MODEL)
    result = _cli("diff", keras2_checkpoint, "--model", str(model), "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no TensorFlow start-up or CUDA notices under the answer
    report = json.loads(result.stdout)
    assert report["summary"]["keras"] == "2" and report["summary"]["attach"] == ""
    assert report["summary"]["restored"] == report["summary"]["model_variables"] == 4


def test_keras2_checkpoint_under_keras3_matches_nothing_and_says_why(keras2_checkpoint, tmp_path):
    model = tmp_path / "k3.py"
    model.write_text(KERAS3_MODEL)
    result = _cli("diff", keras2_checkpoint, "--model", str(model), "--keras", "3", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["keras"] == "3" and report["summary"]["restored"] == 0
    assert len(report["missing_in_checkpoint"]) == 4
    assert any("Keras 2 (tf_keras)" in note for note in report["summary"]["notes"])


CRASHING_MODEL = """
import os, signal

def build_model():
    os.kill(os.getpid(), signal.SIGSEGV)
"""


def test_model_code_that_crashes_the_interpreter_is_one_sentence(demo_like_folder, tmp_path):
    """The command runs the model in a child process, so even a segfault ends in a sentence."""
    model = tmp_path / "segfault.py"
    model.write_text(CRASHING_MODEL)
    script = Path(sys.executable).with_name("ckpt-inspector")
    env = {k: v for k, v in os.environ.items() if k != "CKPT_INSPECTOR_ISOLATED"}
    result = subprocess.run(
        [str(script), "diff", str(demo_like_folder), "--model", str(model)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "killed by SIGSEGV" in line and "model" in line


def test_an_isolated_command_still_prints_its_answer(demo_like_folder):
    script = Path(sys.executable).with_name("ckpt-inspector")
    env = {k: v for k, v in os.environ.items() if k != "CKPT_INSPECTOR_ISOLATED"}
    result = subprocess.run(
        [str(script), "diff", str(demo_like_folder), "--model", DEMO_MODEL, "--json"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["restored"] == 4
