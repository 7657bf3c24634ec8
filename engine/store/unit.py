"""A unit of work: what one Store call works with, passed explicitly to the modules that
carry out the call (records, lists, workflow, imports).

The Store (the facade) creates one per call, inside the call's transaction: the
connection, the acting user, the moment of the call and the expression context made from
them, the resolver that follows reference paths in this transaction, the compiled app, and
the statements the Store prepares once and reuses across calls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from guanxi import expr
from guanxi.automation.teams import team_mates
from guanxi.compile.app import App
from guanxi.identity import User
from guanxi.store.database import WRITE_OPTION

Clock = Callable[[], dt.datetime]
Record = dict[str, Any]
Resolver = Callable[[str, int], Record | None]
T = TypeVar("T")


class Statements:
    """Statements built once and run with parameters, keyed by what shapes them; one
    cache per Store, shared by its calls."""

    def __init__(self) -> None:
        self._built: dict[Hashable, Any] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The statement under `key`, built by `build` the first time."""
        statement = self._built.get(key)
        if statement is None:
            statement = self._built[key] = build()
        return statement


def context_of(app: App, user: User, now: dt.datetime) -> expr.Context:
    """The expression context of `user` at `now`: their roles expanded through includes."""
    return expr.Context(user_id=user.id, roles=app.spec.expand_roles(user.roles), now=now,
                        zone=app.spec.time_zone, contact_id=user.contact_id,
                        account_id=user.account_id)


def resolver_of(app: App, conn: sa.Connection) -> Resolver:
    """What follows reference paths (account.sector) for Python-side expressions: reads the
    referred row in this transaction, once per record."""
    tables = app.tables.entities
    cache: dict[tuple[str, int], Record | None] = {}

    def resolve(entity: str, record_id: int) -> Record | None:
        key = (entity, record_id)
        if key not in cache:
            table = tables.get(entity)
            row = None if table is None else conn.execute(
                sa.select(table).where(table.c.id == record_id)).mappings().first()
            cache[key] = dict(row) if row is not None else None
        return cache[key]

    return resolve


@dataclass(frozen=True, slots=True)
class Unit:
    """One Store call: who acts, when, in which transaction, over which compiled app."""

    app: App
    conn: sa.Connection
    user: User
    now: dt.datetime
    ctx: expr.Context
    resolve: Resolver
    statements: Statements
    # Values this call derived on other records (roll-ups, computed fields following
    # them), {(entity, id): {field: [first old, latest new]}}, recorded in history and
    # events once, when the call ends (`closing`).
    derived: dict[tuple[str, int], dict[str, list[Any]]] = field(default_factory=dict)
    # Run in order when the call has done its work, before its transaction commits.
    closing: list[Callable[[], None]] = field(default_factory=list)

    @property
    def language(self) -> str:
        """The acting user's language, for the messages of this call."""
        return self.user.language

    @property
    def dialect(self) -> sa.Dialect:
        return self.conn.dialect


@contextmanager
def transaction(engine: sa.Engine, *, write: bool) -> Iterator[sa.Connection]:
    """A connection in one transaction (committed on success, rolled back on error);
    on SQLite a writing one takes the write lock up front."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: write})
        with conn.begin():
            yield conn


@contextmanager
def unit_of_work(app: App, engine: sa.Engine, statements: Statements, user: User,
                 now: dt.datetime, *, write: bool,
                 ctx: expr.Context | None = None) -> Iterator[Unit]:
    """A Unit for one call of `user` at `now` (with `ctx`, the context already made for
    them at `now`), in its own transaction; its `closing` steps run when the call
    returns, before the commit (not when it raises: then everything is rolled back)."""
    with transaction(engine, write=write) as conn, \
            unit_on(app, conn, statements, user, now, ctx=ctx) as unit:
        yield unit


@contextmanager
def unit_on(app: App, conn: sa.Connection, statements: Statements, user: User,
            now: dt.datetime, *, ctx: expr.Context | None = None) -> Iterator[Unit]:
    """A Unit for one call of `user` at `now` in `conn`'s transaction, which the caller
    opened (a consumer's claim of events, or `unit_of_work`); its `closing` steps run
    when the block returns (not when it raises)."""
    if ctx is None:
        ctx = context_of(app, user, now)
    if app.team_rules and user.id is not None:
        ctx = dataclasses.replace(ctx, team_mates=team_mates(app, conn, user.id))
    unit = Unit(app=app, conn=conn, user=user, now=now, ctx=ctx,
                resolve=resolver_of(app, conn), statements=statements)
    yield unit
    for step in unit.closing:
        step()
