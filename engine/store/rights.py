"""A record together with what the acting user may do with it now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.spec import TransitionSpec


@dataclass(frozen=True, slots=True)
class RecordRights:
    """`Store.get(..., with_rights=True)`: the record as the user sees it; whether her
    update and delete conditions hold for it; the transitions she may fire on it now."""

    record: dict[str, Any]
    may_update: bool
    may_delete: bool
    transitions: tuple[TransitionSpec, ...] = ()
