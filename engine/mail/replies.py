"""Reply templates chosen by keywords: when a message arrives, the templates whose
keywords it contains (and whose `when:` holds on the record) are suggested, ranked by
how many times their keywords occur (then in the order they are written)."""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from typing import Any

from guanxi.automation import records as stored
from guanxi.mail.definitions import ReplySpec, messages_of
from guanxi.mail.keywords import KeywordMatcher
from guanxi.mail.templates import render_text
from guanxi.spec import ProjectSpec, text_in
from guanxi.store.facade import Store
from guanxi.store.unit import resolver_of, transaction

_MATCHERS: dict[int, tuple[KeywordMatcher, tuple[ReplySpec, ...]]] = {}


def _matcher(spec: ProjectSpec) -> tuple[KeywordMatcher, tuple[ReplySpec, ...]]:
    found = _MATCHERS.get(id(spec))
    if found is None:
        replies = messages_of(spec).replies
        found = (KeywordMatcher(k for r in replies for k in r.keywords), replies)
        _MATCHERS[id(spec)] = found
        weakref.finalize(spec, _MATCHERS.pop, id(spec), None)
    return found


def rank(spec: ProjectSpec, entity: str, text: str) -> list[tuple[ReplySpec, int]]:
    """The templates of `entity` whose keywords occur in `text`, with their hits, best
    first (conditions not yet checked)."""
    matcher, replies = _matcher(spec)
    counts = matcher.count(text)
    scored = []
    for order, reply in enumerate(replies):
        if reply.entity != entity:
            continue
        hits = sum(counts.get(k.casefold(), 0) for k in dict.fromkeys(reply.keywords))
        if hits:
            scored.append((-hits, order, reply))
    return [(reply, -minus) for minus, _, reply in sorted(scored, key=lambda s: s[:2])]


def suggest(store: Store, entity: str, record: Mapping[str, Any], text: str,
            now: dt.datetime) -> list[dict[str, Any]]:
    """[{name, hits}] of the templates that fit the message `text` on `record`."""
    ranked = rank(store.app.spec, entity, text)
    if not ranked:
        return []
    ctx = store.context(store.system, now)
    out = []
    with transaction(store.engine, write=False) as conn:
        resolve = resolver_of(store.app, conn)
        for reply, hits in ranked:
            if stored.holds(store.app, entity, reply.when, record, ctx, resolve):
                out.append({"name": reply.name, "hits": hits})
    return out


def guess_language(text: str, languages: tuple[str, ...]) -> str:
    """The language to answer `text` in: Chinese when it holds Chinese characters and
    the project speaks it, else the project's first language."""
    if "zh" in languages and any("\u4e00" <= char <= "\u9fff" for char in text):
        return "zh"
    return languages[0] if languages else "en"


def draft(reply: ReplySpec, record: Mapping[str, Any], language: str) -> tuple[str, str]:
    """(subject, body) of the template for `record`, rendered in the sandbox."""
    values = {"record": dict(record), **{k: v for k, v in record.items() if k.isidentifier()}}
    body = render_text(text_in(reply.body, language), values)
    subject = render_text(text_in(reply.subject, language), values) if reply.subject else ""
    return subject, body
