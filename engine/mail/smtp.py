"""Sending e-mail over SMTP, configured by one URL (`GUANXI_SMTP_URL`):

    smtp://user:pass@host:587?starttls=1     plain SMTP, upgraded with STARTTLS
    smtps://user:pass@host:465               SMTP over TLS
    smtp://127.0.0.1:8025                    a local relay, no login

The sender address is `GUANXI_MAIL_FROM` (or `?from=` in the URL). Only the job runner
sends (`guanxi.mail.sending`), never a request.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

ENV_URL = "GUANXI_SMTP_URL"
ENV_FROM = "GUANXI_MAIL_FROM"
DEFAULT_FROM = "guanxi@localhost"
TIMEOUT = 30.0


class SmtpNotConfigured(RuntimeError):
    """No (valid) GUANXI_SMTP_URL."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool = False
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    sender: str = DEFAULT_FROM

    @classmethod
    def from_url(cls, url: str, sender: str | None = None) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpNotConfigured(
                f"{ENV_URL} must look like smtp://user:pass@host:587?starttls=1 "
                f"or smtps://host:465, not {parts.scheme or '(no scheme)'}://…")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25), tls=tls,
                   starttls=starttls and not tls,
                   user=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   sender=sender or query.get("from", [DEFAULT_FROM])[0])

    @classmethod
    def from_env(cls) -> SmtpSettings:
        url = os.environ.get(ENV_URL)
        if not url:
            raise SmtpNotConfigured(f"{ENV_URL} is not set: no e-mail can be sent")
        return cls.from_url(url, os.environ.get(ENV_FROM))


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; raises on any refusal (the job is retried)."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.tls:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                  context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with client:
        if settings.starttls:
            client.starttls(context=context)
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)
