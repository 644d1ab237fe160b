"""The first pass over a tensor: counts of the special values, range, sum and sum of squares.

Float32 and float64 tensors take the compiled pass (``kernels``) when it is built; what follows
describes the NumPy pass that serves the rest and stands in when it is not.

One pass over cache-sized chunks, four cheap ufunc/BLAS calls per chunk (min, max and two
dot products). A chunk whose min or max is not finite holds a NaN or an infinity (both
reductions propagate NaN); only such chunks pay for masks, and the pass remembers them so
later passes filter just those (``finite_chunks``). NaN and ±Inf are counted, never binned.

Precision. Chunk sums are float32 dot products (BLAS keeps many partial sums, so a 65,536-value
chunk loses about 1e-6 relative) accumulated in float64. Chunks with huge or tiny magnitudes
are summed in float64 instead, so squares cannot overflow or vanish. ``variance`` says when
``E[x^2] - mean^2`` would cancel too much and the caller should centre a second pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ckpt_inspector.core.statistics import kernels
from ckpt_inspector.core.statistics.binning import CHUNK
from ckpt_inspector.core.statistics.chunks import ChunkSource

# float32 squares overflow above ~1.8e19 and underflow below ~1e-19 (relative to 1).
_SAFE_FLOAT32 = (1e-17, 1e17)
# Above this share of E[x^2] taken by mean^2 the shortcut variance loses too many digits.
_CANCELLATION = 0.9


@dataclass(frozen=True)
class Moments:
    size: int
    nan: int
    posinf: int
    neginf: int
    zeros: int
    lo: float | None  # min of the finite values
    hi: float | None
    total: float  # sum of the finite values
    squares: float  # sum of their squares
    dirty: frozenset[int]  # starts of chunks holding NaN or Inf

    @property
    def finite(self) -> int:
        return self.size - self.nan - self.posinf - self.neginf

    @property
    def mean(self) -> float | None:
        return self.total / self.finite if self.finite else None

    @property
    def rms(self) -> float | None:
        return math.sqrt(self.squares / self.finite) if self.finite else None

    def variance(self) -> tuple[float | None, bool]:
        """(variance of the finite values, whether a centred pass should recompute it)."""
        if not self.finite or self.lo is None:
            return None, False
        if self.lo == self.hi:
            return 0.0, False
        mean_square = self.squares / self.finite
        mean = self.total / self.finite
        value = max(mean_square - mean * mean, 0.0)
        return value, mean * mean > _CANCELLATION * mean_square


def finite_part(chunk: np.ndarray, dirty: bool) -> np.ndarray:
    """The finite values of a chunk (the chunk itself when it has no NaN/Inf)."""
    return chunk[np.isfinite(chunk)] if dirty else chunk


def finite_chunks(source: ChunkSource, moments: Moments) -> Iterator[np.ndarray]:
    """Each chunk's finite values, filtering only the chunks the first pass found dirty."""
    for start, chunk in source:
        yield finite_part(chunk, start in moments.dirty)


def scan(source: ChunkSource) -> Moments:
    """Count NaN/±Inf/zeros and accumulate min, max, sum and sum of squares of finite values."""
    if kernels.usable(source):
        raw = kernels.scan(source)
        finite = math.isfinite(raw.lo)
        return Moments(
            size=source.size,
            nan=raw.nan,
            posinf=raw.posinf,
            neginf=raw.neginf,
            zeros=raw.zeros,
            lo=raw.lo if finite else None,
            hi=raw.hi if finite else None,
            total=raw.total,
            squares=raw.squares,
            dirty=raw.dirty,
        )
    return _numpy_scan(source)


def _numpy_scan(source: ChunkSource) -> Moments:
    nan = posinf = neginf = zeros = 0
    lo = hi = None
    total = squares = 0.0
    dirty: set[int] = set()
    ones = np.ones(min(source.size, CHUNK), dtype=source.work)
    for start, chunk in source:
        if chunk.size == 0:
            continue
        low, high = chunk.min(), chunk.max()
        if not (np.isfinite(low) and np.isfinite(high)):
            dirty.add(start)
            nan_here = int(np.count_nonzero(np.isnan(chunk)))
            pos_here = int(np.count_nonzero(chunk == np.inf))
            neg_here = int(np.count_nonzero(chunk == -np.inf))
            nan, posinf, neginf = nan + nan_here, posinf + pos_here, neginf + neg_here
            if nan_here + pos_here + neg_here == chunk.size:
                continue
            chunk = chunk[np.isfinite(chunk)]
            low, high = chunk.min(), chunk.max()
        low, high = float(low), float(high)
        lo = low if lo is None or low < lo else lo
        hi = high if hi is None or high > hi else hi
        if low <= 0.0 <= high:
            zeros += int(np.count_nonzero(chunk == 0))
        chunk_total, chunk_squares = _sums(chunk, max(-low, high), ones)
        total += chunk_total
        squares += chunk_squares
    return Moments(
        size=source.size,
        nan=nan,
        posinf=posinf,
        neginf=neginf,
        zeros=zeros,
        lo=lo,
        hi=hi,
        total=total,
        squares=squares,
        dirty=frozenset(dirty),
    )


def _sums(chunk: np.ndarray, magnitude: float, ones: np.ndarray) -> tuple[float, float]:
    """Sum and sum of squares of a finite chunk, in float64 where float32 would misbehave."""
    if chunk.dtype == np.float32 and not (
        magnitude == 0.0 or _SAFE_FLOAT32[0] < magnitude < _SAFE_FLOAT32[1]
    ):
        chunk = chunk.astype(np.float64)
    if chunk.dtype == np.float64 and magnitude > 1e150:
        with np.errstate(over="ignore"):
            return float(chunk.sum()), float(np.dot(chunk, chunk))
    unit = ones[: chunk.size] if ones.dtype == chunk.dtype else np.ones_like(chunk)
    return float(np.dot(chunk, unit)), float(np.dot(chunk, chunk))


def centred_squares(source: ChunkSource, moments: Moments, center: float) -> float:
    """Sum of squared deviations from ``center``: the accurate second pass for the variance."""
    out = 0.0
    scratch = np.empty(min(source.size, CHUNK), dtype=source.work)
    with np.errstate(over="ignore"):
        for values in finite_chunks(source, moments):
            deviation = np.subtract(values, values.dtype.type(center), out=scratch[: values.size])
            out += float(np.dot(deviation, deviation))
    return out
