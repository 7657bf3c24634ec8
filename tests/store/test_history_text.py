"""History written as JSON text for the rows of an import is the very text the JSON
column writes for the same changes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from guanxi.store.records import CreatedText, created_changes
from hypothesis import given
from hypothesis import strategies as st

NAMES = ("name", "value", "since", "at", "vip", "visits", "tags")
VALUE = {
    "name": st.one_of(st.none(), st.text()),
    "value": st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False,
                                              places=2)),
    "since": st.one_of(st.none(), st.dates()),
    "at": st.one_of(st.none(), st.datetimes(timezones=st.just(dt.UTC))),
    "vip": st.one_of(st.none(), st.booleans()),
    "visits": st.one_of(st.none(), st.integers()),
    "tags": st.one_of(st.none(), st.lists(st.sampled_from(["hot", "cold"]))),
}


@given(st.fixed_dictionaries(VALUE))
def test_history_text_is_the_json_of_the_created_changes(record):
    assert CreatedText(NAMES)(record) == json.dumps(created_changes(record, NAMES))


def test_history_text_leaves_out_empty_fields():
    text = CreatedText(NAMES)({"name": "Ann", "value": Decimal("1.50"), "vip": None})
    assert json.loads(text) == {"name": [None, "Ann"], "value": [None, "1.50"]}
