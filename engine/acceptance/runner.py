"""Running acceptance scenarios: each on a throwaway database, through the Store, as the
users it names, on a clock of its own.

Every write a scenario makes goes through the Store's one pipeline, as the user the step
names, so what passes here passes for that user in the product. A scenario's records
are created as a setup user holding every role of the project; `owner:` gives a record
to a scenario user.

Advancing the clock runs what is due: each function registered with
`guanxi.acceptance.seams.run_when_due` (timers, SLA checks, schedules, notifications) is
called with the Store and the new moment, and what it returns is counted as
notifications sent; until one is registered, advancing moves the clock only. Other parts
register expectations of their own there too (`seams.expectation`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from guanxi.acceptance.database import throwaway_database
from guanxi.acceptance.scenario import Action, Expected, ExpectError, Scenario, Step
from guanxi.acceptance.seams import due_runners, expectation_check
from guanxi.accounts.users import add_account
from guanxi.compile.app import App
from guanxi.errors import AccessDenied, GuanxiError, TransitionRefused, ValidationFailed
from guanxi.identity import User
from guanxi.spec import Loc
from guanxi.store.facade import Store

SETUP_USER = "scenario_setup"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a scenario failed, where it says what did not hold."""

    loc: Loc
    message: str
    expected: str = ""
    actual: str = ""

    def __str__(self) -> str:
        text = f"{self.loc}: {self.message}"
        if self.expected or self.actual:
            text += f"\n    expected: {self.expected}\n    actual:   {self.actual}"
        return text


@dataclass(frozen=True, slots=True)
class Outcome:
    scenario: Scenario
    failures: tuple[Failure, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.failures


class _StepFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class Clock:
    """The scenario's time: starts at its `at:` and moves only when told to."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def read(self) -> dt.datetime:
        return self.now


class _Run:
    def __init__(self, app: App, scenario: Scenario, store: Store, clock: Clock) -> None:
        self.app = app
        self.scenario = scenario
        self.store = store
        self.clock = clock
        self.users: dict[str, User] = {}
        self.records: dict[str, tuple[str, int]] = {}
        self.notifications: list[Any] = []
        self.imported: int | None = None

    # ------------------------------------------------------------ users and names

    def setup(self) -> None:
        engine = self.store.engine
        roles = tuple(r.name for r in self.app.spec.roles)
        self.users[SETUP_USER] = add_account(engine, SETUP_USER, roles)
        for name, given_roles in self.scenario.users.items():
            self.users[name] = add_account(engine, name, given_roles)

    def user(self, name: str | None, loc: Loc) -> User:
        if name is None:
            raise _StepFailed(Failure(loc, "no user to act as: add 'as: <user>' to the "
                                      "scenario or the step"))
        if name not in self.users:
            if self.app.spec.role(name) is None:
                known = ", ".join(sorted(set(self.users) - {SETUP_USER}))
                raise _StepFailed(Failure(loc, f"unknown user '{name}': declare it under "
                                          f"users: (users: {known or 'none'}) or name a "
                                          "role"))
            self.users[name] = add_account(self.store.engine, name, (name,))
        return self.users[name]

    def record(self, name: str, loc: Loc) -> tuple[str, int]:
        if name not in self.records:
            known = ", ".join(sorted(self.records)) or "none yet"
            raise _StepFailed(Failure(loc, f"unknown record '{name}' (records: {known})"))
        return self.records[name]

    def values(self, entity: str, values: Mapping[str, Any], loc: Loc) -> dict[str, Any]:
        """Values as written, with record names (references) and user names (user
        fields, owner) turned into ids."""
        compiled = self.app.entity(entity)
        out: dict[str, Any] = {}
        for name, value in values.items():
            spec = compiled.fields.get(name)
            kind = spec.type if spec is not None else ("user" if name == "owner" else "")
            if kind == "reference" and isinstance(value, str) and value in self.records:
                value = self.records[value][1]
            elif kind == "user" and isinstance(value, str):
                value = self.user(value, loc).id
            out[str(name)] = value
        return out

    # ------------------------------------------------------------ steps

    def given(self) -> None:
        setup = self.users[SETUP_USER]
        for record in self.scenario.given:
            try:
                created = self.store.create(setup, record.entity,
                                            self.values(record.entity, record.values,
                                                        record.loc))
            except GuanxiError as error:
                raise _StepFailed(Failure(record.loc, f"given '{record.name}' could not be "
                                          f"created: {error}")) from None
            self.records[record.name] = (record.entity, int(created["id"]))

    def step(self, step: Step) -> None:
        user_name = step.user or self.scenario.user
        if step.action is not None:
            user = self.user(user_name, step.loc)
            self.act(step, step.action, user)
        for expected in step.expect:
            self.check(expected, self.user(user_name, expected.loc))

    def act(self, step: Step, action: Action, user: User) -> None:
        try:
            self.perform(action, user, step.loc)
        except GuanxiError as error:
            if step.error is None:
                raise _StepFailed(Failure(step.loc, f"the step failed: [{error.code}] {error}",
                                          "it succeeds", str(error))) from None
            self.compare_error(step.error, error)
            return
        if step.error is not None:
            raise _StepFailed(Failure(step.error.loc, "the step was expected to fail but "
                                      "succeeded", _wanted(step.error), "no error"))

    def perform(self, action: Action, user: User, loc: Loc) -> None:
        store = self.store
        if action.kind == "create":
            self.app.entity(action.entity)
            record = store.create(user, action.entity,
                                  self.values(action.entity, action.values, loc))
            self.records[action.target] = (action.entity, int(record["id"]))
        elif action.kind == "update":
            entity, record_id = self.record(action.target, loc)
            store.update(user, entity, record_id, self.values(entity, action.values, loc))
        elif action.kind == "fire":
            entity, record_id = self.record(action.target, loc)
            store.transition(user, entity, record_id, action.transition,
                             self.values(entity, action.values, loc))
        elif action.kind == "delete":
            entity, record_id = self.record(action.target, loc)
            store.delete(user, entity, record_id)
        elif action.kind == "import":
            rows = [{k: v for k, v in row.items() if v not in ("", None)}
                    for row in csv.DictReader(io.StringIO(action.csv.strip()))]
            report = store.bulk_insert(user, action.target, rows)
            self.imported = report.inserted
            if report.errors:
                errors: dict[str, list[str]] = {}
                for row in report.errors:
                    for name, messages in row.errors.items():
                        errors.setdefault(name, []).extend(
                            f"row {row.row}: {m}" for m in messages)
                raise ValidationFailed(errors)
        elif action.kind == "advance":
            self.clock.now += dt.timedelta(seconds=action.seconds)
            for runner in due_runners():
                self.notifications.extend(runner(store, self.clock.now))

    def compare_error(self, wanted: ExpectError, error: GuanxiError) -> None:
        fields = _error_fields(error)
        text = " ".join([str(error), *(m for ms in getattr(error, "errors", {}).values()
                                       for m in ms)])
        actual = f"[{error.code}] {error}"
        if wanted.code is not None and wanted.code != error.code:
            raise _StepFailed(Failure(wanted.loc, "the step failed otherwise than expected",
                                      _wanted(wanted), actual))
        missing = [f for f in wanted.fields if f not in fields]
        if missing:
            raise _StepFailed(Failure(wanted.loc, f"the error is not about {', '.join(missing)}",
                                      _wanted(wanted), f"{actual} (fields: "
                                      f"{', '.join(sorted(fields)) or 'none'})"))
        if wanted.message is not None and wanted.message not in text:
            raise _StepFailed(Failure(wanted.loc, "the error does not say what was expected",
                                      _wanted(wanted), actual))

    # ------------------------------------------------------------ expectations

    def check(self, expected: Expected, user: User) -> None:
        kind = expected.kind
        if kind in ("imported", "notifications"):
            actual = self.imported if kind == "imported" else len(self.notifications)
            if actual != expected.value:
                raise _StepFailed(Failure(expected.loc, f"{kind} is not as expected",
                                          repr(expected.value), repr(actual)))
            return
        if kind == "custom":
            check = expectation_check(expected.name)
            if check is None:
                raise _StepFailed(Failure(expected.loc, f"nothing checks '{expected.name}' "
                                          "in this installation"))
            differs = check(self.store, user, expected.value)
            if differs is not None:
                raise _StepFailed(Failure(expected.loc, f"{expected.name} is not as "
                                          "expected", *differs))
            return
        if kind == "count":
            self.app.entity(expected.record)
            n = self.store.count(user, expected.record)
            if n != expected.value:
                raise _StepFailed(Failure(expected.loc, f"{user.username} counts another "
                                          f"number of {expected.record} records",
                                          repr(expected.value), repr(n)))
            return
        entity, record_id = self.record(expected.record, expected.loc)
        seen = self.seen(user, entity, record_id)
        if kind == "cannot_see":
            if seen is not None:
                raise _StepFailed(Failure(expected.loc, f"{user.username} sees "
                                          f"'{expected.record}'", "not visible", "visible"))
            return
        if seen is None:
            raise _StepFailed(Failure(expected.loc, f"{user.username} cannot see "
                                      f"'{expected.record}'", "visible", "not visible"))
        if kind == "hidden":
            if expected.name in seen:
                raise _StepFailed(Failure(expected.loc, f"{user.username} sees "
                                          f"{expected.record}.{expected.name}", "hidden",
                                          repr(seen[expected.name])))
        elif kind == "value":
            self.compare_value(expected, entity, seen, user)

    def seen(self, user: User, entity: str, record_id: int) -> dict[str, Any] | None:
        try:
            return dict(self.store.get(user, entity, record_id))
        except GuanxiError:
            return None

    def compare_value(self, expected: Expected, entity: str, seen: Mapping[str, Any],
                      user: User) -> None:
        name = expected.name
        where = f"{expected.record}.{name}"
        if name not in seen:
            raise _StepFailed(Failure(expected.loc, f"{user.username} does not see {where}",
                                      repr(expected.value), "hidden or no such field"))
        want = self.values(entity, {name: expected.value}, expected.loc)[name]
        compiled = self.app.entity(entity)
        if name in compiled.fields and want is not None:
            clean, errors = compiled.validator.coerce({name: want})
            if not errors:
                want = clean[name]
        actual = seen[name]
        if _same(want, actual):
            return
        raise _StepFailed(Failure(expected.loc, f"{where} is not as expected",
                                  _show(expected.value), _show(actual)))


def _same(want: Any, actual: Any) -> bool:
    if isinstance(want, list | tuple) and isinstance(actual, list | tuple):
        return list(want) == list(actual)
    return bool(want == actual) or (want is not None and str(want) == str(actual))


def _show(value: Any) -> str:
    return "empty" if value is None else repr(value) if not isinstance(value, str) else value


def _wanted(wanted: ExpectError) -> str:
    parts = [f"[{wanted.code}]" if wanted.code else "an error"]
    if wanted.fields:
        parts.append(f"on {', '.join(wanted.fields)}")
    if wanted.message:
        parts.append(f"saying {wanted.message!r}")
    return " ".join(parts)


def _error_fields(error: GuanxiError) -> set[str]:
    if isinstance(error, ValidationFailed):
        return {name for name in error.errors if name}
    if isinstance(error, TransitionRefused):
        return set(error.missing)
    if isinstance(error, AccessDenied):
        return set(error.fields)
    return set()


@contextmanager
def _store(app: App, url: str | None, clock: Clock) -> Iterator[Store]:
    with throwaway_database(url) as database_url:
        store = Store(app, database_url, clock=clock.read)
        try:
            store.create_schema()
            yield store
        finally:
            store.dispose()


def run_scenario(app: App, scenario: Scenario, url: str | None = None) -> Outcome:
    """Run one scenario on a throwaway database (SQLite, or a fresh schema in the
    PostgreSQL database `url`); its failures, located."""
    started = time.perf_counter()
    if scenario.problems:
        problems = tuple(Failure(p.loc, p.message) for p in scenario.problems)
        return Outcome(scenario, problems, time.perf_counter() - started)
    clock = Clock(scenario.start)
    failures: list[Failure] = []
    with _store(app, url, clock) as store:
        run = _Run(app, scenario, store, clock)
        try:
            run.setup()
            run.given()
            for step in scenario.steps:
                run.step(step)
        except _StepFailed as failed:
            failures.append(failed.failure)
        except GuanxiError as error:  # a name the project does not have, and the like
            failures.append(Failure(scenario.loc, f"[{error.code}] {error}"))
    return Outcome(scenario, tuple(failures), time.perf_counter() - started)
