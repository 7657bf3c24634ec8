"""The messaging tables, on a project's MetaData (built with the others by
`guanxi.compile.tables.build_tables`, so `create_schema` and `guanxi migrate` make them).

`gx_message`: every e-mail received or sent, on the timeline of the record it belongs to
(a ticket). `gx_mail_pref`: each user's e-mail address and how they want each kind of
notification (in-app, e-mail or both). `gx_mail_cursor`: how far a follower has read a
table. `gx_webhook_delivery`: the log of webhook attempts; `gx_webhook_state`: each
subscription's run of failures and whether it is disabled; `gx_webhook_setting`: the URL
and secret an administrator set for a subscription on `/admin/webhooks` (they win over
the YAML's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime
from sqlalchemy.dialects import postgresql

MESSAGE_TABLE = "gx_message"
PREF_TABLE = "gx_mail_pref"
CURSOR_TABLE = "gx_mail_cursor"
DELIVERY_TABLE = "gx_webhook_delivery"
HOOK_STATE_TABLE = "gx_webhook_state"
HOOK_SETTING_TABLE = "gx_webhook_setting"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _big() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class MailTables:
    messages: sa.Table
    prefs: sa.Table
    cursors: sa.Table
    deliveries: sa.Table
    hooks: sa.Table
    settings: sa.Table


def define_mail_tables(metadata: sa.MetaData) -> MailTables:
    """Add the messaging tables to `metadata`."""
    messages = sa.Table(
        MESSAGE_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("entity", sa.String(63), nullable=True),
        sa.Column("record_id", sa.Integer, nullable=True),
        # "in" (received) or "out" (sent)
        sa.Column("direction", sa.String(3), nullable=False),
        # The Message-ID header, without angle brackets.
        sa.Column("message_id", sa.String(300), nullable=False, unique=True),
        sa.Column("in_reply_to", sa.String(300), nullable=True),
        sa.Column("from_addr", sa.String(320), nullable=False),
        sa.Column("to_addr", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("html", sa.Text, nullable=True),
        # reply, notification or marketing (marketing needs the contact's consent)
        sa.Column("kind", sa.String(20), nullable=False),
        # received, queued, sent, refused
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("contact_id", sa.Integer, nullable=True),
        # Reply templates suggested for a received message: [{name, hits}], best first.
        sa.Column("suggestions", _json(), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_message_record", "entity", "record_id"),
    )
    prefs = sa.Table(
        PREF_TABLE, metadata,
        sa.Column("user_id", sa.Integer, sa.ForeignKey("gx_user.id"), primary_key=True),
        sa.Column("address", sa.String(320), nullable=True),
        # notification source (or "*") -> "app", "email" or "both"
        sa.Column("channels", _json(), nullable=False),
    )
    cursors = sa.Table(
        CURSOR_TABLE, metadata,
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("position", _big(), nullable=False),
    )
    deliveries = sa.Table(
        DELIVERY_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("subscription", sa.String(100), nullable=False),
        sa.Column("webhook_id", sa.String(100), nullable=False),
        sa.Column("event_id", _big(), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("elapsed_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Index("ix_gx_webhook_delivery_sub", "subscription", "id"),
    )
    hooks = sa.Table(
        HOOK_STATE_TABLE, metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
    )
    settings = sa.Table(
        HOOK_SETTING_TABLE, metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        # NULL: the YAML's url / the secret from the subscription's environment variable.
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("secret", sa.String(200), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer, nullable=True),
    )
    return MailTables(messages, prefs, cursors, deliveries, hooks, settings)


# The same tables on a MetaData of their own, for the modules that read and write them.
TABLES = define_mail_tables(sa.MetaData())
