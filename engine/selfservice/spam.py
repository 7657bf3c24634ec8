"""Spam protection shared by every public form (the help centre's contact form, web-to-lead
forms, votes): a honeypot field, a size limit, a rate limit per client address kept in the
database (`gx_public_post`, so every server process shares it) and a captcha hook.

The honeypot is an input named `HONEYPOT` that people never see (hidden by the style
sheet, labelled "leave empty", out of the tab order); a post that fills it is refused.

A captcha is plugged in by giving `PublicGuard(captcha=...)` an object with the
`Captcha` protocol: `fields()` returns the HTML inputs the form shows (already escaped,
e.g. a provider's widget container), and `verify(posted, address)` says whether the
posted answer is right. Without one, no captcha is asked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from guanxi.selfservice.tables import TABLES
from sqlalchemy.dialects import postgresql, sqlite

POSTS = TABLES.posts
HONEYPOT = "website"
SUBJECT_MAX = 200


class Captcha(Protocol):
    """A captcha provider (see the module)."""

    def fields(self) -> str: ...

    def verify(self, posted: Mapping[str, str], address: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a public post is refused: `reason` is "honeypot", "too_large", "rate" or
    "captcha"; `retry_after` in seconds for "rate"."""

    reason: str
    retry_after: int = 0


@dataclass
class PublicGuard:
    """At most `limit` posts per client address in `window_seconds`; form posts of at most
    `max_bytes`; an optional captcha."""

    limit: int = 20
    window_seconds: float = 3600.0
    max_bytes: int = 32_000
    captcha: Captcha | None = None
    clock: Callable[[], float] = time.time

    def check(self, posted: Mapping[str, str], size: int) -> Refusal | None:
        """What is wrong with a post before it is counted (None: nothing)."""
        if size > self.max_bytes:
            return Refusal("too_large")
        if str(posted.get(HONEYPOT) or "").strip():
            return Refusal("honeypot")
        return None

    def verify_captcha(self, posted: Mapping[str, str], address: str) -> Refusal | None:
        if self.captcha is not None and not self.captcha.verify(posted, address):
            return Refusal("captcha")
        return None

    def count(self, engine: sa.Engine, address: str) -> Refusal | None:
        """Count a post from `address`; a refusal when it is over the limit (and then it
        is not counted)."""
        subject = ("a:" + address)[:SUBJECT_MAX]
        now = self.clock()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        with engine.begin() as conn:
            conn.execute(insert(POSTS).values(subject=subject, window_start=now, posts=0)
                         .on_conflict_do_nothing())
            row = conn.execute(sa.select(POSTS).where(POSTS.c.subject == subject)
                               .with_for_update()).one()
            if now - row.window_start >= self.window_seconds:
                conn.execute(sa.update(POSTS).where(POSTS.c.subject == subject)
                             .values(window_start=now, posts=1))
                return None
            if row.posts >= self.limit:
                wait = row.window_start + self.window_seconds - now
                return Refusal("rate", max(1, math.ceil(wait)))
            conn.execute(sa.update(POSTS).where(POSTS.c.subject == subject)
                         .values(posts=POSTS.c.posts + 1))
        return None

    def captcha_fields(self) -> str:
        return self.captcha.fields() if self.captcha is not None else ""
