"""The histogram pass: which edges to use, then one counting pass over the finite values.

Edges. By default the bins span the finite range ``[min, max]``; with a clip window they span
two percentiles and the values outside are counted as ``clipped_below``/``clipped_above``.
Integer tensors whose range has at most ``bins`` values get one bin per integer (edges at
half-integers), so a histogram of labels or counts has no empty or merged bars. A constant
tensor gets NumPy's default: ``bins`` bins over ``[value - 0.5, value + 0.5]``. A tensor
without a finite value gets zero counts over ``[0, 1]``, as ``np.histogram([])`` does.

Counts are exact for the edges we return (``binning`` explains how), so
``np.histogram(finite_values, edges)`` reproduces them; NaN and ±Inf never enter a bin. With
``include_zeros=False`` exact zeros are taken out of the bin that holds 0 and reported as
``excluded_zeros``; the edges stay those of all finite values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ckpt_inspector.core.statistics import kernels
from ckpt_inspector.core.statistics.binning import Binning, Counter, fold_guards, make_binning
from ckpt_inspector.core.statistics.chunks import ChunkSource
from ckpt_inspector.core.statistics.moments import Moments, finite_chunks
from ckpt_inspector.core.statistics.records import Histogram, HistogramOptions


def unit_binning(lo: int, hi: int, dtype: np.dtype) -> Binning:
    """One bin per integer in ``[lo, hi]``, edges at half-integers."""
    bins = hi - lo + 1
    dtype = np.dtype(dtype)
    edges = lo - 0.5 + np.arange(bins + 1, dtype=np.float64)
    return Binning(
        float(lo), float(hi), bins, dtype, dtype.type(lo - 1), dtype.type(1), edges, True
    )


@dataclass(frozen=True)
class Constant:
    """Every counted value equals ``value``: NumPy's ``[value - 0.5, value + 0.5]`` bins."""

    value: float
    edges: np.ndarray


def _constant(value: float, bins: int) -> Constant:
    pad = 0.5 if value - 0.5 != value else abs(value) * 2.0**-20
    return Constant(value, np.linspace(value - pad, value + pad, bins + 1))


Layout = Binning | Constant | None


def choose_binning(
    lo: float | None,
    hi: float | None,
    options: HistogramOptions,
    *,
    integers: bool,
    work: np.dtype,
) -> Layout:
    """How to bin ``[lo, hi]``: a ``Binning``, a ``Constant`` for one value, None for none."""
    if lo is None or hi is None:
        return None
    if lo == hi:
        return _constant(lo, options.bins)
    if integers and lo.is_integer() and hi.is_integer() and hi - lo < options.bins:
        return unit_binning(int(lo), int(hi), work)
    return make_binning(lo, hi, options.bins, work)


def count(
    source: ChunkSource,
    moments: Moments,
    layout: Layout,
    options: HistogramOptions,
    window: tuple[float, float] | None = None,
) -> Histogram:
    """Count the finite values of ``source`` into ``layout`` (from ``choose_binning``).

    ``window`` restricts the counted values to ``[low, high]`` (the clip window, or the shared
    range of a comparison that is wider than this tensor needs no window).
    """
    if layout is None:
        edges = np.linspace(0.0, 1.0, options.bins + 1)
        return Histogram(edges=edges, counts=np.zeros(options.bins, dtype=np.int64))
    below = above = 0
    if isinstance(layout, Constant):
        edges, value = layout.edges, layout.value
        inside = 0
        for values in finite_chunks(source, moments):
            if window is not None:
                below += int(np.count_nonzero(values < window[0]))
                above += int(np.count_nonzero(values > window[1]))
            inside += int(np.count_nonzero(values == values.dtype.type(value)))
        counts = np.zeros(edges.size - 1, dtype=np.int64)
        counts[_bin_of(edges, value)] = inside
    elif layout.exact_edges and layout.dtype == source.work and kernels.usable(source):
        edges = layout.edges
        low, high = _inner_bounds(window, source.work) if window else (-np.inf, np.inf)
        per_slot, below, above = kernels.count(source, layout, float(low), float(high))
        counts = fold_guards(per_slot)
    else:
        edges = layout.edges
        counter = Counter(layout)
        for values in finite_chunks(source, moments):
            if window is not None:
                low, high = _inner_bounds(window, values.dtype)
                below += int(np.count_nonzero(values < low))
                above += int(np.count_nonzero(values > high))
                values = values[(values >= low) & (values <= high)]
            counter.add(values)
        counts = counter.counts()
    excluded = 0
    if not options.include_zeros and moments.zeros and edges[0] <= 0.0 <= edges[-1]:
        zero_bin = _bin_of(edges, 0.0)
        excluded = min(moments.zeros, int(counts[zero_bin]))
        counts[zero_bin] -= excluded
    return Histogram(
        edges=np.asarray(edges, dtype=np.float64),
        counts=counts,
        clipped_below=below,
        clipped_above=above,
        excluded_zeros=excluded,
    )


def _bin_of(edges: np.ndarray, value: float) -> int:
    """The bin ``value`` falls in, as ``np.histogram`` decides (the last bin is closed)."""
    found = int(np.searchsorted(edges, value, side="right")) - 1
    return min(max(found, 0), edges.size - 2)


def _inner_bounds(window: tuple[float, float], dtype: np.dtype) -> tuple:
    """The smallest and largest ``dtype`` values inside ``window``, so that comparing in
    ``dtype`` (fast) selects exactly the values a float64 comparison would."""
    low, high = dtype.type(window[0]), dtype.type(window[1])
    if float(low) < window[0]:
        low = np.nextafter(low, dtype.type(np.inf))
    if float(high) > window[1]:
        high = np.nextafter(high, dtype.type(-np.inf))
    return low, high


def clip_window(
    percentile_values: dict[float, float], clip: tuple[float, float], work: np.dtype
) -> tuple[float, float] | None:
    """The value window of the clip percentiles, as values of the work dtype.

    Snapping the ends to representable values lets the binning place its first and last
    edge exactly on them. None when the percentiles were not computed (no finite value).
    """
    low, high = percentile_values.get(float(clip[0])), percentile_values.get(float(clip[1]))
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return None
    low, high = _inner_bounds((min(low, high), max(low, high)), np.dtype(work))
    return (float(low), float(high)) if low <= high else (float(high), float(high))
