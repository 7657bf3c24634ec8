"""Where other parts of Guanxi plug into acceptance scenarios, without the scenarios
knowing them: what runs when a scenario advances its clock (jobs, timers, SLA checks),
and expectations of their own (a report's value, an SLA's status).

    @run_when_due
    def fire_timers(store, now):           # -> what it did, e.g. notifications sent
        ...

    @expectation("report")
    def report_value(store, user, value):  # -> None when it holds, else (expected, actual)
        ...

A registered expectation is written under `expect:` by its name:
`expect: {report: {won_by_office: {east: 1200}}}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from guanxi.identity import User

# (store, now) -> what it did (counted as notifications sent).
DueRunner = Callable[[Any, dt.datetime], Sequence[Any]]
# (store, acting user, the value written) -> None when it holds, else (expected, actual).
ExpectationCheck = Callable[[Any, User, Any], tuple[str, str] | None]

_DUE: list[DueRunner] = []
_EXPECTATIONS: dict[str, ExpectationCheck] = {}


def run_when_due(runner: DueRunner) -> DueRunner:
    """Register `runner` to be called whenever a scenario advances the clock."""
    if runner not in _DUE:
        _DUE.append(runner)
    return runner


def stop_running(runner: DueRunner) -> None:
    """Undo `run_when_due`."""
    if runner in _DUE:
        _DUE.remove(runner)


def due_runners() -> tuple[DueRunner, ...]:
    return tuple(_DUE)


def expectation(name: str) -> Callable[[ExpectationCheck], ExpectationCheck]:
    """Register `check` as the expectation `name` (a key under `expect:`)."""

    def register(check: ExpectationCheck) -> ExpectationCheck:
        _EXPECTATIONS[name] = check
        return check

    return register


def forget_expectation(name: str) -> None:
    """Undo `expectation(name)`."""
    _EXPECTATIONS.pop(name, None)


def expectation_check(name: str) -> ExpectationCheck | None:
    return _EXPECTATIONS.get(name)
