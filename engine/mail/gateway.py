"""The mail gateway: an SMTP server (aiosmtpd) that hands every message to
`guanxi.mail.intake`. It answers 250 only once the message is in the database; a
message it cannot read gets 554, one over the size limit 552 (aiosmtpd's own check),
and one it could not file (the database is down, the Store refused the ticket) 451, so
the sending server tries again later.

`guanxi mail-gateway PATH --db URL --port N` runs it; `Gateway` runs it in a thread
of the caller (tests, embedding).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from guanxi.errors import GuanxiError
from guanxi.mail import intake
from guanxi.mail.parsing import Unparseable
from guanxi.store.facade import Store

log = logging.getLogger("guanxi.mail")
MAX_SIZE = 10 * 1024 * 1024


class IntakeHandler:
    """aiosmtpd's handler: DATA goes to the Store (in a thread: Store calls block)."""

    def __init__(self, store_of: Callable[[], Store], entity: str = intake.ENTITY) -> None:
        self.store_of = store_of
        self.entity = entity

    def _receive(self, data: bytes) -> intake.Received:
        return intake.receive(self.store_of(), data, entity=self.entity)

    async def handle_DATA(self, server: SMTP, session: Session,
                          envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        try:
            received = await asyncio.get_running_loop().run_in_executor(
                None, self._receive, data)
        except Unparseable as refused:
            return f"554 5.6.0 Message refused: {refused}"
        except GuanxiError as error:
            log.warning("a message could not be filed: %s", error)
            return "451 4.3.0 The message could not be filed; try again later"
        except Exception:
            log.exception("the mail gateway failed on a message")
            return "451 4.3.0 Temporary failure; try again later"
        return f"250 2.0.0 Filed as {received.entity} {received.record_id}"


class Gateway:
    """The gateway on `host:port`, in a thread; `start()`, then `stop()`."""

    def __init__(self, store_of: Callable[[], Store], host: str = "127.0.0.1",
                 port: int = 2525, *, max_size: int = MAX_SIZE,
                 entity: str = intake.ENTITY) -> None:
        options: dict[str, Any] = {"data_size_limit": max_size, "decode_data": False,
                                   "enable_SMTPUTF8": True}
        self.controller = Controller(IntakeHandler(store_of, entity), hostname=host,
                                     port=port, **options)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
