"""What runs when a scenario advances its clock: the automation worker, at the
scenario's new moment, on the scenario's database — exactly as `guanxi worker --once
--at T` does (follow the writes, run the due schedules, fire the due timers and SLA
steps, run the jobs, until nothing more happens).

Importing this module registers it with `guanxi.acceptance.seams.run_when_due`; the
scenario runner imports it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from guanxi.acceptance.seams import run_when_due
from guanxi.automation.notifications import NOTIFICATIONS, Notification
from guanxi.automation.worker import Worker
from guanxi.store.facade import Store


def _last_notification(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(
            sa.func.max(NOTIFICATIONS.c.id), 0))).scalar_one())


@run_when_due
def run_automation(store: Store, now: dt.datetime) -> list[Notification]:
    """Run everything due at `now`; the notifications it sent."""
    since = _last_notification(store.engine)
    Worker(store, name="scenario", clock=lambda: now).run_until_quiet(now)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(NOTIFICATIONS).where(NOTIFICATIONS.c.id > since)
                            .order_by(NOTIFICATIONS.c.id)).mappings().all()
    return [Notification(**row) for row in rows]
