"""`gx_attachment`: one row per file attached to a record (its bytes are in the storage,
under `key`), on a project's MetaData (built with the others by
`guanxi.compile.tables.build_tables`, so `create_schema` and `guanxi migrate` make it).

`field` names the `file` field holding it, if any; `contact_id` the portal contact who
sent it (then `user_id` is NULL); `erased_at` is set when erasure removed its content.
"""

from __future__ import annotations

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime

ATTACHMENT_TABLE = "gx_attachment"


def define_attachment_table(metadata: sa.MetaData) -> sa.Table:
    """Add `gx_attachment` to `metadata`."""
    return sa.Table(
        ATTACHMENT_TABLE, metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("field", sa.String(100), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("contact_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_attachment_record", "entity", "record_id"),
    )


# The same table on a MetaData of its own, for the modules that read and write it.
ATTACHMENTS = define_attachment_table(sa.MetaData())
