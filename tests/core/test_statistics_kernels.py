"""The compiled scan and count passes against NumPy and against the NumPy passes they replace.

The arrays are large enough to be cut into pieces for two threads, and NaN/±Inf are planted
on chunk and block boundaries, on both sides of each cut and at both ends, where an
off-by-one would show.
"""

from __future__ import annotations

import numpy as np
import pytest

from ckpt_inspector.core.statistics import kernels
from ckpt_inspector.core.statistics.binning import CHUNK, make_binning
from ckpt_inspector.core.statistics.chunks import value_chunks
from ckpt_inspector.core.statistics.moments import scan
from ckpt_inspector.core.statistics.records import HistogramOptions
from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats

# > kernels.THREADED_SIZE and > two kernels.PIECE, not a multiple of a chunk or block
SIZE = 150 * CHUNK + 1234


def test_the_compiled_passes_are_built():
    """``make`` builds the extension; without it everything still works, twice as slowly."""
    assert kernels.native is not None
    assert SIZE > kernels.THREADED_SIZE


def planted(dtype: type, scale: float = 1.0) -> tuple[np.ndarray, list[int]]:
    values = (np.random.default_rng(11).standard_normal(SIZE) * scale).astype(dtype)
    cuts = kernels.piece_starts(SIZE)[1:]  # where the threads' pieces meet
    assert cuts
    special = [0, 1023, 1024, CHUNK - 1, CHUNK, SIZE - 1]
    special += [p for cut in cuts for p in (cut - 1, cut)]
    for i, position in enumerate(special):
        values[position] = (np.nan, np.inf, -np.inf)[i % 3]
    values[5000:5100] = 0.0
    return values, special


def numpy_passes(monkeypatch):
    monkeypatch.setattr(kernels, "native", None)


@pytest.mark.parametrize(
    ("dtype", "scale"),
    [
        (np.float32, 1.0),
        (np.float64, 1.0),
        (np.float32, 1e30),  # float32 squares would overflow: those blocks are summed in double
        (np.float32, 1e-30),  # ... or vanish
        (np.float64, 1e200),
    ],
)
def test_scan_counts_and_sums_like_numpy(dtype, scale, monkeypatch):
    values, special = planted(dtype, scale)
    compiled = scan(value_chunks(values))
    finite = values[np.isfinite(values)].astype(np.float64)
    assert compiled.nan == np.count_nonzero(np.isnan(values))
    assert compiled.posinf == np.count_nonzero(values == np.inf)
    assert compiled.neginf == np.count_nonzero(values == -np.inf)
    assert compiled.zeros == np.count_nonzero(values == 0)
    assert (compiled.lo, compiled.hi) == (finite.min(), finite.max())
    assert compiled.total == pytest.approx(finite.sum(), rel=1e-6, abs=1e-6 * np.abs(finite).sum())
    with np.errstate(over="ignore"):
        assert compiled.squares == pytest.approx(np.sum(finite * finite), rel=1e-6)
    assert compiled.dirty == frozenset((p // CHUNK) * CHUNK for p in special)
    numpy_passes(monkeypatch)
    reference = scan(value_chunks(values))
    assert compiled.dirty == reference.dirty
    assert (compiled.nan, compiled.posinf, compiled.neginf, compiled.zeros) == (
        reference.nan,
        reference.posinf,
        reference.neginf,
        reference.zeros,
    )


def test_no_finite_value_leaves_the_range_empty():
    values = np.full(SIZE, np.nan, dtype=np.float32)
    values[::7] = -np.inf
    moments = scan(value_chunks(values))
    assert moments.lo is None and moments.hi is None and moments.finite == 0
    assert moments.neginf == values[::7].size and moments.nan == SIZE - moments.neginf


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins", [1, 7, 64, 1000, 16_384])
def test_counts_are_exactly_numpys_on_the_published_edges(dtype, bins, monkeypatch):
    values, _ = planted(dtype)
    values[100:2000] = np.round(values[100:2000], 1)  # many values on or near edges
    stats = compute_tensor_stats(values, "k", HistogramOptions(bins=bins))
    finite = values[np.isfinite(values)]
    expected, _ = np.histogram(finite, bins=stats.histogram.edges)
    np.testing.assert_array_equal(stats.histogram.counts, expected)
    numpy_passes(monkeypatch)
    reference = compute_tensor_stats(values, "k", HistogramOptions(bins=bins))
    np.testing.assert_array_equal(reference.histogram.edges, stats.histogram.edges)
    np.testing.assert_array_equal(reference.histogram.counts, stats.histogram.counts)


def test_a_clip_window_counts_what_it_leaves_out(monkeypatch):
    values, _ = planted(np.float32)
    options = HistogramOptions(bins=50, clip_percentiles=(2.0, 97.0))
    stats = compute_tensor_stats(values, "k", options)
    histogram = stats.histogram
    low, high = histogram.edges[0], histogram.edges[-1]
    finite = values[np.isfinite(values)]
    assert histogram.clipped_below == np.count_nonzero(finite < low) > 0
    assert histogram.clipped_above == np.count_nonzero(finite > high) > 0
    np.testing.assert_array_equal(histogram.counts, np.histogram(finite, histogram.edges)[0])
    numpy_passes(monkeypatch)
    reference = compute_tensor_stats(values, "k", options).histogram
    assert (reference.clipped_below, reference.clipped_above) == (
        histogram.clipped_below,
        histogram.clipped_above,
    )
    np.testing.assert_array_equal(reference.counts, histogram.counts)


def test_converted_dtypes_go_through_the_kernels_chunk_by_chunk():
    """int32 is served as float64 chunks of one shared buffer: no threads, same counts."""
    values = np.random.default_rng(5).integers(-(10**6), 10**6, SIZE, dtype=np.int32)
    source = value_chunks(values)
    assert source.whole is None and kernels.usable(source)
    stats = compute_tensor_stats(values, "k", HistogramOptions(bins=33))
    assert (stats.min, stats.max) == (values.min(), values.max())
    assert stats.mean == pytest.approx(values.mean(dtype=np.float64), rel=1e-9)
    expected, _ = np.histogram(values, bins=stats.histogram.edges)
    np.testing.assert_array_equal(stats.histogram.counts, expected)


def test_the_kernels_refuse_arrays_they_cannot_read():
    flags = np.zeros(4, dtype=np.uint8)
    with pytest.raises(TypeError, match="float32 or float64"):
        kernels.native.scan(np.zeros(10, dtype=np.int32), CHUNK, flags)
    with pytest.raises(TypeError, match="float32 or float64"):
        kernels.native.scan(np.zeros((4, 4), dtype=np.float32)[:, 0], CHUNK, flags)
    with pytest.raises(ValueError, match="multiple of 1024"):
        kernels.native.scan(np.zeros(10, dtype=np.float32), 1000, flags)
    binning = make_binning(0.0, 1.0, 4, np.dtype(np.float32))
    with pytest.raises(ValueError, match="one int64 per slot"):
        kernels.native.count(
            np.zeros(10, dtype=np.float32), 0.0, 1.0, binning.slots, 0.0, 1.0, np.zeros(2)
        )
