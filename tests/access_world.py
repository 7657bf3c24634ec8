"""Helpers for the access tests: valid sample records generated from a project's
declarations, an oracle that decides access from the declared rules alone, and a dump
of every row to prove a refused write changed nothing.

The oracle reads the `access:` entries of the spec and evaluates row conditions with the
expression language's Python evaluator; the Store enforces the same rules through SQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import re._parser as re_parser  # the standard library's own pattern parser
import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.app import App
from guanxi.errors import ValidationFailed
from guanxi.identity import User
from guanxi.spec import EntitySpec, FieldSpec, Permission, ProjectSpec, TransitionSpec
from guanxi.store.facade import Store

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
_counter = itertools.count(1)
# Pattern-made values already used, so that unique fields stay unique in one database.
_TAKEN: set[str] = set()


# ---------------------------------------------------------------- sample values


def _class_chars(items: list[tuple[Any, Any]]) -> str:
    """The characters a `[...]` class (or `\\d`, `\\w`) allows, in a stable order."""
    chars: list[str] = []
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY":
            chars.extend({"CATEGORY_DIGIT": string.digits, "CATEGORY_SPACE": " ",
                          "CATEGORY_WORD": string.ascii_letters + string.digits}
                         .get(str(arg), string.ascii_letters))
    if negate:
        return "".join(c for c in string.ascii_letters + string.digits if c not in chars)
    return "".join(chars)


def _generate(parsed: Any, seed: list[int]) -> str:
    """A string matching a parsed pattern; class characters spell out `seed` in a mixed
    radix, so different seeds give different strings."""
    out: list[str] = []

    def pick(chars: str) -> str:
        choice = chars[seed[0] % len(chars)]
        seed[0] //= len(chars)
        return choice

    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(pick(_class_chars(arg)))
        elif name == "ANY":
            out.append(pick(string.ascii_letters))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, item = arg
            out.extend(_generate(item, seed) for _ in range(low))
        elif name == "SUBPATTERN":
            out.append(_generate(arg[-1], seed))
        elif name == "BRANCH":
            out.append(_generate(arg[1][0], seed))
        elif name == "CATEGORY":
            out.append(pick(_class_chars([(op, arg)])))
    return "".join(out)


def _matching(pattern: str, taken: set[str]) -> str:
    """A string matching `pattern` (the whole of it) that is not yet taken."""
    parsed = re_parser.parse(pattern)
    for seed in itertools.count():
        value = _generate(parsed, [seed])
        if value not in taken and re.fullmatch(pattern, value):
            taken.add(value)
            return value
        if seed > 10_000:
            break
    raise AssertionError(f"cannot make a sample value for the pattern {pattern!r}")


def _number(field: FieldSpec, fallback: int) -> Any:
    low = field.min if field.min is not None else fallback
    if field.max is not None:
        low = min(low, field.max)
    return Decimal(str(low)) if field.type in ("decimal", "money", "percent") else int(low)


def sample_value(field: FieldSpec, user_id: int, references: Mapping[str, int],
                 taken: set[str]) -> Any:
    """A valid value for `field`; reference fields take `references[target entity]`."""
    n = next(_counter)
    kind = field.type
    if field.pattern:
        return _matching(field.pattern, taken)
    if kind in ("string", "text", "markdown"):
        text = f"{field.name} {n}"
        return text[: field.max_length] if field.max_length else text
    if kind == "email":
        return f"{field.name}{n}@example.com"
    if kind == "phone":
        return f"+1 555 {n:04d}"
    if kind == "url":
        return f"https://example.com/{n}"
    if kind in ("integer", "duration"):
        return _number(field, 1)
    if kind in ("decimal", "money", "percent"):
        return _number(field, 10)
    if kind == "boolean":
        return False
    if kind == "date":
        return NOW.date()
    if kind == "datetime":
        return NOW
    if kind == "choice":
        return field.options[0].value
    if kind == "tags":
        return [field.options[0].value]
    if kind == "reference":
        return references[field.ref]
    if kind == "user":
        return user_id
    raise AssertionError(f"no sample for field type {kind}")


def user_fields(entity: EntitySpec) -> list[str]:
    return [f.name for f in entity.fields if f.type == "user" and not f.compute]


class Samples:
    """Creates valid records of any entity through the Store, as `admin`.

    Values start with the required fields that have no default; whenever the Store
    reports a field as missing or wrong (a rule such as "email or phone"), the first such
    field gets a sample value and creation is tried again.
    """

    def __init__(self, app: App, store: Store, admin: User) -> None:
        self.app = app
        self.store = store
        self.admin = admin
        self.taken = _TAKEN
        self._needed: dict[str, list[str]] = {}
        self._targets: dict[tuple[str, int], int] = {}

    def values(self, entity: str, owner: int, references: Mapping[str, int]) -> dict[str, Any]:
        """Values for a new `entity` record owned by `owner` (user fields set to `owner`)."""
        spec = self.app.spec.entity(entity)
        assert spec is not None
        names = self._needed.get(entity)
        if names is None:
            names = [f.name for f in spec.fields
                     if f.required and f.default is None and not f.compute]
        values = {name: sample_value(spec.field(name), owner, references, self.taken)
                  for name in names}
        values.update(dict.fromkeys(user_fields(spec), owner))
        values["owner"] = owner
        return values

    def references(self, entity: str, owner: int) -> dict[str, int]:
        """One record of every entity `entity` refers to (transitively), owned by `owner`."""
        found: dict[str, int] = {}
        spec = self.app.spec.entity(entity)
        for field in spec.fields:
            if field.type == "reference" and field.ref != entity and field.ref not in found:
                key = (field.ref, owner)
                if key not in self._targets:
                    self._targets[key] = self.create(field.ref, owner)["id"]
                found[field.ref] = self._targets[key]
        return found

    def create(self, entity: str, owner: int) -> dict[str, Any]:
        """A valid record of `entity` owned by `owner`, created by the admin."""
        spec = self.app.spec.entity(entity)
        references = self.references(entity, owner)
        names = list(self._needed.get(entity, [
            f.name for f in spec.fields if f.required and f.default is None and not f.compute]))
        for _ in range(len(spec.fields) + 1):
            self._needed[entity] = names
            values = self.values(entity, owner, references)
            try:
                record = self.store.create(self.admin, entity, values)
            except ValidationFailed as error:
                missing = [f.name for f in spec.fields
                           if f.name in error.errors and f.name not in names]
                if not missing:
                    raise
                names.append(missing[0])
                continue
            return record
        raise AssertionError(f"could not make a valid {entity}")


# ---------------------------------------------------------------- the oracle


class Oracle:
    """Decides what a user may do from the spec's declarations alone."""

    def __init__(self, spec: ProjectSpec) -> None:
        self.spec = spec
        self._compiled: dict[tuple[str, str], Any] = {}

    def roles(self, user: User) -> frozenset[str]:
        return self.spec.expand_roles(user.roles)

    def context(self, user: User) -> expr.Context:
        return expr.Context(user.id, self.roles(user), NOW)

    def _holds(self, entity: EntitySpec, permission: Permission, record: Mapping[str, Any],
               user: User, resolver: Any = None) -> bool:
        if permission.kind != "where":
            return permission.kind == "all"
        key = (entity.name, permission.condition or "")
        if key not in self._compiled:
            scope = expr.Scope.for_entity(self.spec, entity)
            self._compiled[key] = expr.to_python(expr.parse(permission.condition), scope)
        return bool(self._compiled[key](record, self.context(user), resolver))

    def allows(self, user: User, entity: str, operation: str, record: Mapping[str, Any],
               resolver: Any = None) -> bool:
        """Whether some role of the user grants `operation` on `record`; `resolver`
        (entity, id) -> row follows reference paths such as `account.region`."""
        spec = self.spec.entity(entity)
        return any(
            self._holds(spec, getattr(access, operation), record, user, resolver)
            for role in self.roles(user)
            if (access := spec.access_for(role)) is not None
        )

    def may_fire(self, user: User, entity: str, transition: TransitionSpec) -> bool:
        """Whether the user's roles may fire the transition (on a record they may update)."""
        roles = self.roles(user)
        if transition.roles and not roles & set(transition.roles):
            return False
        spec = self.spec.entity(entity)
        for role in roles:
            access = spec.access_for(role)
            if access is None or not access.update.granted:
                continue
            if access.transitions is None or transition.name in access.transitions:
                return True
        return False

    def hidden(self, user: User, entity: str) -> frozenset[str]:
        """Fields the user must never see: hidden by every role that may read."""
        spec = self.spec.entity(entity)
        readers = [a for role in self.roles(user)
                   if (a := spec.access_for(role)) is not None and a.read.granted]
        everything = frozenset(f.name for f in spec.fields)
        if not readers:
            return everything
        return frozenset.intersection(*(frozenset(a.hide) for a in readers)) & everything


# ---------------------------------------------------------------- database


def dump(engine: sa.Engine, metadata: sa.MetaData) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.execute(
                sa.select(table).order_by(*table.primary_key.columns))]
            for name, table in sorted(metadata.tables.items())
        }


def stored(engine: sa.Engine, table: sa.Table, record_id: int) -> dict[str, Any]:
    """The row as stored, every column."""
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().one())


def add_users(engine: sa.Engine, app: App, users: list[User]) -> None:
    """Insert users directly (the password hash is irrelevant to access)."""
    with engine.begin() as conn:
        conn.execute(sa.insert(app.tables.users), [
            {"id": u.id, "username": u.username, "display_name": "", "password_hash": "-",
             "language": "en", "active": True, "created_at": NOW} for u in users])
        rows = [{"user_id": u.id, "role": r} for u in users for r in u.roles]
        if rows:
            conn.execute(sa.insert(app.tables.user_roles), rows)
