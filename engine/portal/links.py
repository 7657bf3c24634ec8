"""Sign-in links for the customer portal: single use, short-lived, kept only as the
SHA-256 of their token (the token itself is only in the e-mail), and rate limited per
address (`portal: links_per_hour`, counted in the database, for known and unknown
addresses alike, so the answer tells nothing about who is a contact).

The contact is found by its e-mail field as the system actor, which needs to read the
principal entity (`system: grants:`; `guanxi check` says so). The link is mailed at
once over SMTP (`guanxi.mail.smtp`) rather than queued: a queued message would keep
the token in `gx_message`. What is kept of the mail there has the link cut out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from guanxi.mail import conversation, smtp
from guanxi.portal.tables import TABLES
from guanxi.spec import PortalSpec
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

LINKS = TABLES.links
RATE_WINDOW = dt.timedelta(hours=1)
MAX_EMAIL = 320
SUBJECT = {"en": "Your sign-in link", "zh": "您的登录链接"}
BODY = {
    "en": "Hello {name},\n\nopen this link within {minutes} minutes to see your tickets:\n\n"
          "{link}\n\nThe link works once. If you did not ask for it, ignore this e-mail.\n",
    "zh": "{name}，您好：\n\n请在 {minutes} 分钟内打开以下链接查看您的工单：\n\n{link}\n\n"
          "该链接只能使用一次。如果不是您本人申请，请忽略此邮件。\n",
}
REDACTED = "[sign-in link]"


@dataclass(frozen=True, slots=True)
class Requested:
    """What a request for a link came to: `token` (None when nothing is sent: unknown
    address, or too many links asked for), and the contact it is for."""

    token: str | None
    contact_id: int | None
    name: str = ""
    limited: bool = False


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normal(email: str) -> str:
    """The address as the rate limit counts it: trimmed, in lower case."""
    return email.strip().lower()[:MAX_EMAIL]


def as_stored(email: str) -> str:
    """The address as an `email` field keeps it: its domain in lower case."""
    local, _, domain = email.strip()[:MAX_EMAIL].rpartition("@")
    return f"{local}@{domain.lower()}"


def _contact(store: Store, portal: PortalSpec, email: str) -> tuple[int, str] | None:
    """The contact with that address (the first by id), read as the system."""
    entity = store.app.spec.entity(portal.principal)
    if entity is None or not email:
        return None
    page = store.list(store.system, portal.principal, filters={portal.email: email},
                      sort=("id",), limit=1, with_total=False)
    if not page.items:
        return None
    record = page.items[0]
    title = entity.title or "name"
    return int(record["id"]), str(record.get(title) or email)


def request(store: Store, portal: PortalSpec, email: str, now: dt.datetime) -> Requested:
    """Make a link for the contact with address `email`, unless the address asked for
    `links_per_hour` links in the last hour. Every request is counted."""
    address = normal(email)
    found = _contact(store, portal, as_stored(email)) if "@" in address else None
    token = secrets.token_urlsafe(32)
    with transaction(store.engine, write=True) as conn:
        recent = conn.execute(sa.select(sa.func.count()).select_from(LINKS).where(
            LINKS.c.email == address, LINKS.c.created_at > now - RATE_WINDOW)).scalar_one()
        limited = recent >= portal.links_per_hour
        conn.execute(LINKS.insert().values(
            token_hash=digest(token), email=address,
            contact_id=None if found is None or limited else found[0], created_at=now,
            expires_at=now + dt.timedelta(minutes=portal.link_minutes),
            used_at=now if found is None or limited else None))
    if found is None or limited:
        return Requested(None, None, limited=limited)
    return Requested(token, found[0], found[1])


def redeem(engine: sa.Engine, token: str, now: dt.datetime) -> int | None:
    """The contact a link is for, marking it used; None when it is unknown, used or
    expired (the three are not told apart)."""
    if not token or len(token) > 200:
        return None
    with transaction(engine, write=True) as conn:
        used = conn.execute(LINKS.update().where(
            LINKS.c.token_hash == digest(token), LINKS.c.used_at.is_(None),
            LINKS.c.expires_at > now, LINKS.c.contact_id.is_not(None),
        ).values(used_at=now).returning(LINKS.c.contact_id)).first()
    return None if used is None else int(used[0])


def send(store: Store, portal: PortalSpec, to: str, requested: Requested, link: str,
         language: str, now: dt.datetime) -> None:
    """Mail the link to `to` over SMTP; keep the mail in `gx_message` without the link.
    Raises SmtpNotConfigured or the SMTP error when it cannot be sent."""
    settings = smtp.SmtpSettings.from_env()
    words = language if language in BODY else "en"
    subject = SUBJECT[words]
    body = BODY[words].format(name=requested.name, minutes=portal.link_minutes, link=link)
    message_id = conversation.new_message_id(settings.sender)
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{message_id}>"
    mail.set_content(body)
    smtp.send(settings, mail)
    with transaction(store.engine, write=True) as conn:
        conversation.insert(
            conn, entity=portal.principal, record_id=requested.contact_id, direction="out",
            message_id=message_id, from_addr=settings.sender, to_addr=to, subject=subject,
            body=body.replace(link, REDACTED), kind="notification", state="sent",
            contact_id=requested.contact_id, created_at=now, sent_at=now)
