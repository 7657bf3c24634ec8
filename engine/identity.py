"""Who is acting: the authenticated user every Store call is made as."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    """An authenticated user. `roles` are the roles assigned, not yet expanded by
    `includes`; the access policy expands them with `ProjectSpec.expand_roles`."""

    id: int
    username: str
    roles: frozenset[str]
    language: str = "en"
    display_name: str = ""
    # A customer portal's principal: the contact signed in, and its account.
    contact_id: int | None = None
    account_id: int | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.username


# The engine itself, for timers firing and migrations. It holds no role, so access
# rules grant it nothing: code acting as SYSTEM must say why it may bypass them.
SYSTEM = User(id=0, username="system", roles=frozenset(), display_name="Guanxi")
