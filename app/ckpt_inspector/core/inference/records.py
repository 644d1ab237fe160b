"""Plain data for inference: what the model expects, where inputs come from, what came out.

Everything here crosses the worker pipe, so it holds NumPy arrays and numbers, never tensors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ckpt_inspector.core.statistics.records import TensorStats

# The random input distributions (``InputSource.distribution``).
DISTRIBUTIONS = ("normal", "uniform", "zeros", "ones", "integers")

# Above this many elements ``to_json`` leaves the values out (``--save`` writes them).
JSON_VALUES_LIMIT = 10_000


@dataclass(frozen=True)
class InputSpec:
    """One input of the model's signature; ``None`` dimensions are free (the batch, usually)."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str = "float32"

    def concrete_shape(self, batch: int) -> tuple[int, ...]:
        """The batch dimension (the first free one) set to ``batch``, other free ones to 1."""
        dims = list(self.shape)
        if dims and dims[0] is None:
            dims[0] = batch
        return tuple(1 if d is None else int(d) for d in dims)


@dataclass(frozen=True)
class InputSource:
    """How to make input values. ``kind`` is ``random`` (``distribution`` normal, uniform,
    zeros, ones or integers in [``low``, ``high``)), ``file`` (``path`` to .npy, .npz, .csv or
    an image) or ``values`` (``arrays`` given directly, e.g. typed into the window's table or an
    image the window decoded with Qt)."""

    kind: str = "random"
    distribution: str = "normal"
    seed: int = 0
    low: float = 0.0
    high: float = 1.0
    path: str | None = None
    arrays: tuple[tuple[str, np.ndarray], ...] = ()
    batch: int = 1

    def describe(self) -> str:
        if self.kind == "random":
            if self.distribution in {"zeros", "ones"}:
                return self.distribution
            if self.distribution == "integers":
                return f"random integers [{self.low:g}, {self.high:g}) seed {self.seed}"
            if self.distribution == "uniform":
                return f"random uniform [{self.low:g}, {self.high:g}) seed {self.seed}"
            return f"random normal seed {self.seed}"
        if self.kind == "file":
            return f"file {self.path}"
        return "values given"


@dataclass(frozen=True)
class PreparedInput:
    name: str
    values: np.ndarray
    source: str  # how it was made, for the report and the copied script
    note: str = ""  # e.g. the preprocessing an image went through

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "shape": list(self.values.shape),
            "dtype": _dtype(self.values),
            "source": self.source,
        }


@dataclass(frozen=True)
class OutputRecord:
    name: str
    values: np.ndarray
    stats: TensorStats | None = None
    # max |output - output of the same architecture with fresh weights|: 0 means the checkpoint
    # made no difference to this output.
    fresh_max_abs_diff: float | None = None
    # max |output - output with the second checkpoint's weights| (the A/B comparison).
    other_max_abs_diff: float | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    def to_json(self, values_limit: int = JSON_VALUES_LIMIT) -> dict:
        out: dict = {"name": self.name, "shape": list(self.shape), "dtype": _dtype(self.values)}
        out["values"] = self.values.tolist() if self.values.size <= values_limit else None
        if self.fresh_max_abs_diff is not None:
            out["fresh_weights_max_abs_diff"] = self.fresh_max_abs_diff
        if self.other_max_abs_diff is not None:
            out["other_checkpoint_max_abs_diff"] = self.other_max_abs_diff
        return out


@dataclass(frozen=True)
class Timings:
    restore_ms: float
    first_call_ms: float
    median_call_ms: float
    calls: int  # how many repeated calls the median is over

    def to_json(self) -> dict:
        return {
            "restore": self.restore_ms,
            "first_call": self.first_call_ms,
            "median_call": self.median_call_ms,
        }


@dataclass(frozen=True)
class InferenceResult:
    checkpoint: str
    architecture: str  # what ran: the spec's description, a signature, a graph
    restored: int
    of: int
    inputs: tuple[PreparedInput, ...]
    outputs: tuple[OutputRecord, ...]
    timings: Timings
    script: str = ""  # "Copy as Python": a runnable reproduction
    notes: tuple[str, ...] = field(default=())

    @property
    def partial(self) -> bool:
        return self.restored < self.of

    def restore_sentence(self) -> str:
        if not self.partial:
            return f"Restored all {self.of} variables."
        return (
            f"Partial restore: {self.restored} of {self.of} variables were restored; the others "
            "keep their initial values, so the outputs below are not the trained model's."
        )

    def to_json(self, values_limit: int = JSON_VALUES_LIMIT) -> dict:
        return {
            "restored": {"variables": self.restored, "of": self.of},
            "architecture": self.architecture,
            "checkpoint": self.checkpoint,
            "inputs": [i.to_json() for i in self.inputs],
            "outputs": [o.to_json(values_limit) for o in self.outputs],
            "timings_ms": self.timings.to_json(),
            "notes": list(self.notes),
        }


def _dtype(values: np.ndarray) -> str:
    from ckpt_inspector.core.dtype_names import numpy_dtype_name

    return numpy_dtype_name(values.dtype)
