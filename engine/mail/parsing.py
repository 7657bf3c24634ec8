"""Reading a received e-mail (RFC 5322 bytes) into what the gateway needs, or refusing
it: no sender, no Message-ID that can be made, no readable text."""

from __future__ import annotations

import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

MAX_SUBJECT = 500
_ID = re.compile(r"<([^<>\s]+)>")
_TAGS = re.compile(r"<[^>]*>")


class Unparseable(ValueError):
    """The message cannot be read; the gateway answers with an SMTP error."""


@dataclass(frozen=True, slots=True)
class Inbound:
    message_id: str
    in_reply_to: tuple[str, ...]
    from_addr: str
    from_name: str
    to_addr: str
    subject: str
    text: str


def ids(header: str | None) -> tuple[str, ...]:
    """The message ids of a References / In-Reply-To header, in order."""
    return tuple(_ID.findall(header or ""))


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        if message.is_multipart():
            return ""
        part = message
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError) as error:
        raise Unparseable(f"the body cannot be decoded: {error}") from error
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = _TAGS.sub(" ", content)
    return content.strip()


def parse(data: bytes) -> Inbound:
    """The message in `data`; Unparseable when it has no sender or cannot be decoded."""
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(data)
        assert isinstance(message, EmailMessage)
        name, address = parseaddr(str(message.get("From", "")))
        subject = str(message.get("Subject", "")).strip()
        to = [a for _, a in getaddresses([str(v) for v in message.get_all("To", [])])]
        message_ids = ids(str(message.get("Message-ID", "")))
        references = ids(str(message.get("In-Reply-To", ""))) + \
            ids(str(message.get("References", "")))
    except (ValueError, TypeError, IndexError, AttributeError) as error:
        raise Unparseable(f"the headers cannot be read: {error}") from error
    if "@" not in address:
        raise Unparseable("the message has no sender address (From)")
    text = _body(message)
    if not subject and not text:
        raise Unparseable("the message has neither a subject nor a text")
    message_id = message_ids[0] if message_ids else \
        "gx-in-" + hashlib.sha256(data).hexdigest()[:32] + "@guanxi"
    return Inbound(message_id=message_id[:300], in_reply_to=tuple(dict.fromkeys(references)),
                   from_addr=address.lower()[:320], from_name=name[:200],
                   to_addr=(to[0] if to else "")[:320], subject=subject[:MAX_SUBJECT],
                   text=text)
