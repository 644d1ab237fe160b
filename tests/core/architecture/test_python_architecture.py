"""Loading the architecture from the user's own Python file (``core.architecture`` PYTHON).

Every model file is written into ``tmp_path`` by the test and loaded with real Keras 3 (the test
process's flavour); expected shapes come from the numbers the test wrote into the file.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from ckpt_inspector.core.architecture.loading import (
    LoadedArchitecture,
    keras_module,
    load_architecture,
    running_keras_flavour,
)
from ckpt_inspector.core.architecture.spec import ModelSpec, parse_model_args
from ckpt_inspector.core.errors import InspectorError, UserCodeError

pytestmark = pytest.mark.slow  # builds Keras models


def _write(folder: Path, text: str, name: str = "model.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def _load(source: object, **spec: object) -> LoadedArchitecture:
    return load_architecture(ModelSpec(str(source), **spec))  # type: ignore[arg-type]


def _shapes(root) -> list[tuple[int, ...]]:
    return [tuple(w.shape) for w in root.weights]


def _line_of(path: Path, fragment: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip().startswith(fragment))


def test_build_model_is_the_default_among_other_functions(tmp_path: Path):
    inputs, width = 5, 3
    path = _write(
        tmp_path,
        f"""
        import keras

        def preprocess(x):
            return x

        def build_model():
            return keras.Sequential([keras.Input(({inputs},)), keras.layers.Dense({width})])
        """,
    )
    loaded = _load(path)
    assert isinstance(loaded.root, keras.Model)
    assert _shapes(loaded.root) == [(inputs, width), (width,)]
    assert loaded.description == f"build_model() in {path} (Keras 3)"
    assert (loaded.keras, loaded.spec.source) == ("3", str(path))


def test_a_named_function_is_used(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        def build_model():
            raise AssertionError("the named function must be used")

        def small(units=2):
            return keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])
        """,
    )
    loaded = _load(f"{path}:small")
    assert _shapes(loaded.root) == [(4, 2), (2,)]
    assert loaded.description.startswith(f"small() in {path}")


def test_the_only_public_function_defined_in_the_file_is_used(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        from os.path import join  # imported: not a candidate
        import keras

        def _helper(units):
            return keras.layers.Dense(units)

        def make_net():
            return keras.Sequential([keras.Input((6,)), _helper(2)])
        """,
    )
    loaded = _load(path)
    assert _shapes(loaded.root) == [(6, 2), (2,)]
    assert loaded.description.startswith("make_net() in")


def test_the_only_model_subclass_is_instantiated_and_built_on_the_input_shape(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        class Block(keras.layers.Layer):  # a layer, not a model: not a candidate
            pass

        class Net(keras.Model):
            def __init__(self, units=4):
                super().__init__()
                self.dense = keras.layers.Dense(units)

            def call(self, x):
                return self.dense(x)
        """,
    )
    loaded = _load(path, input_shapes=((6,),), model_args=(("units", 5),))
    assert _shapes(loaded.root) == [(6, 5), (5,)]
    assert loaded.description.startswith(f"Net() in {path}")


def test_a_tf_module_that_creates_variables_on_first_call_is_built(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import tensorflow as tf

        class Affine(tf.Module):
            def __init__(self, units=3):
                super().__init__()
                self.units = units
                self.w = None

            def __call__(self, x):
                if self.w is None:
                    self.w = tf.Variable(tf.zeros((x.shape[-1], self.units)))
                return x @ self.w
        """,
    )
    loaded = _load(path, input_shapes=((7,),))
    assert isinstance(loaded.root, tf.Module)
    assert [tuple(v.shape) for v in loaded.root.variables] == [(7, 3)]


def test_a_module_level_model_object(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8)])
        """,
    )
    loaded = _load(path)
    assert _shapes(loaded.root) == [(3, 8), (8,)]
    assert loaded.description == f"model in {path} (Keras 3)"


def test_a_module_level_checkpoint_object(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras
        import tensorflow as tf

        _net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(9)])
        ckpt = tf.train.Checkpoint(model=_net, step=tf.Variable(0))
        """,
    )
    loaded = _load(path)
    assert isinstance(loaded.root, tf.train.Checkpoint)
    assert _shapes(loaded.root.model) == [(2, 9), (9,)]


def test_model_args_reach_the_function(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        def build_model(units, activation="relu", inputs=4):
            return keras.Sequential(
                [keras.Input((inputs,)), keras.layers.Dense(units, activation=activation)]
            )
        """,
    )
    args = parse_model_args(["units=7", "activation=tanh", "inputs=2"])
    loaded = _load(path, model_args=args)
    assert _shapes(loaded.root) == [(2, 7), (7,)]
    assert loaded.root.layers[0].activation.__name__ == "tanh"


def test_a_model_arg_the_function_does_not_take_is_named(tmp_path: Path):
    path = _write(tmp_path, "def build_model(units, depth=2):\n    raise AssertionError\n")
    with pytest.raises(InspectorError) as caught:
        _load(path, model_args=(("widht", 3),))
    message = str(caught.value)
    assert "build_model() in" in message and "widht" in message
    assert "(units, depth)" in message
    assert not isinstance(caught.value, UserCodeError)  # refused before their code ran


def test_model_args_for_an_object_are_refused(tmp_path: Path):
    path = _write(tmp_path, "import keras\nmodel = keras.Sequential([keras.Input((3,))])\n")
    with pytest.raises(InspectorError, match=r"model in .* is an object, not a function"):
        _load(path, model_args=(("units", 3),))


def test_several_candidates_are_listed_with_the_fix(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        def small():
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])

        def large():
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(100)])

        class Net(keras.Model):
            pass
        """,
    )
    with pytest.raises(InspectorError) as caught:
        _load(path)
    message = str(caught.value)
    assert "(small, large, Net)" in message
    assert "model.py:small" in message
    assert caught.value.path == str(path)


def test_a_file_with_nothing_usable_says_what_was_expected(tmp_path: Path):
    path = _write(tmp_path, "import keras\nWIDTH = 3\n_private = keras.Sequential()\n")
    with pytest.raises(InspectorError, match="defines no build_model function") as caught:
        _load(path)
    assert "model.py:NAME" in str(caught.value)


def test_a_misspelled_name_gets_a_suggestion(tmp_path: Path):
    path = _write(tmp_path, "def build_model():\n    pass\n")
    with pytest.raises(InspectorError, match="defines no 'biuld_model'; did you mean build_model"):
        _load(f"{path}:biuld_model")


def test_an_unbuilt_model_without_an_input_shape_asks_for_one(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        def build_model():
            return keras.Sequential([keras.layers.Dense(3)])
        """,
    )
    with pytest.raises(InspectorError) as caught:
        _load(path)
    assert str(caught.value) == (
        f"{path}'s model has no weights until it is called; give its input shape "
        "(for example --input-shape 784)."
    )
    loaded = _load(path, input_shapes=((11,),))  # the same file with a shape builds
    assert _shapes(loaded.root) == [(11, 3), (3,)]


@pytest.mark.parametrize(
    ("returns", "says"), [("None", "returned None"), ("[1, 2]", "returned a list")]
)
def test_a_function_returning_no_model_names_the_type(tmp_path: Path, returns, says):
    path = _write(tmp_path, f"def build_model():\n    return {returns}\n")
    with pytest.raises(InspectorError, match=says) as caught:
        _load(path)
    assert "not a Keras model, tf.Module or tf.train.Checkpoint" in str(caught.value)


def test_a_raising_model_file_shows_only_the_users_frames(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        def _check(width):
            if width <= 0:
                raise ValueError("width must be positive")

        def build_model(width=-1):
            _check(width)
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(width)])
        """,
    )
    with pytest.raises(UserCodeError) as caught:
        _load(path)
    error = caught.value
    assert str(error) == (
        f"build_model() in {path} raised ValueError: width must be positive; "
        "its traceback is below."
    )
    assert error.path == str(path)
    text = error.user_traceback
    assert f'File "{path}", line {_line_of(path, "_check(width)")}, in build_model' in text
    assert f'File "{path}", line {_line_of(path, "raise ValueError")}, in _check' in text
    assert text.rstrip().endswith("ValueError: width must be positive")
    assert "ckpt_inspector" not in text
    assert "site-packages" not in text


def test_an_error_raised_inside_keras_keeps_the_users_line_only(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        def build_model():
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(-4)])
        """,
    )
    with pytest.raises(UserCodeError) as caught:
        _load(path)
    text = caught.value.user_traceback
    line = _line_of(path, "return keras.Sequential")
    assert f'File "{path}", line {line}, in build_model' in text
    assert "site-packages" not in text and "ckpt_inspector" not in text
    assert "raised ValueError" in str(caught.value)


def test_a_syntax_error_shows_the_line_and_caret(tmp_path: Path):
    path = _write(tmp_path, "import keras\n\ndef build_model(:\n    pass\n")
    with pytest.raises(UserCodeError) as caught:
        _load(path)
    assert str(caught.value).startswith(f"Importing {path} raised SyntaxError:")
    text = caught.value.user_traceback
    assert f'File "{path}", line 3' in text
    assert "def build_model(:" in text and "^" in text
    assert "ckpt_inspector" not in text and "importlib" not in text


def test_a_failing_import_in_the_file_is_user_code(tmp_path: Path):
    path = _write(tmp_path, "import keras\nimport no_such_module_for_the_test\n")
    with pytest.raises(UserCodeError, match="raised ModuleNotFoundError: No module named") as c:
        _load(path)
    assert f'File "{path}", line 2, in <module>' in c.value.user_traceback


def test_a_script_calling_sys_exit_does_not_end_the_process(tmp_path: Path):
    path = _write(tmp_path, "import sys\nsys.exit(3)\n")
    with pytest.raises(UserCodeError, match="raised SystemExit: 3"):
        _load(path)


def test_a_call_that_fails_on_the_given_shape_is_user_code(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(2)

            def call(self, x):
                if x.shape[-1] != 6:
                    raise ValueError(f"expected 6 features, got {x.shape[-1]}")
                return self.dense(x)
        """,
    )
    with pytest.raises(UserCodeError) as caught:
        _load(path, input_shapes=((5,),))
    message = str(caught.value)
    assert message.startswith(f"Calling Net() in {path} on zeros of shape (1, 5) raised ValueError")
    assert "expected 6 features, got 5" in message  # Keras' wrapper text is unwrapped
    assert "check the input shape" in message
    assert f"line {_line_of(path, 'raise ValueError')}, in call" in caught.value.user_traceback
    assert "\x1b[" not in caught.value.user_traceback  # Keras' ANSI bold is dropped


def test_sibling_modules_import_and_are_reloaded_after_an_edit(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras
        from blocks import WIDTH

        def build_model():
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(WIDTH)])
        """,
    )
    _write(tmp_path, "WIDTH = 4\n", name="blocks.py")
    assert _shapes(_load(path).root)[0] == (3, 4)
    assert "blocks" not in sys.modules
    assert str(tmp_path) not in sys.path
    assert not (tmp_path / "__pycache__").exists()

    _write(tmp_path, "WIDTH = 12\n", name="blocks.py")
    assert _shapes(_load(path).root)[0] == (3, 12)


def test_prints_in_model_code_go_to_stderr_not_stdout(tmp_path: Path, capfd):
    path = _write(
        tmp_path,
        """
        import keras
        print("printed while importing")

        def build_model():
            print("printed while building")
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            model.summary()
            return model
        """,
    )
    capfd.readouterr()
    _load(path)
    out, err = capfd.readouterr()
    assert out == ""
    assert "printed while importing" in err and "printed while building" in err


def test_a_keras_2_model_is_refused_in_a_keras_3_spec(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import tf_keras

        def build_model():
            return tf_keras.Sequential([tf_keras.layers.Dense(2, input_shape=(3,))])
        """,
    )
    with pytest.raises(InspectorError, match=r"builds a Keras 2 model .* choose Keras 2"):
        _load(path)


def test_the_flavour_guard_and_helpers_in_a_keras_3_process(tmp_path: Path):
    assert running_keras_flavour() == "3"
    assert keras_module("3") is keras
    path = _write(tmp_path, "def build_model():\n    raise AssertionError\n")
    with pytest.raises(InspectorError, match=r"This process runs Keras 3, but .* needs Keras 2"):
        _load(path, keras="2")
    with pytest.raises(InspectorError, match="choose 3 or 2"):
        keras_module("4")


def test_a_built_model_is_not_called_even_with_a_shape(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras
        import tensorflow as tf

        class Counting(keras.layers.Layer):
            eager_calls = 0

            def call(self, x):
                if tf.executing_eagerly():  # Keras builds a Sequential in a graph
                    Counting.eager_calls += 1
                return x

        def build_model():
            return keras.Sequential([keras.Input((3,)), Counting(), keras.layers.Dense(2)])
        """,
    )
    loaded = _load(path, input_shapes=((3,),))
    assert type(loaded.root.layers[0]).eager_calls == 0
    assert _shapes(loaded.root) == [(3, 2), (2,)]


def test_several_inputs_get_a_list_and_free_sizes_become_one(tmp_path: Path):
    path = _write(
        tmp_path,
        """
        import keras

        class TwoInputs(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(4)
                self.seen = None

            def call(self, inputs):
                self.seen = [tuple(x.shape) for x in inputs]
                return self.dense(keras.ops.concatenate(inputs, axis=-1))
        """,
    )
    loaded = _load(path, input_shapes=((None, 2), (None, 3)))
    assert loaded.root.seen == [(1, 1, 2), (1, 1, 3)]
    assert _shapes(loaded.root) == [(5, 4), (4,)]
