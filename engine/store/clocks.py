"""Lists by service level: `sla=` filters and the `sla_due` sort of `Store.list`, read
from the SLA clocks (`gx_sla_clock`, kept by `guanxi.automation.slas`).

- `breached`: a clock that has not stopped and is past its due time (or was marked
  breached);
- `breaching_soon`: a running clock (not paused, not stopped), not yet due, whose
  warning moment has come (`warn_at:`) or that is due within `SOON`;
- `breaching`: either of the two — what needs attention now;
- `running`: any clock that has not stopped.

`sla_due` sorts by the soonest due time of the record's clocks that have not stopped
(records without one last). Both are SQL on the list's own statement, beside the read
rule, so a list never shows a record the reader may not read.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from guanxi.automation.tables import TABLES
from guanxi.compile.app import CompiledEntity
from guanxi.errors import RequestInvalid
from sqlalchemy.sql.elements import ColumnElement

CLOCKS = TABLES.slas
FILTERS = ("breached", "breaching_soon", "breaching", "running")
SLA_DUE = "sla_due"
SOON = dt.timedelta(hours=1)


def _of(entity: CompiledEntity) -> list[ColumnElement[bool]]:
    return [CLOCKS.c.entity == entity.name, CLOCKS.c.record_id == entity.table.c.id,
            CLOCKS.c.stopped_at.is_(None)]


def condition(entity: CompiledEntity, kind: str, now: dt.datetime) -> ColumnElement[bool]:
    """The records with a clock in state `kind` (one of FILTERS) at `now`."""
    if kind not in FILTERS:
        raise RequestInvalid(f"sla must be one of {', '.join(FILTERS)}, not {kind!r}",
                             code="bad_filter")
    moment = sa.literal(now.astimezone(dt.UTC) if now.tzinfo else now, CLOCKS.c.due_at.type)
    soon_at = sa.literal((now.astimezone(dt.UTC) if now.tzinfo else now) + SOON,
                         CLOCKS.c.due_at.type)
    breached = sa.or_(CLOCKS.c.breached_at.is_not(None), CLOCKS.c.due_at <= moment)
    soon = sa.and_(CLOCKS.c.paused_at.is_(None), CLOCKS.c.breached_at.is_(None),
                   CLOCKS.c.due_at > moment,
                   sa.or_(CLOCKS.c.warn_at <= moment, CLOCKS.c.due_at <= soon_at))
    chosen = {"breached": breached, "breaching_soon": soon,
              "breaching": sa.or_(breached, soon), "running": sa.true()}[kind]
    return sa.exists(sa.select(CLOCKS.c.record_id).where(*_of(entity), chosen))


def due(entity: CompiledEntity) -> ColumnElement[dt.datetime]:
    """The soonest due time of the record's clocks that have not stopped (NULL: none)."""
    return (sa.select(sa.func.min(CLOCKS.c.due_at)).where(*_of(entity))
            .scalar_subquery())
