"""A tensor's values as cache-sized chunks in one float work dtype, without copying the tensor.

Every statistic is computed chunk by chunk (``binning.CHUNK`` elements), so a chunk and its
temporaries stay in the L2 cache while several ufuncs pass over it, and memory stays bounded
by the tensor itself plus a few chunk buffers. A float32 tensor is served as views of its own
memory; other dtypes are converted chunk by chunk into one reused buffer (float16, bfloat16 and
small integers are exact in float32; ``binning.work_dtype``). Complex tensors are served as
their magnitude and a comparison as ``b - a``, again one chunk at a time.

A chunk returned by ``chunk`` may be that shared buffer: use it before asking for the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ckpt_inspector.core.statistics.binning import CHUNK, work_dtype

Produce = Callable[[int, int, np.ndarray], np.ndarray]
Gather = Callable[[np.ndarray], np.ndarray]


class ChunkSource:
    """``size`` values in work dtype ``work``, produced per ``[start, stop)`` range.

    ``gather`` returns the values at given flat positions (a percentile sample) directly,
    without producing the chunks around them. ``whole`` is the flat array itself when it is
    already in the work dtype, so a pass may take it in larger pieces (``kernels``).
    """

    def __init__(
        self,
        size: int,
        work: np.dtype,
        produce: Produce,
        gather: Gather,
        whole: np.ndarray | None = None,
    ) -> None:
        self.size = size
        self.work = np.dtype(work)
        self.whole = whole
        self._produce = produce
        self._gather = gather
        self._buffer = np.empty(min(size, CHUNK), dtype=self.work)

    def starts(self) -> range:
        return range(0, self.size, CHUNK)

    def chunk(self, start: int) -> np.ndarray:
        stop = min(start + CHUNK, self.size)
        return self._produce(start, stop, self._buffer[: stop - start])

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        for start in self.starts():
            yield start, self.chunk(start)

    def take(self, indices: np.ndarray) -> np.ndarray:
        """The values at flat ``indices`` as a new work-dtype array (e.g. a percentile sample)."""
        out = np.empty(indices.size, dtype=self.work)
        with np.errstate(over="ignore", invalid="ignore"):
            np.copyto(out, self._gather(indices), casting="unsafe")
        return out


def _flat(values: np.ndarray) -> np.ndarray:
    """A 1-D view (a copy only for the rare non-contiguous input)."""
    return np.ascontiguousarray(values).reshape(-1)


def value_chunks(values: np.ndarray) -> ChunkSource:
    """Real values (floats of any width, integers, bools) as work-dtype chunks."""
    flat = _flat(values)
    work = work_dtype(flat.dtype)
    gather = flat.__getitem__
    if flat.dtype == work:
        return ChunkSource(
            flat.size, work, lambda start, stop, _out: flat[start:stop], gather, whole=flat
        )

    def convert(start: int, stop: int, out: np.ndarray) -> np.ndarray:
        np.copyto(out, flat[start:stop], casting="unsafe")
        return out

    return ChunkSource(flat.size, work, convert, gather)


def magnitude_chunks(values: np.ndarray) -> ChunkSource:
    """|z| of a complex tensor (float32 for complex64, float64 for complex128)."""
    flat = _flat(values)
    work = np.dtype(np.float32 if flat.dtype == np.complex64 else np.float64)

    def magnitude(start: int, stop: int, out: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            np.abs(flat[start:stop], out=out)
        return out

    return ChunkSource(flat.size, work, magnitude, lambda at: np.abs(flat[at]))


def difference_chunks(a: np.ndarray, b: np.ndarray) -> ChunkSource:
    """``b - a`` element by element (same shape and dtype), in the work dtype of the inputs.

    Complex inputs give the magnitude of the difference. Inf - Inf is NaN, and counted so.
    """
    flat_a, flat_b = _flat(a), _flat(b)
    if flat_a.dtype.kind == "c":
        work = np.dtype(np.float32 if flat_a.dtype == np.complex64 else np.float64)

        def complex_difference(start: int, stop: int, out: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore", invalid="ignore"):
                np.abs(flat_b[start:stop] - flat_a[start:stop], out=out)
            return out

        return ChunkSource(
            flat_a.size, work, complex_difference, lambda at: np.abs(flat_b[at] - flat_a[at])
        )
    work = work_dtype(flat_a.dtype)
    if flat_a.dtype.kind == "b":
        flat_a, flat_b = flat_a.view(np.uint8), flat_b.view(np.uint8)

    def difference(start: int, stop: int, out: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            np.subtract(flat_b[start:stop], flat_a[start:stop], out=out, dtype=work)
        return out

    def gather(at: np.ndarray) -> np.ndarray:
        return np.subtract(flat_b[at], flat_a[at], dtype=work)

    return ChunkSource(flat_a.size, work, difference, gather)
