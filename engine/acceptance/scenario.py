"""Acceptance scenarios as written in a project's `scenarios/*.yaml`, read into frozen,
located data: every step and expectation remembers its file and line, so a failure
points at what the analyst wrote.

```yaml
a won deal needs its close value:
  label: {zh: 赢单必须填写成交金额}
  users: {mona: sales_manager}
  given:
    acc: {account: {name: Probe}}
    deal: {opportunity: {name: D, account: acc, product: gtx_pro}}
  as: mona
  steps:
    - fire: {deal: engage}
    - fire: {deal: win}
      expect_error: {code: validation_failed, fields: [close_value]}
```

Reading never raises: whatever has the wrong shape becomes a located `Problem`, and a
scenario with problems fails without running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guanxi.acceptance.seams import expectation_check
from guanxi.language.build import parse_duration
from guanxi.language.reading import FileRefused, read_bounded
from guanxi.language.tree import LocDict, LocList
from guanxi.language.yamlload import load_file
from guanxi.spec import Loc, Text

# The moment every scenario starts at, unless it says `at:` (a fixed clock makes runs
# repeatable).
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
ACTIONS = ("create", "update", "fire", "delete", "import", "advance")
STEP_KEYS = frozenset({*ACTIONS, "as", "with", "expect", "expect_error", "note"})
SCENARIO_KEYS = frozenset({"label", "description", "users", "given", "as", "at", "steps"})
EXPECT_KEYS = frozenset({"sees", "cannot_see", "hidden", "count", "imported",
                         "notifications"})
ERROR_KEYS = frozenset({"code", "fields", "message"})


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a scenario file says that cannot be run."""

    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.message}"


@dataclass(frozen=True, slots=True)
class Given:
    """A record the scenario starts with: `name: {entity: {field: value}}`."""

    name: str
    entity: str
    values: Mapping[str, Any]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Action:
    """What a step does. kind: create, update, fire, delete, import or advance."""

    kind: str
    target: str = ""  # the record's name; import: the entity
    entity: str = ""  # create
    values: Mapping[str, Any] = field(default_factory=dict)
    transition: str = ""
    csv: str = ""  # import: CSV text
    seconds: int = 0  # advance
    after: str = ""  # advance, as written


@dataclass(frozen=True, slots=True)
class ExpectError:
    """The step's action must fail: with this code, on these fields, with this text."""

    loc: Loc
    code: str | None = None
    fields: tuple[str, ...] = ()
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Expected:
    """One thing to hold after a step: `kind` is value (of `record`.`name`), sees,
    cannot_see, hidden (field `name` of `record`), count (of entity `record`), imported,
    notifications, or custom (the expectation registered as `name`)."""

    kind: str
    loc: Loc
    record: str = ""
    name: str = ""
    value: Any = None


@dataclass(frozen=True, slots=True)
class Step:
    loc: Loc
    user: str | None
    action: Action | None
    expect: tuple[Expected, ...] = ()
    error: ExpectError | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    loc: Loc
    label: Text
    description: Text
    users: Mapping[str, tuple[str, ...]]
    given: tuple[Given, ...]
    user: str | None
    steps: tuple[Step, ...]
    start: dt.datetime = START
    problems: tuple[Problem, ...] = ()


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(loc, message))

    def unknown_keys(self, data: LocDict, known: frozenset[str], what: str) -> None:
        for key in data:
            if key not in known:
                self.problem(data.key_loc(key), f"unknown key '{key}' in {what} (keys: "
                             f"{', '.join(sorted(known))})")

    def scenario(self, name: str, data: Any, loc: Loc) -> Scenario:
        self.problems = []
        if not isinstance(data, LocDict):
            self.problem(loc, "a scenario is a mapping with given, as and steps")
            data = LocDict(loc)
        self.unknown_keys(data, SCENARIO_KEYS, "a scenario")
        start = START
        if "at" in data:
            start = self.moment(data.get("at"), data.value_loc("at"))
        user = data.get("as")
        steps_data = data.get("steps")
        steps: list[Step] = []
        if isinstance(steps_data, LocList):
            steps = [self.step(item, steps_data.item_loc(i)) for i, item in
                     enumerate(steps_data)]
        elif steps_data is not None:
            self.problem(data.value_loc("steps"), "steps: is a list of steps")
        return Scenario(
            name=name, loc=loc, label=_text(data.get("label")),
            description=_text(data.get("description")),
            users=self.users(data.get("users"), data.value_loc("users")),
            given=self.given(data.get("given"), data.value_loc("given")),
            user=user if isinstance(user, str) else None, steps=tuple(steps),
            start=start, problems=tuple(self.problems))

    def moment(self, value: Any, loc: Loc) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, 9, tzinfo=dt.UTC)
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.problem(loc, f"at: {value!r} is not a date and time (2026-01-05T09:00)")
            return START
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def users(self, value: Any, loc: Loc) -> dict[str, tuple[str, ...]]:
        if value is None:
            return {}
        if not isinstance(value, LocDict):
            self.problem(loc, "users: maps a user name to a role or a list of roles")
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for name, roles in value.items():
            if isinstance(roles, str):
                out[str(name)] = (roles,)
            elif isinstance(roles, list) and all(isinstance(r, str) for r in roles):
                out[str(name)] = tuple(roles)
            else:
                self.problem(value.value_loc(name), f"user '{name}': give a role or a list "
                             "of roles")
        return out

    def record(self, value: Any, loc: Loc, what: str) -> tuple[str, Mapping[str, Any]]:
        """`{entity: {field: value}}` → (entity, values)."""
        if isinstance(value, LocDict) and len(value) == 1:
            [(entity, values)] = value.items()
            if values is None:
                values = {}
            if isinstance(values, Mapping):
                return str(entity), values
        self.problem(loc, f"{what}: write it as {{entity: {{field: value, ...}}}}")
        return "", {}

    def given(self, value: Any, loc: Loc) -> tuple[Given, ...]:
        if value is None:
            return ()
        if not isinstance(value, LocDict):
            self.problem(loc, "given: maps a record's name to {entity: {field: value}}")
            return ()
        out = []
        for name, record in value.items():
            entity, values = self.record(record, value.value_loc(name), f"given '{name}'")
            if entity:
                out.append(Given(str(name), entity, values, value.key_loc(name)))
        return tuple(out)

    def step(self, data: Any, loc: Loc) -> Step:
        if not isinstance(data, LocDict):
            self.problem(loc, f"a step is a mapping with one of: {', '.join(ACTIONS)}, "
                         "or expect")
            return Step(loc, None, None)
        self.unknown_keys(data, STEP_KEYS, "a step")
        kinds = [k for k in ACTIONS if k in data]
        if len(kinds) > 1:
            self.problem(loc, f"a step does one thing; this one has {', '.join(kinds)}")
        action = self.action(kinds[0], data) if kinds else None
        if not kinds and "expect" not in data:
            self.problem(loc, f"the step does nothing: give one of {', '.join(ACTIONS)}, "
                         "or expect")
        error = None
        if "expect_error" in data:
            error = self.error(data.get("expect_error"), data.value_loc("expect_error"))
            if not kinds:
                self.problem(data.key_loc("expect_error"), "expect_error needs an action "
                             "that is expected to fail")
        user = data.get("as")
        note = data.get("note")
        return Step(loc, user if isinstance(user, str) else None, action,
                    self.expect(data.get("expect"), data.value_loc("expect")), error,
                    note if isinstance(note, str) else "")

    def action(self, kind: str, data: LocDict) -> Action | None:
        value, loc = data.get(kind), data.value_loc(kind)
        extra = data.get("with")
        values = extra if isinstance(extra, Mapping) else {}
        if kind == "create":
            if isinstance(value, LocDict) and len(value) == 1:
                [(name, record)] = value.items()
                entity, fields = self.record(record, value.value_loc(name), "create")
                return Action("create", str(name), entity, fields)
            self.problem(loc, "create: write it as {name: {entity: {field: value}}}")
        elif kind == "update":
            if isinstance(value, LocDict) and len(value) == 1:
                [(name, fields)] = value.items()
                if isinstance(fields, Mapping):
                    return Action("update", str(name), values=fields)
            self.problem(loc, "update: write it as {record: {field: value}}")
        elif kind == "fire":
            if isinstance(value, LocDict) and len(value) == 1:
                [(name, transition)] = value.items()
                if isinstance(transition, str):
                    return Action("fire", str(name), transition=transition, values=values)
            self.problem(loc, "fire: write it as {record: transition} (values in with:)")
        elif kind == "delete":
            if isinstance(value, str):
                return Action("delete", value)
            self.problem(loc, "delete: name the record")
        elif kind == "import":
            return self.import_(value, loc)
        else:
            seconds = parse_duration(value)
            if seconds is not None:
                return Action("advance", seconds=seconds, after=str(value))
            self.problem(loc, f"advance: {value!r} is not a duration (90m, 12h, 3d, 1w)")
        return None

    def import_(self, value: Any, loc: Loc) -> Action | None:
        if not isinstance(value, LocDict) or not isinstance(value.get("entity"), str):
            self.problem(loc, "import: write it as {entity: lead, csv: ...} or "
                         "{entity: lead, file: leads.csv}")
            return None
        text = value.get("csv")
        if isinstance(value.get("file"), str):
            path = self.root / "scenarios" / value["file"]
            try:
                text = read_bounded(path, root=self.root).decode("utf-8")
            except (FileRefused, UnicodeDecodeError) as error:
                self.problem(value.value_loc("file"), f"cannot read {path}: {error}")
                return None
        if not isinstance(text, str):
            self.problem(loc, "import: give the rows as csv: (text) or file:")
            return None
        return Action("import", value["entity"], csv=text)

    def error(self, value: Any, loc: Loc) -> ExpectError:
        if value is None or value is True:
            return ExpectError(loc)
        if not isinstance(value, LocDict):
            self.problem(loc, "expect_error: {code: ..., fields: [...], message: ...}")
            return ExpectError(loc)
        self.unknown_keys(value, ERROR_KEYS, "expect_error")
        code, message, fields = value.get("code"), value.get("message"), value.get("fields")
        return ExpectError(loc, code if isinstance(code, str) else None,
                           tuple(str(f) for f in fields) if isinstance(fields, list) else (),
                           message if isinstance(message, str) else None)

    def expect(self, value: Any, loc: Loc) -> tuple[Expected, ...]:
        if value is None:
            return ()
        if not isinstance(value, LocDict):
            self.problem(loc, "expect: maps a record's name to field values, or sees, "
                         "cannot_see, hidden, count, imported, notifications")
            return ()
        out: list[Expected] = []
        for key, item in value.items():
            at = value.key_loc(key)
            if key in ("sees", "cannot_see"):
                names = [item] if isinstance(item, str) else item
                out.extend(Expected(key, at, record=str(n)) for n in names or ())
            elif key == "hidden" and isinstance(item, Mapping):
                out.extend(Expected("hidden", at, record=str(record), name=str(f))
                           for record, fields in item.items()
                           for f in ([fields] if isinstance(fields, str) else fields or ()))
            elif key == "count" and isinstance(item, LocDict):
                out.extend(Expected("count", item.key_loc(e), record=str(e), value=n)
                           for e, n in item.items())
            elif key in ("imported", "notifications"):
                out.append(Expected(key, at, value=item))
            elif expectation_check(str(key)) is not None:
                out.append(Expected("custom", at, name=str(key), value=item))
            elif key in EXPECT_KEYS:
                self.problem(at, f"expect: {key} has the wrong shape")
            elif isinstance(item, LocDict):
                out.extend(Expected("value", item.key_loc(f), record=str(key), name=str(f),
                                    value=v) for f, v in item.items())
            else:
                self.problem(at, f"expect: '{key}' maps field names to the values "
                             "expected")
        return tuple(out)


def _text(value: Any) -> Text:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    return {}


def scenario_files(root: Path) -> list[Path]:
    """The project's scenario files, in name order."""
    folder = root / "scenarios"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def read_scenarios(root: str | Path) -> tuple[list[Scenario], list[Problem]]:
    """Every scenario of the project, and the problems of files that cannot be read."""
    base = Path(root)
    reader = _Reader(base)
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for path in scenario_files(base):
        document = load_file(path, root=base)
        problems.extend(Problem(p.loc, p.message) for p in document.problems)
        data = document.data
        if data is None:
            continue
        if not isinstance(data, LocDict):
            problems.append(Problem(Loc(str(path), 1, 1), "a scenario file maps each "
                                    "scenario's name to its definition"))
            continue
        for name, value in data.items():
            scenarios.append(reader.scenario(str(name), value, data.key_loc(name)))
    return scenarios, problems
