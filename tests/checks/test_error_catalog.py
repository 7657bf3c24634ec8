"""The catalog of problem ids: docs/errors.md lists exactly them, and each one is shown
here by a project that has that problem and the exact message it gets."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import REPO
from guanxi.diagnostics import CATALOG, ERROR, WARNING, diag
from guanxi.language.project import load_project
from guanxi.spec import Loc

PROJECT = "project: p\nroles: {r: {}}\n"
PUBLIC = PROJECT + "public: {grants: {thing: {create: all}}}\n"
THING = """
thing:
  fields:
    name: {type: string}
  workflow: flow
  access: {r: {read: all, update: all}}
"""
FLOW = """
flow:
  initial: open
  states:
    open: {}
    done: {final: true}
  transitions:
    finish: {from: open, to: done}
"""


def files(project: str = PROJECT, thing: str = THING, flow: str = FLOW,
          **extra: str) -> dict[str, str]:
    out = {"guanxi.yaml": project, "entities/thing.yaml": thing, "workflows/flow.yaml": flow}
    out.update({name.replace("__", "/").replace("_yaml", ".yaml"): text
                for name, text in extra.items()})
    return out


def field(declaration: str) -> dict[str, str]:
    return files(thing=THING.replace("    name: {type: string}\n",
                                     f"    name: {{type: string}}\n    {declaration}\n"))


DUPES = "  duplicates:\n    - {match: [name]}\n"
CLEAN = "c:\n  every: 1d\n  entity: thing\n  do: duplicates\n"
SAFE = CLEAN.replace("duplicates", "{duplicates: safe}")


def thing_with(extra: str) -> dict[str, str]:
    return files(thing=THING + extra)


def flow_with(text: str) -> dict[str, str]:
    return files(flow=text)


PART = """
part:
  fields:
    thing: {type: reference, to: thing}
    other: {type: reference, to: thing}
    amount: {type: money}
    count: {type: integer}
    note: {type: string}
  access: {r: {read: all}}
"""


def tiered(tiers: str) -> dict[str, str]:
    """The thing with a choice field `level` (a, b), tiered by the dated parts."""
    return {**rolled("level: {type: choice, options: [a, b]}",
                     PART.replace("    note:", "    day: {type: date}\n    note:")),
            "insight/t.yaml": f"tiers: {tiers}\n"}


def rolled(declaration: str, part: str = PART) -> dict[str, str]:
    """The thing with a roll-up field over the parts that reference it."""
    return {**field(declaration), "entities/part.yaml": part}


CONTACT = """
contact:
  title: name
  fields:
    name: {type: string}
    email: {type: email}
  access: {r: {read: all}}
"""
PORTAL_GRANTS = "  grants: {thing: {read: 'contact == current_contact'}}\n"


def portal(extra: str = "", grants: str = PORTAL_GRANTS, system: bool = True,
           project: str = PROJECT, thing: str = THING, **more: str) -> dict[str, str]:
    """A project with a customer portal over contacts and things (its tickets)."""
    head = project + ("system: {grants: {contact: {read: all}}}\n" if system else "")
    return files(project=head + "portal:\n  tickets: thing\n" + grants + extra,
                 thing=thing.replace("    name: {type: string}\n",
                                     "    name: {type: string}\n"
                                     "    contact: {type: reference, to: contact}\n"),
                 entities__contact_yaml=CONTACT, **more)


BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
) + "\n"

# id -> (project files, the exact message)
CASES: dict[str, tuple[dict[str, str], str]] = {
    "GX101": (files(project="project: p\nroles: [r\n"),
              "YAML syntax error: while parsing a flow sequence did not find expected ',' "
              "or ']'"),
    "GX102": (files(project="project: !!python/name:os.system p\n"),
              "the tag 'tag:yaml.org,2002:python/name:os.system' is not allowed; only plain "
              "YAML (mappings, lists, text, numbers, true/false, null) is accepted"),
    "GX103": (files(project="project: p\nproject: q\n"),
              "the key 'project' is given twice in one mapping (first at {root}/guanxi.yaml:1:1); "
              "remove one of them"),
    "GX104": (files(entities__big_yaml="# " + "x" * (1024 * 1024) + "\n"),
              "the file is 1048579 bytes, more than the 1024 KiB allowed; split it into "
              "several files"),
    "GX105": (files(entities__bomb_yaml=BOMB),
              "the file expands to more than 100000 values (aliases repeated too many times); "
              "write the values out or use fewer aliases"),
    "GX106": (files(project="project: p\n? [a]\n: b\n"),
              "a key must be a plain name, not a list or mapping"),
    "GX107": (files(), "the file is not UTF-8 text (byte 17)"),
    "GX108": ({"README.md": "no project here\n"}, "no project file: {root} has no guanxi.yaml"),
    "GX109": (files(entities__list_yaml="- a\n- b\n"),
              "a file in entities/ must be a mapping of names to definitions, not a list"),
    "GX110": ({}, "{root}/nowhere is not a directory"),
    "GX111": (files(), "the file is a FIFO (named pipe), not a regular file"),
    "GX112": (files(), "the file leads to /dev/zero, outside the project directory {root}; "
                       "copy the file into the project instead"),
    "GX113": (files(), "the file cannot be read: No such file or directory"),
    "GX114": (files(**{f"entities__e{n:03}_yaml": "" for n in range(500)}),
              "the project has more than 500 files; this one and those after it were not read"),
    "GX115": (files(**{f"entities__big{n}_yaml": "# " + "x" * 1_000_000 + "\n"
                       for n in range(5)}),
              "the project's files hold more than 4 MiB together; this one and those after "
              "it were not read"),
    "GX201": (files(project=PROJECT + "colour: red\n"), "unknown key 'colour' in guanxi.yaml"),
    "GX202": (files(project="project: p\nroles: [r]\n"),
              "roles must be a mapping, not a list"),
    "GX203": (field("other: {label: Other}"), "thing.fields.other needs 'type'"),
    "GX204": (flow_with(FLOW + "  timers:\n    - {in: open, after: 1d, do: email, to: r}\n"),
              "flow.timers[1].do must be one of notify, fire, not the text 'email'"),
    "GX205": (field("code: {type: string, max_length: 0}"),
              "thing.fields.code.max_length: must be at least 1"),
    "GX301": (field("Code: {type: string}"), "'Code' is not a valid field name"),
    "GX302": (field("owner: {type: user}"),
              "'owner' is a system field and cannot be declared"),
    "GX303": (field("code: {type: strin}"), "unknown field type 'strin'"),
    "GX304": (field("code: {type: string, options: [a]}"),
              "'options' does not apply to a string field"),
    "GX305": (field("other: {type: reference, to: nothing}"),
              "reference to unknown entity 'nothing'"),
    "GX306": (thing_with("  title: nme\n"), "unknown field 'nme' in thing.title"),
    "GX307": (files(project="project: p\nroles: {r: {includes: [boss]}}\n"),
              "unknown role 'boss' in includes of role 'r'"),
    "GX308": (files(thing=THING.replace("workflow: flow", "workflow: flw")),
              "unknown workflow 'flw'"),
    "GX309": (files(entities__again_yaml="thing:\n  fields: {a: {type: string}}\n"),
              "entity 'thing' is declared twice (also at {root}/entities/thing.yaml:1:1)"),
    "GX310": (field("kind: {type: choice}"), "a choice field needs 'options'"),
    "GX311": (field("kind: {type: choice, options: [a, b], default: c}"),
              "default 'c' is not valid for field 'kind': 'c' is not one of: a, b"),
    "GX312": (field("size: {type: integer, min: 5, max: 1}"),
              "min 5 is greater than max 1"),
    "GX313": (field("code: {type: string, pattern: '[a-'}"),
              "pattern is not a valid regular expression: unterminated character set at "
              "position 0"),
    "GX314": (field("size: {type: integer, min: big}"),
              "min 'big' is not valid for a integer field: 'big' is not a whole number"),
    "GX315": (field("kind: {type: choice, options: [a, a]}"), "option 'a' is given twice"),
    "GX316": (files(project="project: p\nroles:\n  r: {includes: [s]}\n  s: {includes: [r]}\n"),
              "role 'r' includes itself through r → s → r"),
    "GX317": (thing_with("  rules:\n    - message: Nothing to do\n"),
              "a rule needs 'require' or 'check'"),
    "GX318": (files(thing=THING.replace("thing:\n", "thing:\n  label: {en: Thing, fr: Chose}\n")),
              "label language 'fr' is not one of the project's languages (en)"),
    "GX319": (field("other: {type: reference}"), "a reference field needs 'to'"),
    "GX320": (files(project="project: p\nroles: {r: {}, idle: {}}\n"),
              "role 'idle' is not used by any access entry, transition, timer or other role"),
    "GX321": (field("total: {type: integer, compute: 1 + 1, default: 2}"),
              "a computed field cannot have 'default'"),
    "GX322": (files(project="project: p\nlanguages: [en, en]\nroles: {r: {}}\n"),
              "'en' is listed twice in languages"),
    "GX323": (files(entities__engine_yaml="gx_user:\n  fields: {a: {type: string}}\n"
                                          "  access: {r: {read: all}}\n"),
              "entity name 'gx_user' starts with 'gx_', which is kept for the engine's own "
              "tables"),
    "GX324": (field("a: {type: integer, compute: b + 1}\n    b: {type: integer, compute: a * 2}"),
              "computed field 'a' depends on itself through a → b → a"),
    "GX325": (rolled("t: {type: integer, compute: 1, rollup: {count: part, via: thing}}"),
              "field 't' is both computed and rolled up"),
    "GX326": (rolled("t: {type: integer, rollup: {count: prat, via: thing}}"),
              "the roll-up of 't' is over unknown entity 'prat'"),
    "GX327": (rolled("t: {type: integer, rollup: {count: part, via: note}}"),
              "the roll-up of 't': 'note' is not a reference of 'part' to 'thing'"),
    "GX328": (rolled("t: {type: money, rollup: {sum: amont, of: part, via: thing}}"),
              "the roll-up of 't' reads unknown field 'amont' of 'part'"),
    "GX329": (rolled("t: {type: money, rollup: {sum: note, of: part, via: thing}}"),
              "the roll-up of 't': sum of a string field cannot be kept in a money field"),
    "GX330": (rolled("t: {type: integer, rollup: {count: part, via: thing, final: false}}"),
              "the roll-up of 't' keeps records by 'final' but 'part' has no workflow"),
    "GX331": (rolled("t: {type: integer, rollup: {count: part, via: thing, "
                     "when: 'thing.name == \"x\"'}}"),
              "the roll-up condition of 't' reads 'thing.name' through a reference"),
    "GX332": (rolled("t: {type: integer, rollup: {sum: count, of: part, via: thing}}",
                     PART.replace("count: {type: integer}",
                                  "count: {type: integer, compute: thing.t}")),
              "'thing.t' depends on itself through thing.t → part.count → thing.t"),
    "GX333": (rolled("t: {type: string, compute: own.thing.name}\n"
                     "    own: {type: reference, to: part}"),
              "computed field 't' reads 'own.thing.name' through more than one reference"),
    "GX335": (rolled("t: {type: integer, rollup: {count: part, via: thing, "
                     "when: 'owner == current_user'}}"),
              "the roll-up condition of 't' depends on who writes: current_user"),
    "GX336": (rolled("t: {type: money, compute: 'sum(part.amount)'}",
                     PART.replace("    thing: {type: reference, to: thing}\n", "")
                     .replace("    other: {type: reference, to: thing}\n", "")),
              "'part' has no reference to 'thing' for the aggregate in 't'"),
    "GX337": (rolled("t: {type: money, compute: 'sum(part.amount)'}"),
              "'part' references 'thing' through several fields (thing, other); the "
              "aggregate in 't' cannot tell which"),
    "GX338": (rolled("t: {type: integer, compute: 'count(part) + 1'}"),
              "the aggregate count(part) in 't' must be the whole expression"),
    "GX339": (rolled("t: {type: money, compute: 'sum(part)'}"),
              "the aggregate in 't' is not written sum(entity.field) or "
              "sum(entity.field, condition)"),
    "GX334": (files(project=PROJECT + "time_zone: Asia/Shanghia\n"),
              "unknown time zone 'Asia/Shanghia'"),
    "GX340": (field("title: {type: string, renamed_from: name}"),
              "field 'title' is renamed_from 'name', which is still declared"),
    "GX401": (thing_with("  rules:\n    - check: name ==\n"),
              "expression syntax error: expected a value after '=='"),
    "GX402": (thing_with("  rules:\n    - check: nme == 'x'\n"), "unknown field 'nme'"),
    "GX403": (field("age: {type: integer, compute: days_between(created_at, today())}"),
              "the expression 'days_between(created_at, today())' was cut at a comma by "
              "YAML; quote it"),
    "GX404": (thing_with("  rules:\n    - check: state != \"Done\"\n"),
              "'Done' is not a state of workflow 'flow'"),
    "GX501": (flow_with(FLOW.replace("initial: open", "initial: opn")),
              "initial state 'opn' is not a state of workflow 'flow'"),
    "GX502": (flow_with(FLOW.replace("from: open", "from: opn")),
              "transition 'finish' starts from unknown state 'opn'"),
    "GX503": (flow_with(FLOW.replace("to: done", "to: dne")),
              "transition 'finish' goes to unknown state 'dne'"),
    "GX504": (flow_with(FLOW + "    reopen: {from: done, to: open}\n"),
              "final state 'done' has outgoing transition 'reopen'"),
    "GX505": (flow_with(FLOW.replace("to: done}", "to: done, require: [reason]}")),
              "entity 'thing' has no field 'reason', which workflow 'flow' uses in require of "
              "transition 'finish'"),
    "GX506": (flow_with(FLOW + "  timers:\n    - {name: t, in: opn, after: 1d, do: notify, "
                               "to: owner}\n"),
              "timer 't' waits in unknown state 'opn'"),
    "GX507": (flow_with(FLOW + "  timers:\n    - {name: t, in: open, after: 1d, do: fire, "
                               "transition: finnish}\n"),
              "timer 't' fires unknown transition 'finnish'"),
    "GX508": (flow_with(FLOW + "  timers:\n    - {name: t, in: open, after: 1d, do: notify, "
                               "to: boss}\n"),
              "timer 't' notifies unknown role 'boss'"),
    "GX509": (flow_with(FLOW + "  timers:\n    - {name: t, in: open, after: soon, do: notify, "
                               "to: owner}\n"),
              "'soon' is not a duration"),
    "GX510": (flow_with(FLOW.replace("    done: {final: true}\n",
                                     "    done: {final: true}\n    lost: {final: true}\n")),
              "state 'lost' of workflow 'flow' cannot be reached from 'open'"),
    "GX511": (flow_with(FLOW.replace("    done: {final: true}\n",
                                     "    done: {final: true}\n    stuck: {}\n").replace(
        "    finish: {from: open, to: done}\n",
        "    finish: {from: open, to: done}\n    wait: {from: open, to: stuck}\n")),
              "state 'stuck' of workflow 'flow' is not final but no transition leaves it"),
    "GX512": (flow_with("flow:\n  extends: nothing\n  states: [open]\n"),
              "workflow 'flow' extends unknown workflow 'nothing'"),
    "GX513": (flow_with("flow:\n  extends: flow\n  states: [open]\n"),
              "workflow 'flow' extends itself through flow → flow"),
    "GX514": (flow_with("flow:\n  label: Empty\n"), "workflow 'flow' has no states"),
    "GX515": (files(workflows__spare_yaml="spare:\n  states: [a]\n"),
              "workflow 'spare' is not used by any entity"),
    "GX516": (flow_with(FLOW + "  timers:\n    - {name: t, in: open, after: 1d, do: fire}\n"),
              "timer 't' with do: fire needs 'transition'"),
    "GX517": (flow_with(FLOW.replace("to: done}", "to: done, set: {created_at: now()}}")),
              "transition 'finish' cannot set 'created_at': it is a system field"),
    "GX518": (flow_with(FLOW + "  timers:\n"
                        "    - {name: t, in: open, after: 1d, do: notify, to: owner}\n"
                        "    - {name: t, in: open, after: 2d, do: notify, to: owner}\n"),
              "timer name 't' is used twice in workflow 'flow'"),
    "GX519": (files(thing=THING.replace("update: all}", "update: all, readonly: [name]}"),
                    flow=FLOW.replace("to: done}", "to: done, require: [name]}")),
              "transition 'finish' requires 'name' of entity 'thing', which no role that "
              "may fire it can write"),
    "GX601": (files(thing=THING.replace("access: {r:", "access: {q:")),
              "access entry for unknown role 'q'"),
    "GX602": (files(thing=THING.replace("update: all}", "update: all, hide: [nme]}")),
              "unknown field 'nme' in hide of role 'r'"),
    "GX603": (files(thing=THING.replace("update: all}", "update: all, transitions: [fnish]}")),
              "unknown transition 'fnish' for role 'r': workflow 'flow' has no such transition"),
    "GX604": (files(thing=THING.replace("  workflow: flow\n", "").replace(
        "update: all}", "update: all, transitions: [finish]}")),
              "role 'r' lists transitions but entity 'thing' has no workflow"),
    "GX605": (files(thing=THING.replace("  access: {r: {read: all, update: all}}\n", "")),
              "entity 'thing' grants nothing to any role, so nobody can use it"),
    "GX606": (files(thing=THING.replace("    name: {type: string}",
                                        "    name: {type: string, required: true}").replace(
        "{r: {read: all, update: all}}", "{r: {create: all, read: all, hide: [name]}}")),
              "role 'r' may create thing records but never sees required field 'name'"),
    "GX540": (flow_with(FLOW + "  state_map: {closed: dnoe}\n"),
              "state_map of workflow 'flow' moves 'closed' to unknown state 'dnoe'"),
    "GX541": (flow_with(FLOW + "  state_map: {open: done}\n"),
              "state_map of workflow 'flow' moves 'open', which is still one of its states"),
    "GX607": (files(project="project: p\nroles: {r: {}, system: {}}\n"
                    "system: {grants: {thing: {read: all}}}\n"),
              "role 'system' is kept for the system actor declared under 'system:'"),
    "GX608": (files(project=PROJECT + "system: {grants: {thin: {read: all}}}\n"),
              "the system's grants name unknown entity 'thin'"),
    "GX610": (portal(project="project: p\nroles: {r: {}, portal: {}}\n"),
              "role 'portal' is kept for the customer portal's users"),
    "GX611": (portal("  principal: contct\n"),
              "the portal's principal names unknown entity 'contct'"),
    "GX612": (portal("  email: name\n"), "'name' is not a field of type email of 'contact'"),
    "GX613": (portal("  reply: fnish\n"),
              "the portal's reply transition 'fnish' is not a transition of 'thing'"),
    "GX614": (portal(grants="  grants: {thing: {read: all}, thin: {read: all}}\n"),
              "the portal's grants name unknown entity 'thin'"),
    "GX615": (portal(grants="  grants: {contact: {read: all}}\n"),
              "the portal's users may not read any 'thing'"),
    "GX616": (portal(system=False), "the system actor may not read 'contact', so the "
              "portal cannot find contacts by e-mail"),
    "GX617": (portal(thing=THING.replace("{r: {read: all, update: all}}",
                                         "{r: {read: 'contact == current_contact'}}")),
              "'current_contact' is read outside the portal's grants (entity 'thing'), where "
              "it is always null"),
    "GX618": (portal(grants="  grants: {thing: {read: 'id == current_user'}}\n"),
              "a portal grant on 'thing' reads current_user, which no portal user is"),
    "GX619": (portal(grants="  grants: {thing: {read: 'id == current_account'}}\n"),
              "a portal grant on 'thing' reads current_account, but the portal names no "
              "account field"),
    "GX620": (files(project=PROJECT + "attachments: {max_size: huge}\n"),
              "attachments: max_size huge is not a size"),
    "GX621": (files(project=PROJECT + "attachments: {types: [image/pgn]}\n"),
              "attachments: unknown content type 'image/pgn'"),
    "GX630": (files(project="project: p\nroles: {r: {}, public: {}}\n"
                    "public: {grants: {thing: {read: all}}}\n"),
              "role 'public' is kept for the public actor declared under 'public:'"),
    "GX631": (files(project=PROJECT + "public: {grants: {thin: {read: all}}}\n"),
              "the public's grants name unknown entity 'thin'"),
    "GX632": (files(project=PROJECT + "public: {help_centre: {entity: thin}}\n"),
              "the help centre names unknown entity 'thin'"),
    "GX633": (files(project=PROJECT + "public: {grants: {thing: {read: all}}, "
                                      "help_centre: {entity: thing, body: text}}\n"),
              "the help centre's body names unknown field 'text' of 'thing'"),
    "GX634": (files(project=PROJECT + "public: {help_centre: {entity: thing, title: name, "
                                      "body: name}}\n"),
              "the help centre shows 'thing' but the public may not read it"),
    "GX635": (files(project=PROJECT + "public: {grants: {thing: {read: all}}, help_centre: "
                                      "{entity: thing, title: name, body: name, "
                                      "contact: nope}}\n"),
              "the help centre's contact names unknown web form 'nope'"),
    "GX640": (files(project=PUBLIC, forms__a_yaml="forms: {f: {entity: thing, fields: [name]}}\n",
                    forms__b_yaml="forms: {f: {entity: thing, fields: [name]}}\n"),
              "web form 'f' is declared twice (first at {root}/forms/a.yaml:1:9)"),
    "GX641": (files(project=PUBLIC, forms__f_yaml="forms: {f: {entity: thin, fields: [name]}}\n"),
              "web form 'f' names unknown entity 'thin'"),
    "GX642": (files(project=PUBLIC, forms__f_yaml="forms: {f: {entity: thing, fields: [nam]}}\n"),
              "web form 'f': entity 'thing' has no field 'nam' (in fields)"),
    "GX643": (files(forms__f_yaml="forms: {f: {entity: thing, fields: [name]}}\n"),
              "web form 'f' creates 'thing' but the public may not create it"),
    "GX644": (files(project=PUBLIC, forms__f_yaml="forms: {f: {entity: thing, fields: [name], "
                                                  "assign: nobody}}\n"),
              "web form 'f' names unknown assignment rule 'nobody'"),
    "GX645": (files(project=PUBLIC,
                    automation__rules_yaml="share: {entity: thing, on: finish, "
                                           "to: {round_robin: r}, field: owner}\n",
                    forms__f_yaml="forms: {f: {entity: thing, fields: [name], "
                                  "assign: share}}\n"),
              "web form 'f': assignment rule 'share' does not assign new 'thing' records"),
    "GX646": (files(project=PUBLIC, forms__f_yaml="forms: {f: {entity: thing, fields: [name], "
                                                  "consent: name}}\n"),
              "web form 'f': consent field 'name' is not a boolean field"),
    "GX647": (files(project=PUBLIC, thing=THING + "  duplicates: [{match: [name]}]\n",
                    forms__f_yaml="forms: {f: {entity: thing, fields: [name]}}\n"),
              "web form 'f' checks duplicates but the system may not read 'thing'"),
    "GX648": (files(project=PUBLIC, thing=THING.replace("    name: {type: string}\n",
                                                         "    name: {type: string}\n"
                                                         "    boss: {type: user}\n"),
                    forms__f_yaml="forms: {f: {entity: thing, fields: [name, boss]}}\n"),
              "web form 'f' asks visitors for user field 'boss'"),
    "GX650": (files(project=PROJECT + "marketing: {campaign: thin, members: thing}\n"),
              "marketing's campaign names unknown entity 'thin'"),
    "GX651": (files(project=PROJECT + "marketing: {campaign: thing, members: thing, "
                                      "subject: subjet}\n"),
              "marketing's subject names unknown field 'subjet' of 'thing'"),
    "GX652": (files(project=PROJECT + "marketing: {campaign: thing, members: thing}\n"),
              "marketing e-mail goes to contacts, not to 'thing'"),
    "GX653": (files(project=PROJECT + "marketing: {campaign: thing, members: thing}\n"),
              "the system may not update 'thing', so an unsubscribe link cannot withdraw "
              "consent"),
    "GX701": (files(project=PROJECT + "extends: ../nowhere\n"),
              "cannot extend {parent}/nowhere: it has no guanxi.yaml"),
    "GX702": (files(project=PROJECT + "extends: .\n"),
              "project {root} extends itself through project → project"),
    "GX703": ({}, "cannot remove entity 'nothing': the base has no such entity"),
    "GX704": ({}, "field 'thing.name' is removed at {root}/guanxi.yaml:3:27 but still used "
                  "at {parent}/base/entities/thing.yaml:6:10"),
    "GX705": (files(project=PROJECT + "remove: {entities: [thing]}\n"),
              "'remove' needs 'extends': there is no base project to remove from"),
    "GX801": (files(mappings__m_yaml="entity: thin\n"),
              "the mapping is for unknown entity 'thin'"),
    "GX802": (files(mappings__m_yaml="entity: thing\ncolumns: {a: nme}\n"),
              "unknown field 'nme' of entity 'thing' in column 'a'"),
    "GX803": (files(thing=THING.replace("  workflow: flow\n", ""),
                    mappings__m_yaml="entity: thing\ncolumns: {s: {state: true}}\n"),
              "entity 'thing' has no workflow, so no column can give its state"),
    "GX804": (files(mappings__m_yaml="entity: thing\ncolumns: {s: {state: true, field: name}}\n"),
              "column 's' gives both a field and the state"),
    "GX805": (files(mappings__m_yaml="entity: thing\ncolumns: {s: {trim: false}}\n"),
              "column 's' fills nothing"),
    "GX806": ({**field("copy: {type: string, compute: name}"),
               "mappings/m.yaml": "entity: thing\ncolumns: {c: copy}\n"},
              "field 'copy' is computed and cannot be imported"),
    "GX807": (files(mappings__m_yaml="entity: thing\ncolumns: {a: {field: name, lookup: x}}\n"),
              "'lookup' does not apply to a string field"),
    "GX808": ({**field("parent: {type: reference, to: thing}\n    code: {type: string}"),
               "mappings/m.yaml": "entity: thing\ncolumns: {p: {field: parent, lookup: code}}\n"},
              "lookup field 'code' of entity 'thing' is neither unique nor its title"),
    "GX809": (files(mappings__m_yaml="entity: thing\ncolumns: {a: name, b: name}\n"),
              "column 'b' fills 'name', which column 'a' already fills"),
    "GX810": (thing_with("  duplicates:\n    - {match: [name], fuzzy: {nme: 0.9}}\n"),
              "fuzzy field 'nme' is not one of the rule's match fields"),
    "GX811": (thing_with("  duplicates:\n    - {match: [name], normalize: phone}\n"),
              "normalize: phone applies to phone fields; 'name' is a string field"),
    "GX812": (files(project=PROJECT + "phone_region: ZZ\n"),
              "phone_region: unknown phone region 'ZZ'"),
    "GX813": (thing_with("  duplicates:\n"
                         "    - {match: [name], fuzzy: {name: 0.9}, safe: true}\n"),
              "a duplicate rule of thing is marked safe but compares 'name' by similarity"),
    "GX814": (files(thing=THING + DUPES, automation__c_yaml=CLEAN.replace(
                        "do: duplicates", "do: [{do: duplicates}, {do: notify, to: r}]")),
              "rule 'c': 'duplicates' is the only action of a schedule"),
    "GX815": (files(automation__c_yaml=CLEAN),
              "rule 'c': entity 'thing' has no duplicate rules to clean up by"),
    "GX816": (files(thing=THING + DUPES, automation__c_yaml=CLEAN.replace(
                        "duplicates", "{duplicates: often}")),
              "rule 'c': merge 'often' is not safe or never"),
    "GX817": (files(thing=THING + DUPES, automation__c_yaml=SAFE),
              "rule 'c': merge: safe, but no duplicate rule of thing is marked safe"),
    "GX818": (files(thing=THING + DUPES.replace("]}", "], safe: true}"),
                    automation__c_yaml=SAFE),
              "rule 'c': merge: safe, but the system actor may not read, update and "
              "delete thing records"),
    "GX819": (files(thing=THING + DUPES, automation__c_yaml=CLEAN.replace(
                        "duplicates", "{duplicates: never, to: rr}")),
              "rule 'c': 'rr' is not a role"),
    "GX901": (files(insight__r_yaml="reports: {r: {entity: thin, measures: {n: count()}}}\n"),
              "report 'r' counts unknown entity 'thin'"),
    "GX902": (files(insight__r_yaml="reports: {r: {entity: thing, group: [nam], "
                                    "measures: {n: count()}}}\n"),
              "report 'r' reads 'nam': unknown field 'nam'"),
    "GX903": (files(insight__r_yaml="reports: {r: {entity: thing, group: [{field: name, "
                                    "by: month}], measures: {n: count()}}}\n"),
              "report 'r' buckets 'name' by month, but it holds no date"),
    "GX904": (files(insight__r_yaml="reports: {r: {entity: thing, measures: {n: name}}}\n"),
              "report 'r', measure 'n': a measure is made of aggregates (count(…), "
              "count_distinct(…), sum(…), avg(…), min(…), max(…)), numbers and + - * /"),
    "GX905": (files(insight__r_yaml="reports: {r: {entity: thing, measures: {n: count()}, "
                                    "sort: [-m]}}\n"),
              "report 'r': sort 'm' names no group or measure of it"),
    "GX907": (files(insight__r_yaml="dashboards: {d: {roles: [x], tiles: []}}\n"),
              "dashboard 'd' names unknown role 'x'"),
    "GX909": (files(insight__r_yaml="reports: {r: {entity: thing, measures: {n: count()}}}\n",
                    insight__s_yaml="reports: {r: {entity: thing, measures: {n: count()}}}\n"),
              "report 'r' is declared twice (first at {root}/insight/r.yaml:1:11)"),
    "GX910": (files(insight__r_yaml="reports: {r: {entity: thing, measures: {n: count()}, "
                                    "params: {p: {field: name, default: today_}}}}\n"),
              "parameter 'p' of report 'r': unknown default 'today_'"),
    "GX911": (tiered("{t: {entity: thign, field: level, of: part, via: thing, date: day, "
                     "sum: amount, levels: {a: {from: 1}, b: {}}}}"),
              "tier 't' names unknown entity 'thign'"),
    "GX912": (tiered("{t: {entity: thing, field: level, of: part, via: thing, date: day, "
                     "sum: note, levels: {a: {from: 1}, b: {}}}}"),
              "tier 't': 'note' (the sum) is a string field"),
    "GX913": (tiered("{t: {entity: thing, field: level, of: part, via: thing, date: day, "
                     "sum: amount, levels: {a: {from: 1}, c: {}}}}"),
              "tier 't': 'c' is not an option of field 'level'"),
    "GX914": (tiered("{t: {entity: thing, field: level, of: part, via: thing, date: day, "
                     "sum: amount, levels: {a: {from: 1}, b: {from: 5}}}}"),
              "tier 't': level 'b' starts above the one before"),
    "GX915": (files(insight__t_yaml="targets: {q: {entity: thing, date: day, sum: amount, "
                                    "period: week}}\n",
                    thing=THING.replace("    name: {type: string}\n",
                                        "    name: {type: string}\n    day: {type: date}\n"
                                        "    amount: {type: money}\n")),
              "target 'q': unknown period 'week'"),
    "GX917": ({**tiered("{t: {entity: thing, field: level, of: part, via: thing, date: day, "
                        "sum: amount, levels: {a: {from: 1}, b: {}}}}"),
               "guanxi.yaml": PROJECT + "system: {grants: {thing: {read: all}}}\n"},
              "tier 't' is kept by the system actor, which may not update thing"),
    "GX916": (files(insight__r_yaml="reports: {r: {entity: thing, sla: quick, "
                                    "measures: {n: count()}}}\n"),
              "report 'r': thing has no SLA 'quick'"),
    "GX851": (files(scenarios__s_yaml="x:\n  as: r\n  stpes: []\n"),
              "scenario 'x': unknown key 'stpes' in a scenario (keys: as, at, description, "
              "given, label, steps, users)"),
    "GX852": (files(scenarios__s_yaml="x:\n  as: r\n  given: {a: {thign: {name: A}}}\n"),
              "scenario 'x' names unknown entity 'thign'"),
    "GX853": (files(scenarios__s_yaml="x:\n  as: r\n  given: {a: {thing: {nme: A}}}\n"),
              "scenario 'x' names unknown field 'nme' of thing"),
    "GX854": (files(scenarios__s_yaml="x:\n  as: r\n  given: {a: {thing: {name: A}}}\n"
                                      "  steps:\n    - fire: {a: fnish}\n"),
              "scenario 'x' fires unknown transition 'fnish' of thing"),
    "GX855": (files(scenarios__s_yaml="x:\n  as: r\n  steps:\n    - fire: {a: finish}\n"),
              "scenario 'x' names record 'a' before it is given or created"),
    "GX856": (files(scenarios__s_yaml="x:\n  as: rr\n  steps: []\n"),
              "scenario 'x' names unknown user 'rr'"),
    "GX821": (thing_with("  sla: {quick: {target: 1h, calendar: ofice}}\n"),
              "SLA 'quick' of thing names unknown calendar 'ofice'"),
    "GX822": (thing_with("  sla: {quick: {target: 1h, breach: [{do: notify, to: boss}]}}\n"),
              "SLA 'quick' of thing addresses unknown recipient 'boss'"),
    "GX823": (files(automation__rules_yaml="share: {entity: thin, on: create, "
                                           "to: {round_robin: r}}\n"),
              "rule 'share' names unknown entity 'thin'"),
    "GX824": (thing_with("  sla: {quick: {target: 1h, breach: [{do: set, set: {nme: '1'}}]}}\n"),
              "SLA 'quick' of thing names unknown field 'nme' of thing"),
    "GX825": (thing_with("  sla: {quick: {target: 1h, breach: [{do: fire, transition: fin}]}}\n"),
              "SLA 'quick' of thing fires unknown transition 'fin'"),
    "GX826": (files(automation__rules_yaml="tick: {entity: thing, every: '61 * * * *', "
                                           "do: {do: notify, to: r}}\n"),
              "rule 'tick': '61 * * * *' is neither a cron expression nor a duration "
              "(Bad minute)"),
    "GX827": (files(project=PROJECT + "calendars: {office: {holidays: XX}}\n"),
              "calendar 'office': unknown holiday country 'XX'"),
    "GX828": (thing_with("  sla: {quick: {target: soon}}\n"),
              "SLA 'quick' of thing has no target"),
    "GX829": (files(automation__rules_yaml="share: {entity: thing, on: create, "
                                           "to: {round_robin: agent}}\n"),
              "rule 'share' names unknown role 'agent'"),
    "GX831": (files(automation__rules_yaml="share: {entity: thing, on: create, "
                                           "to: {round_robin: r, team: east}}\n"),
              "rule 'share' names unknown team 'east'"),
    "GX832": (thing_with("  reminders: {soon: {field: name, before: 1h, do: notify, to: r}}\n"),
              "reminder 'soon' of thing reminds of 'name', which is not a date or datetime "
              "field of thing"),
    "GX830": (files(automation__rules_yaml="tick: {entity: thing, every: 1d}\n"),
              "rule 'tick': a schedule needs actions"),
    "GX833": (files(flow=FLOW.replace("to: done}", "to: done, approval: {steps: [{by: boss}]}}")),
              "approval of transition 'finish', step 1 names unknown approver 'boss' for "
              "thing"),
    "GX834": (files(flow=FLOW.replace("to: done}", "to: done, approval: {steps: [{by: r}], "
                                                   "on_reject: draft}}")),
              "approval of transition 'finish' returns to unknown state 'draft'"),
    "GX835": (files(flow=FLOW.replace("    done: {final: true}",
                                      "    done: {final: true}\n    back: {}").replace(
        "to: done}", "to: done, approval: {steps: [{by: r}], on_reject: back}}")),
              "approval of transition 'finish' cannot return from 'open' to 'back'"),
    "GX836": (files(flow=FLOW.replace("to: done}", "to: done, approval: {steps: []}}")),
              "approval of transition 'finish' has no approvers"),
    "GX837": (files(flow=FLOW.replace("to: done}", "to: done, approval: {steps: [{by: r}], "
                                                   "remind: {every: soon}}}")),
              "approval of transition 'finish': remind every 'soon' is not a duration"),
    "GX838": (files(flow=FLOW.replace("to: done}", "to: done, approval: {steps: [{by: r}], "
                                                   "remind: {every: 1d, times: 50}}}")),
              "approval of transition 'finish': remind times '50' is not a whole number "
              "from 1 to 20"),
    "GX839": (files(flow=FLOW.replace("to: done}", "to: done, approval: {steps: [{by: r}], "
                                                   "remind: {after: 4h}}}")),
              "approval of transition 'finish': remind needs every: how often to remind "
              "again"),
    "GX961": (files(messages__m_yaml="replies: {r: {entity: thin, keywords: [x], body: b}}\n"),
              "reply template 'r' names unknown entity 'thin'"),
    "GX962": (files(messages__m_yaml="webhooks: {h: {url: 'http://h', secret_env: S, "
                                     "entity: thing, as: x}}\n"),
              "webhook 'h' reads as unknown role 'x'"),
    "GX963": (files(messages__m_yaml="webhooks: {h: {url: 'http://h', secret_env: S, "
                                     "entity: thing, as: r, transition: finis}}\n"),
              "webhook 'h': entity 'thing' has no transition 'finis'"),
    "GX964": (files(messages__m_yaml="replies: {r: {entity: thing, keywords: [x], body: b}}\n",
                    messages__n_yaml="replies: {r: {entity: thing, keywords: [y], body: b}}\n"),
              "reply template 'r' is declared twice (first at {root}/messages/m.yaml:1:11)"),
    "GX980": (thing_with("  board: {card: [nme]}\n"),
              "thing.board.card names unknown field 'nme' of thing"),
    "GX981": (thing_with("  board: {sum: name}\n"),
              "thing.board.sum: 'name' is a string field, not a number"),
    "GX982": (thing_with("  views: {mine: {roles: [rep], filters: {owner: 1}}}\n"),
              "view 'mine' is offered to unknown role 'rep'"),
    "GX983": (thing_with("  views: {open: {filters: {state: opn}}}\n"),
              "view 'open': filter state: 'opn' is not one of: open, done"),
}


def write_case(problem_id: str, write_project, tmp_path: Path) -> Path:
    project, _ = CASES[problem_id]
    if problem_id == "GX110":
        return tmp_path / "project" / "nowhere"
    if problem_id in ("GX703", "GX704"):
        write_project(thing_with("  title: name\n"), name="base")
        remove = "entities: [nothing]" if problem_id == "GX703" else "fields: {thing: [name]}"
        return write_project({"guanxi.yaml": f"project: p\nextends: ../base\n"
                                             f"remove: {{{remove}}}\n"})
    root = write_project(project)
    if problem_id == "GX111":
        os.mkfifo(root / "entities" / "pipe.yaml")
    if problem_id == "GX112":
        (root / "entities" / "zero.yaml").symlink_to("/dev/zero")
    if problem_id == "GX113":
        (root / "entities" / "broken.yaml").symlink_to(root / "entities" / "missing.yaml")
    if problem_id == "GX107":
        (root / "entities" / "latin.yaml").write_bytes("name: {label: caf\xe9}\n".encode("latin-1"))
    return root


def test_every_id_has_a_case() -> None:
    assert set(CASES) == set(CATALOG)


@pytest.mark.parametrize("problem_id", sorted(CATALOG))
def test_each_problem_is_reported_with_its_exact_message(
        problem_id: str, write_project, tmp_path: Path) -> None:
    root = write_case(problem_id, write_project, tmp_path)
    expected = CASES[problem_id][1].format(root=tmp_path / "project", parent=tmp_path)
    found = [d for d in load_project(root).diagnostics if d.id == problem_id]
    assert found, [str(d) for d in load_project(root).diagnostics]
    assert expected in [d.message for d in found]
    assert all(d.severity == CATALOG[problem_id].severity for d in found)


def test_only_the_documented_problems_are_warnings() -> None:
    warnings = {i for i, p in CATALOG.items() if p.severity == WARNING}
    assert warnings == {"GX318", "GX320", "GX510", "GX511", "GX515", "GX519", "GX541",
                        "GX605", "GX606", "GX851", "GX852", "GX853", "GX854", "GX855",
                        "GX856"}
    assert all(p.severity in (ERROR, WARNING) for p in CATALOG.values())


def test_docs_list_exactly_the_ids_of_the_catalog() -> None:
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    documented = re.findall(r"^### (GX\d{3})\b", text, flags=re.MULTILINE)
    assert documented == sorted(CATALOG)


def test_docs_give_each_id_its_severity_and_doc_line() -> None:
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    for problem in CATALOG.values():
        section = text.split(f"### {problem.id}", 1)[1].split("\n### ", 1)[0]
        assert problem.severity in section
        assert problem.doc in section


def test_a_diagnostic_prints_as_file_line_col_id_message_and_hint() -> None:
    d = diag("GX303", Loc("entities/lead.yaml", 4, 18), "did you mean 'string'?", type="strng")
    assert str(d) == ("entities/lead.yaml:4:18: [GX303] unknown field type 'strng' "
                      "(hint: did you mean 'string'?)")
    assert str(diag("GX317", Loc("f.yaml", 1, 2))) == (
        "f.yaml:1:2: [GX317] a rule needs 'require' or 'check'")


def test_a_diagnostic_as_json_names_every_part() -> None:
    d = diag("GX510", Loc("f.yaml", 3, 5), "add a transition", name="a", workflow="w",
             initial="b")
    assert d.as_json() == {
        "id": "GX510", "severity": "warning",
        "message": "state 'a' of workflow 'w' cannot be reached from 'b'",
        "file": "f.yaml", "line": 3, "col": 5, "hint": "add a transition"}
    assert not d.is_error
