"""What the batch coordinator and its workers send each other, one type per message.

To a local worker's task queue: `Make` (one report) and `Stop` (one per lane).
From a worker to the coordinator's event queue: `Ready` (the process is up), `Started` (a
report began) and `Finished` (its `Outcome`). A Dask pool yields the same `Started` and
`Finished`, without a worker number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emreport.run.notebook import Job


@dataclass(frozen=True)
class Spec:
    """Everything a worker needs for one report. Paths are absolute and must be readable
    where the worker runs; `narrative_sha` and `store_meta` let it refuse to make a report
    from inputs that differ from those the client planned with."""

    job: Job
    store: str
    params_dir: str
    notebooks: str
    timeout: int
    key: str
    narrative_sha: str
    store_meta: str


@dataclass
class Outcome:
    job: Job
    key: str
    files: dict[str, bytes] = field(default_factory=dict)
    error: str = ""
    cell: int | None = None
    failed_notebook: bytes = b""
    seconds: float = 0.0
    host: str = ""
    warnings: list[str] = field(default_factory=list)  # the run succeeds; the summary names them

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Make:
    spec: Spec


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Ready:
    worker: int
    pid: int


@dataclass(frozen=True)
class Started:
    job: str  # the job's id, period/code
    worker: int | None = None


@dataclass(frozen=True)
class Finished:
    outcome: Outcome
    worker: int | None = None
