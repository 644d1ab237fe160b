"""Object-graph diffs of real checkpoints against real models, each checked by a real restore."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from restore_check import assert_report_tells_the_truth

import checkpoint_factory
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.matching.diff import diff_contents
from ckpt_inspector.core.matching.records import MatchMethod, MatchStatus
from ckpt_inspector.core.records import VariableRole
from ckpt_inspector.core.variables import list_checkpoint_variables


def contents_of(prefix: str):
    return list_checkpoint_variables(discover(prefix).focused())


def mlp3(hidden: int = 128, extra: int | None = None) -> keras.Model:
    layers = [keras.Input(shape=(784,)), keras.layers.Dense(hidden, activation="relu")]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    if extra is not None:
        layers.append(keras.layers.Dense(extra))
    return keras.Sequential(layers)


def statuses(report) -> dict[MatchStatus, int]:
    return {s: len(report.with_status(s)) for s in MatchStatus}


def test_demo_mlp_against_its_own_architecture_matches_everything(demo_like_folder):
    prefix = str(demo_like_folder / "ckpt-2")
    model = mlp3()
    report = diff_contents(contents_of(prefix), model, "mlp", "3")

    assert report.method is MatchMethod.OBJECT_GRAPH
    assert report.attach == "model"
    assert (report.model_variables, report.restored) == (4, 4)
    assert report.restored_params_fraction == 1.0 and report.complete
    kernel = next(e for e in report.entries if e.model_shape == (784, 128))
    assert kernel.model.endswith("kernel") and kernel.checkpoint_shape == (784, 128)
    unused = report.with_status(MatchStatus.UNUSED)
    assert unused, "the optimizer's state and save_counter are in the checkpoint"
    assert {e.role for e in unused} <= {VariableRole.OPTIMIZER, VariableRole.BOOKKEEPING}
    assert any(e.checkpoint_key.startswith("save_counter") for e in unused)
    candidates = {c.path: c.restored for c in report.attach_candidates}
    assert candidates["model"] == 4 and candidates[""] == 0

    assert_report_tells_the_truth(
        report,
        model,
        prefix,
        lambda: tf.train.Checkpoint(model=model).restore(prefix).expect_partial(),
    )


def test_changed_hidden_width_lists_every_shape_mismatch(demo_like_folder):
    prefix = str(demo_like_folder / "ckpt-2")
    model = mlp3(hidden=64)
    report = diff_contents(contents_of(prefix), model, "mlp64", "3")

    mismatched = {
        e.model_shape: e.checkpoint_shape for e in report.with_status(MatchStatus.SHAPE_MISMATCH)
    }
    assert mismatched == {(784, 64): (784, 128), (64,): (128,), (64, 10): (128, 10)}
    assert statuses(report)[MatchStatus.MATCHED] == 1  # the output bias, (10,)
    assert report.restored_params_fraction == pytest.approx(10 / (784 * 64 + 64 + 640 + 10))
    assert not report.complete
    with pytest.raises(ValueError, match=r"\(784, 128\)|\(784, 64\)"):
        tf.train.Checkpoint(model=model).restore(prefix).expect_partial()


def test_added_layer_is_missing_and_stays_at_its_initial_values(demo_like_folder):
    prefix = str(demo_like_folder / "ckpt-2")
    model = mlp3(extra=5)
    report = diff_contents(contents_of(prefix), model, "mlp+1", "3")

    missing = report.with_status(MatchStatus.MISSING)
    assert sorted(e.model_shape for e in missing) == [(5,), (10, 5)]
    assert all(e.checkpoint_key is None for e in missing)
    assert report.restored == 4 and report.model_variables == 6
    assert_report_tells_the_truth(
        report,
        model,
        prefix,
        lambda: tf.train.Checkpoint(model=model).restore(prefix).expect_partial(),
    )


def test_keras2_save_weights_attaches_at_the_root(tmp_path):
    prefix = checkpoint_factory.write_keras2_weights(tmp_path, hidden=8, trained=True)
    model = checkpoint_factory._keras2_mlp(16, 8)
    report = diff_contents(contents_of(prefix), model, "keras2 mlp", "2")

    assert report.attach == ""
    assert report.complete and report.restored == 4
    names = {e.model for e in report.with_status(MatchStatus.MATCHED)}
    assert all(name.count("/") == 1 and name.split("/")[1] in {"kernel", "bias"} for name in names)
    unused = report.with_status(MatchStatus.UNUSED)
    assert unused and all(e.role is not VariableRole.WEIGHT for e in unused)
    assert_report_tells_the_truth(
        report, model, prefix, lambda: model.load_weights(prefix).expect_partial()
    )


def test_the_same_checkpoint_wrapped_in_a_checkpoint_attaches_at_model(tmp_path):
    prefix = checkpoint_factory.write_tf2_training(
        tmp_path, saves=1, hidden=8, inputs=16, keras2=True
    )
    model = checkpoint_factory._keras2_mlp(16, 8)
    report = diff_contents(contents_of(prefix), model, "keras2 mlp", "2")

    assert report.attach == "model" and report.complete
    assert_report_tells_the_truth(
        report,
        model,
        prefix,
        lambda: tf.train.Checkpoint(model=model).restore(prefix).expect_partial(),
    )


def test_keras2_checkpoint_under_keras3_matches_nothing_and_says_why(tmp_path):
    prefix = checkpoint_factory.write_keras2_weights(tmp_path, hidden=8)
    model = keras.Sequential(
        [keras.Input(shape=(16,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(10)]
    )
    report = diff_contents(contents_of(prefix), model, "keras3 mlp", "3")

    assert report.restored == 0 and report.model_variables == 4
    assert len(report.with_status(MatchStatus.MISSING)) == 4
    assert any("Keras 2" in note and "--keras 2" in note for note in report.notes)
    assert any("layer_with_weights-0" in note for note in report.notes)  # what the checkpoint has
    # TensorFlow agrees, silently: nothing is restored.
    assert_report_tells_the_truth(
        report,
        model,
        prefix,
        lambda: tf.train.Checkpoint(root=model).restore(prefix).expect_partial(),
    )


def test_explicit_attach_point_overrides_the_choice(demo_like_folder):
    prefix = str(demo_like_folder / "ckpt-2")
    report = diff_contents(contents_of(prefix), mlp3(), "mlp", "3", attach="optimizer")
    assert report.attach == "optimizer" and report.restored == 0
    assert any("under 'optimizer'" in note for note in report.notes)


def test_unknown_attach_point_is_one_sentence_naming_the_choices(demo_like_folder):
    from ckpt_inspector.core.errors import InspectorError

    with pytest.raises(InspectorError, match=r"no object .net.*model") as caught:
        diff_contents(
            contents_of(str(demo_like_folder / "ckpt-2")), mlp3(), "mlp", "3", attach="net"
        )
    assert "\n" not in str(caught.value)


def test_dtype_mismatch_is_reported_and_restore_refuses_it(tmp_path):
    prefix = checkpoint_factory.write_variables(
        tmp_path, {"w": np.ones((2, 3), np.float64), "b": np.zeros(3, np.float32)}
    )
    module = tf.Module()
    module.w = tf.Variable(tf.zeros((2, 3), tf.float32))
    module.b = tf.Variable(tf.ones(3, tf.float32))
    report = diff_contents(contents_of(prefix), module, "module", "3")

    [dtype] = report.with_status(MatchStatus.DTYPE_MISMATCH)
    assert (dtype.model_dtype, dtype.checkpoint_dtype) == ("float32", "float64")
    assert dtype.checkpoint_key.startswith("w/")
    assert report.restored == 1 and report.attach == ""
    with pytest.raises((tf.errors.OpError, ValueError, TypeError)):
        tf.train.Checkpoint(root=module).restore(prefix)


@pytest.mark.parametrize("kind", ["weights.h5", "keras"])
def test_keras3_weights_files_match_as_load_weights_reads_them(tmp_path, kind):
    if kind == "weights.h5":
        path = checkpoint_factory.write_keras3_weights_h5(tmp_path, hidden=8, inputs=16)
    else:
        path = checkpoint_factory.write_keras3_archive(tmp_path, inputs=16)
    model = keras.Sequential(
        [keras.Input(shape=(16,)), keras.layers.Dense(8), keras.layers.Dense(10)]
    )
    report = diff_contents(contents_of(path), model, "mlp", "3")

    assert report.method is MatchMethod.KERAS_WEIGHTS
    assert report.complete and report.restored == 4
    assert {e.checkpoint_key for e in report.with_status(MatchStatus.MATCHED)} == {
        "layers/dense/vars/0", "layers/dense/vars/1",
        "layers/dense_1/vars/0", "layers/dense_1/vars/1",
    }  # fmt: skip
    unused = report.with_status(MatchStatus.UNUSED)
    assert all(e.role is not VariableRole.WEIGHT for e in unused)
    assert (kind == "keras") == bool(unused)  # the archive also holds the optimizer's state
    if kind == "weights.h5":
        import h5py

        before = model.layers[0].kernel.numpy().copy()
        model.load_weights(path)
        assert not np.array_equal(model.layers[0].kernel.numpy(), before)
        with h5py.File(path) as weights:
            for entry in report.with_status(MatchStatus.MATCHED):
                variable = next(v for v in model.weights if v.path == entry.model)
                np.testing.assert_array_equal(variable.numpy(), weights[entry.checkpoint_key][()])


def test_keras3_weights_against_a_wider_model_lists_the_mismatches(tmp_path):
    path = checkpoint_factory.write_keras3_weights_h5(tmp_path, hidden=8, inputs=16)
    model = keras.Sequential(
        [keras.Input(shape=(16,)), keras.layers.Dense(12), keras.layers.Dense(10)]
    )
    report = diff_contents(contents_of(path), model, "mlp", "3")
    mismatches = report.with_status(MatchStatus.SHAPE_MISMATCH)
    shapes = {(e.model_shape, e.checkpoint_shape) for e in mismatches}
    assert shapes == {((16, 12), (16, 8)), ((12,), (8,)), ((12, 10), (8, 10))}
    with pytest.raises(ValueError):
        model.load_weights(path)
