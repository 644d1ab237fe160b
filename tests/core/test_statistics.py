"""Tensor statistics and histograms, checked against NumPy on values TensorFlow reads back.

Checkpoints are written by TensorFlow with planted values (NaN, ±Inf, zeros, every dtype);
the reference numbers are computed here with plain NumPy from ``CheckpointReader`` values,
independently of the code under test. Every test runs twice: with the compiled passes
(``kernels``) and with the NumPy passes that stand in where the extension is not built.
"""

from __future__ import annotations

import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.statistics import kernels
from ckpt_inspector.core.statistics.binning import Counter, make_binning
from ckpt_inspector.core.statistics.reading import TensorReader
from ckpt_inspector.core.statistics.records import HistogramOptions, ValueKind
from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats, tensor_stats

PERCENTILES = [1, 5, 25, 50, 75, 95, 99]


@pytest.fixture(autouse=True, params=["compiled", "numpy"])
def passes(request, monkeypatch) -> str:
    """Which statistics passes serve the test (see ``kernels``)."""
    if request.param == "numpy":
        monkeypatch.setattr(kernels, "native", None)
    else:
        assert kernels.native is not None, "the compiled statistics passes were not built"
    return request.param


def key(name: str) -> str:
    return f"{name}/.ATTRIBUTES/VARIABLE_VALUE"


def planted_values() -> dict[str, object]:
    rng = np.random.default_rng(7)
    special = rng.standard_normal((40, 30)).astype(np.float32)
    special[0, 0] = np.nan
    special[1, 1:3] = np.nan
    special[2, 2] = np.inf
    special[3, 3:6] = -np.inf
    special[4, :7] = 0.0
    half = rng.standard_normal((6, 7)).astype(np.float16)
    half[0, 0], half[1, 1], half[2, 2] = np.inf, 0.0, np.nan
    brain = (rng.standard_normal((5, 9)) * 3).astype(ml_dtypes.bfloat16)
    brain[0, 0], brain[1, 1] = np.nan, -np.inf
    values = checkpoint_factory.dtype_coverage_values()
    values.update(
        special=special,
        half=half,
        brain=brain,
        wide_int=np.arange(-500, 700, 3, dtype=np.int32).reshape(20, 20),
        int8_small=np.array([-3, -3, 0, 1, 1, 1, 2, 4], dtype=np.int8),
        all_nan=np.full((2, 3), np.nan, dtype=np.float32),
        constant=np.full((4, 4), 0.25, dtype=np.float32),
        offset=(1000.0 + rng.standard_normal(5000) * 1e-3).astype(np.float64),
        flags=np.array([[True, False, True], [True, True, False]]),
        empty_text=np.array([], dtype=object).astype(bytes),
    )
    return values


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> CheckpointRecord:
    prefix = checkpoint_factory.write_variables(tmp_path_factory.mktemp("stats"), planted_values())
    listing = discover(prefix)
    return next(c for c in listing.checkpoints if c.prefix == listing.focus)


@pytest.fixture(scope="module")
def reference(planted) -> dict[str, np.ndarray]:
    reader = tf.train.load_checkpoint(planted.prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def finite64(values: np.ndarray) -> np.ndarray:
    as_float = np.asarray(values).astype(np.float64).reshape(-1)
    return as_float[np.isfinite(as_float)]


@pytest.mark.parametrize(
    "name", ["special", "half", "brain", "f32", "f64", "i8", "u8", "i32", "i64", "wide_int"]
)
def test_real_statistics_match_numpy(planted, reference, name):
    stats = tensor_stats(planted, key(name))
    raw = reference[key(name)]
    as_float = np.asarray(raw).astype(np.float64)
    finite = finite64(raw)
    assert stats.kind is ValueKind.REAL
    assert stats.shape == raw.shape
    assert stats.count == raw.size
    assert stats.nan == np.count_nonzero(np.isnan(as_float))
    assert stats.posinf == np.count_nonzero(as_float == np.inf)
    assert stats.neginf == np.count_nonzero(as_float == -np.inf)
    assert stats.zeros == np.count_nonzero(as_float == 0)
    assert stats.min == finite.min() and stats.max == finite.max()
    assert stats.max_abs == np.abs(finite).max()
    # float32 partial sums: the error is relative to the values' scale, not to a mean near 0
    scale = np.abs(finite).mean()
    assert stats.mean == pytest.approx(finite.mean(), rel=1e-6, abs=1e-6 * scale)
    assert stats.std == pytest.approx(finite.std(), rel=1e-5)
    assert stats.l2_norm == pytest.approx(np.sqrt(np.sum(finite**2)), rel=1e-6)
    counts, _ = np.histogram(finite, bins=stats.histogram.edges)
    np.testing.assert_array_equal(stats.histogram.counts, counts)
    assert stats.histogram.counts.sum() == finite.size  # NaN/Inf never land in a bin
    assert stats.histogram.edges[0] <= finite.min() and stats.histogram.edges[-1] >= finite.max()
    expected = np.percentile(finite, PERCENTILES)
    got = [stats.percentiles[float(q)] for q in PERCENTILES]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


def test_histogram_spans_the_finite_range_in_the_requested_bins(planted, reference):
    stats = tensor_stats(planted, key("special"), HistogramOptions(bins=17))
    finite = finite64(reference[key("special")])
    assert stats.histogram.counts.size == 17
    assert stats.histogram.edges[0] == finite.min() and stats.histogram.edges[-1] == finite.max()
    np.testing.assert_allclose(
        stats.histogram.edges, np.linspace(finite.min(), finite.max(), 18), rtol=1e-6, atol=1e-6
    )


def test_small_integer_range_gets_one_bin_per_value(planted):
    stats = tensor_stats(planted, key("int8_small"))
    np.testing.assert_array_equal(stats.histogram.edges, np.arange(-3.5, 5.0, 1.0))
    np.testing.assert_array_equal(stats.histogram.counts, [2, 0, 0, 1, 3, 1, 0, 1])
    values = np.array([-3, -3, 0, 1, 1, 1, 2, 4], dtype=np.float64)
    expected = np.percentile(values, PERCENTILES)
    np.testing.assert_allclose([stats.percentiles[float(q)] for q in PERCENTILES], expected)


def test_no_finite_value_gives_null_statistics_and_empty_bins(planted):
    stats = tensor_stats(planted, key("all_nan"))
    assert (stats.count, stats.nan, stats.finite) == (6, 6, 0)
    assert stats.mean is stats.std is stats.min is stats.max is None
    assert stats.histogram.counts.sum() == 0
    assert stats.percentiles == {}


def test_constant_tensor_uses_numpys_unit_window(planted):
    stats = tensor_stats(planted, key("constant"), HistogramOptions(bins=4))
    expected_counts, expected_edges = np.histogram(np.full(16, 0.25), bins=4)
    np.testing.assert_allclose(stats.histogram.edges, expected_edges)
    np.testing.assert_array_equal(stats.histogram.counts, expected_counts)
    assert stats.std == 0.0 and stats.min == stats.max == 0.25


def test_large_mean_small_spread_keeps_its_standard_deviation(planted, reference):
    stats = tensor_stats(planted, key("offset"))
    assert stats.std == pytest.approx(reference[key("offset")].std(), rel=1e-6)


def test_bool_counts_true_and_false_in_two_bins(planted, reference):
    stats = tensor_stats(planted, key("flags"))
    values = reference[key("flags")]
    assert stats.kind is ValueKind.BOOL
    assert stats.true_count == np.count_nonzero(values) == 4
    assert stats.zeros == 2
    np.testing.assert_array_equal(stats.histogram.edges, [-0.5, 0.5, 1.5])
    np.testing.assert_array_equal(stats.histogram.counts, [2, 4])
    assert stats.mean == pytest.approx(4 / 6)
    assert stats.percentiles[50.0] == np.percentile(values.astype(float), 50)


@pytest.mark.parametrize("name", ["c64", "c128"])
def test_complex_is_summarised_by_its_magnitude(planted, reference, name):
    stats = tensor_stats(planted, key(name))
    magnitude = np.abs(reference[key(name)]).astype(np.float64)
    assert stats.kind is ValueKind.COMPLEX
    assert "magnitude" in stats.note
    assert stats.mean == pytest.approx(magnitude.mean(), rel=1e-6)
    assert stats.max == pytest.approx(magnitude.max(), rel=1e-6)
    counts, _ = np.histogram(magnitude, bins=stats.histogram.edges)
    np.testing.assert_array_equal(stats.histogram.counts, counts)


def test_strings_give_a_length_distribution_and_examples(planted, reference):
    stats = tensor_stats(planted, key("text"))
    lengths = np.array([len(v) for v in reference[key("text")]], dtype=float)
    assert stats.kind is ValueKind.STRING and stats.dtype == "string"
    assert stats.mean == pytest.approx(lengths.mean())
    assert (stats.min, stats.max, stats.zeros) == (0.0, 5.0, 1)
    counts, _ = np.histogram(lengths, bins=stats.histogram.edges)
    np.testing.assert_array_equal(stats.histogram.counts, counts)
    assert stats.string_examples == ("alpha", "", "über")


def test_scalar_and_empty_tensors_give_sensible_records(planted):
    scalar = tensor_stats(planted, key("scalar"))
    assert (scalar.shape, scalar.count, scalar.mean, scalar.min, scalar.max) == (
        (),
        1,
        3.5,
        3.5,
        3.5,
    )
    assert scalar.histogram.counts.sum() == 1
    for name in ("empty", "empty_text"):
        empty = tensor_stats(planted, key(name))
        assert empty.kind is ValueKind.EMPTY and empty.count == 0
        assert empty.histogram is None and empty.mean is None
        assert empty.to_json()["histogram"] is None


def test_clip_window_counts_what_it_leaves_out(planted, reference):
    options = HistogramOptions(bins=10, clip_percentiles=(5.0, 95.0))
    stats = tensor_stats(planted, key("special"), options)
    finite = finite64(reference[key("special")])
    low, high = np.percentile(finite, [5, 95])
    histogram = stats.histogram
    assert histogram.edges[0] == pytest.approx(low) and histogram.edges[-1] == pytest.approx(high)
    assert histogram.clipped_below == np.count_nonzero(finite < histogram.edges[0])
    assert histogram.clipped_above == np.count_nonzero(finite > histogram.edges[-1])
    counts, _ = np.histogram(finite, bins=histogram.edges)
    np.testing.assert_array_equal(histogram.counts, counts)
    assert histogram.counts.sum() + histogram.clipped_below + histogram.clipped_above == finite.size


def test_excluding_zeros_takes_them_out_of_their_bin_only(planted, reference):
    options = HistogramOptions(bins=12, include_zeros=False)
    stats = tensor_stats(planted, key("special"), options)
    finite = finite64(reference[key("special")])
    counts, _ = np.histogram(finite[finite != 0], bins=stats.histogram.edges)
    np.testing.assert_array_equal(stats.histogram.counts, counts)
    assert stats.histogram.excluded_zeros == stats.zeros == 7


def test_percentiles_of_large_tensors_come_from_a_sample():
    values = np.random.default_rng(3).standard_normal(300_000).astype(np.float32)
    stats = compute_tensor_stats(values, "big", exact_percentile_limit=1000)
    assert "sample" in stats.note
    exact = np.percentile(values, PERCENTILES)
    estimated = [stats.percentiles[float(q)] for q in PERCENTILES]
    # a stratified sample of 262,144 of 300,000 values: far inside 0.02 standard deviations
    np.testing.assert_allclose(estimated, exact, atol=0.02)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins", [1, 3, 64, 254, 255, 1000])
def test_binning_is_exactly_numpys_on_its_edges(dtype, bins):
    rng = np.random.default_rng(bins)
    samples = [
        rng.standard_normal(5001),
        np.round(rng.standard_normal(4000), 1),  # many values on or near edges
        1000.0 + rng.standard_normal(3000) * 1e-4,  # narrow range far from zero
        np.exp(rng.standard_normal(3000) * 6),  # heavy tail
    ]
    for sample in samples:
        values = sample.astype(dtype)
        binning = make_binning(float(values.min()), float(values.max()), bins, values.dtype)
        counter = Counter(binning)
        counter.add(values)
        expected, _ = np.histogram(values, bins=binning.edges)
        np.testing.assert_array_equal(counter.counts(), expected)
        assert np.all(np.diff(binning.edges) > 0)


def test_bad_options_are_one_sentence():
    with pytest.raises(InspectorError, match="bins"):
        compute_tensor_stats(np.ones(3), "k", HistogramOptions(bins=0))
    with pytest.raises(InspectorError, match="clip window"):
        compute_tensor_stats(np.ones(3), "k", HistogramOptions(clip_percentiles=(90.0, 10.0)))


def test_missing_variable_is_one_sentence_naming_it(planted):
    with pytest.raises(InspectorError, match="no_such_variable"):
        tensor_stats(planted, "no_such_variable")


@pytest.fixture(scope="module")
def formats(tmp_path_factory) -> dict[str, CheckpointRecord]:
    root = tmp_path_factory.mktemp("formats")
    paths = {
        "tf1": checkpoint_factory.write_tf1_saver(root / "tf1", partitioned=True),
        "sharded": checkpoint_factory.write_sharded(root / "sharded"),
        "keras3_h5": checkpoint_factory.write_keras3_weights_h5(root / "h5", inputs=16),
        "keras3_archive": checkpoint_factory.write_keras3_archive(root / "keras", inputs=16),
        "keras2_h5": checkpoint_factory.write_keras2_h5(root / "k2"),
    }
    records = {}
    for kind, path in paths.items():
        listing = discover(path)
        records[kind] = next(c for c in listing.checkpoints if c.prefix == listing.focus)
    return records


@pytest.mark.parametrize("kind", ["tf1", "sharded", "keras3_h5", "keras3_archive", "keras2_h5"])
def test_every_format_reads_the_same_values_as_the_reference_reader(formats, kind):
    from ckpt_inspector.core.tensor_values import read_tensor
    from ckpt_inspector.core.variables import list_checkpoint_variables

    record = formats[kind]
    variables = list_checkpoint_variables(record).variables
    with TensorReader(record) as reader:
        for variable in variables:
            if variable.dtype == "string":
                continue
            ours = reader.read(variable.key)
            np.testing.assert_array_equal(ours, read_tensor(record, variable.key))
            assert tensor_stats(record, variable.key).count == variable.size


def test_partitioned_variable_is_assembled(formats):
    stats = tensor_stats(formats["tf1"], "embedding")
    reference = tf.train.load_checkpoint(formats["tf1"].prefix).get_tensor("embedding")
    assert stats.shape == (9, 4)
    assert stats.mean == pytest.approx(reference.astype(np.float64).mean(), rel=1e-6)


def test_statistics_of_a_local_bundle_do_not_import_tensorflow(planted):
    code = (
        "import sys\n"
        "from ckpt_inspector.core.records import CheckpointRecord, CheckpointFormat\n"
        "from ckpt_inspector.worker.jobs import JOBS\n"
        f"record = CheckpointRecord(prefix={planted.prefix!r}, format=CheckpointFormat.TF2)\n"
        f"JOBS['tensor_stats'](record=record, key={key('special')!r})\n"
        "JOBS['heatmap'](record=record, key=" + repr(key("special")) + ")\n"
        "print('tensorflow' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("window", [(0.5, 99.5), (10.0, 90.0), (33.3, 33.4), (0.0, 100.0)])
def test_any_clip_window_is_exact_for_its_edges(window):
    values = np.random.default_rng(4).standard_normal(20_001).astype(np.float32)
    values[:50] = 0.0
    stats = compute_tensor_stats(values, "k", HistogramOptions(bins=40, clip_percentiles=window))
    histogram = stats.histogram
    low, high = histogram.edges[0], histogram.edges[-1]
    assert float(np.float32(low)) == low and float(np.float32(high)) == high  # representable
    np.testing.assert_array_equal(histogram.counts, np.histogram(values, histogram.edges)[0])
    assert histogram.clipped_below == np.count_nonzero(values < low)
    assert histogram.clipped_above == np.count_nonzero(values > high)
    expected_low, expected_high = np.percentile(values, window)
    assert low == pytest.approx(expected_low, abs=1e-6) and high == pytest.approx(
        expected_high, abs=1e-6
    )


def test_remote_paths_go_through_tensorflows_reader(planted):
    """``file://`` is served by tf.io.gfile, like ``gs://``: the pure reader is not used."""
    remote = CheckpointRecord(prefix="file://" + planted.prefix, format=planted.format)
    local = tensor_stats(planted, key("special"))
    through_tensorflow = tensor_stats(remote, key("special"))
    assert through_tensorflow.to_json() == local.to_json()
