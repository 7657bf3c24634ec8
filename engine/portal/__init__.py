"""The customer portal: contacts sign in by a link mailed to them (`links`), hold a
session of their own (`sessions`), and act as a portal principal (`principal`) whose
rules are the `portal: grants:` of guanxi.yaml, enforced by the Store like a role's."""
