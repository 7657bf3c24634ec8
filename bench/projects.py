"""The YAML projects and the data the cases run on.

`write_lead_project` writes the project every database case uses: one `lead` entity with
ten fields, a cross-field rule, a small workflow with a guard, and the row rule
`owner == current_user` for sales reps. `lead_rows` makes the identical rows that Guanxi
and every baseline receive. `write_big_project` writes the 200 entities × 40 fields
project of the compile case.
"""

from __future__ import annotations

import random
import textwrap
from datetime import date, timedelta
from pathlib import Path
from typing import Any

LEAD_FIELDS = (
    "name", "email", "phone", "source", "referrer", "value", "probability", "company", "city",
    "expected_close",
)
SOURCES = ("web", "phone", "referral", "expo")
REP_ROLE = "sales_rep"
MANAGER_ROLE = "sales_manager"

_PROJECT = """\
project: bench
label: Benchmark
roles:
  sales_rep: {label: Sales rep}
  sales_manager: {label: Sales manager, includes: [sales_rep]}
"""

_LEAD = """\
lead:
  label: Lead
  title: name
  fields:
    name: {type: string, required: true, max_length: 200}
    email: {type: email, unique: true}
    phone: {type: phone}
    source: {type: choice, options: [web, phone, referral, expo]}
    referrer: {type: string, max_length: 200}
    value: {type: money, min: 0}
    probability: {type: percent}
    company: {type: string, max_length: 200}
    city: {type: string, max_length: 100}
    expected_close: {type: date}
  rules:
    - when: source == "referral"
      require: [referrer]
      message: Referral leads need a referrer
  workflow: bench_lead
  access:
    sales_rep: {create: all, read: owner == current_user, update: owner == current_user}
    sales_manager: {create: all, read: all, update: all, delete: all}
"""

_WORKFLOW = """\
bench_lead:
  label: Benchmark lead
  initial: new
  states:
    new: {label: New}
    contacted: {label: Contacted}
    qualified: {label: Qualified, final: true}
    lost: {label: Lost, final: true}
  transitions:
    contact: {from: new, to: contacted, when: value >= 0}
    qualify: {from: contacted, to: qualified, when: value > 0}
    lose: {from: [new, contacted], to: lost}
"""


def write_lead_project(root: Path) -> Path:
    """Write the lead project into `root` (created); return `root`."""
    (root / "entities").mkdir(parents=True, exist_ok=True)
    (root / "workflows").mkdir(parents=True, exist_ok=True)
    (root / "guanxi.yaml").write_text(_PROJECT, encoding="utf-8")
    (root / "entities" / "lead.yaml").write_text(_LEAD, encoding="utf-8")
    (root / "workflows" / "bench_lead.yaml").write_text(_WORKFLOW, encoding="utf-8")
    return root


_FIRST = ("Wei", "Li", "Anna", "Jun", "Maria", "Chen", "Omar", "Yuki", "Lena", "Tom")
_LAST = ("Zhang", "Wang", "Smith", "Garcia", "Liu", "Müller", "Kim", "Rossi", "Novak", "Sato")
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell")
_CITIES = ("Beijing", "Shanghai", "Berlin", "Lisbon", "Austin", "Osaka", "Nairobi", "Lima")


def lead_rows(count: int, seed: int = 7, tag: str = "b") -> list[dict[str, Any]]:
    """`count` valid lead rows with JSON values (numbers, ISO dates), unique emails.

    The same `count`, `seed` and `tag` always give the same rows; `tag` keeps emails
    unique when several batches go into one database.
    """
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    rows = []
    for i in range(count):
        source = SOURCES[rng.randrange(4)]
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append({
            "name": f"{first} {last} {i}",
            "email": f"{first.lower()}.{i}.{tag}@example{i % 97}.com",
            "phone": f"+86 10 {5550000 + i % 10000:07d}",
            "source": source,
            "referrer": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" if source == "referral"
            else None,
            "value": round(rng.uniform(0, 100_000), 2),
            "probability": rng.randrange(0, 101),
            "company": f"{rng.choice(_COMPANIES)} {rng.randrange(1000)}",
            "city": rng.choice(_CITIES),
            "expected_close": (start + timedelta(days=i % 365)).isoformat(),
        })
    return rows


# ---------------------------------------------------------------- the 200 × 40 project

_TYPE_CYCLE = (
    "string", "text", "email", "phone", "url", "integer", "decimal", "money", "percent",
    "boolean", "date", "datetime", "duration", "choice", "tags", "reference", "user",
)


def _field_yaml(entity_index: int, field_index: int) -> str:
    kind = _TYPE_CYCLE[(entity_index + field_index) % len(_TYPE_CYCLE)]
    name = f"f{field_index:02d}_{kind}"
    extra = ""
    if kind in ("string", "text"):
        extra = ", max_length: 200"
    elif kind in ("integer", "decimal", "money"):
        extra = ", min: 0"
    elif kind in ("choice", "tags"):
        extra = ", options: [alpha, beta, gamma, delta]"
    elif kind == "reference":
        if entity_index == 0:
            kind, extra = "string", ""
            name = f"f{field_index:02d}_string"
        else:
            extra = f", to: e{(entity_index * 7 + field_index) % entity_index:03d}"
    required = ", required: true" if field_index == 0 else ""
    label = f", label: {{en: Field {field_index}, zh: 字段{field_index}}}"
    return f"    {name}: {{type: {kind}{required}{extra}{label}}}\n"


def _entity_yaml(i: int, fields: int) -> str:
    lines = [f"e{i:03d}:\n", f"  label: {{en: Entity {i}, zh: 实体{i}}}\n", "  fields:\n"]
    names = []
    for j in range(fields):
        line = _field_yaml(i, j)
        names.append(line.split(":")[0].strip())
        lines.append(line)
    ints = [n for n in names if n.endswith("_integer")]
    strings = [n for n in names if n.endswith("_string")]
    choices = [n for n in names if n.endswith("_choice")]
    rules = []
    if choices and strings:
        rules.append(
            f"    - when: {choices[0]} == \"beta\"\n      require: [{strings[0]}]\n"
            f"      message: {{en: Needed for beta, zh: beta 需要}}\n"
        )
    if len(ints) >= 2:
        rules.append(f"    - check: {ints[0]} <= {ints[1]} + 100\n      fields: [{ints[0]}]\n"
                     "      message: Too large\n")
    elif ints:
        rules.append(f"    - check: {ints[0]} < 1000000\n      message: Too large\n")
    if rules:
        lines.append("  rules:\n")
        lines.extend(rules)
    if i % 5 == 0:
        lines.append("  workflow: generic_flow\n")
    lines.append(textwrap.indent(textwrap.dedent("""\
        access:
          sales_rep: {create: all, read: owner == current_user, update: owner == current_user}
          sales_manager: {create: all, read: all, update: all, delete: all}
        """), "  "))
    return "".join(lines)


_GENERIC_FLOW = """\
generic_flow:
  initial: open
  states:
    open: {label: Open}
    working: {label: Working}
    done: {label: Done, final: true}
  transitions:
    start: {from: open, to: working}
    finish: {from: working, to: done}
"""


def write_big_project(root: Path, entities: int = 200, fields: int = 40,
                      per_file: int = 20) -> Path:
    """Write a generated project of `entities` × `fields` into `root`; return `root`."""
    (root / "entities").mkdir(parents=True, exist_ok=True)
    (root / "workflows").mkdir(parents=True, exist_ok=True)
    (root / "guanxi.yaml").write_text(_PROJECT.replace("bench", "big", 1), encoding="utf-8")
    (root / "workflows" / "generic_flow.yaml").write_text(_GENERIC_FLOW, encoding="utf-8")
    for start in range(0, entities, per_file):
        text = "".join(_entity_yaml(i, fields) for i in range(start, min(start + per_file,
                                                                          entities)))
        (root / "entities" / f"part{start // per_file:02d}.yaml").write_text(text,
                                                                             encoding="utf-8")
    return root
