"""Labels in a language (guanxi.language.labels): the project's, else from the name."""

from __future__ import annotations

from guanxi.language.labels import derived_label, label_of, plural_of
from guanxi.spec import NOWHERE, EntitySpec, FieldSpec, StateSpec, TransitionSpec


def test_a_declared_label_is_given_in_the_language_asked():
    field = FieldSpec("loss_reason", "choice", NOWHERE, label={"en": "Why", "zh": "原因"})
    assert (label_of(field, "en"), label_of(field, "zh")) == ("Why", "原因")


def test_a_language_without_a_label_falls_back_to_english():
    state = StateSpec("won", NOWHERE, label={"en": "Won"})
    assert label_of(state, "zh") == "Won"


def test_without_a_label_one_is_derived_from_the_name():
    transition = TransitionSpec("mark_lost", NOWHERE, ("new",), "lost")
    assert label_of(transition, "en") == "Mark lost"


def test_a_derived_label_keeps_the_names_capitals():
    assert derived_label("VIP_level") == "VIP level"


def test_an_entitys_plural_falls_back_to_its_label_then_its_name():
    labelled = EntitySpec("lead", NOWHERE, label={"en": "Lead"}, plural={"en": "Leads"})
    singular_only = EntitySpec("lead", NOWHERE, label={"en": "Lead"})
    bare = EntitySpec("sales_lead", NOWHERE)
    assert [plural_of(e, "en") for e in (labelled, singular_only, bare)] == [
        "Leads", "Lead", "Sales lead"]
