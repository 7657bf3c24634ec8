"""The insight tables, on a project's MetaData (built with the others by
`guanxi.compile.tables.build_tables`, so `create_schema` and `guanxi migrate` make them).

`gx_target`: the sales targets (quotas) managers entered on `/targets/NAME`, per target,
user or team, and period (`2026-06`, `2026-Q2`, `2026`); they win over the ones the
YAML declares for the same user or team and period.
"""

from __future__ import annotations

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime

TARGET_TABLE = "gx_target"


def define_insight_tables(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        TARGET_TABLE, metadata,
        sa.Column("target", sa.String(100), primary_key=True),
        # "user:<username>" or "team:<name>"
        sa.Column("who", sa.String(120), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("set_by", sa.Integer, nullable=True),
        sa.Column("set_at", UTCDateTime(), nullable=False),
    )


# The same table on a MetaData of its own, for the modules that read and write it.
TARGETS = define_insight_tables(sa.MetaData())
