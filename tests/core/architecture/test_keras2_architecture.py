"""Keras 2 (tf_keras) architectures, loaded in a process started with TF_USE_LEGACY_KERAS=1.

The flag must be set before TensorFlow is imported, and this test process already runs Keras 3,
so the loading happens in a small subprocess that prints its findings as JSON on stdout. That
also checks that the user's prints (on stdout in their file) do not reach our stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from ckpt_inspector.core.architecture.loading import load_architecture, running_keras_flavour
    from ckpt_inspector.core.architecture.spec import ModelSpec, parse_model_args
    from ckpt_inspector.core.errors import InspectorError

    model_file, archive = sys.argv[1], sys.argv[2]
    spec = ModelSpec(model_file, model_args=parse_model_args(["units=6"]), keras="2",
                     input_shapes=((5,),))
    loaded = load_architecture(spec)
    loaded.root.save(archive)
    from_archive = load_architecture(ModelSpec(archive, keras="2"))
    try:
        load_architecture(ModelSpec(model_file, keras="3"))
        guard = None
    except InspectorError as exc:
        guard = str(exc)
    print(json.dumps({
        "flavour": running_keras_flavour(),
        "module": type(loaded.root).__module__,
        "shapes": [list(w.shape) for w in loaded.root.weights],
        "archive_shapes": [list(w.shape) for w in from_archive.root.weights],
        "archive_module": type(from_archive.root).__module__,
        "description": loaded.description,
        "guard": guard,
    }))
    """
)


@pytest.mark.slow
def test_a_tf_keras_model_file_loads_under_keras_2(tmp_path: Path):
    model_file = tmp_path / "model.py"
    model_file.write_text(
        textwrap.dedent(
            """
            import tensorflow as tf

            def build_model(units):
                print("a print in the user's model code")
                # No input shape: built by the loader on the shape the spec gives.
                return tf.keras.Sequential([tf.keras.layers.Dense(units)])
            """
        )
    )
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(model_file), str(tmp_path / "m.keras")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout)  # only our JSON: the user's print went to stderr
    assert "a print in the user's model code" in result.stderr
    assert found["flavour"] == "2"
    assert found["module"].startswith("tf_keras.")
    assert found["shapes"] == [[5, 6], [6]]
    assert found["archive_shapes"] == found["shapes"]
    assert found["archive_module"].startswith("tf_keras.")
    assert found["description"] == f"build_model() in {model_file} (Keras 2)"
    assert found["guard"].startswith("This process runs Keras 2, but the architecture needs")
