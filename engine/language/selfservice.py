"""The self-service keys of guanxi.yaml: `portal:` (the customer portal) and
`attachments:` (where files are kept, how large and of which types they may be).

```yaml
portal:
  principal: contact        # the entity whose records sign in
  email: email              # its field holding the address the link is mailed to
  account: account          # its field read as `current_account` (optional)
  tickets: ticket           # the entity the portal lists and answers
  reply: reopen             # a transition fired when the contact answers (optional)
  link_lifetime: 15m
  grants:                   # like a role's access entries, for every portal user
    ticket: {read: 'contact == current_contact', update: 'contact == current_contact'}
attachments:
  directory: var/attachments
  max_size: 10MiB
  types: [application/pdf, image/png, text/plain]
```
"""

from __future__ import annotations

from typing import Any

from guanxi.language.durations import parse_duration
from guanxi.language.sizes import parse_size
from guanxi.language.tree import LocDict
from guanxi.spec import AttachmentsSpec, Loc, PortalSpec

DEFAULT_LINK_MINUTES = 15


def _name(data: LocDict, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _loc(data: LocDict, key: str) -> Loc | None:
    return data.value_loc(key) if key in data else None


def size_of(value: Any) -> int | None:
    """Bytes in a size as written (`10MiB`, `512KiB`, a number); None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    try:
        return parse_size(value)
    except ValueError:
        return None


def portal(data: Any) -> PortalSpec | None:
    """The portal declared by `portal:`, or None."""
    if not isinstance(data, LocDict):
        return None
    grants = data.get("grants")
    entities = tuple(str(n) for n in grants) if isinstance(grants, LocDict) else ()
    seconds = parse_duration(data.get("link_lifetime"))
    minutes = max(1, seconds // 60) if seconds else DEFAULT_LINK_MINUTES
    per_hour = data.get("links_per_hour")
    return PortalSpec(
        loc=data.loc,
        principal=_name(data, "principal") or "contact",
        email=_name(data, "email") or "email",
        tickets=_name(data, "tickets") or "ticket",
        account=_name(data, "account"),
        entities=entities,
        link_minutes=minutes,
        links_per_hour=per_hour if isinstance(per_hour, int) and per_hour > 0 else 5,
        reply_transition=_name(data, "reply"),
        principal_loc=_loc(data, "principal"), email_loc=_loc(data, "email"),
        tickets_loc=_loc(data, "tickets"), account_loc=_loc(data, "account"),
        reply_loc=_loc(data, "reply"),
    )


def portal_grants(data: Any) -> LocDict | None:
    """The `portal: grants:` mapping (entity → grants), or None."""
    if not isinstance(data, LocDict):
        return None
    grants = data.get("grants")
    return grants if isinstance(grants, LocDict) else None


def attachments(data: Any) -> AttachmentsSpec:
    """The attachment settings of `attachments:` (the defaults where it says nothing)."""
    default = AttachmentsSpec()
    if not isinstance(data, LocDict):
        return default
    directory = _name(data, "directory") or default.directory
    size = size_of(data.get("max_size")) or default.max_size
    types = data.get("types")
    chosen = tuple(str(t).lower() for t in types if isinstance(t, str)) \
        if isinstance(types, list) else default.types
    return AttachmentsSpec(data.loc, directory, size, chosen or default.types)
