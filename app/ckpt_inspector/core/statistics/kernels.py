"""The compiled scan and count passes (``_kernels.c``), run on both cores.

Why: with NumPy the scan (four reductions per cache-sized chunk) and the counts (one
``np.bincount`` per chunk, holding the GIL) together take about as long as TensorFlow takes to
read the tensor; the issue's target is half of that. The C loops read the memory once per
pass and release the GIL, so a tensor already in the work dtype is cut at chunk boundaries into
pieces of ``PIECE`` values that two threads take from one queue. Pieces rather than halves:
when one core runs slower (a busy hyperthread sibling, an efficiency core, a noisy host; seen
here as one of two threads taking twice as long in some processes), the other takes more of
them instead of waiting. Measured on 10^8 float32 values (2 cores): scan 0.03 s, counts
0.045 s, against 0.07 s and 0.13 s with NumPy.

The extension is optional (``pyproject.toml`` builds it with ``optional = true``): where it
could not be compiled, ``native`` is None and ``moments``/``histogram`` keep their NumPy
passes, which give the same counts and, up to float rounding, the same sums. The tests run
both.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import TypeVar

import numpy as np

from ckpt_inspector.core.statistics.binning import CHUNK, Binning
from ckpt_inspector.core.statistics.chunks import ChunkSource


def _load() -> ModuleType | None:
    try:
        from ckpt_inspector.core.statistics import _kernels
    except ImportError:
        return None
    return _kernels


native: ModuleType | None = _load()

# Below this many values one thread is quicker than handing half of them to another.
THREADED_SIZE = 1 << 20
# Values per piece handed to a thread: 64 chunks (16 MiB of float32), a few milliseconds each.
PIECE = 64 * CHUNK
_WORKERS = max(1, min(2, os.cpu_count() or 1))
_pool: ThreadPoolExecutor | None = None

Result = TypeVar("Result")


@dataclass(frozen=True)
class RawMoments:
    """What one scan returns; ``lo``/``hi`` are ±inf when no value was finite."""

    nan: int
    posinf: int
    neginf: int
    zeros: int
    lo: float
    hi: float
    total: float
    squares: float
    dirty: frozenset[int]  # starts (flat positions) of the chunks holding NaN or Inf

    def __add__(self, other: RawMoments) -> RawMoments:
        return RawMoments(
            self.nan + other.nan,
            self.posinf + other.posinf,
            self.neginf + other.neginf,
            self.zeros + other.zeros,
            min(self.lo, other.lo),
            max(self.hi, other.hi),
            self.total + other.total,
            self.squares + other.squares,
            self.dirty | other.dirty,
        )


def usable(source: ChunkSource) -> bool:
    """Whether the compiled passes can serve ``source`` (float32/float64 work dtype)."""
    return native is not None and source.work in (np.float32, np.float64)


def _parts(source: ChunkSource) -> list[tuple[int, np.ndarray]] | Iterator[tuple[int, np.ndarray]]:
    """(start, values) pieces of ``source``: a list of the whole array's pieces
    (``piece_starts``), else its chunks as they are produced (they share one buffer)."""
    whole = source.whole
    if whole is None:
        return iter(source)
    starts = piece_starts(whole.size)
    return [
        (start, whole[start:stop])
        for start, stop in zip(starts, [*starts[1:], whole.size], strict=True)
    ]


def piece_starts(size: int) -> list[int]:
    """Where the pieces of a whole array of ``size`` values start (one piece when small)."""
    if size < THREADED_SIZE or _WORKERS == 1:
        return [0]
    piece = min(PIECE, -(-size // 2 // CHUNK) * CHUNK)
    return list(range(0, size, piece))


def _map(function: Callable[[tuple[int, np.ndarray]], Result], source: ChunkSource) -> list[Result]:
    """``function`` over ``_parts(source)``: several pieces of a whole array in two threads,
    anything else in this thread, one after the other."""
    global _pool
    parts = _parts(source)
    if not isinstance(parts, list) or len(parts) == 1:
        return [function(part) for part in parts]
    if _pool is None:
        _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="statistics")
    return list(_pool.map(function, parts))


def scan(source: ChunkSource) -> RawMoments:
    """Counts of NaN/±Inf/zeros and min, max, sum, sum of squares of the finite values."""
    assert native is not None

    def one(part: tuple[int, np.ndarray]) -> RawMoments:
        start, values = part
        flags = np.zeros(-(-values.size // CHUNK), dtype=np.uint8)
        found = native.scan(values, CHUNK, flags)
        dirty = frozenset(start + int(i) * CHUNK for i in np.flatnonzero(flags))
        return RawMoments(*found, dirty=dirty)

    return functools.reduce(operator.add, _map(one, source))


def count(
    source: ChunkSource, binning: Binning, low: float, high: float
) -> tuple[np.ndarray, int, int]:
    """(counts per slot of ``binning``, values below ``low``, values above ``high``).

    NaN and infinities are skipped; ``low``/``high`` are values of the work dtype (±inf for
    no window) and every counted value lies in ``[binning.lo, binning.hi]``.
    """
    assert native is not None

    def one(part: tuple[int, np.ndarray]) -> tuple[np.ndarray, int, int]:
        counts = np.zeros(binning.slots, dtype=np.int64)
        below, above = native.count(
            part[1], float(binning.base), float(binning.scale), binning.slots, low, high, counts
        )
        return counts, below, above

    results = _map(one, source)
    counts = np.sum([r[0] for r in results], axis=0)
    return counts, sum(r[1] for r in results), sum(r[2] for r in results)
