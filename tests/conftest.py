"""Shared test setup: quiet TensorFlow, headless Qt, and checkpoints written once per session.

The environment defaults must be set before anything imports TensorFlow or Qt, which is why they
sit at the top of this module (pytest imports it before any test module).
"""

from __future__ import annotations

import os

# TensorFlow's C++ logging (oneDNN and CUDA notices) goes to stderr on import; keep only errors.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# CLI tests call ``main([...])`` in this process and read capsys; the commands that run user
# code would otherwise re-run themselves in a child (cli/isolation.py, tested on its own).
os.environ.setdefault("CKPT_INSPECTOR_ISOLATED", "1")
# Widget tests run without a display (CI, SSH, containers).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

import checkpoint_factory


@pytest.fixture(scope="session")
def demo_like_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shaped like the demo's ``training_checkpoints`` (784 -> 128 -> 10 with Adam),
    saved as ``ckpt-1`` and ``ckpt-2`` with a state file (the demo itself names them
    ``checkpoint-N``). Written once per session; tests must only read it. Use
    ``checkpoint_factory`` directly for a folder a test may change.
    """
    folder = tmp_path_factory.mktemp("demo") / "training_checkpoints"
    checkpoint_factory.write_tf2_training(folder, saves=2)
    return folder


@pytest.fixture(scope="session")
def timeline_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``checkpoint_factory.write_training_timeline``: a CheckpointManager run with a frozen
    layer, a layer that blows up then turns NaN, and two identical saves. Tests only read it."""
    folder = tmp_path_factory.mktemp("timeline") / "run"
    checkpoint_factory.write_training_timeline(folder)
    return folder
