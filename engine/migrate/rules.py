"""The rules in force when the database was last migrated, remembered in `gx_rules`, so
that the next plan knows which rules are new or tighter than the data was written under.

A rule is one entry of a flat mapping: `lead.visits.min` → "0", `lead.code.pattern`,
`lead.source.options` → the values, `lead.rule.<the rule as written>` → true,
`lead.state.won.require` → the fields. A database migrated before this table existed has
no entry: every rule is then new to it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from guanxi.migrate.steps import SqlPhase, Step
from guanxi.spec import EntitySpec, ProjectSpec, RuleSpec
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

RULES_TABLE = "gx_rules"
_METADATA = sa.MetaData()
RULES = sa.Table(
    RULES_TABLE,
    _METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rules", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
              nullable=False),
)
BOUNDS = ("min", "max", "min_length", "max_length", "pattern")

Rules = dict[str, Any]


def rule_key(entity: str, rule: RuleSpec) -> str:
    """A rule's entry: what it checks, as written (its message and place aside)."""
    written = json.dumps([rule.when, rule.check, sorted(rule.require)], ensure_ascii=False)
    return f"{entity}.rule.{written}"


def _entity_rules(entity: EntitySpec, spec: ProjectSpec) -> Rules:
    out: Rules = {}
    for field in entity.fields:
        if field.compute:
            continue
        for bound in BOUNDS:
            value = getattr(field, bound)
            if value is not None:
                out[f"{entity.name}.{field.name}.{bound}"] = str(value)
        if field.type in ("choice", "tags") and field.options:
            out[f"{entity.name}.{field.name}.options"] = [o.value for o in field.options]
    for rule in entity.rules:
        out[rule_key(entity.name, rule)] = True
    workflow = spec.workflow(entity.workflow) if entity.workflow else None
    for state in workflow.states if workflow else ():
        if state.require:
            out[f"{entity.name}.state.{state.name}.require"] = sorted(state.require)
    return out


def rules_of(spec: ProjectSpec) -> Rules:
    """Every rule of the project, as entries."""
    out: Rules = {}
    for entity in spec.entities:
        out.update(_entity_rules(entity, spec))
    return out


def recorded(conn: Connection) -> Rules | None:
    """The rules remembered at the last migration (None: never remembered)."""
    if not sa.inspect(conn).has_table(RULES_TABLE):
        return None
    row = conn.execute(sa.select(RULES.c.rules).order_by(RULES.c.id.desc()).limit(1)).first()
    return dict(row[0]) if row is not None and isinstance(row[0], dict) else None


def _remember(rules: Rules) -> SqlPhase:
    def run(conn: Connection) -> None:
        _METADATA.create_all(conn, tables=[RULES], checkfirst=True)
        conn.execute(sa.insert(RULES).values(at=dt.datetime.now(dt.UTC), rules=rules))

    return SqlPhase(run)


def remember_step(rules: Rules, before: Rules | None) -> Step | None:
    """The step that remembers `rules`, when they differ from those remembered."""
    if before == rules:
        return None
    return Step("remember_rules", RULES_TABLE, "",
                f"remember the {len(rules)} rule(s) in force, to count what later rule "
                "changes break", phases=(_remember(rules),))


def _number(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def tighter(bound: str, old: Any, new: Any) -> bool:
    """Whether the bound `new` admits fewer values than `old` (None: no bound)."""
    if new is None:
        return False
    if old is None:
        return True
    if bound == "pattern":
        return bool(old != new)
    a, b = _number(old), _number(new)
    left: Any = a if a is not None and b is not None else str(old)
    right: Any = b if a is not None and b is not None else str(new)
    if bound in ("min", "min_length"):
        return bool(right > left)
    return bool(right < left)
