"""Timeline results kept per checkpoint in the user's cache folder, never next to the checkpoint.

One JSON file per checkpoint, named by a hash of its prefix, under
``user_dirs.cache_dir()/timeline``. An entry is valid while the checkpoint's prefix, total size
in bytes and ``.index`` modification time (what discovery records) are unchanged: TensorFlow
writes the index last, so a rewritten checkpoint gets a new one. The entry holds

- ``variables``: per key, the tensor's summary (``summary.TensorSummary``, digest included);
- ``counters``: the step counters read for ordering (``step``, ``global_step``...);
- ``listing``: the variables the index lists (key, name, role, dtype, shape), so a reopen
  does not decode every index again;
- ``change``: the relative change and bit-equality of each variable against one previous
  checkpoint, with that checkpoint's identity. A new checkpoint at the end of a run therefore
  costs its own tensors and, for the change, the previous checkpoint's tensors, unless the
  digests already show the two are equal.

Files are replaced atomically (write, then ``os.replace``), so the window's worker and a CLI
run may share the folder; an unreadable or outdated file counts as a miss and is rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.timeline.summary import TensorSummary
from ckpt_inspector.core.user_dirs import cache_dir

log = logging.getLogger(__name__)

VERSION = 1


def identity(record: CheckpointRecord) -> str:
    """What a cache entry is valid for: the prefix, its size in bytes and modification time."""
    return f"{record.prefix}|{record.bytes}|{record.mtime!r}"


@dataclass
class Change:
    relative_change: float | None
    identical: bool


@dataclass
class CacheEntry:
    """The cached results of one checkpoint; ``dirty`` when they must be written back."""

    identity: str
    variables: dict[str, TensorSummary] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    listing: list[dict] | None = None
    previous: str | None = None  # identity of the checkpoint ``change`` is against
    change: dict[str, Change] = field(default_factory=dict)
    dirty: bool = False
    loaded: bool = False

    def changes_against(self, previous_identity: str) -> dict[str, Change]:
        """The cached changes if they are against ``previous_identity``; else start afresh."""
        if self.previous != previous_identity:
            self.previous = previous_identity
            self.change = {}
        return self.change

    def to_json(self) -> dict:
        return {
            "version": VERSION,
            "identity": self.identity,
            "variables": {k: v.to_cache() for k, v in self.variables.items()},
            "counters": self.counters,
            "listing": self.listing,
            "previous": self.previous,
            "change": {
                k: {"relative_change": c.relative_change, "identical": c.identical}
                for k, c in self.change.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> CacheEntry:
        return cls(
            identity=data["identity"],
            variables={k: TensorSummary.from_cache(v) for k, v in data["variables"].items()},
            counters={k: int(v) for k, v in data["counters"].items()},
            listing=data["listing"],
            previous=data["previous"],
            change={
                k: Change(
                    None if c["relative_change"] is None else float(c["relative_change"]),
                    bool(c["identical"]),
                )
                for k, c in data["change"].items()
            },
            loaded=True,
        )


class TimelineCache:
    """Loads and stores ``CacheEntry`` files in ``folder`` (default: the user's cache folder).

    ``folder=None`` with ``enabled=False`` keeps everything in memory (``--no-cache``)."""

    def __init__(self, folder: str | os.PathLike | None = None, *, enabled: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir() / "timeline"
        self.enabled = enabled

    def _path(self, prefix: str) -> Path:
        name = hashlib.sha256(prefix.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{name}.json"

    def load(self, record: CheckpointRecord) -> CacheEntry:
        """The entry for ``record``: from disk when it is still valid, else an empty one."""
        wanted = identity(record)
        if not self.enabled:
            return CacheEntry(wanted)
        path = self._path(record.prefix)
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
            if data.get("version") == VERSION and data.get("identity") == wanted:
                return CacheEntry.from_json(data)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.info("ignoring the timeline cache file %s: %s", path, error)
        return CacheEntry(wanted)

    def store(self, entry: CacheEntry, prefix: str) -> None:
        """Write ``entry`` if it changed; a failure to write is logged, never raised."""
        if not self.enabled or not entry.dirty:
            return
        path = self._path(prefix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    json.dump(entry.to_json(), file, allow_nan=False)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except (OSError, ValueError) as error:
            log.warning("could not write the timeline cache file %s: %s", path, error)
            return
        entry.dirty = False
