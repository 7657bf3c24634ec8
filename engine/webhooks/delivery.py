"""Delivering change events to webhook subscriptions (messages/*.yaml `webhooks:`).

The follower (`follow`, run in each pass of the worker) takes the change events once
(the `webhooks` consumer of `guanxi.store.events`) and queues a `webhook` job for each
subscription an event matches (entity, kinds, transition), in the same transaction. The
job (`run_webhook`) reads the record as the subscription's role (`as:`), through the
Store, so the payload holds only what that role may read (the event's changes too);
checks the subscription's `when:`; takes the URL and secret (`guanxi.webhooks.settings`:
the ones set on `/admin/webhooks`, else the YAML's); signs (`guanxi.webhooks.signing`)
and posts; logs the attempt (`gx_webhook_delivery`: status, time taken). A failed
attempt (no answer, or not 2xx) raises, so the job runner retries it with exponential
backoff; after
`disable_after` failed attempts in a row the subscription is disabled and the
administrators are notified. `guanxi webhooks enable NAME` turns it on again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from typing import Any

import sqlalchemy as sa
from guanxi.automation import jobs, notifications, recipients
from guanxi.automation import records as stored
from guanxi.automation.actions import Outcome
from guanxi.automation.jobs import Job
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.mail.definitions import WebhookSpec, messages_of
from guanxi.mail.tables import TABLES
from guanxi.store import events
from guanxi.store.events import Event
from guanxi.store.facade import Store
from guanxi.store.readable import require_readable
from guanxi.store.unit import resolver_of, transaction
from guanxi.webhooks import settings, signing

JOB_KIND = "webhook"
CONSUMER = "webhooks"
TIMEOUT = 10.0
DELIVERIES = TABLES.deliveries
HOOKS = TABLES.hooks
AGENT = "Guanxi-Webhooks/1"


class DeliveryFailed(RuntimeError):
    """The receiver did not take the event; the job is retried."""


def matches(hook: WebhookSpec, event: Event) -> bool:
    return (event.entity == hook.entity and (not hook.kinds or event.kind in hook.kinds)
            and (hook.transition is None or event.transition == hook.transition))


def disabled(conn: sa.Connection) -> set[str]:
    return {str(n) for n in conn.execute(
        sa.select(HOOKS.c.name).where(HOOKS.c.disabled_at.is_not(None))).scalars()}


def follow(store: Store, now: dt.datetime) -> list[str]:
    """Queue the deliveries of the events written since the last pass."""
    hooks = messages_of(store.app.spec).webhooks
    if not hooks:
        return []
    lines: list[str] = []
    table = store.app.tables.events
    with store.engine.connect() as reading:  # most passes: nothing new, no write lock
        newer = reading.execute(sa.select(table.c.id).where(
            table.c.id > events.position(store.engine, CONSUMER)).limit(1)).scalar()
    if newer is None:
        return lines
    with events.claim_in(store.engine, CONSUMER, limit=500) as (conn, taken):
        if not taken:
            return lines
        off = disabled(conn)
        queued = []
        for event in taken:
            for hook in hooks:
                if hook.name in off or not matches(hook, event):
                    continue
                queued.append({"kind": JOB_KIND, "key": f"webhook:{hook.name}:{event.id}",
                               "payload": {"subscription": hook.name, "event": event.id,
                                           "entity": event.entity,
                                           "record_id": event.record_id,
                                           "kind": event.kind,
                                           "transition": event.transition,
                                           "changes": event.changes,
                                           "at": event.at.isoformat()}})
                lines.append(f"webhook {hook.name}: event {event.id} queued")
        jobs.enqueue_many(conn, queued, now=now)
    return lines


def role_user(hook: WebhookSpec) -> User:
    """Who the payload is read as: the subscription's role, and no user."""
    return User(id=0, username=f"webhook:{hook.name}", roles=frozenset({hook.role}))


def payload(store: Store, hook: WebhookSpec, data: dict[str, Any],
            now: dt.datetime) -> str | None:
    """The JSON body for the event, with only what the role may read; None when the
    role may not read the record, or the subscription's condition does not hold."""
    entity, record_id = str(data["entity"]), int(data["record_id"])
    if hook.when is not None:
        require_readable(store.app, role_user(hook), entity, hook.when, "webhook condition")
    with transaction(store.engine, write=False) as conn:
        row = stored.load(store.app, conn, entity, record_id)
        if row is not None and hook.when is not None and not stored.holds(
                store.app, entity, hook.when, row, store.context(store.system, now),
                resolver_of(store.app, conn)):
            return None
    record: dict[str, Any] | None = None
    if row is not None:
        try:
            record = dict(store.get(role_user(hook), entity, record_id))
        except GuanxiError:
            return None
        visible = set(record)
    else:
        visible = set(store.app.entity(entity).policy.visible_fields(role_user(hook)))
    changes = {k: v for k, v in dict(data.get("changes") or {}).items() if k in visible}
    body = {"type": f"{entity}.{data['kind']}", "timestamp": data["at"],
            "data": {"entity": entity, "id": record_id, "kind": data["kind"],
                     "transition": data.get("transition"), "changes": changes,
                     "record": record}}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)


def post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST `body`; the HTTP status (DeliveryFailed when nobody answered)."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST",
                                     headers={"content-type": "application/json",
                                              "user-agent": AGENT, **headers})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryFailed(f"no answer from {url}: {error}") from error


def _state(conn: sa.Connection, name: str) -> tuple[int, dt.datetime | None]:
    row = conn.execute(sa.select(HOOKS.c.failures, HOOKS.c.disabled_at)
                       .where(HOOKS.c.name == name)).first()
    if row is None:
        conn.execute(HOOKS.insert().values(name=name, failures=0, disabled_at=None))
        return 0, None
    return int(row[0]), row[1]


def _admins(store: Store, conn: sa.Connection) -> list[int]:
    found: dict[int, None] = {}
    for role in store.app.spec.roles:
        if role.admin:
            found.update(dict.fromkeys(recipients.role_users(store.app, conn, role.name)))
    return list(found)


def _record(store: Store, hook: WebhookSpec, url: str, job: Job, status: int | None, elapsed: float,
            error: str | None, now: dt.datetime) -> bool:
    """Log the attempt and count the failures; True when the hook is now disabled."""
    ok = status is not None and 200 <= status < 300
    with transaction(store.engine, write=True) as conn:
        conn.execute(DELIVERIES.insert().values(
            subscription=hook.name, webhook_id=_webhook_id(job), event_id=job.payload["event"],
            attempt=job.attempts, status=status, elapsed_ms=int(elapsed * 1000),
            error=None if error is None else error[:2000], at=now))
        failures, _ = _state(conn, hook.name)
        failures = 0 if ok else failures + 1
        off = not ok and failures >= hook.disable_after
        conn.execute(HOOKS.update().where(HOOKS.c.name == hook.name).values(
            failures=failures, **({"disabled_at": now} if off else {})))
        if off:
            message = {"en": f"Webhook '{hook.name}' was disabled after {failures} failed "
                             f"deliveries to {url}",
                       "zh": f"Webhook「{hook.name}」连续 {failures} 次投递失败，已停用"}
            notifications.send(conn, _admins(store, conn), message,
                               source=f"webhook:{hook.name}", now=now)
    return off


def _webhook_id(job: Job) -> str:
    return f"msg_{job.payload['subscription']}_{job.payload['event']}"


def run_webhook(store: Store, job: Job, now: dt.datetime) -> Outcome:
    """The `webhook` job: deliver one event to one subscription."""
    outcome = Outcome()
    name = str(job.payload["subscription"])
    hook = messages_of(store.app.spec).webhook(name)
    with transaction(store.engine, write=False) as conn:
        off = name in disabled(conn)
        setting = settings.load(conn, name)
    if hook is None or off:
        outcome.done.append(f"webhook {name}: not delivered (gone or disabled)")
        return outcome
    body = payload(store, hook, job.payload, now)
    if body is None:
        outcome.done.append(f"webhook {name}: event {job.payload['event']} not for it")
        return outcome
    target = settings.effective(hook, setting)
    if not target.secret:
        raise DeliveryFailed(f"webhook {name}: the secret {hook.secret_env} is not set")
    stamp = int(now.timestamp())
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        status = post(target.url, body,
                      signing.headers(target.secret, _webhook_id(job), stamp, body))
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except DeliveryFailed as failed:
        error = str(failed)
    elapsed = time.perf_counter() - started
    now_off = _record(store, hook, target.url, job, status, elapsed, error, now)
    if error is None:
        outcome.done.append(f"webhook {name}: event {job.payload['event']} delivered")
        return outcome
    if now_off:
        outcome.done.append(f"webhook {name}: disabled after repeated failures")
        return outcome
    raise DeliveryFailed(f"webhook {name}: {error}")


def enable(engine: sa.Engine, name: str) -> bool:
    """Turn a disabled subscription on again (its failures forgotten)."""
    with transaction(engine, write=True) as conn:
        done = conn.execute(HOOKS.update().where(HOOKS.c.name == name)
                            .values(failures=0, disabled_at=None))
    return bool(done.rowcount)


def log(engine: sa.Engine, name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest attempts, newest first."""
    query = sa.select(DELIVERIES).order_by(DELIVERIES.c.id.desc()).limit(limit)
    if name is not None:
        query = query.where(DELIVERIES.c.subscription == name)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
