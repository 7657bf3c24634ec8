"""Rounding numbers in expressions: `round(x[, places])`, `floor(x)`, `ceil(x)`.

`round` is half away from zero (as SQLite's and PostgreSQL's `round`); `places` is a whole
number literal from 0 to 6 (results keep at most 6 decimal places, as all arithmetic
does). `floor` and `ceil` give whole numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import sqlalchemy as sa
from guanxi.expr.portable import portable

MAX_PLACES = 6


def places_of(nodes: Sequence[Any]) -> int:
    """The places a checked `round` call rounds to (0 without a second argument)."""
    return int(nodes[1].value) if len(nodes) > 1 else 0


def round_python(values: Sequence[Any], ctx: object) -> Any:
    if values[0] is None:
        return None
    places = int(values[1]) if len(values) > 1 else 0
    with localcontext() as context:
        context.prec = 80
        rounded = Decimal(values[0]).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return int(rounded) if places == 0 else rounded


def floor_python(values: Sequence[Any], ctx: object) -> Any:
    return None if values[0] is None else math.floor(Decimal(values[0]))


def ceil_python(values: Sequence[Any], ctx: object) -> Any:
    return None if values[0] is None else math.ceil(Decimal(values[0]))


# SQLite's floor()/ceil() exist only when built with its math functions: use CAST, which
# truncates towards zero, and correct by one where that moved the wrong way.
round_whole = portable(
    "gx_round_whole", sa.BigInteger(),
    "CAST(round({0}) AS INTEGER)",
    "CAST(round(CAST({0} AS NUMERIC)) AS BIGINT)",
)
round_places = portable(
    "gx_round_places", sa.Numeric(),
    "round({0}, {1})",
    "round(CAST({0} AS NUMERIC), CAST({1} AS INTEGER))",
)
floor_sql = portable(
    "gx_floor", sa.BigInteger(),
    "(CAST({0} AS INTEGER) - ({0} < CAST({0} AS INTEGER)))",
    "CAST(floor(CAST({0} AS NUMERIC)) AS BIGINT)",
)
ceil_sql = portable(
    "gx_ceil", sa.BigInteger(),
    "(CAST({0} AS INTEGER) + ({0} > CAST({0} AS INTEGER)))",
    "CAST(ceil(CAST({0} AS NUMERIC)) AS BIGINT)",
)
