"""The workspace's table, on a project's MetaData (built with the project's other
tables by `guanxi.compile.tables.build_tables`, so `create_schema` and `guanxi migrate`
make it).

`gx_note`: the notes written on records (the timeline's comments), each by one user.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime

NOTE_TABLE = "gx_note"


@dataclass(frozen=True, slots=True)
class WorkspaceTables:
    notes: sa.Table


def define_workspace_tables(metadata: sa.MetaData) -> WorkspaceTables:
    """Add the workspace's tables to `metadata`."""
    notes = sa.Table(
        NOTE_TABLE, metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("gx_user.id"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Index("ix_gx_note_record", "entity", "record_id"),
    )
    return WorkspaceTables(notes)


TABLES = define_workspace_tables(sa.MetaData())
