"""Reading a project's messages/*.yaml: reply templates (`replies:`) and webhook
subscriptions (`webhooks:`).

    replies:
      repair:
        keywords: [维修, 修理, repair, broken]
        when: 'channel == "email"'          # optional, on the ticket
        subject: {en: "Re: {{ subject }}", zh: "回复：{{ subject }}"}
        body: {en: "Dear customer, …", zh: "尊敬的客户：…"}
        auto: false                          # true: answered by itself (system actor)
    webhooks:
      erp_won:
        url: https://erp.example.com/hooks/guanxi
        secret_env: ACME_ERP_WEBHOOK_SECRET  # the environment variable holding whsec_…
        entity: opportunity
        kinds: [transitioned]
        transition: win
        when: 'amount > 0'
        as: erp                              # payloads hold only what this role may read

Reading never fails: what has the wrong shape is skipped; `guanxi check` reports it,
located (`guanxi.checks.messages`). `messages_of(spec)` reads once per spec.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.language.tree import LocDict, LocList
from guanxi.language.yamlload import YamlDocument, load_file
from guanxi.spec import Loc, ProjectSpec, Text

FOLDER = "messages"
MAX_FILES = 50
DEFAULT_ENTITY = "ticket"
DISABLE_AFTER = 10
EVENT_KINDS = ("created", "updated", "transitioned", "deleted", "restored", "imported")


@dataclass(frozen=True, slots=True)
class ReplySpec:
    name: str
    loc: Loc
    entity: str
    keywords: tuple[str, ...]
    body: Text
    subject: Text | None = None
    when: str | None = None
    auto: bool = False
    label: Text | None = None


@dataclass(frozen=True, slots=True)
class WebhookSpec:
    name: str
    loc: Loc
    url: str
    secret_env: str
    entity: str
    role: str
    kinds: tuple[str, ...] = ()
    transition: str | None = None
    when: str | None = None
    disable_after: int = DISABLE_AFTER


@dataclass(frozen=True, slots=True)
class Messages:
    replies: tuple[ReplySpec, ...] = ()
    webhooks: tuple[WebhookSpec, ...] = ()

    def reply(self, name: str) -> ReplySpec | None:
        return next((r for r in self.replies if r.name == name), None)

    def webhook(self, name: str) -> WebhookSpec | None:
        return next((w for w in self.webhooks if w.name == name), None)


def read_documents(root: str) -> tuple[YamlDocument, ...]:
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return ()
    paths = sorted(folder.glob("*.yaml"))[:MAX_FILES]
    return tuple(load_file(p, os.path.join(root, FOLDER, p.name), root) for p in paths)


def sections(documents: tuple[YamlDocument, ...],
             name: str) -> list[tuple[str, LocDict, LocDict]]:
    """(name, definition, holder) of every definition in section `name`, in order."""
    found: list[tuple[str, LocDict, LocDict]] = []
    for document in documents:
        data = document.data
        section = data.get(name) if isinstance(data, LocDict) else None
        if isinstance(section, LocDict):
            found.extend((k, v, section) for k, v in section.items()
                         if isinstance(k, str) and isinstance(v, LocDict))
    return found


def _text(value: Any, language: str) -> Text | None:
    if isinstance(value, str):
        return {language: value}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    return None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | LocList):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def build(documents: tuple[YamlDocument, ...], language: str) -> Messages:
    replies = []
    for name, value, holder in sections(documents, "replies"):
        body = _text(value.get("body"), language)
        if body is None:
            continue
        replies.append(ReplySpec(
            name=name, loc=holder.key_loc(name),
            entity=str(value.get("entity") or DEFAULT_ENTITY),
            keywords=_strings(value.get("keywords")), body=body,
            subject=_text(value.get("subject"), language), when=_opt(value.get("when")),
            auto=value.get("auto") is True, label=_text(value.get("label"), language)))
    hooks = []
    for name, value, holder in sections(documents, "webhooks"):
        url, entity, role = value.get("url"), value.get("entity"), value.get("as")
        if not (isinstance(url, str) and isinstance(entity, str) and isinstance(role, str)):
            continue
        after = value.get("disable_after")
        hooks.append(WebhookSpec(
            name=name, loc=holder.key_loc(name), url=url,
            secret_env=str(value.get("secret_env") or ""), entity=entity, role=role,
            kinds=_strings(value.get("kinds")), transition=_opt(value.get("transition")),
            when=_opt(value.get("when")),
            disable_after=after if isinstance(after, int) and after > 0 else DISABLE_AFTER))
    return Messages(tuple(replies), tuple(hooks))


_READ: dict[int, Messages] = {}


def messages_of(spec: ProjectSpec) -> Messages:
    """The project's reply templates and webhooks, read once per spec."""
    found = _READ.get(id(spec))
    if found is None:
        language = spec.languages[0] if spec.languages else "en"
        found = build(read_documents(spec.root), language) if spec.root else Messages()
        _READ[id(spec)] = found
        weakref.finalize(spec, _READ.pop, id(spec), None)
    return found
