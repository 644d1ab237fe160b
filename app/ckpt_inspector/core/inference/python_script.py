""" "Copy as Python": a short script that repeats a run in the user's own code base.

It uses only TensorFlow, NumPy and the user's file, restores with TensorFlow's own API, and
draws random inputs exactly as the app did (``numpy.random.default_rng(seed)`` in signature
order), so running it prints the outputs the window showed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ckpt_inspector.core.architecture.spec import ModelSpec, SourceKind
from ckpt_inspector.core.inference.inputs import _INTEGER_DEFAULT_HIGH
from ckpt_inspector.core.inference.records import InputSource, InputSpec
from ckpt_inspector.core.matching.records import DiffReport, MatchMethod, MatchStatus


def _build_lines(spec: ModelSpec) -> list[str]:
    kwargs = ", ".join(f"{k}={v!r}" for k, v in spec.model_args)
    kind = spec.kind
    if kind is SourceKind.PYTHON:
        name = spec.attribute or "build_model"
        file = os.path.abspath(spec.file or "")
        return [
            "import importlib.util",
            "",
            f"_spec = importlib.util.spec_from_file_location('user_model', {file!r})",
            "user_model = importlib.util.module_from_spec(_spec)",
            "_spec.loader.exec_module(user_model)",
            f"model = user_model.{name}({kwargs})  # drop the call if {name} is an object",
        ]
    if kind is SourceKind.KERAS_ARCHIVE:
        return [f"model = keras.saving.load_model({spec.file!r}, compile=False)"]
    if kind is SourceKind.CONFIG_JSON:
        return [
            f"with open({spec.file!r}) as f:",
            "    model = keras.models.model_from_json(f.read())",
        ]
    if kind is SourceKind.APPLICATION:
        shape = f", input_shape={spec.input_shapes[0]!r}" if spec.input_shapes else ""
        extra = f", {kwargs}" if kwargs else ""
        return [f"model = keras.applications.{spec.attribute}(weights=None{shape}{extra})"]
    return [f"model = tf.saved_model.load({spec.file!r})"]


def _restore_lines(report: DiffReport, mapped: bool = False) -> list[str]:
    prefix = report.checkpoint
    if mapped:
        pairs = [(e.model, e.checkpoint_key) for e in report.with_status(MatchStatus.MATCHED)]
        lines = [
            "# Restored through a key mapping: each variable is assigned its mapped tensor.",
            f"reader = tf.train.load_checkpoint({prefix!r})",
            "variables = {getattr(v, 'path', v.name.split(':')[0]): v for v in model.weights}",
            "for name, key in [",
        ]
        lines.extend(f"    ({m!r}, {k!r})," for m, k in pairs)
        lines += ["]:", "    variables[name].assign(reader.get_tensor(key))"]
        return lines
    if report.method is MatchMethod.KERAS_WEIGHTS:
        return [f"model.load_weights({prefix!r})"]
    if report.attach:
        return [f"tf.train.Checkpoint({report.attach}=model).restore({prefix!r}).expect_partial()"]
    return [f"tf.train.Checkpoint(root=model).restore({prefix!r}).expect_partial()"]


def _input_lines(specs: Sequence[InputSpec], source: InputSource) -> list[str]:
    lines = [f"rng = np.random.default_rng({source.seed})"]
    if source.kind == "file" and source.path and source.path.endswith(".npy"):
        return [f"inputs = [np.load({source.path!r})]"]
    if source.kind != "random":
        return ["inputs = [...]  # the arrays you fed in the window"]
    arrays = [random_input_expression(spec, source) for spec in specs]
    lines.append("inputs = [")
    lines.extend(f"    {a}," for a in arrays)
    lines.append("]")
    return lines


def python_script(
    spec: ModelSpec,
    report: DiffReport,
    specs: Sequence[InputSpec],
    source: InputSource,
    *,
    mapped: bool = False,
) -> str:
    header = [
        f"# Reproduces a Checkpoint Inspector run: {os.path.basename(report.checkpoint)} in "
        f"{spec.describe()}.",
    ]
    if spec.keras == "2":
        header += ["import os", "", "os.environ['TF_USE_LEGACY_KERAS'] = '1'  # Keras 2 (tf_keras)"]
    imports = ["import numpy as np", "import tensorflow as tf"]
    if spec.kind in {SourceKind.KERAS_ARCHIVE, SourceKind.CONFIG_JSON, SourceKind.APPLICATION}:
        imports.append("import tf_keras as keras" if spec.keras == "2" else "import keras")
    call = "model(inputs[0] if len(inputs) == 1 else inputs, training=False)"
    lines = [
        *header,
        *imports,
        "",
        *_build_lines(spec),
        *_restore_lines(report, mapped),
        "",
        *_input_lines(specs, source),
        f"outputs = {call}",
        "print(outputs)",
    ]
    return "\n".join(lines) + "\n"


# --- Scripts for runs without an architecture file (SavedModel signatures, TF1 graphs) ---------
# Their inputs go in by name, so these build a dict of arrays rather than the list above, and
# they follow ``inputs.random_array`` draw for draw (integer ranges and booleans included).

# Values given in the window are written into the script when they are this small.
_INLINE_VALUES_LIMIT = 64


def random_input_expression(spec: InputSpec, source: InputSource) -> str:
    """The NumPy expression that draws ``spec``'s random input from ``rng`` as
    ``inputs.random_array`` does, so the script's values equal the app's."""
    shape = spec.concrete_shape(source.batch)
    dtype = "object" if spec.dtype == "string" else spec.dtype
    kind = source.distribution
    if kind in {"zeros", "ones"}:
        return f"np.{kind}({shape!r}, {dtype!r})"
    if dtype == "bool":
        return f"rng.random({shape!r}) < 0.5"
    if dtype.startswith(("int", "uint")) or kind == "integers":
        high = (
            source.high
            if source.high > source.low + 1 or kind == "integers"
            else _INTEGER_DEFAULT_HIGH
        )
        return f"rng.integers({int(source.low)}, {int(high)}, size={shape!r}).astype({dtype!r})"
    if kind == "uniform":
        return f"rng.uniform({source.low!r}, {source.high!r}, size={shape!r}).astype({dtype!r})"
    return f"rng.standard_normal({shape!r}).astype({dtype!r})"


def _file_input_expression(path: str, spec: InputSpec, index: int, values: np.ndarray) -> str:
    """Reads the file as ``inputs.read_input_file`` did, then fixes shape and dtype the way
    ``prepare_inputs`` did (a batch axis added, integers converted)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".npy":
        loaded = f"np.load({path!r})"
    elif suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            names = list(archive.files)
        key = spec.name if spec.name in names else f"arr_{index}"
        key = key if key in names or len(names) != 1 else names[0]
        loaded = f"np.load({path!r})[{key!r}]"
    else:
        loaded = f"np.loadtxt({path!r}, delimiter=',', ndmin=2)"
    return f"{loaded}.reshape({tuple(values.shape)!r}).astype({values.dtype.name!r})"


def input_dict_lines(
    specs: Sequence[InputSpec],
    source: InputSource,
    values: Sequence[np.ndarray],
    keys: Sequence[str],
) -> list[str]:
    """``inputs = {key: array, ...}``: random draws in signature order, file reads, or the
    values given (written out when small)."""
    lines = []
    if source.kind == "random":
        lines.append(f"rng = np.random.default_rng({source.seed})")
    lines.append("inputs = {")
    for index, (spec, array, key) in enumerate(zip(specs, values, keys, strict=True)):
        if source.kind == "random":
            expression = random_input_expression(spec, source)
        elif source.kind == "file" and source.path:
            expression = _file_input_expression(source.path, spec, index, array)
        elif array.size <= _INLINE_VALUES_LIMIT and array.dtype.kind in "biuf":
            expression = f"np.array({array.tolist()!r}, {array.dtype.name!r})"
        else:
            expression = "...  # the array you fed in the window"
        lines.append(f"    {key!r}: {expression},")
    lines.append("}")
    return lines


def saved_model_script(
    path: str,
    signature: str,
    specs: Sequence[InputSpec],
    source: InputSource,
    values: Sequence[np.ndarray],
) -> str:
    """A script that loads the SavedModel, calls ``signature`` and leaves the results in
    ``outputs`` (a dict of arrays by output key), as ``saved_model_cli run`` would."""
    lines = [
        f"# Reproduces a Checkpoint Inspector run: signature {signature!r} of {path}.",
        "import numpy as np",
        "import tensorflow as tf",
        "",
        f"model = tf.saved_model.load({path!r})",
        f"signature = model.signatures[{signature!r}]",
        "",
        *input_dict_lines(specs, source, values, [s.name for s in specs]),
        "results = signature(**{name: tf.constant(value) for name, value in inputs.items()})",
        "outputs = {name: value.numpy() for name, value in results.items()}",
        "print(outputs)",
    ]
    return "\n".join(lines) + "\n"


def graph_script(
    prefix: str,
    specs: Sequence[InputSpec],
    source: InputSource,
    values: Sequence[np.ndarray],
    fetches: Sequence[str],
) -> str:
    """A TF1 script: import ``prefix``'s meta graph, restore with its ``Saver``, feed the
    placeholders and fetch ``fetches``; the results are left in ``outputs`` by tensor name."""
    lines = [
        f"# Reproduces a Checkpoint Inspector run: the graph of {os.path.basename(prefix)}.",
        "import numpy as np",
        "import tensorflow as tf",
        "",
        "v1 = tf.compat.v1",
        "graph = tf.Graph()",
        "with graph.as_default():",
        f"    saver = v1.train.import_meta_graph({prefix + '.meta'!r}, clear_devices=True)",
        "",
        *input_dict_lines(specs, source, values, [f"{s.name}:0" for s in specs]),
        f"fetches = {list(fetches)!r}",
        "with v1.Session(graph=graph) as session:",
        f"    saver.restore(session, {prefix!r})",
        "    outputs = dict(zip(fetches, session.run(fetches, feed_dict=inputs)))",
        "print(outputs)",
    ]
    return "\n".join(lines) + "\n"
