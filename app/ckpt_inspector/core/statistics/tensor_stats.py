"""Statistics of one tensor: the fused passes behind the histogram panel and ``stats``.

For 10^8 float32 values (the 381 MiB benchmark tensor) the work is three passes over the
tensor's own memory, no copy of the tensor:

1. ``moments.scan``: NaN/±Inf/zero counts, min, max, sum and sum of squares;
2. ``histogram.count``: exact counts on edges spanning the finite range (or the clip window);
3. percentiles from a stratified sample (``percentiles``), which touches 2^18 values only.

The first two are compiled loops run on both cores (``kernels``): about 0.09 s in all, 0.37×
the time TensorFlow takes to read the tensor (``make bench``).

A centred fourth pass runs only when the mean dwarfs the spread (``Moments.variance``).
Statistics are over the finite values; ``mean``/``std``/``min``/``max`` are ``None`` when there
is none. How each dtype is summarised: bool by its counts (a 2-bin histogram), complex by the
magnitude |z|, strings by their lengths in bytes (with a few examples), an empty tensor by its
shape alone.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ckpt_inspector.core.dtype_names import numpy_dtype_name
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.statistics import histogram as histograms
from ckpt_inspector.core.statistics.binning import MAX_BINS
from ckpt_inspector.core.statistics.chunks import ChunkSource, magnitude_chunks, value_chunks
from ckpt_inspector.core.statistics.moments import Moments, centred_squares, scan
from ckpt_inspector.core.statistics.percentiles import (
    EXACT_LIMIT,
    PERCENTILES,
    from_unit_counts,
    percentiles,
)
from ckpt_inspector.core.statistics.reading import TensorReader
from ckpt_inspector.core.statistics.records import (
    Histogram,
    HistogramOptions,
    TensorStats,
    ValueKind,
)

STRING_EXAMPLES = 5
EXAMPLE_CHARS = 60


def check_options(options: HistogramOptions) -> None:
    """Refuse options the panel or the CLI should never send, in one sentence."""
    if not 1 <= options.bins <= MAX_BINS:
        raise InspectorError(f"The number of bins must be 1 to {MAX_BINS}, not {options.bins}.")
    clip = options.clip_percentiles
    if clip is not None and not 0.0 <= clip[0] < clip[1] <= 100.0:
        raise InspectorError(
            f"The clip window must be two percentiles 0 <= low < high <= 100, not {clip}."
        )


def value_kind(values: np.ndarray) -> ValueKind:
    """How ``values`` are summarised; raises for dtypes that hold no values (variant...)."""
    name = numpy_dtype_name(values.dtype)
    if values.size == 0:
        return ValueKind.EMPTY
    if name == "string":
        return ValueKind.STRING
    if values.dtype == np.bool_:
        return ValueKind.BOOL
    if values.dtype.kind == "c":
        return ValueKind.COMPLEX
    if values.dtype.kind in "iuf" or name.startswith(("float", "bfloat", "int", "uint")):
        return ValueKind.REAL
    raise InspectorError(f"Values of dtype {name} have no statistics; pick a numeric variable.")


def is_integer(values: np.ndarray) -> bool:
    name = numpy_dtype_name(values.dtype)
    return values.dtype.kind in "iu" or name.startswith(("int", "uint"))


def compute_tensor_stats(
    values: np.ndarray,
    key: str,
    options: HistogramOptions = HistogramOptions(),  # noqa: B008 - frozen, shared safely
    *,
    dtype: str | None = None,
    exact_percentile_limit: int = EXACT_LIMIT,
) -> TensorStats:
    """Statistics and histogram of ``values`` (any shape and dtype the readers return)."""
    check_options(options)
    values = np.asarray(values)
    dtype = dtype or numpy_dtype_name(values.dtype)
    shape = tuple(int(d) for d in values.shape)
    kind = value_kind(values)
    if kind is ValueKind.EMPTY:
        size = "×".join(map(str, shape))
        return TensorStats(key, dtype, shape, kind, 0, note=f"The tensor ({size}) is empty.")
    if kind is ValueKind.BOOL:
        return _bool_stats(values, key, dtype, shape, options)
    if kind is ValueKind.STRING:
        return _string_stats(values, key, shape, options)
    source = magnitude_chunks(values) if kind is ValueKind.COMPLEX else value_chunks(values)
    stats = summarise(
        source,
        key,
        dtype,
        shape,
        options,
        integers=is_integer(values),
        exact_percentile_limit=exact_percentile_limit,
    )
    if kind is ValueKind.COMPLEX:
        note = f"{dtype}: statistics of the magnitude |z|. {stats.note}".strip()
        return replace(stats, kind=kind, note=note)
    return stats


def summarise(
    source: ChunkSource,
    key: str,
    dtype: str,
    shape: tuple[int, ...],
    options: HistogramOptions,
    *,
    integers: bool = False,
    layout: histograms.Layout | None = None,
    window: tuple[float, float] | None = None,
    moments: Moments | None = None,
    exact_percentile_limit: int = EXACT_LIMIT,
) -> TensorStats:
    """The REAL-kind statistics of a chunk source.

    ``layout`` (with an optional clip ``window``) forces histogram edges shared with another
    tensor; otherwise they are chosen here from the options.
    """
    moments = moments if moments is not None else scan(source)
    clip = options.clip_percentiles
    wanted = PERCENTILES + (tuple(float(c) for c in clip) if clip else ())
    found: dict[float, float] = {}
    notes = []
    if layout is None and clip is not None:
        found, note = percentiles(source, moments, wanted, exact_limit=exact_percentile_limit)
        notes.append(note)
        window = histograms.clip_window(found, clip, source.work)
        low, high = window if window is not None else (moments.lo, moments.hi)
        layout = histograms.choose_binning(low, high, options, integers=integers, work=source.work)
    elif layout is None:
        layout = histograms.choose_binning(
            moments.lo, moments.hi, options, integers=integers, work=source.work
        )
    histogram = histograms.count(source, moments, layout, options, window)
    if not found:
        unit = _unit_counts(layout, histogram) if integers and window is None else None
        if unit is not None:
            found = from_unit_counts(unit[0], unit[1], PERCENTILES)
        else:
            found, note = percentiles(
                source, moments, PERCENTILES, exact_limit=exact_percentile_limit
            )
            notes.append(note)
    return _real_stats(source, moments, key, dtype, shape, histogram, found, " ".join(notes))


def _unit_counts(
    layout: histograms.Layout, histogram: Histogram
) -> tuple[float, np.ndarray] | None:
    """(first value, counts) when each bin holds one integer (``unit_binning``), zeros put back."""
    if not isinstance(layout, histograms.Binning) or layout.edges[0] != layout.lo - 0.5:
        return None
    counts = histogram.counts.copy()
    if histogram.excluded_zeros:
        counts[int(-(histogram.edges[0] + 0.5))] += histogram.excluded_zeros
    return float(histogram.edges[0] + 0.5), counts


def _real_stats(
    source: ChunkSource,
    moments: Moments,
    key: str,
    dtype: str,
    shape: tuple[int, ...],
    histogram: Histogram,
    found: dict[float, float],
    note: str,
) -> TensorStats:
    mean = std = max_abs = None
    if moments.finite and moments.lo is not None and moments.hi is not None:
        mean = moments.mean
        variance, recompute = moments.variance()
        if recompute and mean is not None:
            variance = centred_squares(source, moments, mean) / moments.finite
        std = math.sqrt(variance) if variance is not None and math.isfinite(variance) else None
        max_abs = max(abs(moments.lo), abs(moments.hi))
        found = {
            q: min(max(v, moments.lo), moments.hi) for q, v in found.items() if q in PERCENTILES
        }
    return TensorStats(
        key=key,
        dtype=dtype,
        shape=shape,
        kind=ValueKind.REAL,
        count=moments.size,
        mean=mean if mean is None or math.isfinite(mean) else None,
        std=std,
        min=moments.lo,
        max=moments.hi,
        max_abs=max_abs,
        l2_norm=math.sqrt(moments.squares) if moments.finite else None,
        zeros=moments.zeros,
        nan=moments.nan,
        posinf=moments.posinf,
        neginf=moments.neginf,
        percentiles=found,
        histogram=histogram,
        note=note.strip(),
    )


def _bool_stats(
    values: np.ndarray, key: str, dtype: str, shape: tuple[int, ...], options: HistogramOptions
) -> TensorStats:
    size = int(values.size)
    true = int(np.count_nonzero(values))
    false = size - true
    share = true / size
    counts = np.array([false, true], dtype=np.int64)
    excluded = 0
    if not options.include_zeros:
        excluded, counts[0] = false, 0
    return TensorStats(
        key=key,
        dtype=dtype,
        shape=shape,
        kind=ValueKind.BOOL,
        count=size,
        mean=share,
        std=math.sqrt(share * (1.0 - share)),
        min=0.0 if false else 1.0,
        max=1.0 if true else 0.0,
        max_abs=1.0 if true else 0.0,
        l2_norm=math.sqrt(true),
        zeros=false,
        percentiles=from_unit_counts(0.0, np.array([false, true])),
        histogram=Histogram(
            edges=np.array([-0.5, 0.5, 1.5]), counts=counts, excluded_zeros=excluded
        ),
        true_count=true,
        note="bool: False counts as 0 and True as 1.",
    )


def _text(item: object) -> str:
    raw = item if isinstance(item, bytes) else str(item).encode()
    text = raw.decode("utf-8", "backslashreplace")
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "…"


def _string_stats(
    values: np.ndarray, key: str, shape: tuple[int, ...], options: HistogramOptions
) -> TensorStats:
    flat = values.reshape(-1)
    lengths = np.fromiter(
        (len(v) if isinstance(v, bytes) else len(str(v).encode()) for v in flat),
        dtype=np.int64,
        count=flat.size,
    )
    stats = summarise(value_chunks(lengths), key, "string", shape, options, integers=True)
    examples = tuple(_text(v) for v in flat[:STRING_EXAMPLES])
    return replace(
        stats,
        kind=ValueKind.STRING,
        string_examples=examples,
        note=f"string: statistics of the element lengths in bytes. {stats.note}".strip(),
    )


def tensor_stats(
    record: CheckpointRecord,
    key: str,
    options: HistogramOptions = HistogramOptions(),  # noqa: B008 - frozen, shared safely
) -> TensorStats:
    """Read ``key`` from ``record`` (see ``reading``) and compute its statistics."""
    check_options(options)
    with TensorReader(record) as reader:
        values = reader.read(key)
    return compute_tensor_stats(values, key, options)
