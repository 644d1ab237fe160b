"""Parsing what the user typed into a ``ModelSpec`` (``core.architecture.spec``): no TensorFlow."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckpt_inspector.core.architecture.spec import (
    ModelSpec,
    SourceKind,
    classify_source,
    parse_input_shape,
    parse_model_args,
)
from ckpt_inspector.core.errors import InspectorError, NotFoundError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vocab_size=4", ("vocab_size", 4)),
        ("units=[64, 32]", ("units", [64, 32])),
        ("name='x'", ("name", "x")),
        ('name="two words"', ("name", "two words")),
        ("act=relu", ("act", "relu")),
        ("rate=0.5", ("rate", 0.5)),
        ("use_bias=False", ("use_bias", False)),
        ("initializer=None", ("initializer", None)),
        ("shape=(3, 4)", ("shape", (3, 4))),
        ("config={'a': 1}", ("config", {"a": 1})),
        (" depth = 3 ", ("depth", 3)),
        ("expr='a=b'", ("expr", "a=b")),  # only the first "=" separates name and value
    ],
)
def test_model_args_are_literals_or_bare_words(text, expected):
    assert parse_model_args([text]) == (expected,)


def test_model_args_keep_their_order():
    texts = ["b=1", "a=2", "c=3"]
    assert [name for name, _ in parse_model_args(texts)] == [t.split("=")[0] for t in texts]


def test_a_model_arg_is_never_evaluated_as_code(tmp_path: Path):
    marker = tmp_path / "ran"
    text = f"x=open({str(marker)!r}, 'w')"
    with pytest.raises(InspectorError, match="not a Python literal"):
        parse_model_args([text])
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("=3", "has no name"),
        ("x", "has no value"),
        ("x=", "empty value"),
        ("1x=3", "not a Python"),
        ("class=3", "not a Python"),
        ("x=[1,", "not a Python literal"),
        ("x=tf.nn.relu", "not a Python literal"),
        ("x=1+", "not a Python literal"),
    ],
)
def test_bad_model_args_name_the_argument_and_the_form(text, says):
    with pytest.raises(InspectorError) as caught:
        parse_model_args([text])
    message = str(caught.value)
    assert repr(text) in message
    assert "K=V" in message
    assert says in message
    assert message.count(".") <= 3 and message.endswith(".")


def test_a_model_arg_given_twice_is_refused():
    with pytest.raises(InspectorError, match="units is given twice"):
        parse_model_args(["units=1", "units=2"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("784", (784,)),
        ("28,28,1", (28, 28, 1)),
        ("28x28x1", (28, 28, 1)),
        ("(28, 28, 1)", (28, 28, 1)),
        ("[28, 28, 1]", (28, 28, 1)),
        ("(784,)", (784,)),
        ("None,10", (None, 10)),
        (" 3 X 5 ", (3, 5)),
    ],
)
def test_input_shapes_in_every_form(text, expected):
    assert parse_input_shape(text) == expected


@pytest.mark.parametrize("text", ["", "a", "28,,1", "0", "-1,3", "2.5", "x28", "²"])
def test_bad_input_shapes_are_one_sentence(text):
    with pytest.raises(InspectorError) as caught:
        parse_input_shape(text)
    message = str(caught.value)
    assert repr(text) in message
    assert "batch dimension" in message


def _touch(path: Path, text: str = "") -> str:
    path.write_text(text)
    return str(path)


def test_each_source_kind_is_recognised(tmp_path: Path):
    saved_model = tmp_path / "exported"
    saved_model.mkdir()
    _touch(saved_model / "saved_model.pb")
    sources = {
        _touch(tmp_path / "model.py"): SourceKind.PYTHON,
        _touch(tmp_path / "model.py") + ":build": SourceKind.PYTHON,
        _touch(tmp_path / "m.keras"): SourceKind.KERAS_ARCHIVE,
        _touch(tmp_path / "config.json"): SourceKind.CONFIG_JSON,
        str(saved_model): SourceKind.SAVED_MODEL,
        "applications:MobileNetV2": SourceKind.APPLICATION,
    }
    assert {source: classify_source(source) for source in sources} == sources
    assert {source: ModelSpec(source).kind for source in sources} == sources


def test_a_missing_file_is_not_found(tmp_path: Path):
    missing = tmp_path / "nowhere.py"
    with pytest.raises(NotFoundError) as caught:
        classify_source(f"{missing}:build")
    assert str(missing) in str(caught.value)
    assert caught.value.path == str(missing)
    assert ".keras" in str(caught.value)  # says which forms are accepted


@pytest.mark.parametrize(
    ("name", "says"),
    [("weights.h5", "holds weights"), ("notes.txt", "not a model source")],
)
def test_other_files_are_refused_with_the_accepted_forms(tmp_path: Path, name, says):
    path = _touch(tmp_path / name)
    with pytest.raises(InspectorError, match=says) as caught:
        classify_source(path)
    assert not isinstance(caught.value, NotFoundError)
    assert "applications:Name" in str(caught.value)


def test_a_folder_without_saved_model_pb_is_refused(tmp_path: Path):
    with pytest.raises(InspectorError, match=r"no saved_model\.pb"):
        classify_source(str(tmp_path))


@pytest.mark.parametrize("source", ["applications:", "applications:Mobile Net"])
def test_an_application_needs_a_name(source):
    with pytest.raises(InspectorError, match="applications:Name"):
        classify_source(source)


def test_file_and_attribute_parts():
    assert (ModelSpec("dir/model.py:build").file, ModelSpec("dir/model.py:build").attribute) == (
        "dir/model.py",
        "build",
    )
    assert (ModelSpec("dir/model.py").file, ModelSpec("dir/model.py").attribute) == (
        "dir/model.py",
        None,
    )
    assert (ModelSpec("m.keras").file, ModelSpec("m.keras").attribute) == ("m.keras", None)
    app = ModelSpec("applications:MobileNetV2")
    assert (app.file, app.attribute) == (None, "MobileNetV2")
    # A Windows drive letter is not a separator.
    assert ModelSpec(r"C:\work\model.py").attribute is None


def test_describe_is_short_and_names_the_pieces():
    spec = ModelSpec("/deep/folder/model.py:build_model", keras="2")
    assert spec.describe() == "build_model() in model.py (Keras 2)"
    with_args = ModelSpec("/x/model.py", model_args=parse_model_args(["units=8"]))
    assert with_args.describe() == "model.py with units=8 (Keras 3)"
    app = ModelSpec("applications:MobileNetV2", model_args=(("alpha", 0.35),))
    assert app.describe() == "keras.applications.MobileNetV2(alpha=0.35) (Keras 3)"
