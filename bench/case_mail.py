"""Messages: finding reply-template keywords in incoming e-mail, and rendering a reply.

- keywords: Guanxi's Aho–Corasick matcher (`guanxi.mail.keywords`, one pass over the
  text for all keywords) against the obvious loop of `str.count` per keyword, on the
  same messages (Chinese and English) and keywords (acme's replies, scaled to 60).
- render: a reply template rendered in Guanxi's sandbox (`guanxi.mail.templates`,
  ImmutableSandboxedEnvironment) against the same template in a plain Jinja2
  Environment (no sandbox): what the sandbox costs.
- webhook target: what a delivery reads before it posts, now that an administrator may
  set the URL and secret on `/admin/webhooks` (the disabled subscriptions and the page's
  setting, `guanxi.webhooks.settings`, in one read transaction) against reading the
  disabled subscriptions alone (before the page's settings), on the same database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.mail.keywords import KeywordMatcher
from guanxi.mail.tables import TABLES
from guanxi.mail.templates import render_text, sandbox
from guanxi.store.database import create_engine
from guanxi.store.unit import transaction
from guanxi.webhooks import delivery, settings
from jinja2 import Environment

from bench.harness import Context, Measurement, Target, measure, time_once

CASE = "mail"
KEYWORDS_TARGET = Target("ratio_max", 2.0, "≤ 2× str.count loop")
RENDER_TARGET = Target("ratio_max", 3.0, "≤ 3× plain Jinja2")
TARGET_TARGET = Target("ratio_max", 2.5, "≤ 2.5× the disabled-set read alone")
BASE = ["维修", "修理", "坏了", "故障", "repair", "broken", "fault", "退款", "退货", "refund",
        "money back", "发票", "开票", "invoice", "receipt"]
TEMPLATE = ("Dear {{ name }},\n\nThank you for reporting \"{{ subject }}\". A service "
            "engineer will contact you within one working day.{% for line in lines %}\n"
            "- {{ line }}{% endfor %}\n\nAcme Service Desk")


def messages(count: int) -> list[str]:
    texts = ["您好，我们的打印机坏了，需要维修，请尽快安排上门维修。另外上个月的发票还没有收到。",
             "Hello, our GTX Pro is broken again. We would like a repair or a refund.",
             "请问这个订单可以开票吗？我们需要增值税专用发票。谢谢！",
             "The screen shows a fault code E42 after the last update; please advise."]
    return [texts[i % len(texts)] * 4 + f" #{i}" for i in range(count)]


def keywords() -> list[str]:
    return BASE + [f"{word}{n}" for n in range(3) for word in BASE][:60 - len(BASE)]


def best_per_item(fn: Any, items: list[Any], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        def batch() -> None:
            for item in items:
                fn(item)
        seconds, _ = time_once(batch)
        best = min(best, seconds / len(items))
    return best * 1e6


def run(ctx: Context) -> list[Measurement]:
    texts = messages(max(200, ctx.sizes.validate_records // 4))
    words = keywords()
    folded = [w.casefold() for w in words]
    rounds = max(3, ctx.sizes.repeat * 2)
    matcher = KeywordMatcher(words)

    def naive(text: str) -> dict[str, int]:
        low = text.casefold()
        return {w: n for w in folded if (n := low.count(w))}

    if matcher.count(texts[0]) != naive(texts[0]):
        raise AssertionError("the matcher and the baseline disagree on a message")
    ours = best_per_item(matcher.count, texts, rounds)
    theirs = best_per_item(naive, texts, rounds)
    values = [{"name": f"Customer {i}", "subject": f"Printer {i} broken",
               "lines": ["bring the serial number", "keep the box"]} for i in range(200)]
    plain = Environment(autoescape=False).from_string(TEMPLATE)
    guarded = sandbox().from_string(TEMPLATE)
    if guarded.render(values[0]) != render_text(TEMPLATE, values[0]):
        raise AssertionError("the sandboxed template renders differently")
    rendered = best_per_item(lambda v: guarded.render(v), values, rounds)
    baseline = best_per_item(lambda v: plain.render(v), values, rounds)
    return [
        measure(CASE, "-", "keywords µs/message", "µs", ours, "str.count per keyword",
                theirs, KEYWORDS_TARGET,
                details={"messages": len(texts), "keywords": len(words)}),
        measure(CASE, "-", "render µs/reply", "µs", rendered, "Jinja2 Environment (no sandbox)",
                baseline, RENDER_TARGET, details={"replies": len(values)}),
        webhook_target(ctx, rounds),
    ]


def webhook_target(ctx: Context, rounds: int) -> Measurement:
    engine = create_engine(ctx.backend.fresh_url("webhook_target"))
    TABLES.hooks.create(engine)
    TABLES.settings.create(engine)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for n in range(50):
        settings.save_url(engine, f"hook{n}", f"https://erp{n}.example.com/in",
                          user_id=1, now=now)
        settings.save_secret(engine, f"hook{n}", settings.generate(), user_id=1, now=now)
    names = [f"hook{n % 50}" for n in range(200)]

    def with_setting(name: str) -> None:
        with transaction(engine, write=False) as conn:
            delivery.disabled(conn)
            settings.load(conn, name)

    def disabled_only(name: str) -> None:
        with transaction(engine, write=False) as conn:
            delivery.disabled(conn)

    ours = best_per_item(with_setting, names, rounds)
    theirs = best_per_item(disabled_only, names, rounds)
    engine.dispose()
    return measure(CASE, ctx.backend.name, "webhook target µs/delivery", "µs", ours,
                   "disabled-set read alone", theirs, TARGET_TARGET,
                   details={"subscriptions": 50, "deliveries": len(names)})
