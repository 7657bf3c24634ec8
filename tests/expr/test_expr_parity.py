"""Python and SQL agree: for random rows and random well-typed expressions, the rows
`to_python` keeps are exactly the rows `to_sql` selects, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from guanxi.expr import Context, Scope, check, parse, to_python, to_sql
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

LOC = Loc("test.yaml", 1, 1)


def _field(name: str, type_: str, **keys: Any) -> FieldSpec:
    return FieldSpec(name=name, type=type_, loc=LOC, **keys)


ACCOUNT = EntitySpec("account", LOC, fields=(
    _field("sector", "choice"),
    _field("rating", "integer"),
    _field("parent", "reference", ref="account"),
))
ITEM = EntitySpec("item", LOC, fields=(
    _field("name", "string"),
    _field("note", "text"),
    _field("qty", "integer"),
    _field("price", "money"),
    _field("active", "boolean"),
    _field("due", "date"),
    _field("seen_at", "datetime"),
    _field("wait", "duration"),
    _field("tags", "tags"),
    _field("account", "reference", ref="account"),
))
PROJECT = ProjectSpec("parity", ".", LOC, entities=(ACCOUNT, ITEM))
SCOPE = Scope.for_entity(PROJECT, ITEM)

ACCOUNTS = {
    1: {"id": 1, "sector": "retail", "rating": 3, "parent": None},
    2: {"id": 2, "sector": "关系", "rating": None, "parent": 1},
    3: {"id": 3, "sector": None, "rating": -2, "parent": 2},
}


def _tables() -> tuple[sa.MetaData, dict[str, sa.Table]]:
    metadata = sa.MetaData()
    account = sa.Table(
        "account", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sector", sa.Text), sa.Column("rating", sa.Integer),
        sa.Column("parent", sa.Integer),
    )
    item = sa.Table(
        "item", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255)), sa.Column("note", sa.Text),
        sa.Column("qty", sa.Integer), sa.Column("price", sa.Numeric(18, 2)),
        sa.Column("active", sa.Boolean), sa.Column("due", sa.Date),
        sa.Column("seen_at", sa.DateTime), sa.Column("wait", sa.BigInteger),
        sa.Column("tags", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
        sa.Column("account", sa.Integer),
        sa.Column("created_at", sa.DateTime), sa.Column("updated_at", sa.DateTime),
        sa.Column("created_by", sa.Integer), sa.Column("owner", sa.Integer),
        sa.Column("version", sa.Integer), sa.Column("state", sa.Text),
        sa.Column("deleted_at", sa.DateTime),
    )
    return metadata, {"account": account, "item": item}


@pytest.fixture
def database(db_url: str) -> Iterator[tuple[sa.Engine, dict[str, sa.Table]]]:
    metadata, tables = _tables()
    engine = sa.create_engine(db_url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(tables["account"].insert(), list(ACCOUNTS.values()))
    yield engine, tables
    engine.dispose()


# ------------------------------------------------------------ random rows

TEXTS = st.one_of(
    st.sampled_from(["", "a", "A", "ab", "b", "Ä", "é", "关系", "a%_", "retail", "new"]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=5),
)
MOMENTS = st.datetimes(datetime(1990, 1, 1), datetime(2040, 12, 31))


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


ROWS = st.fixed_dictionaries({
    "name": _maybe(TEXTS),
    "note": _maybe(TEXTS),
    "qty": _maybe(st.integers(-1000, 1000)),
    "price": _maybe(st.integers(-1_000_000, 1_000_000).map(lambda n: Decimal(n).scaleb(-2))),
    "active": _maybe(st.booleans()),
    "due": _maybe(st.dates(date(1990, 1, 1), date(2040, 12, 31))),
    "seen_at": _maybe(MOMENTS),
    "wait": _maybe(st.integers(-1_000_000, 1_000_000)),
    "tags": _maybe(st.lists(st.sampled_from(["vip", "new", "关系", "a b"]), unique=True)),
    "account": _maybe(st.sampled_from(sorted(ACCOUNTS))),
    "owner": _maybe(st.sampled_from([1, 2])),
    "state": _maybe(st.sampled_from(["new", "won", "lost"])),
    "created_at": MOMENTS,
})

# ------------------------------------------------------------ random expressions

TEXT_LITERALS = st.sampled_from(['""', '"a"', '"A"', '"b"', '"关系"', "'retail'", '"new"',
                                 '"a%_"', '"Ä"'])
INT_LITERALS = st.integers(-20, 40).map(str)
DECIMAL_LITERALS = st.sampled_from(["0.5", "2.25", "1.10", "100.01", "0.07", "3"])


def _integers(depth: int) -> st.SearchStrategy[str]:
    atoms = st.one_of(
        st.sampled_from(["qty", "account.rating", "account.parent.rating", "len(name)",
                         "len(tags)", "days_between(due, today())", "coalesce(qty, 7)",
                         "days_between(seen_at, due)", "id", "year(due)", "month(seen_at)",
                         "day(created_at)", "weekday(due)", "weekday(seen_at)",
                         "floor(price)", "ceil(price)", "round(price)", "round(qty / 4)",
                         "floor(qty / 3)", "ceil(-qty / 3)", "if(active, qty, 3)"]),
        INT_LITERALS,
    )
    if depth == 0:
        return atoms
    sub = _integers(depth - 1)
    return st.one_of(
        atoms,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "%"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda x: f"-({x})"),
    )


def _numbers(depth: int) -> st.SearchStrategy[str]:
    atoms = st.one_of(_integers(0), DECIMAL_LITERALS, st.just("price"),
                      st.just("coalesce(price, 1.5)"),
                      st.sampled_from(["round(price, 1)", "round(qty / 7, 3)", "hours(wait)",
                                       "days(wait)", "hours(now() - seen_at)",
                                       "if(qty > 2, price, 0.5)"]))
    if depth == 0:
        return atoms
    sub = _numbers(depth - 1)
    return st.one_of(
        atoms,
        _integers(depth),
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
    )


def _texts(depth: int) -> st.SearchStrategy[str]:
    atoms = st.one_of(
        st.sampled_from(["name", "note", "state", "account.sector", "account.parent.sector",
                         "lower(name)", "upper(note)", 'coalesce(note, "x")']),
        TEXT_LITERALS,
    )
    if depth == 0:
        return atoms
    sub = _texts(depth - 1)
    return st.one_of(atoms, st.tuples(sub, sub).map(lambda t: f"({t[0]} + {t[1]})"))


DURATIONS = st.one_of(
    st.sampled_from(["wait", "12h", "3d", "90m", "2w", "-wait", "(now() - seen_at)",
                     "(seen_at - created_at)", "(wait + 3d)", "(1d - wait)"]),
)
DATES = st.sampled_from(["due", "today()", "(due + 3d)", "(due - 12h)", "(due + wait)",
                         "(due - wait)", "(3d + due)", "month_start(due)",
                         "week_start(seen_at)", "quarter_start(due)", "year_start(created_at)",
                         "week_start(due)", "quarter_start(seen_at)", 'date("2026-12-01")',
                         "if(active, due, today())"])
DATETIMES = st.sampled_from(["seen_at", "now()", "created_at", "(seen_at - 90m)",
                             "(created_at + wait)", "(seen_at + 1w)",
                             "coalesce(seen_at, created_at)",
                             'datetime("2026-12-01T10:00:00+08:00")',
                             "if(qty > 0, seen_at, created_at)"])
USERS = st.sampled_from(["owner", "current_user", "2"])
ACCOUNT_IDS = st.sampled_from(["account", "account.parent", "1"])
IDS = st.one_of(USERS, ACCOUNT_IDS)
ORDERINGS = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


def _comparisons(depth: int) -> st.SearchStrategy[str]:
    def pair(values: st.SearchStrategy[str], ops: st.SearchStrategy[str]
             ) -> st.SearchStrategy[str]:
        return st.tuples(values, ops, values).map(lambda t: f"{t[0]} {t[1]} {t[2]}")

    equality = st.sampled_from(["==", "!="])
    any_value = st.one_of(_numbers(depth), _texts(depth), DATES, DATETIMES, DURATIONS, IDS,
                          st.just("active"), st.just("tags"))
    return st.one_of(
        pair(_numbers(depth), ORDERINGS),
        pair(_texts(depth), ORDERINGS),
        pair(DATES, ORDERINGS),
        pair(DATETIMES, ORDERINGS),
        pair(DURATIONS, ORDERINGS),
        pair(USERS, equality),
        pair(ACCOUNT_IDS, equality),
        pair(st.sampled_from(["active", "true", "false", "(qty > 3)"]), equality),
        st.tuples(any_value, equality).map(lambda t: f"{t[0]} {t[1]} null"),
        st.tuples(_texts(0), st.sampled_from(["in", "not in"]),
                  st.lists(TEXT_LITERALS, max_size=3)).map(
            lambda t: f"{t[0]} {t[1]} [{', '.join(t[2])}]"),
        st.tuples(_numbers(0), st.sampled_from(["in", "not in"]),
                  st.lists(st.one_of(INT_LITERALS, DECIMAL_LITERALS, st.just("qty")),
                           max_size=3)).map(lambda t: f"{t[0]} {t[1]} [{', '.join(t[2])}]"),
        st.tuples(_texts(0), st.sampled_from(["in", "not in"])).map(
            lambda t: f"{t[0]} {t[1]} tags"),
        st.tuples(_texts(depth), _texts(0)).map(lambda t: f"contains({t[0]}, {t[1]})"),
        st.tuples(_texts(0), _texts(depth)).map(lambda t: f"starts_with({t[0]}, {t[1]})"),
        st.sampled_from(["name", "note", "tags", "qty", "due", "account.sector"]).map(
            lambda x: f"is_empty({x})"),
        st.sampled_from(['has_role("sales")', 'has_role("admin")', "active", "true",
                         "false", "if(qty > 3, active, price > 1)"]),
    )


def _conditions(depth: int) -> st.SearchStrategy[str]:
    atoms = _comparisons(1)
    if depth == 0:
        return atoms
    sub = _conditions(depth - 1)
    return st.one_of(
        atoms,
        st.tuples(sub, st.sampled_from(["and", "or"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda x: f"not ({x})"),
    )


CONTEXTS = st.builds(
    Context,
    user_id=st.sampled_from([1, 2, None]),
    roles=st.frozensets(st.sampled_from(["sales", "admin"])),
    now=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)),
)


def _resolve(entity: str, record_id: int) -> dict[str, Any] | None:
    assert entity == "account"
    return ACCOUNTS.get(record_id)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(rows=st.lists(ROWS, min_size=1, max_size=6), text=_conditions(2), ctx=CONTEXTS)
def test_python_and_sql_keep_the_same_rows(
    database: tuple[sa.Engine, dict[str, sa.Table]],
    rows: list[dict[str, Any]],
    text: str,
    ctx: Context,
) -> None:
    engine, tables = database
    node = parse(text)
    assert check(node, SCOPE) == []
    records = [{"id": index + 1, **row} for index, row in enumerate(rows)]
    with engine.begin() as conn:
        conn.execute(tables["item"].delete())
        conn.execute(tables["item"].insert(), records)
    evaluate = to_python(node, SCOPE)
    expected = {r["id"] for r in records if evaluate(r, ctx, _resolve) is True}
    where = to_sql(node, SCOPE, tables, "item", ctx)
    with engine.connect() as conn:
        selected = set(conn.scalars(sa.select(tables["item"].c.id).where(where)))
    assert selected == expected, text


# ------------------------------------------------------------ chosen corners

CORNER_ROWS = [
    {"id": 1, "name": "Äb", "price": Decimal("0.10"), "qty": 7, "active": None,
     "due": date(2026, 1, 1), "seen_at": datetime(2026, 1, 1, 10, 0, 0, 999999),
     "wait": -3600, "tags": ["vip"], "created_at": datetime(2026, 1, 1)},
    {"id": 2, "name": "", "price": None, "qty": -7, "active": True, "due": None,
     "seen_at": None, "wait": None, "tags": None, "created_at": datetime(2026, 1, 1)},
    {"id": 3, "name": "关系", "price": Decimal("2.00"), "qty": 0, "active": False,
     "due": date(2026, 3, 1), "seen_at": datetime(2026, 1, 1, 9, 59, 59, 1), "wait": None,
     "tags": [], "created_at": datetime(2026, 1, 1)},
]
CORNER_CTX = Context(user_id=1, roles=frozenset({"sales"}),
                     now=datetime(2026, 1, 2, 10, 0, 0, 500000))


@pytest.mark.parametrize(("text", "ids"), [
    ("price + 0.2 == 0.3", {1}),
    ("qty / 2 == 3.5", {1}),
    ("qty % 2 == -1", {2}),
    ("price / qty == null", {2, 3}),
    ("2 / 3 == 0.666667", {1, 2, 3}),
    ('upper(name) == "ÄB"', {1}),
    ('name > "z"', {1, 3}),
    ('starts_with(name, "关")', {3}),
    ('contains(name, "")', {1, 2, 3}),
    ("days_between(due - 1h, due) == 1", {1, 3}),
    ("due + wait == due - 1h", {1}),
    ("seen_at + 1m > seen_at", {1, 3}),
    ("seen_at + wait < seen_at", {1}),
    ("now() - seen_at == 1d", {1}),
    ('"vip" in tags', {1}),
    ("is_empty(tags)", {2, 3}),
    ("len(tags) == 0", {3}),
    ("tags == null", {2}),
    ("not active", {1, 3}),
    ("active == false", {3}),
    ("active != true", {3}),
    ("not (price > 1)", {1, 2}),
])
def test_python_and_sql_agree_on_chosen_corners(
    database: tuple[sa.Engine, dict[str, sa.Table]], text: str, ids: set[int]
) -> None:
    engine, tables = database
    with engine.begin() as conn:
        conn.execute(tables["item"].insert(), CORNER_ROWS)
    node = parse(text)
    evaluate = to_python(node, SCOPE)
    in_python = {r["id"] for r in CORNER_ROWS if evaluate(r, CORNER_CTX, _resolve)}
    where = to_sql(node, SCOPE, tables, "item", CORNER_CTX)
    with engine.connect() as conn:
        in_sql = set(conn.scalars(sa.select(tables["item"].c.id).where(where)))
    assert (in_python, in_sql) == (ids, ids)


@pytest.mark.parametrize("text", [
    "price * 2 - qty",
    "qty / 4",
    'name + "!"',
    "due + 3d",
    "due - 1h",
    "seen_at - 90m",
    "now() - seen_at",
    "len(tags)",
    "days_between(due, today())",
    'coalesce(name, "x")',
    "year(seen_at)",
    "weekday(due)",
    "week_start(seen_at)",
    "quarter_start(due)",
    "month_start(due)",
    "year_start(seen_at)",
    "hours(wait)",
    "days(now() - seen_at)",
    "round(price * 3, 1)",
    "round(qty / 4)",
    "floor(-qty / 2)",
    "ceil(qty / 2)",
    'if(active, name, "none")',
    'date("2026-02-28") + 1d',
    'datetime("2026-12-01T10:00:00+08:00")',
    "account.sector",
])
def test_python_and_sql_compute_the_same_values(
    database: tuple[sa.Engine, dict[str, sa.Table]], text: str
) -> None:
    engine, tables = database
    with engine.begin() as conn:
        conn.execute(tables["item"].insert(), CORNER_ROWS)
    node = parse(text)
    evaluate = to_python(node, SCOPE)
    in_python = {r["id"]: evaluate(r, CORNER_CTX, _resolve) for r in CORNER_ROWS}
    item = tables["item"]
    value = to_sql(node, SCOPE, tables, "item", CORNER_CTX)
    with engine.connect() as conn:
        in_sql = {row[0]: row[1] for row in conn.execute(sa.select(item.c.id, value))}
    assert in_sql == in_python


def test_text_from_an_expression_reaches_sql_only_as_a_bound_parameter(
    database: tuple[sa.Engine, dict[str, sa.Table]],
) -> None:
    engine, tables = database
    with engine.begin() as conn:
        conn.execute(tables["item"].insert(), CORNER_ROWS)
    attack = "x'; DELETE FROM item; --"
    where = to_sql(parse(f'name == "{attack}" or "{attack}" in tags'), SCOPE, tables, "item",
                   CORNER_CTX)
    query = sa.select(tables["item"].c.id).where(where)
    assert attack not in str(query.compile(engine))
    with engine.begin() as conn:
        assert list(conn.scalars(query)) == []
        assert conn.scalar(sa.select(sa.func.count()).select_from(tables["item"])) == 3
