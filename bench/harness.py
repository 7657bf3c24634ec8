"""Timing helpers and the shape of a result.

A case returns `Measurement`s: one number for Guanxi, one for a baseline measured in the
same run on the same data, their ratio (always Guanxi's number divided by the baseline's,
in the metric's own unit) and whether the case's target is met.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


class Unavailable(Exception):
    """The Guanxi side of a case cannot run yet (a module is missing or lacks an API)."""


@dataclass(frozen=True, slots=True)
class Target:
    """What a case aims for. `kind`: "ratio_min", "ratio_max" (on Guanxi ÷ baseline),
    "abs_min", "abs_max" (on Guanxi's own number)."""

    kind: str
    value: float
    text: str

    def met(self, guanxi: float | None, ratio: float | None) -> bool | None:
        """True/False when the needed number exists, None otherwise."""
        number = ratio if self.kind.startswith("ratio") else guanxi
        if number is None or math.isnan(number):
            return None
        if self.kind.endswith("min"):
            return number >= self.value
        return number <= self.value


NO_TARGET = Target("none", 0.0, "—")


@dataclass(frozen=True, slots=True)
class Measurement:
    """One row of the results table."""

    case: str
    backend: str
    metric: str
    unit: str
    guanxi: float | None
    baseline_name: str
    baseline: float | None
    target: str
    ratio: float | None
    met: bool | None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def measure(
    case: str,
    backend: str,
    metric: str,
    unit: str,
    guanxi: float | None,
    baseline_name: str,
    baseline: float | None,
    target: Target = NO_TARGET,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> Measurement:
    """A Measurement with its ratio and verdict computed."""
    ratio = ratio_of(guanxi, baseline)
    met = None if target is NO_TARGET else target.met(guanxi, ratio)
    return Measurement(
        case, backend, metric, unit, guanxi, baseline_name, baseline, target.text, ratio, met,
        note, details or {},
    )


def unavailable(case: str, backend: str, reason: str, baselines: Sequence[Measurement] = ()
                ) -> list[Measurement]:
    """Rows for a case whose Guanxi side cannot run: keep the baselines, say why."""
    note = f"not available: {reason}"
    if baselines:
        return [
            Measurement(m.case, m.backend, m.metric, m.unit, None, m.baseline_name, m.baseline,
                        m.target, None, None, note, m.details)
            for m in baselines
        ]
    return [Measurement(case, backend, "-", "", None, "", None, "", None, None, note)]


def ratio_of(guanxi: float | None, baseline: float | None) -> float | None:
    """Guanxi's number divided by the baseline's; None when either is missing or zero."""
    if guanxi is None or baseline is None or baseline == 0:
        return None
    return guanxi / baseline


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p95, p99, min and max of a sample, for the JSON details."""
    return {
        "n": len(values),
        "min": min(values) if values else math.nan,
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
    }


def time_once(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call of `fn` takes (garbage collection paused), and its result."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()
    return elapsed, result


def repeat(fn: Callable[[], Any], times: int, setup: Callable[[], Any] | None = None
           ) -> list[float]:
    """Seconds of each of `times` calls of `fn`; `setup` (untimed) runs before each."""
    samples = []
    for _ in range(times):
        if setup is not None:
            setup()
        elapsed, _ = time_once(fn)
        samples.append(elapsed)
    return samples


def repeat_within(fn: Callable[[], Any], times: int, budget: float) -> list[float]:
    """Like `repeat`, but stop early once the samples add up to `budget` seconds
    (at least one sample is always taken)."""
    samples: list[float] = []
    for _ in range(times):
        elapsed, _ = time_once(fn)
        samples.append(elapsed)
        if sum(samples) >= budget:
            break
    return samples


def per_call(fn: Callable[[], Any], calls: int, rounds: int) -> float:
    """Best-of-`rounds` seconds per call of `fn`, each round making `calls` calls.

    The minimum over rounds is the least disturbed by other work on a shared machine.
    """
    best = math.inf
    for _ in range(rounds):
        def batch() -> None:
            for _ in range(calls):
                fn()
        elapsed, _ = time_once(batch)
        best = min(best, elapsed / calls)
    return best


def best(samples: Sequence[float]) -> float:
    """The fastest sample: the run least disturbed by neighbours."""
    return min(samples)


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def _size(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much work each case does. Defaults finish in a few minutes on 2 cores."""

    rows: int = _size(20_000, "import: rows per run")
    file_rows: int = _size(200_000, "file_scale: CSV rows imported in one process")
    django_rows: int = _size(5_000, "import: rows for Django (its rate is per row anyway)")
    validate_records: int = _size(2_000, "validate: distinct records validated per round")
    api_requests: int = _size(4_000, "api: request budget per server")
    api_seconds: float = _size(10.0, "api: time budget per server, seconds")
    clients: int = _size(32, "api: concurrent connections")
    list_rows: int = _size(100_000, "list: rows in the table")
    list_pages: int = _size(200, "list: samples (first page + next page) per contender")
    owners: int = _size(20, "list: sales reps the rows are spread over")
    transitions: int = _size(3_000, "transition: records moved per run")
    report_rows: int = _size(200_000, "report: rows the reports count")
    rollup_rows: int = _size(100_000, "rollup: child rows inserted with a parent roll-up")
    entities: int = _size(200, "compile: entities in the generated project")
    fields: int = _size(40, "compile: fields per entity")
    records: int = _size(100_000, "startup: records in the database the server starts on")
    starts: int = _size(3, "startup: server starts per contender; the fastest is kept")
    timers: int = _size(100_000, "automation: due timers swept")
    jobs: int = _size(4_000, "automation: jobs claimed by 1 and by 4 worker processes")
    repeat: int = _size(3, "runs per contender; the best is kept")
    ceiling: bool = _size(True, "api: also load the server that stores nothing")


@dataclass(frozen=True, slots=True)
class Context:
    """What every case gets: the sizes, a scratch directory and where databases live."""

    sizes: Sizes
    workdir: Any  # pathlib.Path
    backend: Any  # bench.databases.Backend
