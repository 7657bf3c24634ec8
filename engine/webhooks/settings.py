"""The URL and secret an administrator sets for a webhook subscription on
`/admin/webhooks` (`gx_webhook_setting`). The page's values win over the YAML's: the
`url:` of messages/*.yaml and the secret in the subscription's environment variable
(`secret_env:`) stay the defaults. A secret is never read back to a page; only where it
comes from (`source`)."""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from guanxi.mail.definitions import WebhookSpec
from guanxi.mail.tables import TABLES
from guanxi.store.unit import transaction
from guanxi.webhooks.signing import PREFIX

SETTINGS = TABLES.settings
SECRET_BYTES = 24
MAX_URL = 2000
MAX_SECRET = 200

# Where a subscription's secret comes from.
FROM_PAGE = "page"
FROM_ENV = "env"
MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Setting:
    """What the page set for one subscription (None: the YAML's default)."""

    name: str
    url: str | None
    secret: str | None


@dataclass(frozen=True, slots=True)
class Effective:
    """The URL and secret a delivery uses, and where the secret comes from."""

    url: str
    secret: str
    source: str


def load_all(conn: sa.Connection) -> dict[str, Setting]:
    return {str(r.name): Setting(str(r.name), r.url, r.secret)
            for r in conn.execute(sa.select(SETTINGS))}


def load(conn: sa.Connection, name: str) -> Setting | None:
    row = conn.execute(sa.select(SETTINGS).where(SETTINGS.c.name == name)).first()
    return None if row is None else Setting(str(row.name), row.url, row.secret)


def effective(hook: WebhookSpec, setting: Setting | None) -> Effective:
    url = setting.url if setting is not None and setting.url else hook.url
    if setting is not None and setting.secret:
        return Effective(url, setting.secret, FROM_PAGE)
    secret = os.environ.get(hook.secret_env, "")
    return Effective(url, secret, FROM_ENV if secret else MISSING)


def url_error(text: str) -> str | None:
    """The message key of what is wrong with a URL typed on the page; None when fine."""
    if len(text) > MAX_URL:
        return "webhook_url_too_long"
    try:
        parts = urlsplit(text)
    except ValueError:
        return "webhook_url_bad"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "webhook_url_bad"
    if any(c.isspace() for c in text):
        return "webhook_url_bad"
    return None


def secret_error(text: str) -> str | None:
    """The message key of what is wrong with a secret typed on the page; None when fine."""
    if not text or len(text) > MAX_SECRET or any(c.isspace() for c in text):
        return "webhook_secret_bad"
    if text.startswith(PREFIX):
        try:
            if not base64.b64decode(text[len(PREFIX):], validate=True):
                return "webhook_secret_bad"
        except ValueError:
            return "webhook_secret_bad"
    return None


def generate() -> str:
    """A new secret: whsec_ and the base64 of 24 random bytes (Standard Webhooks)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def save_url(engine: sa.Engine, name: str, url: str | None, *, user_id: int | None,
             now: dt.datetime) -> None:
    """Set (a string) or clear (None: the YAML's) the page's URL of `name`."""
    _save(engine, name, "url", url, user_id, now)


def save_secret(engine: sa.Engine, name: str, secret: str | None, *, user_id: int | None,
                now: dt.datetime) -> None:
    """Set (a string) or clear (None: the environment's) the page's secret of `name`."""
    _save(engine, name, "secret", secret, user_id, now)


def _save(engine: sa.Engine, name: str, column: str, value: str | None,
          user_id: int | None, now: dt.datetime) -> None:
    changes = {column: value, "updated_at": now, "updated_by": user_id}
    with transaction(engine, write=True) as conn:
        done = conn.execute(SETTINGS.update().where(SETTINGS.c.name == name).values(changes))
        if not done.rowcount:
            conn.execute(SETTINGS.insert().values(name=name, **changes))
