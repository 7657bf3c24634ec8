"""Webhooks: change events delivered to other systems, signed per Standard Webhooks.
See docs/messages.md."""
