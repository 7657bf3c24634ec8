"""Searching every entity at once, as one user: what `/search` and `/api/search` show.

The index (`guanxi.workspace.searchindex`) holds every field; what a user finds is
decided here, in the query, by the same rules as every other read:

- only entities whose records the user may read, and only their records the row rules
  let her read (the entity's read condition, not deleted);
- only rows of fields she may see: a hidden field's words never match for her;
- a reference's title only when she may see the reference field, the target's title
  field, and the target record itself (so a deal is not found by the name of an account
  she may not read).

The words are matched as one case-insensitive substring (Chinese included); titles first,
then the newest records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.expr.functions import context_params
from guanxi.fields.registry import title_of
from guanxi.identity import User
from guanxi.store.facade import Store
from guanxi.store.query import MAX_SEARCH_LENGTH
from guanxi.store.unit import Unit
from guanxi.workspace.searchindex import FTS, FTS5, FTS_TABLE, INDEX, PG_TRGM, mode, refresh
from sqlalchemy.sql.elements import ColumnElement

# Results per entity: the type-ahead shows a few, the page more.
DEFAULT_PER_ENTITY = 5
MAX_PER_ENTITY = 50


@dataclass(frozen=True, slots=True)
class Hit:
    """One record found: its title as the user may see it, and the field that matched
    (the reference's field when it was found by a referenced record's title)."""

    entity: str
    record_id: int
    title: str
    field: str
    text: str


@dataclass(frozen=True, slots=True)
class Group:
    """The records found of one entity (at most the number asked for), and whether
    there were more."""

    entity: str
    hits: tuple[Hit, ...]
    more: bool


def clean(text: str) -> str:
    """The words searched for: no NUL, trimmed, at most MAX_SEARCH_LENGTH characters."""
    return text.replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(found_mode: str, term: str) -> ColumnElement[bool]:
    if found_mode == FTS5 and len(term) >= 3:
        # A phrase of trigrams: a substring, found through the FTS5 index.
        phrase = '"' + term.replace('"', '""') + '"'
        return INDEX.c.id.in_(sa.select(FTS.c.rowid).where(FTS.c[FTS_TABLE].op("MATCH")(phrase)))
    return INDEX.c.body.ilike(_like(term), escape="\\")


def _plain(column: sa.Column[str], through_text_index: bool) -> ColumnElement[str]:
    """`column`, or beside a text-index match `column || ''`, so that the database
    drives the query from the text index rather than from the index on `column`."""
    return column.concat("") if through_text_index else column


def _readable_refs(unit: Unit, compiled: CompiledEntity, visible: frozenset[str],
                   indexed: bool) -> list[ColumnElement[bool]]:
    """Rows of references the user may follow: per target, its readable records."""
    user, app = unit.user, unit.app
    parts: list[ColumnElement[bool]] = []
    for name, spec in compiled.fields.items():
        if spec.type != "reference" or not spec.ref or name not in visible:
            continue
        target = app.entity(spec.ref)
        if title_of(target.spec) not in target.policy.visible_fields(user):
            continue
        table = target.table
        readable = sa.select(table.c.id).where(table.c.deleted_at.is_(None),
                                               target.policy.rule(user, unit.ctx, "read"))
        parts.append(sa.and_(INDEX.c.field == name, _plain(INDEX.c.via, indexed) == target.name,
                             INDEX.c.via_id.in_(readable)))
    return parts


def _search_entity(unit: Unit, compiled: CompiledEntity, matches: ColumnElement[bool],
                   indexed: bool, limit: int) -> Group | None:
    user = unit.user
    policy = compiled.policy
    visible = policy.visible_fields(user)
    if not visible or not policy.may(user, "read"):
        return None
    own = [n for n in compiled.searchable if n in visible]
    title = title_of(compiled.spec)
    if title in visible and title not in own and title != "id":
        own.append(title)
    which = ([sa.and_(_plain(INDEX.c.via, indexed).is_(None), INDEX.c.field.in_(own))]
             if own else [])
    which.extend(_readable_refs(unit, compiled, visible, indexed))
    if not which:
        return None
    table = compiled.table
    shown = table.c[title] if title in visible else table.c.id
    query = (
        sa.select(INDEX.c.record_id, INDEX.c.field, INDEX.c.body, shown.label("title"))
        .select_from(INDEX.join(table, table.c.id == INDEX.c.record_id))
        .where(_plain(INDEX.c.entity, indexed) == compiled.name, matches, sa.or_(*which),
               table.c.deleted_at.is_(None), policy.rule(user, unit.ctx, "read"))
        .order_by(sa.case((INDEX.c.field == title, 0), else_=1), INDEX.c.record_id.desc())
        .limit(limit * 4 + 1)
    )
    hits: dict[int, Hit] = {}
    more = False
    for row in unit.conn.execute(query, context_params(unit.ctx)).mappings():
        if row["record_id"] in hits:
            continue
        if len(hits) == limit:
            more = True
            break
        heading = row["title"] if title in visible and row["title"] not in (None, "") \
            else f"#{row['record_id']}"
        hits[row["record_id"]] = Hit(compiled.name, row["record_id"], str(heading),
                                     row["field"], row["body"])
    if not hits:
        return None
    return Group(compiled.name, tuple(hits.values()), more)


def find(store: Store, user: User, text: str, *, per_entity: int = DEFAULT_PER_ENTITY,
         entities: Sequence[str] | None = None) -> list[Group]:
    """The records of every entity (or of `entities`) `user` may read that `text` finds,
    grouped by entity in the project's order, at most `per_entity` of each. The index
    first takes in every write committed before the call."""
    term = clean(text)
    if not term:
        return []
    per_entity = max(1, min(per_entity, MAX_PER_ENTITY))
    refresh(store.engine, store.app)
    found_mode = mode(store.engine)
    matches = _matches(found_mode, term)
    indexed = found_mode == PG_TRGM or (found_mode == FTS5 and len(term) >= 3)
    names = [e.name for e in store.app.spec.entities
             if entities is None or e.name in entities]
    groups = []
    with store.reading(user) as unit:
        for name in names:
            group = _search_entity(unit, store.app.entity(name), matches, indexed,
                                   per_entity)
            if group is not None:
                groups.append(group)
    return groups
