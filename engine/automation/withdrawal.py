"""Withdrawing the approval requests of deleted records: a consumer of the change events
(`guanxi.store.events`, consumer "approvals"), run by the worker at each pass.

A record deleted — by `Store.delete`, by a bulk save that deletes, or as the record a
merge folds into another (its `merged` event names `merged_into`) — has its requests
still pending withdrawn (`guanxi.automation.asking.withdraw`) in the transaction that
moves the consumer's cursor, so each deletion is acted on exactly once, by whichever
worker takes it. Only the requests asked before the deletion are withdrawn — those
whose `requested` history event comes before the `deleted` event (by event id, not by
the clock) — so a request asked after the record was restored is left alone even when
the worker follows the deletion late.

Why a consumer and not a step of the delete's own transaction: the approval code joins
a transition's transaction because the transition itself asks for approval
(`guanxi.store.workflow` calls `asking`), but deletions are written by three paths of
the store (delete, save, merge) that know nothing of approvals; every one of them ends
in a `deleted` (or `merged`) event, so following the events catches them all, for
every entity, from one place. The cost is a delay of one worker pass, during which the
request still shows in the inboxes (deciding it then answers "not found").

Restoring the record does not reopen a withdrawn request: the user asks again.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from guanxi.automation import asking
from guanxi.compile.app import App
from guanxi.store.events import Event, claim_in, pending
from guanxi.store.facade import Store
from guanxi.store.unit import Statements, unit_on

CONSUMER = "approvals"
BATCH = 500


def deletes(event: Event) -> bool:
    """Whether the event deleted its record."""
    return event.kind == "deleted" or (event.kind == "merged"
                                       and "merged_into" in event.changes)


def asked_before(conn: sa.Connection, app: App, event: Event) -> set[int]:
    """The approval requests of the event's record asked before the event: the ids in
    its earlier `approval` events of kind `requested`."""
    events = app.tables.events
    found = set()
    for changes in conn.execute(sa.select(events.c.changes).where(
            events.c.entity == event.entity, events.c.record_id == event.record_id,
            events.c.kind == "approval", events.c.id < event.id)).scalars():
        said = (changes or {}).get("approval")
        new = said[1] if isinstance(said, list) and len(said) == 2 else None
        if isinstance(new, dict) and new.get("event") == "requested" and \
                isinstance(new.get("approval"), int):
            found.add(int(new["approval"]))
    return found


def follow(store: Store, now: dt.datetime) -> list[str]:
    """Take the change events not yet followed; withdraw the requests of the records
    they deleted. Lines for the worker's report."""
    engine, app = store.engine, store.app
    done: list[str] = []
    if not any(asking.uses_approvals(c) for c in app.entities.values()):
        return done  # no write lock for nothing: the cursor waits where it is
    if not pending(engine, CONSUMER):
        return done
    statements = Statements()
    system = store.system
    while True:
        with claim_in(engine, CONSUMER, BATCH) as (conn, events), \
                unit_on(app, conn, statements, system, now) as unit:
            for event in events:
                compiled = app.entities.get(event.entity)
                if compiled is None or not deletes(event) or \
                        not asking.uses_approvals(compiled):
                    continue
                if asking.pending_of(conn, event.entity, event.record_id) is None:
                    continue  # the usual case: nothing to withdraw, no events read
                among = asked_before(conn, app, event)
                for approval in asking.withdraw(unit, compiled, event.record_id,
                                                event.user_id, among):
                    done.append(f"approval {approval} withdrawn: {event.entity} "
                                f"{event.record_id} was deleted")
        if len(events) < BATCH:
            return done
