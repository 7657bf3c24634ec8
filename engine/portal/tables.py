"""The portal's tables, on a project's MetaData (built with the others by
`guanxi.compile.tables.build_tables`).

`gx_portal_link`: each sign-in link mailed to a contact, by the SHA-256 of its token
(the token itself is only in the mail), with its expiry and when it was used (a link
works once). `gx_portal_session`: each portal session, by the SHA-256 of its cookie's
token; separate from the staff's `gx_session`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime

LINK_TABLE = "gx_portal_link"
SESSION_TABLE = "gx_portal_session"


@dataclass(frozen=True, slots=True)
class PortalTables:
    links: sa.Table
    sessions: sa.Table


def define_portal_tables(metadata: sa.MetaData) -> PortalTables:
    """Add the portal's tables to `metadata`."""
    links = sa.Table(
        LINK_TABLE, metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("contact_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_portal_link_email", "email", "created_at"),
    )
    sessions = sa.Table(
        SESSION_TABLE, metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("contact_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
    )
    return PortalTables(links, sessions)


# The same tables on a MetaData of their own, for the modules that read and write them.
TABLES = define_portal_tables(sa.MetaData())
