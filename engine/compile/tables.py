"""The database schema of a project: SQLAlchemy tables built from the spec.

One table per entity, named after it, with the declared fields as columns plus the
system columns; `gx_history` (the audit trail of every change); `gx_user` and
`gx_user_role` (accounts and their roles); `gx_session` (signed-in browser sessions);
`gx_login_attempt` (the sign-in brake); `gx_event` (the outbox of change events) and
`gx_event_cursor` (how far each named consumer has read it). Names starting with
`gx_` are the engine's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.accounts.views import define_view_table
from guanxi.attachments.tables import define_attachment_table
from guanxi.automation.tables import define_automation_tables
from guanxi.fields.registry import UTCDateTime, field_type
from guanxi.insight.tables import define_insight_tables
from guanxi.mail.tables import define_mail_tables
from guanxi.portal.tables import define_portal_tables
from guanxi.selfservice.tables import define_selfservice_tables
from guanxi.spec import NOWHERE, EntitySpec, ProjectSpec
from guanxi.workspace.tables import define_workspace_tables
from sqlalchemy.dialects import postgresql

RESERVED_PREFIX = "gx_"
# PostgreSQL truncates identifiers longer than this; SQLAlchemy refuses them.
MAX_IDENTIFIER = 63


def constraint_name(prefix: str, table: str, *columns: str) -> str:
    """`prefix_table_columns`, shortened with a hash suffix when it would pass 63 bytes,
    so names stay unique and stable however long the declared names are."""
    name = "_".join((prefix, table, *columns))
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name.encode()[:MAX_IDENTIFIER - 9].decode(errors='ignore')}_{digest}"
USER_TABLE = "gx_user"
USER_ROLE_TABLE = "gx_user_role"
SESSION_TABLE = "gx_session"
HISTORY_TABLE = "gx_history"
LOGIN_ATTEMPT_TABLE = "gx_login_attempt"
EVENT_TABLE = "gx_event"
EVENT_CURSOR_TABLE = "gx_event_cursor"


@dataclass(frozen=True, slots=True)
class Tables:
    """Every table of one project, on one MetaData."""

    metadata: sa.MetaData
    entities: dict[str, sa.Table]
    history: sa.Table
    users: sa.Table
    user_roles: sa.Table
    events: sa.Table
    event_cursors: sa.Table


def define_user_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    """`gx_user` (one row per account) and `gx_user_role` (the roles assigned to it)."""
    users = sa.Table(
        USER_TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(150), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False, default=""),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("language", sa.String(16), nullable=False, default="en"),
        sa.Column("active", sa.Boolean, nullable=False, default=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    user_roles = sa.Table(
        USER_ROLE_TABLE,
        metadata,
        sa.Column("user_id", sa.Integer, sa.ForeignKey(f"{USER_TABLE}.id"), primary_key=True),
        sa.Column("role", sa.String(63), primary_key=True),
    )
    return users, user_roles


def define_session_table(metadata: sa.MetaData) -> sa.Table:
    """`gx_session`: one row per signed-in browser session (see guanxi.sessions).

    `id` is the SHA-256 of the random session key held in the visitor's cookie, so the
    table alone cannot be used to sign in."""
    return sa.Table(
        SESSION_TABLE,
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(f"{USER_TABLE}.id"), nullable=False,
                  index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    )


def define_history_table(metadata: sa.MetaData) -> sa.Table:
    """`gx_history`: one row per create, update, transition, delete and restore.

    `changes` maps each changed field to `[old, new]` (JSON values)."""
    return sa.Table(
        HISTORY_TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(f"{USER_TABLE}.id"), nullable=True),
        # create, update, transition, delete or restore
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("transition", sa.String(63), nullable=True),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Index("ix_gx_history_record", "entity", "record_id"),
    )


def define_event_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    """`gx_event`: one row per record written (the outbox), appended in the write's own
    transaction, so an event exists exactly when its write committed. `kind` is
    created, updated, transitioned, deleted, restored or imported; `changes` maps each
    changed field to `[old, new]` (JSON values, hidden fields included).

    `gx_event_cursor`: per named consumer, the id of the last event it has taken."""
    events = sa.Table(
        EVENT_TABLE,
        metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("transition", sa.String(63), nullable=True),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    cursors = sa.Table(
        EVENT_CURSOR_TABLE,
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
    )
    return events, cursors


def define_login_attempt_table(metadata: sa.MetaData) -> sa.Table:
    """`gx_login_attempt`: counted sign-in attempts per username (`u:name`) and per client
    address (`a:address`), the brake on password guessing that every server process on
    the database shares. Times are seconds since the epoch."""
    return sa.Table(
        LOGIN_ATTEMPT_TABLE,
        metadata,
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", sa.Double, nullable=False),
        sa.Column("blocked_until", sa.Double, nullable=False),
    )


def _entity_table(metadata: sa.MetaData, entity: EntitySpec) -> sa.Table:
    name = entity.name
    columns: list[sa.Column[Any]] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey(f"{USER_TABLE}.id"), nullable=True),
        sa.Column("owner", sa.Integer, sa.ForeignKey(f"{USER_TABLE}.id"), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    ]
    if entity.workflow:
        columns.append(sa.Column("state", sa.String(63), nullable=False))
    columns.append(sa.Column("deleted_at", UTCDateTime(), nullable=True))
    for field in entity.fields:
        kind = field_type(field)
        args: list[sa.ForeignKey] = []
        target = kind.foreign_key(field, USER_TABLE)
        if target is not None:
            # use_alter: references may form cycles (account <-> contact).
            args.append(sa.ForeignKey(target, name=constraint_name("fk", name, field.name),
                                      use_alter=field.ref is not None and field.ref != name))
        columns.append(
            sa.Column(
                field.name,
                kind.column_type(field),
                *args,
                # Computed fields may come out empty; the validator enforces the rest too.
                nullable=not (field.required and not field.derived),
            )
        )
    table = sa.Table(name, metadata, *columns)
    sa.Index(constraint_name("ix", name, "owner"), table.c.owner)
    if entity.workflow:
        sa.Index(constraint_name("ix", name, "state"), table.c.state)
    for field in entity.fields:
        if field.unique:
            sa.Index(constraint_name("uq", name, field.name), table.c[field.name], unique=True)
        elif field.index or field_type(field).kind == "id":  # references and users
            sa.Index(constraint_name("ix", name, field.name), table.c[field.name])
    for number, index in enumerate(entity.indexes, 1):
        prefix = "uq" if index.unique else "ix"
        sa.Index(constraint_name(prefix, name, str(number), *index.fields),
                 *(table.c[f] for f in index.fields), unique=index.unique)
    return table


def build_tables(spec: ProjectSpec) -> Tables:
    """All tables of `spec`. Raises ValueError if an entity takes an engine table's name."""
    metadata = sa.MetaData()
    users, user_roles = define_user_tables(metadata)
    define_session_table(metadata)
    history = define_history_table(metadata)
    define_login_attempt_table(metadata)
    events, event_cursors = define_event_tables(metadata)
    define_automation_tables(metadata)
    define_mail_tables(metadata)
    define_insight_tables(metadata)
    define_workspace_tables(metadata)
    define_view_table(metadata)
    define_attachment_table(metadata)
    define_portal_tables(metadata)
    define_selfservice_tables(metadata)
    entities: dict[str, sa.Table] = {}
    for entity in spec.entities:
        if entity.name.startswith(RESERVED_PREFIX):
            raise ValueError(
                f"{entity.loc}: entity name '{entity.name}' starts with '{RESERVED_PREFIX}', "
                "which is reserved for the engine's own tables; rename it"
            )
        entities[entity.name] = _entity_table(metadata, entity)
    return Tables(metadata, entities, history, users, user_roles, events, event_cursors)


def user_tables() -> Tables:
    """Only the engine's tables (users, roles, sessions, history), for tools that need no
    project."""
    return build_tables(ProjectSpec(name="", root="", loc=NOWHERE))
