"""The timeline job: every followed variable of every checkpoint of a run, in training order.

Memory. The loop runs over variables outside and checkpoints inside: for one variable it reads
checkpoint 1, 2, ... N in order and keeps only the previous checkpoint's tensor of that
variable, which the next relative change needs. At most two tensors of one variable are in
memory, so the peak is about twice the largest tensor, whatever the number of checkpoints or
the model's size. (Checkpoints outside and variables inside would read each file in order but
must keep the whole previous checkpoint for the changes, i.e. the model's size.) Each
checkpoint's index is decoded once and its reader stays open for the whole job.

Each tensor is read once on a first run. With the cache (``cache.py``), a checkpoint whose
entry is valid costs no read; a new checkpoint at the end costs its own tensors plus those of
the previous checkpoint that the change needs, unless the digests show the pair is identical.

A generator job (``core.progress``): it yields before every tensor it reads, so the worker can
report progress and cancel there; results finished before a cancel are still cached (the
``finally`` writes them).
"""

from __future__ import annotations

import difflib
from collections.abc import Generator, Sequence
from contextlib import ExitStack

import numpy as np

from ckpt_inspector.core import fs
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.errors import InspectorError, NotFoundError
from ckpt_inspector.core.progress import Progress
from ckpt_inspector.core.records import CheckpointRecord, VariableRecord, VariableRole
from ckpt_inspector.core.statistics.reading import TensorReader
from ckpt_inspector.core.timeline.cache import CacheEntry, Change, TimelineCache, identity
from ckpt_inspector.core.timeline.findings import judge
from ckpt_inspector.core.timeline.ordering import counter_keys, order_checkpoints
from ckpt_inspector.core.timeline.records import Timeline, TimelineCheckpoint, VariableSeries
from ckpt_inspector.core.timeline.summary import (
    TensorSummary,
    difference_norm,
    is_followed_dtype,
    relative_change,
    same_bytes,
    summarise,
)
from ckpt_inspector.core.variables import list_checkpoint_variables

_PROGRESS_EVERY = 64  # pairs processed from the cache between two progress reports


def run_records(
    records: Sequence[CheckpointRecord], folder: str | None = None
) -> tuple[list[CheckpointRecord], list[str]]:
    """The checkpoints of one run: the complete ones of ``folder``, else of the sub-folder that
    holds the most checkpoints; notes say what was left out."""
    notes = []
    complete = [r for r in records if r.complete]
    for record in records:
        if not record.complete:
            notes.append(f"{record.name} is left out: {record.problem or 'it is incomplete'}")
    by_folder: dict[str, list[CheckpointRecord]] = {}
    for record in complete:
        by_folder.setdefault(fs.dirname(record.prefix), []).append(record)
    if not by_folder:
        return [], notes
    chosen = folder if folder in by_folder else max(by_folder, key=lambda f: len(by_folder[f]))
    others = sorted(f for f in by_folder if f != chosen)
    if others:
        notes.append(
            f"Showing the {len(by_folder[chosen])} checkpoints in {chosen}; open "
            + ", ".join(others)
            + " to see the run there."
        )
    return by_folder[chosen], notes


def _listing(record: CheckpointRecord, entry: CacheEntry) -> list[VariableRecord]:
    if entry.listing is not None:
        return [
            VariableRecord(
                key=v["key"],
                shape=tuple(v["shape"]),
                dtype=v["dtype"],
                bytes=v["bytes"],
                role=VariableRole(v["role"]),
                name=v["name"],
            )
            for v in entry.listing
        ]
    variables = list(list_checkpoint_variables(record).variables)
    entry.listing = [
        {
            "key": v.key,
            "shape": list(v.shape),
            "dtype": v.dtype,
            "bytes": v.bytes,
            "role": v.role.value,
            "name": v.name,
        }
        for v in variables
    ]
    entry.dirty = True
    return variables


def _resolve(known: dict[str, VariableRecord], wanted: str, folder: str) -> str:
    if wanted in known:
        return wanted
    named = [v.key for v in known.values() if v.name == wanted]
    if len(named) == 1:
        return named[0]
    if named:
        raise InspectorError(f"{len(named)} variables are named {wanted!r}; give the key instead.")
    candidates = list(known) + [v.name for v in known.values() if v.name]
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.5)
    hint = "did you mean " + " or ".join(map(repr, close)) + "?" if close else ""
    raise InspectorError(
        f"No checkpoint in {folder} has a followed variable {wanted!r}"
        + (f"; {hint}" if hint else "; run `ckpt-inspector list` on a checkpoint to see them.")
    )


class _Run:
    """State of one job: the ordered checkpoints, their cache entries and open readers."""

    def __init__(
        self, records: list[CheckpointRecord], entries: list[CacheEntry], stack: ExitStack
    ) -> None:
        self.records = records
        self.entries = entries
        self._stack = stack
        self._readers: dict[int, TensorReader] = {}
        self.read_from: set[int] = set()
        self.reads = 0
        self.notes: list[str] = []

    def read(self, t: int, key: str) -> np.ndarray | None:
        reader = self._readers.get(t)
        if reader is None:
            reader = self._readers[t] = self._stack.enter_context(TensorReader(self.records[t]))
        self.read_from.add(t)
        self.reads += 1
        try:
            return reader.read(key)
        except InspectorError as error:
            self.notes.append(f"{key} in {self.records[t].name} could not be read: {error}")
            return None


def timeline(
    records: Sequence[CheckpointRecord],
    keys: Sequence[str] = (),
    *,
    folder: str | None = None,
    cache: TimelineCache | None = None,
) -> Generator[Progress, None, Timeline]:
    """The timeline of the run in ``records`` (a folder listing's checkpoints); ``keys``
    limits it to some variables (keys or human names). See the module docstring."""
    cache = cache if cache is not None else TimelineCache()
    chosen, notes = run_records(records, folder)
    if not chosen:
        raise NotFoundError("There is no complete checkpoint to put on a timeline.")
    run_folder = fs.dirname(chosen[0].prefix)
    entries = [cache.load(r) for r in chosen]
    with ExitStack() as stack:
        try:
            yield Progress(0, 0, "Listing the checkpoints' variables")
            listings = [_listing(r, e) for r, e in zip(chosen, entries, strict=True)]
            yield from _read_counters(chosen, entries, listings, stack)
            order = order_checkpoints(chosen, [e.counters for e in entries])
            run = _Run(
                [chosen[i] for i in order.indices], [entries[i] for i in order.indices], stack
            )
            listings = [{v.key: v for v in listings[i]} for i in order.indices]
            known, skipped = _followed(listings)
            if keys:
                known = {
                    k: known[k] for k in dict.fromkeys(_resolve(known, w, run_folder) for w in keys)
                }
            series = []
            total = len(known) * len(run.records)
            for number, variable in enumerate(known.values()):
                series.append(
                    (yield from _follow(run, listings, variable, number * len(run.records), total))
                )
        finally:
            for record, entry in zip(chosen, entries, strict=True):
                cache.store(entry, record.prefix)
    yield Progress(total, total, "Timeline finished")
    checkpoints = tuple(
        TimelineCheckpoint(r.prefix, r.name, step, r.mtime)
        for r, step in zip(run.records, order.steps, strict=True)
    )
    return Timeline(
        folder=run_folder,
        checkpoints=checkpoints,
        order_source=order.source,
        order_text=order.text,
        variables=tuple(series),
        findings=judge(checkpoints, series),
        skipped=tuple(skipped),
        notes=tuple(notes + run.notes),
        cached=sum(1 for t in range(len(run.records)) if t not in run.read_from),
        tensors_read=run.reads,
    )


def timeline_of_path(
    path: str, keys: Sequence[str] = (), *, cache: TimelineCache | None = None
) -> Generator[Progress, None, Timeline]:
    """The timeline of the folder at ``path`` (or of the folder of the checkpoint it names)."""
    listing = discover(path)
    return (yield from timeline(listing.checkpoints, keys, folder=listing.folder, cache=cache))


def _read_counters(
    records: list[CheckpointRecord],
    entries: list[CacheEntry],
    listings: list[list[VariableRecord]],
    stack: ExitStack,
) -> Generator[Progress, None, None]:
    for number, (record, entry, listing) in enumerate(zip(records, entries, listings, strict=True)):
        missing = [k for k in counter_keys(listing) if k not in entry.counters]
        if not missing:
            continue
        yield Progress(number, len(records), f"Reading the step of {record.name}")
        reader = stack.enter_context(TensorReader(record))
        for key in missing:
            try:
                entry.counters[key] = int(np.asarray(reader.read(key)).reshape(-1)[0])
            except (InspectorError, ValueError, IndexError):
                continue  # not a usable counter here: ordering falls back to other sources
            entry.dirty = True
        reader.close()


def _followed(
    listings: list[dict[str, VariableRecord]],
) -> tuple[dict[str, VariableRecord], list[str]]:
    """Variables with a timeline row, in the order of the last checkpoint that holds them."""
    counters = {k for listing in listings for k in counter_keys(list(listing.values()))}
    known: dict[str, VariableRecord] = {}
    skipped: dict[str, None] = {}
    for listing in listings:
        for key, variable in listing.items():
            followed = (
                variable.role is not VariableRole.BOOKKEEPING
                and is_followed_dtype(variable.dtype)
                and key not in counters
            )
            if followed:
                known[key] = variable
            else:
                skipped[key] = None
    return known, [k for k in skipped if k not in known]


def _follow(
    run: _Run,
    listings: list[dict[str, VariableRecord]],
    variable: VariableRecord,
    done: int,
    total: int,
) -> Generator[Progress, None, VariableSeries]:
    """One variable through every checkpoint, holding at most the previous tensor."""
    key = variable.key
    n = len(run.records)
    summaries: list[TensorSummary | None] = [None] * n
    changes: list[Change | None] = [None] * n
    previous: np.ndarray | None = None  # the tensor of checkpoint t - 1, when it was read

    def read(t: int) -> np.ndarray | None:
        return run.read(t, key)

    for t in range(n):
        label = f"{variable.name or key} in {run.records[t].name}"
        if (done + t) % _PROGRESS_EVERY == 0:
            yield Progress(done + t, total, label)
        if key not in listings[t]:
            previous = None
            continue
        entry = run.entries[t]
        values = None
        summary = entry.variables.get(key)
        if summary is None:
            yield Progress(done + t, total, f"Reading {label}")
            values = read(t)
            if values is None:
                previous = None
                continue
            summary = summarise(values)
            entry.variables[key] = summary
            entry.dirty = True
        summaries[t] = summary
        before = summaries[t - 1] if t > 0 else None
        if before is not None and (before.shape, before.dtype) == (summary.shape, summary.dtype):
            cached = entry.changes_against(identity(run.records[t - 1]))
            change = cached.get(key)
            if change is None:
                if before.digest == summary.digest and (previous is None or values is None):
                    change = Change(relative_change(before, summary, 0.0), True)
                else:
                    if values is None:
                        yield Progress(done + t, total, f"Reading {label}")
                        values = read(t)
                    if previous is None and values is not None:
                        yield Progress(done + t, total, f"Reading {label} (previous)")
                        previous = read(t - 1)
                    if values is None or previous is None:
                        change = None
                    else:
                        change = Change(
                            relative_change(before, summary, difference_norm(previous, values)),
                            same_bytes(previous, values),
                        )
                if change is not None:
                    cached[key] = change
                    entry.dirty = True
            changes[t] = change
        # Keep this tensor only if the next checkpoint's change still has to be computed.
        previous = values if _next_needs(run, listings, key, t) else None
        del values
    shape = next((s.shape for s in reversed(summaries) if s is not None), variable.shape)
    return VariableSeries(
        key=key,
        name=variable.name,
        role=variable.role.value,
        dtype=variable.dtype,
        shape=tuple(shape),
        norm=tuple(s.norm if s else None for s in summaries),
        mean=tuple(s.mean if s else None for s in summaries),
        std=tuple(s.std if s else None for s in summaries),
        max_abs=tuple(s.max_abs if s else None for s in summaries),
        relative_change=tuple(c.relative_change if c else None for c in changes),
        nonfinite=tuple(s.nonfinite if s else None for s in summaries),
        identical=tuple(c.identical if c else None for c in changes),
    )


def _next_needs(run: _Run, listings: list[dict[str, VariableRecord]], key: str, t: int) -> bool:
    if t + 1 >= len(run.records) or key not in listings[t + 1]:
        return False
    following = run.entries[t + 1]
    return not (following.previous == identity(run.records[t]) and key in following.change)
