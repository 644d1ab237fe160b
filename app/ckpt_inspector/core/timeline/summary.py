"""The NumPy passes over one tensor that a timeline column needs, chunk by chunk.

``summarise`` gives the statistics of a tensor (L2 norm, mean, std and max |x| of its finite
values, and the count of NaN/±Inf) with ``moments.scan``, plus a digest of its bytes: CRC-32C
(the checksum TensorFlow itself stores per tensor, computed 1 MiB at a time by google-crc32c's
C extension in a fraction of the read's time). Digests let a later run tell that two saves of
a variable are the same without reading either again; equal digests are confirmed byte for
byte whenever both tensors are in memory.

``difference_norm`` is ||b - a|| over the finite differences, computed one cache-sized chunk
at a time (``chunks.difference_chunks``), never as a whole array. The relative change is that
divided by ||a||, the norm of the previous checkpoint's finite values, as the compare tab does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ckpt_inspector.core.bundle.sstable import crc32c
from ckpt_inspector.core.dtype_names import numpy_dtype_name
from ckpt_inspector.core.statistics.chunks import difference_chunks, value_chunks
from ckpt_inspector.core.statistics.moments import centred_squares, finite_part, scan

_DIGEST_BYTES = 1 << 20


@dataclass(frozen=True)
class TensorSummary:
    dtype: str
    shape: tuple[int, ...]
    norm: float | None
    mean: float | None
    std: float | None
    max_abs: float | None
    nonfinite: int
    digest: str

    def to_cache(self) -> dict:
        return {
            "dtype": self.dtype,
            "shape": list(self.shape),
            "norm": self.norm,
            "mean": self.mean,
            "std": self.std,
            "max_abs": self.max_abs,
            "nonfinite": self.nonfinite,
            "digest": self.digest,
        }

    @classmethod
    def from_cache(cls, data: dict) -> TensorSummary:
        return cls(
            dtype=str(data["dtype"]),
            shape=tuple(int(d) for d in data["shape"]),
            norm=_optional(data["norm"]),
            mean=_optional(data["mean"]),
            std=_optional(data["std"]),
            max_abs=_optional(data["max_abs"]),
            nonfinite=int(data["nonfinite"]),
            digest=str(data["digest"]),
        )


def _optional(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def is_followed_dtype(dtype: str) -> bool:
    """Whether a variable of this dtype (as ``list_variables`` names it) gets a timeline row:
    real numbers; bool, complex and strings have no norm worth plotting."""
    return dtype.startswith(("float", "bfloat", "half", "double", "int", "uint"))


def _flat(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).reshape(-1)


def digest(values: np.ndarray) -> str:
    """CRC-32C of the tensor's bytes, with its dtype and shape (equal digests, same layout)."""
    raw = _flat(values).view(np.uint8)
    crc = 0
    for start in range(0, raw.size, _DIGEST_BYTES):
        # google-crc32c takes only bytes: copy a slice at a time, never the whole tensor.
        crc = crc32c(raw[start : start + _DIGEST_BYTES].tobytes(), crc)
    dims = "x".join(map(str, values.shape))
    return f"{numpy_dtype_name(values.dtype)}:{dims}:{crc:08x}"


def summarise(values: np.ndarray) -> TensorSummary:
    """Statistics of the finite values of a real tensor, and its digest."""
    values = np.asarray(values)
    if not is_followed_dtype(numpy_dtype_name(values.dtype)):
        raise ValueError(f"a timeline follows real numbers, not {values.dtype}")
    source = value_chunks(values)
    moments = scan(source)
    finite = moments.finite
    norm = mean = std = max_abs = None
    if finite and moments.lo is not None and moments.hi is not None:
        norm = math.sqrt(moments.squares)
        mean = moments.total / finite
        variance, cancels = moments.variance()
        if cancels:
            variance = centred_squares(source, moments, mean) / finite
        std = math.sqrt(variance) if variance is not None else None
        max_abs = max(abs(moments.lo), abs(moments.hi))
    return TensorSummary(
        dtype=numpy_dtype_name(values.dtype),
        shape=tuple(int(d) for d in values.shape),
        norm=norm,
        mean=mean,
        std=std,
        max_abs=max_abs,
        nonfinite=moments.nan + moments.posinf + moments.neginf,
        digest=digest(values),
    )


def same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit equal (NaN payloads included), without copying either tensor."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return bool(np.array_equal(_flat(a).view(np.uint8), _flat(b).view(np.uint8)))


def difference_norm(a: np.ndarray, b: np.ndarray) -> float:
    """||b - a|| over the elements where the difference is finite."""
    source = difference_chunks(a, b)
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for _start, chunk in source:
            squares = float(np.dot(chunk, chunk))
            if not math.isfinite(squares):
                # NaN/Inf in the chunk, or squares beyond float32: filter, then sum in float64.
                kept = finite_part(chunk, True).astype(np.float64)
                squares = float(np.dot(kept, kept))
            total += squares
    return math.sqrt(total)


def relative_change(
    previous: TensorSummary, current: TensorSummary, difference: float | None
) -> float | None:
    """``difference / ||previous||``; None without a comparable previous value or when its
    norm is 0 (a zero-initialised bias before its first step)."""
    if difference is None or not previous.norm:
        return None
    value = difference / previous.norm
    return value if math.isfinite(value) else None


def comparable(previous: TensorSummary | None, current: TensorSummary | None) -> bool:
    return (
        previous is not None
        and current is not None
        and previous.shape == current.shape
        and previous.dtype == current.dtype
    )
