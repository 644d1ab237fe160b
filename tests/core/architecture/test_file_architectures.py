"""Loading architectures saved as files, and ``keras.applications`` models by name.

Each file is written by Keras or TensorFlow in the test (``model.save``, ``model.to_json``,
``tf.saved_model.save``); the loaded architecture is compared with the model that wrote it.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from ckpt_inspector.core.architecture.loading import load_architecture
from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.errors import InspectorError, UserCodeError

pytestmark = pytest.mark.slow  # builds Keras models


def _shapes(variables) -> list[tuple[int, ...]]:
    return [tuple(v.shape) for v in variables]


def _functional(inputs: int = 5, hidden: int = 7) -> keras.Model:
    x = keras.Input((inputs,))
    h = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(x, keras.layers.Dense(2)(h))


def test_a_keras_archive_loads_its_architecture(tmp_path: Path):
    original = _functional()
    path = tmp_path / "m.keras"
    original.save(path)
    loaded = load_architecture(ModelSpec(str(path)))
    assert loaded.root is not original
    assert _shapes(loaded.root.weights) == _shapes(original.weights)
    assert [layer.name for layer in loaded.root.layers] == [layer.name for layer in original.layers]
    assert loaded.description == f"{path} (Keras 3)"


def test_safe_mode_refuses_an_archive_with_a_lambda(tmp_path: Path):
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Lambda(lambda t: t * 2)(x))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(InspectorError) as caught:
        load_architecture(ModelSpec(str(path)))
    message = str(caught.value)
    assert message.startswith(f"{path} holds a Lambda layer whose function is a Python lambda")
    assert "safe mode refuses" in message and "would run that code" in message


def test_a_file_that_is_not_an_archive(tmp_path: Path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip file")
    with pytest.raises(InspectorError, match=r"is not a \.keras archive"):
        load_architecture(ModelSpec(str(path)))


def test_a_config_json_loads(tmp_path: Path):
    original = _functional(inputs=3, hidden=4)
    path = tmp_path / "config.json"
    path.write_text(original.to_json())
    loaded = load_architecture(ModelSpec(str(path)))
    assert _shapes(loaded.root.weights) == _shapes(original.weights)
    assert loaded.description == f"model config {path} (Keras 3)"


def test_a_config_without_input_is_built_on_the_given_shape(tmp_path: Path):
    path = tmp_path / "config.json"
    path.write_text(keras.Sequential([keras.layers.Dense(6)]).to_json())
    with pytest.raises(InspectorError, match="has no weights until it is called"):
        load_architecture(ModelSpec(str(path)))
    loaded = load_architecture(ModelSpec(str(path), input_shapes=((9,),)))
    assert _shapes(loaded.root.weights) == [(9, 6), (6,)]


def test_a_config_that_cannot_be_called_on_the_shape_is_one_sentence(tmp_path: Path):
    path = tmp_path / "config.json"
    path.write_text(keras.Sequential([keras.layers.Dense(6)]).to_json())
    with pytest.raises(InspectorError) as caught:
        load_architecture(ModelSpec(str(path), input_shapes=((2,), (3,))))  # two inputs
    assert not isinstance(caught.value, UserCodeError)
    assert "check the input shape" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"class_name": "Sequential",', "is not valid JSON (Expecting"),
        ("[1, 2]", "not a Keras model config"),
    ],
)
def test_a_bad_config_json_is_one_sentence(tmp_path: Path, text, says):
    path = tmp_path / "config.json"
    path.write_text(text)
    with pytest.raises(InspectorError, match=f"^{path}") as caught:
        load_architecture(ModelSpec(str(path)))
    assert says in str(caught.value)


def test_an_unknown_layer_class_in_a_config_is_named(tmp_path: Path):
    config = json.loads(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).to_json())
    layer = next(x for x in config["config"]["layers"] if x["class_name"] == "Dense")
    layer["class_name"] = "DenseOfTheFuture"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    with pytest.raises(InspectorError, match="uses the class DenseOfTheFuture"):
        load_architecture(ModelSpec(str(path)))


class _Affine(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(np.arange(6, dtype="float32").reshape(2, 3), name="w")
        self.b = tf.Variable(tf.zeros(3), name="b")

    @tf.function(input_signature=[tf.TensorSpec((None, 2), tf.float32)])
    def __call__(self, x):
        return x @ self.w + self.b


def test_a_saved_model_folder_loads(tmp_path: Path):
    original = _Affine()
    folder = tmp_path / "exported"
    tf.saved_model.save(original, str(folder))
    loaded = load_architecture(ModelSpec(str(folder)))
    # The loaded object is a restored ``_UserObject`` with the module's attributes.
    assert _shapes([loaded.root.w, loaded.root.b]) == _shapes([original.w, original.b])
    assert np.array_equal(loaded.root.w.numpy(), original.w.numpy())
    assert loaded.description == f"SavedModel {folder} (Keras 3)"


def test_a_damaged_saved_model_is_one_sentence(tmp_path: Path):
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"\x00garbage")
    with pytest.raises(InspectorError, match=f"^SavedModel {folder} could not be loaded"):
        load_architecture(ModelSpec(str(folder)))


def test_an_application_is_built_without_weights_from_its_arguments():
    shape, alpha = (96, 96, 3), 0.35
    spec = ModelSpec("applications:MobileNetV2", model_args=(("alpha", alpha),),
                     input_shapes=(shape,))  # fmt: skip
    loaded = load_architecture(spec)
    reference = keras.applications.MobileNetV2(weights=None, input_shape=shape, alpha=alpha)
    assert tuple(loaded.root.input_shape) == (None, *shape)
    assert _shapes(loaded.root.weights) == _shapes(reference.weights)
    assert loaded.description == "keras.applications.MobileNetV2 (Keras 3)"


def test_an_unknown_application_suggests_close_names():
    with pytest.raises(InspectorError, match="did you mean MobileNetV2"):
        load_architecture(ModelSpec("applications:MobilNetV2"))


def test_an_application_never_downloads_weights():
    spec = ModelSpec("applications:MobileNetV2", model_args=(("weights", "imagenet"),))
    with pytest.raises(InspectorError, match="always built with weights=None"):
        load_architecture(spec)
