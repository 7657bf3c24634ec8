"""The search index (`gx_search`): the words of every record, one row per field, kept
current from the change events.

Each row holds one field of one record: its own text (`via` empty) or, for a reference,
the title of the record it points at (`via` names that entity, `via_id` that record), so
a deal is found by its account's name. Who may see what is decided when searching
(`guanxi.workspace.search`), from the field a row came from and the records' row rules;
the index itself holds every field and is read only through that module.

The index is a consumer of the change events (`guanxi.store.events`, consumer
`search`): `refresh` takes the events written since its last call and re-indexes the
records they name, in the transaction that moves its cursor. It runs before every
search (so a search sees every committed write) and, once the index is built, in each
pass of the automation worker (so the work is mostly done before anyone searches).
`rebuild` indexes every record again from the tables, a batch per transaction
(`guanxi reindex`), and is what the first refresh of a database does.

Substring matching, Chinese included, is fast where the database can: on SQLite an FTS5
table with the trigram tokenizer (`gx_search_fts`, kept in step with `gx_search` by
triggers); on PostgreSQL a GIN trigram index (`pg_trgm`, created when the extension is
available). Without them, searching scans the index table, which is still correct.
The table lives outside the project's tables (like `gx_login_attempt`): `ensure` makes
it on first use, so `guanxi migrate` neither plans nor drops it.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import App, CompiledEntity
from guanxi.fields.registry import title_of
from guanxi.spec import text_in
from guanxi.store import events
from guanxi.store.events import Event
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

log = logging.getLogger("guanxi.search")

SEARCH_TABLE = "gx_search"
FTS_TABLE = "gx_search_fts"
CONSUMER = "search"
BATCH = 500
# How the index is searched on a database: "fts5" (SQLite FTS5 trigram), "pg_trgm"
# (PostgreSQL GIN trigram index) or "scan" (no text index: every row is compared).
FTS5, PG_TRGM, SCAN = "fts5", "pg_trgm", "scan"

_METADATA = sa.MetaData()
INDEX = sa.Table(
    SEARCH_TABLE, _METADATA,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("entity", sa.String(63), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("field", sa.String(63), nullable=False),
    sa.Column("via", sa.String(63), nullable=True),
    sa.Column("via_id", sa.Integer, nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("ix_gx_search_record", "entity", "record_id"),
    sa.Index("ix_gx_search_via", "via", "via_id"),
)
# The FTS5 table, as far as queries need it (its rowid is gx_search.id).
FTS = sa.table(FTS_TABLE, sa.column("rowid"), sa.column(FTS_TABLE))

_SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(body, content='{SEARCH_TABLE}', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS gx_search_ai AFTER INSERT ON {SEARCH_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END",
    f"CREATE TRIGGER IF NOT EXISTS gx_search_ad AFTER DELETE ON {SEARCH_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); END",
    f"CREATE TRIGGER IF NOT EXISTS gx_search_au AFTER UPDATE ON {SEARCH_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
    f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END",
)

_modes: weakref.WeakKeyDictionary[sa.Engine, str] = weakref.WeakKeyDictionary()
# Databases whose index has been built (its cursor exists), as seen by this process.
_started: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def mode(engine: sa.Engine) -> str:
    """How this database's index is searched (making the index first if needed)."""
    found = _modes.get(engine)
    return found if found is not None else ensure(engine)


def ensure(engine: sa.Engine) -> str:
    """Make the index table and its text index if they are missing; the search mode."""
    with transaction(engine, write=True) as conn:
        _METADATA.create_all(conn, checkfirst=True)
    found = _sqlite_fts(engine) if engine.dialect.name == "sqlite" else _pg_trigram(engine)
    _modes[engine] = found
    return found


def _sqlite_fts(engine: sa.Engine) -> str:
    try:
        with transaction(engine, write=True) as conn:
            for statement in _SQLITE_FTS:
                conn.exec_driver_sql(statement)
    except sa.exc.OperationalError as error:  # an SQLite built without FTS5 or trigram
        log.warning("search without a text index (SQLite FTS5 trigram: %s)", error)
        return SCAN
    return FTS5


def _pg_trigram(engine: sa.Engine) -> str:
    try:
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:  # not installed, or not allowed to this user
        log.warning("search without a trigram index (pg_trgm: %s)", error.orig)
    try:
        with transaction(engine, write=True) as conn:
            schema = conn.execute(sa.text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar()
            if schema is None:
                return SCAN
            quoted = conn.dialect.identifier_preparer.quote_identifier(schema)
            conn.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS ix_gx_search_trgm ON {SEARCH_TABLE} "
                f"USING gin (body {quoted}.gin_trgm_ops)")
    except sa.exc.DBAPIError as error:
        log.warning("search without a trigram index (%s)", error.orig)
        return SCAN
    return PG_TRGM


# ------------------------------------------------------------ what a record contributes


def _texts(compiled: CompiledEntity, name: str, value: Any) -> str:
    """A field's value as searchable text (a choice: its key and every label)."""
    spec = compiled.fields.get(name)
    if spec is not None and spec.type == "choice":
        labels = [text_in(o.label, lang, "") for o in spec.options if o.value == value
                  for lang in (o.label or {})]
        return " ".join(dict.fromkeys([str(value), *labels]))
    return str(value)


def _own_names(compiled: CompiledEntity) -> list[str]:
    title = title_of(compiled.spec)
    names = list(compiled.searchable)
    if title != "id" and title not in names:
        names.insert(0, title)
    return names


def _references(app: App, compiled: CompiledEntity) -> list[tuple[str, CompiledEntity, str]]:
    """(field, target entity, the target's title field) of each reference to a titled one."""
    found = []
    for name, spec in compiled.fields.items():
        if spec.type == "reference" and spec.ref:
            target = app.entity(spec.ref)
            title = title_of(target.spec)
            if title != "id":
                found.append((name, target, title))
    return found


def _rows_of(conn: sa.Connection, app: App, compiled: CompiledEntity,
             records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The index rows of `records` (rows of `compiled`'s table)."""
    rows: list[dict[str, Any]] = []
    entity = compiled.name
    names = _own_names(compiled)
    for record in records:
        for name in names:
            value = record.get(name)
            if value is not None and value != "":
                rows.append({"entity": entity, "record_id": record["id"], "field": name,
                             "via": None, "via_id": None,
                             "body": _texts(compiled, name, value)})
    for name, target, title in _references(app, compiled):
        ids = {r[name] for r in records if r.get(name) is not None}
        if not ids:
            continue
        table = target.table
        titles = dict(conn.execute(sa.select(table.c.id, table.c[title])
                                   .where(table.c.id.in_(ids))).all())
        for record in records:
            ref = record.get(name)
            shown = titles.get(ref)
            if shown is not None and shown != "":
                rows.append({"entity": entity, "record_id": record["id"], "field": name,
                             "via": target.name, "via_id": ref, "body": str(shown)})
    return rows


def _index(conn: sa.Connection, app: App, compiled: CompiledEntity,
           ids: Iterable[int]) -> int:
    """Index these records of `compiled` again (dropping the deleted ones); rows made."""
    wanted = sorted(set(ids))
    made = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start:start + BATCH]
        conn.execute(INDEX.delete().where(INDEX.c.entity == compiled.name,
                                          INDEX.c.record_id.in_(chunk)))
        table = compiled.table
        records = [dict(r) for r in conn.execute(sa.select(table).where(
            table.c.id.in_(chunk), table.c.deleted_at.is_(None))).mappings()]
        rows = _rows_of(conn, app, compiled, records)
        if rows:
            conn.execute(INDEX.insert(), rows)
        made += len(rows)
    return made


def _retitle(conn: sa.Connection, compiled: CompiledEntity, ids: Iterable[int]) -> None:
    """The references to these records say their current titles."""
    title = title_of(compiled.spec)
    table = compiled.table
    for record_id, shown in conn.execute(sa.select(table.c.id, table.c[title])
                                         .where(table.c.id.in_(set(ids)))).all():
        conn.execute(INDEX.update().where(INDEX.c.via == compiled.name,
                                          INDEX.c.via_id == record_id)
                     .values(body="" if shown is None else str(shown)))


def apply(conn: sa.Connection, app: App, taken: Sequence[Event]) -> None:
    """Index what `taken` events wrote (in `conn`'s transaction)."""
    written: dict[str, set[int]] = {}
    retitled: dict[str, set[int]] = {}
    known = app.tables.entities
    for event in taken:
        if event.entity not in known:
            continue  # an entity the project no longer has
        written.setdefault(event.entity, set()).add(event.record_id)
        compiled = app.entity(event.entity)
        if title_of(compiled.spec) in (event.changes or {}):
            retitled.setdefault(event.entity, set()).add(event.record_id)
    for entity, ids in written.items():
        _index(conn, app, app.entity(entity), ids)
    for entity, ids in retitled.items():
        _retitle(conn, app.entity(entity), ids)


def built(engine: sa.Engine) -> bool:
    """Whether this database's index has been built (its event cursor exists)."""
    if engine in _started:
        return True
    if events.started(engine, CONSUMER):
        _started.add(engine)
        return True
    return False


def refresh(engine: sa.Engine, app: App) -> int:
    """Index the records written since the last refresh; how many events were taken.
    The first refresh of a database builds the whole index (`rebuild`)."""
    mode(engine)
    if not built(engine):
        rebuild(engine, app)
        return 0
    if not events.pending(engine, CONSUMER):
        return 0
    total = 0
    while True:
        with events.claim_in(engine, CONSUMER, limit=BATCH) as (conn, taken):
            apply(conn, app, taken)
        total += len(taken)
        if len(taken) < BATCH:
            return total


def rebuild(engine: sa.Engine, app: App) -> int:
    """Index every record again, from the tables; how many index rows were made.

    The index is emptied and the event cursor moved to the newest event in one
    transaction; then the records are indexed BATCH at a time, each batch in its own
    short transaction, so writers are never held up for long (on SQLite, the write
    lock). A record written meanwhile has an event past the cursor and is indexed again
    by the next refresh; until the rebuild ends, searches find what is indexed so far."""
    mode(engine)
    with transaction(engine, write=True) as conn:
        events.move_to(conn, CONSUMER, events.last_id(conn))
        conn.execute(INDEX.delete())
    made = 0
    for compiled in app.entities.values():
        table = compiled.table
        with engine.connect() as reading:
            ids = list(reading.execute(sa.select(table.c.id).where(
                table.c.deleted_at.is_(None)).order_by(table.c.id)).scalars())
        for start in range(0, len(ids), BATCH):
            with transaction(engine, write=True) as conn:
                made += _index(conn, app, compiled, ids[start:start + BATCH])
    if engine.dialect.name == "postgresql":
        with transaction(engine, write=True) as conn:
            # Fresh statistics, so the planner knows the trigram index is worth using.
            conn.exec_driver_sql(f"ANALYZE {SEARCH_TABLE}")
    return made


def follow(store: Store, now: dt.datetime) -> list[str]:
    """A worker pass: index what was written since the last one. Until the index is
    built (by the first search or `guanxi reindex`), nothing: a database nobody searches
    costs the worker nothing, and a large one is not indexed behind the operator's back."""
    del now
    if not built(store.engine):
        return []
    taken = refresh(store.engine, store.app)
    return [f"search: {taken} event(s) indexed"] if taken else []
