"""Safe, located YAML: what is accepted, what is refused, and where things are."""

from __future__ import annotations

from pathlib import Path

from guanxi.language.yamlload import (
    MAX_FILE_BYTES,
    LocDict,
    LocList,
    load_file,
    load_text,
    loc_at,
    locate_offset,
)
from guanxi.spec import Loc


def load(text: str):
    document = load_text(text, "f.yaml")
    assert document.problems == (), document.problems
    return document.data


def problem(text: str):
    document = load_text(text, "f.yaml")
    assert document.data is None
    (found,) = document.problems
    return found


def test_mappings_and_lists_load_as_plain_dicts_and_lists() -> None:
    data = load("a: 1\nb: [x, y]\nc: {d: e}\n")
    assert data == {"a": 1, "b": ["x", "y"], "c": {"d": "e"}}
    assert isinstance(data, LocDict) and isinstance(data["b"], LocList)


def test_scalars_resolve_as_yaml_1_2_core() -> None:
    data = load("a: yes\nb: no\nc: on\nd: true\ne: null\nf: ~\ng: 12\nh: 1.5\ni: 0x1f\n"
                "j: 2026-11-22\nk: '12'\nl:\n")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": None, "f": None,
                    "g": 12, "h": 1.5, "i": 31, "j": "2026-11-22", "k": "12", "l": None}


def test_every_key_and_value_has_a_one_based_location() -> None:
    data = load("lead:\n  fields:\n    name: {type: string}\n")
    fields = data["lead"]["fields"]
    assert data.key_loc("lead") == Loc("f.yaml", 1, 1)
    assert fields.key_loc("name") == Loc("f.yaml", 3, 5)
    assert fields["name"].value_loc("type") == Loc("f.yaml", 3, 18)
    assert loc_at(data, "lead", "fields", "name", "type") == Loc("f.yaml", 3, 18)
    assert loc_at(data, "lead", "fields", "name", key=True) == Loc("f.yaml", 3, 5)


def test_list_items_have_locations() -> None:
    data = load("require:\n  - a\n  - b\n")
    assert data["require"].item_locs == [Loc("f.yaml", 2, 5), Loc("f.yaml", 3, 5)]


def test_a_duplicate_key_is_refused_naming_both_places() -> None:
    found = problem("a: 1\nb: 2\na: 3\n")
    assert found.kind == "duplicate"
    assert (found.loc, found.other) == (Loc("f.yaml", 3, 1), Loc("f.yaml", 1, 1))
    assert "'a' is given twice" in found.message


def test_a_python_object_tag_is_refused() -> None:
    found = problem("a: !!python/object/apply:os.system ['echo hi']\n")
    assert found.kind == "tag"
    assert found.loc == Loc("f.yaml", 1, 4)
    assert "python/object/apply:os.system" in found.message


def test_custom_and_non_core_tags_are_refused() -> None:
    assert problem("a: !secret x\n").kind == "tag"
    assert problem("a: !!binary aGk=\n").kind == "tag"
    assert problem("a: !!set {x: null}\n").kind == "tag"


def test_core_tags_are_accepted() -> None:
    assert load("a: !!str 12\nb: !!int '7'\n") == {"a": "12", "b": 7}


def test_a_value_that_does_not_fit_its_tag_is_refused() -> None:
    found = problem("a: !!int seven\n")
    assert (found.kind, found.loc) == ("tag", Loc("f.yaml", 1, 4))


def test_a_billion_laughs_file_is_refused_at_its_first_alias() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    found = problem("\n".join(lines) + "\n")
    assert found.kind == "bomb"
    assert found.loc == Loc("f.yaml", 2, 10)
    assert "aliases" in found.message


def test_a_modest_use_of_aliases_is_accepted() -> None:
    data = load("base: &base {type: string}\nname: *base\nother: {<<: *base, required: true}\n")
    assert data["name"] == {"type": "string"}
    assert data["other"] == {"type": "string", "required": True}


def test_a_recursive_alias_is_refused() -> None:
    assert problem("a: &a [*a]\n").kind == "bomb"


def test_values_nested_too_deeply_are_refused() -> None:
    assert problem("a: " + "[" * 200 + "]" * 200 + "\n").kind == "bomb"


def test_a_file_over_one_mebibyte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    document = load_file(path)
    (found,) = document.problems
    assert (found.kind, found.loc) == ("too_big", Loc(str(path), 1, 1))


def test_a_syntax_error_is_located_at_the_yaml_mark() -> None:
    found = problem("a: 1\nb: [x, y\nc: 2\n")
    assert found.kind == "syntax"
    assert found.loc.line == 3
    assert found.message.startswith("YAML syntax error:")


def test_bad_indentation_is_a_located_syntax_error() -> None:
    found = problem("a:\n  b: 1\n c: 2\n")
    assert (found.kind, found.loc.line) == ("syntax", 3)


def test_a_key_that_is_a_mapping_is_refused() -> None:
    assert problem("? {a: 1}\n: x\n").kind == "key"


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    (found,) = load_file(path).problems
    assert found.kind == "encoding"


def test_an_empty_file_is_no_data_and_no_problem() -> None:
    document = load_text("# nothing yet\n", "f.yaml")
    assert (document.data, document.problems) == (None, ())


def test_offsets_in_a_plain_value_map_to_columns() -> None:
    text = "rule:\n  when: sorce == 1\n"
    loc = load(text)["rule"].value_loc("when")
    assert locate_offset(text, loc, 0) == Loc("f.yaml", 2, 9)
    assert locate_offset(text, loc, 6) == Loc("f.yaml", 2, 15)


def test_offsets_in_a_quoted_value_skip_the_quote() -> None:
    text = 'when: "a == b"\n'
    loc = load(text).value_loc("when")
    assert locate_offset(text, loc, 5) == Loc("f.yaml", 1, 13)


def test_offsets_in_a_block_value_map_to_its_lines() -> None:
    text = "check: |\n  a > 1\n  and b < 2\n"
    loc = load(text).value_loc("check")
    assert locate_offset(text, loc, 0) == Loc("f.yaml", 2, 3)
    assert locate_offset(text, loc, 10) == Loc("f.yaml", 3, 7)


def test_columns_count_characters_not_bytes() -> None:
    data = load("label: {zh: 线索线索, en: Lead}\n")
    assert data["label"].value_loc("en") == Loc("f.yaml", 1, 23)
