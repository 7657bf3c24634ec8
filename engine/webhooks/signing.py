"""Signing per the Standard Webhooks specification: headers `webhook-id`,
`webhook-timestamp` (Unix seconds) and `webhook-signature` = `v1,` + base64 of
HMAC-SHA256(secret, f"{id}.{timestamp}.{body}"). A secret written `whsec_…` is the
base64 of the key bytes (the specification's convention); any other text is the key."""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "whsec_"


def key_of(secret: str) -> bytes:
    if secret.startswith(PREFIX):
        return base64.b64decode(secret[len(PREFIX):])
    return secret.encode("utf-8")


def signature(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    signed = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, webhook_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, webhook_id, timestamp, body)}


def verify(secret: str, webhook_id: str, timestamp: str, body: str, given: str) -> bool:
    """Whether one of the space-separated signatures in `given` is right."""
    try:
        expected = signature(secret, webhook_id, int(timestamp), body)
    except ValueError:
        return False
    return any(hmac.compare_digest(expected, part) for part in given.split())
