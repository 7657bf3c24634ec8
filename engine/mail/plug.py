"""Plugging messaging into the worker: the `email` and `webhook` job kinds, and the
followers that queue e-mailed notifications and webhook deliveries. Importing this
module plugs them in (once); the command line and the server import it."""

from __future__ import annotations

from guanxi.automation.handlers import HANDLERS
from guanxi.automation.worker import FOLLOWERS
from guanxi.mail import preferences, sending
from guanxi.webhooks import delivery


def install() -> None:
    HANDLERS.setdefault(sending.JOB_KIND, sending.run_email)
    HANDLERS.setdefault(delivery.JOB_KIND, delivery.run_webhook)
    for follower in (delivery.follow, preferences.deliver):
        if follower not in FOLLOWERS:
            FOLLOWERS.append(follower)


install()
