"""Query-string filters (guanxi.store.filters): one reading for the API and the pages."""

from __future__ import annotations

import dataclasses

import pytest
from guanxi.errors import GuanxiError
from guanxi.fields.values import ID_MAX
from guanxi.spec import NOWHERE, EntitySpec, FieldSpec
from guanxi.store.filters import (
    RESERVED,
    Filter,
    FilterError,
    FilterScope,
    as_mapping,
    parse_filters,
)

LEAD = EntitySpec("lead", NOWHERE, workflow="pipeline", fields=(
    FieldSpec("name", "string", NOWHERE),
    FieldSpec("source", "choice", NOWHERE),
    FieldSpec("visits", "integer", NOWHERE),
    FieldSpec("vip", "boolean", NOWHERE),
    FieldSpec("account", "reference", NOWHERE, ref="account"),
    FieldSpec("income", "money", NOWHERE),
))
SEEN = ("id", "version", "owner", "state", "created_at", "name", "source", "visits", "vip",
        "account")
SCOPE = FilterScope.of(LEAD, SEEN, ("new", "contacted"))


def read(query: str, **options: bool) -> dict[str, object]:
    pairs = [tuple(part.split("=", 1)) for part in query.split("&") if part]
    return as_mapping(parse_filters(pairs, SCOPE, **options))


def refusal(query: str) -> FilterError:
    with pytest.raises(FilterError) as caught:
        read(query)
    return caught.value


def test_reserved_words_are_the_lists_own_parameters():
    assert {"where", "q", "sort", "limit", "after", "total", "sla"} == RESERVED
    assert read("where=x&q=a&sort=-id&limit=3&after=c&total=false&sla=breached") == {}


def test_a_field_value_is_kept_as_text_for_the_store_to_read():
    assert read("name=Li&source=web") == {"name": "Li", "source": "web"}


def test_filters_are_frozen_objects():
    found = parse_filters([("name", "Li")], SCOPE)
    assert found == (Filter("name", "Li"),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].value = "X"


def test_ids_are_read_as_whole_numbers():
    assert read("account=3&owner=7&id=9") == {"account": 3, "owner": 7, "id": 9}


def test_an_id_below_one_or_beyond_the_largest_is_a_bad_filter():
    for value in ("0", "-1", str(ID_MAX + 1)):
        error = refusal(f"account={value}")
        assert (error.code, error.field) == ("bad_filter", "account")
        assert f"from 1 to {ID_MAX}" in error.message


def test_unicode_digits_are_not_numbers():
    assert refusal("owner=\u00b9").code == "bad_filter"
    assert refusal("account=\u0663").code == "bad_filter"


def test_an_integer_field_takes_signed_64_bit_numbers():
    assert read("visits=-5&version=2") == {"visits": -5, "version": 2}
    assert refusal(f"visits={2**63}").code == "bad_filter"


def test_true_and_false_are_booleans_and_other_text_is_left_to_the_store():
    assert read("vip=true") == {"vip": True}
    assert read("vip=false") == {"vip": False}
    assert read("vip=yes") == {"vip": "yes"}


def test_state_must_be_one_of_the_workflows_states():
    assert read("state=new") == {"state": "new"}
    error = refusal("state=AAA")
    assert error.code == "unknown_filter" and "new, contacted" in error.message


def test_a_field_the_caller_cannot_see_is_an_unknown_filter_like_a_missing_one():
    hidden, missing = refusal("income=5"), refusal("colour=red")
    assert (hidden.code, missing.code) == ("unknown_filter", "unknown_filter")
    assert "income" not in hidden.message.split("fields:")[1]


def test_an_empty_value_finds_records_without_one():
    assert read("account=&source=") == {"account": "", "source": ""}
    assert parse_filters([("account", "")], SCOPE)[0].blank


def test_an_empty_value_from_a_form_means_any():
    assert read("account=&source=&name=Li", blank_is_any=True) == {"name": "Li"}


def test_a_name_given_twice_counts_with_its_last_value():
    assert read("source=web&source=phone") == {"source": "phone"}


def test_a_filter_error_is_a_guanxi_error_naming_the_parameter():
    error = refusal("account=x")
    assert isinstance(error, GuanxiError) and error.field == "account"
    assert str(error).startswith("filter account:")
