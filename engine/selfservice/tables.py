"""The self-service tables, on a project's MetaData (built with the project's other
tables by `guanxi.compile.tables.build_tables`, so `create_schema` and `guanxi migrate`
make them).

`gx_consent`: each customer's consent history (given or withdrawn, when, and how).
`gx_public_post`: posts to the public forms counted per client address and window, the
rate limit every server process shares (`guanxi.selfservice.spam`). `gx_vote`: "was this
helpful?" answers about published articles, one per visitor and article
(`guanxi.selfservice.knowledge`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime

POST_TABLE = "gx_public_post"
VOTE_TABLE = "gx_vote"
CONSENT_TABLE = "gx_consent"


@dataclass(frozen=True, slots=True)
class SelfServiceTables:
    posts: sa.Table
    votes: sa.Table
    consents: sa.Table


def define_selfservice_tables(metadata: sa.MetaData) -> SelfServiceTables:
    """Add the self-service tables to `metadata`."""
    posts = sa.Table(
        POST_TABLE, metadata,
        # "a:" and the client address.
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("window_start", sa.Double, nullable=False),
        sa.Column("posts", sa.Integer, nullable=False),
    )
    votes = sa.Table(
        VOTE_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        # A keyed hash of the visitor's session: the same visitor, never who they are.
        sa.Column("voter", sa.String(64), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("entity", "record_id", "voter", name="uq_gx_vote_voter"),
    )
    consents = sa.Table(
        CONSENT_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False, index=True),
        sa.Column("purpose", sa.String(63), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        # How: "unsubscribe link (campaign 3)", a user's name …
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    return SelfServiceTables(posts, votes, consents)


TABLES = define_selfservice_tables(sa.MetaData())
