"""The worker: follows the writes, fires what is due and runs the jobs.

One pass (`Worker.tick(now)`) at a moment: follow the change events (arming and
cancelling timers, moving SLA clocks, queueing assignments; withdrawing the approval
requests of deleted records: `guanxi.automation.withdrawal`), queue the scheduled actions
due, fire the due timers (each becomes a job), then run due jobs until none is left.
Each job runs as the system actor through the Store; its notifications are written with
its completion, in one transaction. `run` repeats passes until stopped; `guanxi worker
--once --at T` makes passes at T until nothing more happens (a job's writes may arm
timers already due). The clock is injected: every moment comes from the caller.

Several workers (processes, or threads of `guanxi serve`) may run on one database:
events are followed under a locked cursor, timers fired under `SKIP LOCKED`, jobs
claimed with leases (`guanxi.automation.jobs`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from guanxi.automation import jobs, notifications, schedules, timers, tracking, withdrawal
from guanxi.automation.handlers import HANDLERS, Handler
from guanxi.errors import GuanxiError
from guanxi.messages import render
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

log = logging.getLogger("guanxi.worker")
MAX_ROUNDS = 20

# More followers of what was written, each run once per pass after the change events are
# followed: `follower(store, now)` queues its jobs and returns lines for the report.
# Other packages add theirs (webhooks, e-mail notifications: `guanxi.mail.plug`).
Follower = Callable[[Store, dt.datetime], list[str]]
FOLLOWERS: list[Follower] = []


def worker_name() -> str:
    """host:pid:random, unique per worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Report:
    """What one pass did, line by line."""

    lines: list[str] = field(default_factory=list)
    jobs_done: int = 0
    jobs_failed: int = 0
    notified: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.lines)


def error_text(error: Exception) -> str:
    """A failed job's message: the Store's own message for its errors."""
    if isinstance(error, GuanxiError):
        return str(error)
    return f"{type(error).__name__}: {error}"


class Worker:
    """Runs automation for one Store."""

    def __init__(self, store: Store, *, name: str | None = None,
                 clock: Callable[[], dt.datetime] | None = None,
                 handlers: dict[str, Handler] | None = None,
                 lease: dt.timedelta = jobs.LEASE, batch: int = 20) -> None:
        self.store = store
        self.name = name or worker_name()
        self.clock = clock or store.clock
        self.handlers = handlers if handlers is not None else HANDLERS
        self.lease = lease
        self.batch = batch

    def run_job(self, job: jobs.Job, now: dt.datetime, report: Report) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for jobs of kind {job.kind!r}")
            outcome = handler(self.store, job, now)
        except Exception as error:  # a failed attempt: retried, then parked
            state = jobs.fail(self.store.engine, job, self.name, now, error_text(error))
            report.jobs_failed += 1
            report.lines.append(f"job {job.id} ({job.kind}) failed, {state}: "
                                f"{error_text(error)}")
            return
        with transaction(self.store.engine, write=True) as conn:
            if jobs.complete(conn, job, self.name, now, "; ".join(outcome.done)):
                for users, message, entity, record_id in outcome.notices:
                    report.notified += notifications.send(
                        conn, users, message or _default_message(entity),
                        source=f"job:{job.kind}", now=now, entity=entity,
                        record_id=record_id)
        report.jobs_done += 1
        report.lines.extend(f"job {job.id}: {line}" for line in outcome.done)

    def run_jobs(self, now: dt.datetime, report: Report) -> None:
        while True:
            claimed = jobs.claim(self.store.engine, self.name, now, limit=self.batch,
                                 lease=self.lease)
            for job in claimed:
                self.run_job(job, now, report)
            if len(claimed) < self.batch:
                return

    def tick(self, now: dt.datetime | None = None) -> Report:
        """One pass at `now` (default: the clock)."""
        now = now or self.clock()
        report = Report()
        store = self.store
        _, followed = tracking.follow(store.engine, store.app,
                                      store.context(store.system, now), now)
        report.lines.extend(followed)
        report.lines.extend(withdrawal.follow(store, now))
        for follower in FOLLOWERS:
            report.lines.extend(follower(store, now))
        report.lines.extend(schedules.run_due(store, now))
        while (fired := timers.sweep(store.engine, now)):
            report.lines.append(f"{fired} timer(s) due")
        self.run_jobs(now, report)
        return report

    def run_until_quiet(self, now: dt.datetime) -> list[Report]:
        """Passes at `now` until one does nothing (at most MAX_ROUNDS)."""
        reports = []
        for _ in range(MAX_ROUNDS):
            report = self.tick(now)
            reports.append(report)
            if not report.busy:
                break
        return reports

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Passes every `interval` seconds until `stop` is set; errors are logged."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("automation pass failed")
            stop.wait(interval)


def _default_message(entity: str) -> dict[str, str]:
    return {"en": render("automation_notice", {"entity": entity}, "en"),
            "zh": render("automation_notice", {"entity": entity}, "zh")}


def _serve(store_of: Callable[[], Store], stop: threading.Event, interval: float) -> None:
    name = worker_name()
    while not stop.is_set():
        try:
            Worker(store_of(), name=name).tick()
        except Exception:
            log.exception("automation pass failed")
        stop.wait(interval)


def start_thread(store_of: Callable[[], Store],
                 interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
    """A worker in a daemon thread of this process (`guanxi serve`), on the Store
    `store_of()` gives at each pass (a reloaded project's); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(store_of, stop, interval),
                              name="guanxi-worker", daemon=True)
    thread.start()
    return thread, stop
