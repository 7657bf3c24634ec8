"""The acting user of a portal request: a contact, as a principal of its own kind.

It holds only PORTAL_ROLE (whose grants are `portal: grants:`), its `contact_id` and
`account_id` fill `current_contact` and `current_account`, and its id is the engine's
(0), so history records no staff user for its writes. Staff roles grant it nothing,
and it grants staff nothing: staff are never signed in by a portal session.
"""

from __future__ import annotations

from guanxi.errors import NotFound
from guanxi.identity import SYSTEM, User
from guanxi.spec import PORTAL_ROLE, PortalSpec
from guanxi.store.facade import Store


def user_for(store: Store, portal: PortalSpec, contact_id: int, language: str
             ) -> User | None:
    """The portal user of the contact (None when the contact is gone)."""
    try:
        contact = store.get(store.system, portal.principal, contact_id)
    except NotFound:
        return None
    entity = store.app.spec.entity(portal.principal)
    title = entity.title if entity is not None and entity.title else "name"
    account = contact.get(portal.account) if portal.account else None
    return User(id=SYSTEM.id, username=f"portal:{contact_id}",
                roles=frozenset({PORTAL_ROLE}), language=language,
                display_name=str(contact.get(title) or contact.get(portal.email) or ""),
                contact_id=contact_id,
                account_id=account if isinstance(account, int) else None)
