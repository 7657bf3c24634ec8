"""Consent to marketing: each customer's history (`gx_consent`: given or withdrawn, when
and how) and the signed unsubscribe links of marketing e-mail.

An unsubscribe link carries a token naming the member (entity and id) and the campaign,
signed with the server's secret (HMAC-SHA256), so nobody can withdraw someone else's
consent by guessing ids. Following the link shows a page; confirming it (a POST with
the CSRF token, so link scanners change nothing) sets the member's consent field to
false through the Store as the system actor (granted under `system: grants:`) and
records the withdrawal with its time and source.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.selfservice.tables import TABLES
from guanxi.spec import MarketingSpec
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

CONSENTS = TABLES.consents
PURPOSE = "marketing"


@dataclass(frozen=True, slots=True)
class Member:
    """Whom an unsubscribe token names."""

    entity: str
    record_id: int
    campaign_id: int


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def token(secret: str, member: Member) -> str:
    """The signed token of an unsubscribe link."""
    payload = f"{member.entity}.{member.record_id}.{member.campaign_id}"
    return f"{payload}.{_signature(secret, payload)}"


def member_of(secret: str, text: str) -> Member | None:
    """Whom a token names; None when it is not one this server signed."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(secret, payload), parts[3]):
        return None
    entity, record_id, campaign_id = parts[:3]
    if not (record_id.isdigit() and campaign_id.isdigit()):
        return None
    return Member(entity, int(record_id), int(campaign_id))


def record(conn: sa.Connection, entity: str, record_id: int, granted: bool, source: str,
           at: dt.datetime) -> None:
    conn.execute(sa.insert(CONSENTS).values(
        entity=entity, record_id=record_id, purpose=PURPOSE, granted=granted,
        source=source[:200], at=at))


def history(engine: sa.Engine, entity: str, record_id: int) -> list[dict[str, object]]:
    """A customer's consent history, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(CONSENTS).where(
            CONSENTS.c.entity == entity, CONSENTS.c.record_id == record_id)
            .order_by(CONSENTS.c.id)).mappings().all()
    return [dict(row) for row in rows]


def withdraw(store: Store, marketing: MarketingSpec, member: Member,
             now: dt.datetime) -> None:
    """The member no longer agrees to marketing: their consent field is set to false (as
    the system actor) and the withdrawal recorded, with the campaign it came from."""
    current = store.get(store.system, member.entity, member.record_id)
    if current.get(marketing.consent) is not False:
        store.update(store.system, member.entity, member.record_id,
                     {marketing.consent: False})
    with transaction(store.engine, write=True) as conn:
        record(conn, member.entity, member.record_id, False,
               f"unsubscribe link (campaign {member.campaign_id})", now)
