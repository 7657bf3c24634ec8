"""`guanxi diagram`: draw a project's workflow as Mermaid or Graphviz (see cli.py).

    guanxi diagram PATH                      list the project's workflows
    guanxi diagram PATH lead                 the workflow of entity `lead`, as Mermaid
    guanxi diagram PATH ticket_lifecycle --format dot --language zh --current open
"""

from __future__ import annotations

import argparse
import sys

from guanxi.errors import ProjectInvalid
from guanxi.language.diagram import graphviz, mermaid
from guanxi.language.project import load_project_or_raise
from guanxi.spec import ProjectSpec, WorkflowSpec, text_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `diagram` sub-command."""
    parser = subparsers.add_parser(
        "diagram",
        help="draw a workflow as a Mermaid or Graphviz diagram",
        description=(
            "Print a workflow of the project as a diagram. WORKFLOW is a workflow's name or "
            "an entity's name (then the entity's workflow); without it, list the workflows."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("workflow", metavar="WORKFLOW", nargs="?",
                        help="a workflow name, or an entity that has a workflow")
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                        help="mermaid (stateDiagram-v2, the default) or dot (Graphviz)")
    parser.add_argument("--language", metavar="LANG",
                        help="the language of the labels (default: the project's first)")
    parser.add_argument("--current", metavar="STATE", help="a state to highlight")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the project and print the diagram (or the list of workflows)."""
    try:
        project = load_project_or_raise(args.path)
    except ProjectInvalid as error:
        for diagnostic in error.diagnostics:
            print(diagnostic, file=sys.stderr)
        print(f"{args.path}: the project has errors; fix them and draw again "
              f"(`guanxi check {args.path}` lists them too)", file=sys.stderr)
        return 1
    language = args.language or project.languages[0]
    if args.workflow is None:
        print(workflow_listing(project, language), end="")
        return 0
    workflow = find_workflow(project, args.workflow)
    if workflow is None:
        print(unknown_workflow_message(project, args.workflow), file=sys.stderr)
        return 1
    if args.current is not None and workflow.state(args.current) is None:
        states = ", ".join(s.name for s in workflow.states)
        print(f"workflow '{workflow.name}' has no state '{args.current}'; "
              f"its states are: {states}", file=sys.stderr)
        return 1
    draw = graphviz if args.format == "dot" else mermaid
    print(draw(workflow, language, args.current), end="")
    return 0


def find_workflow(project: ProjectSpec, name: str) -> WorkflowSpec | None:
    """The workflow called `name`, else the workflow of the entity called `name`."""
    workflow = project.workflow(name)
    if workflow is not None:
        return workflow
    entity = project.entity(name)
    if entity is not None and entity.workflow:
        return project.workflow(entity.workflow)
    return None


def users_of(project: ProjectSpec, workflow: str) -> list[str]:
    """The entities whose `workflow` is `workflow`."""
    return [e.name for e in project.entities if e.workflow == workflow]


def workflow_listing(project: ProjectSpec, language: str) -> str:
    """One line per workflow: name, label, and the entities that use it."""
    if not project.workflows:
        return f"project {project.name} has no workflows\n"
    width = max(len(w.name) for w in project.workflows)
    lines = []
    for workflow in project.workflows:
        label = text_in(workflow.label, language)
        users = users_of(project, workflow.name)
        used = f"  (used by: {', '.join(users)})" if users else "  (not used by any entity)"
        lines.append(f"{workflow.name:<{width}}  {label}{used}")
    return "\n".join(lines) + "\n"


def unknown_workflow_message(project: ProjectSpec, name: str) -> str:
    """Why `name` could not be drawn, and what could be."""
    entity = project.entity(name)
    if entity is not None:
        return f"entity '{name}' has no workflow; give it one with `workflow:` in its file"
    names = [w.name for w in project.workflows]
    names += [e.name for e in project.entities if e.workflow]
    known = ", ".join(names) or "none"
    return f"no workflow or entity with a workflow called '{name}'; known: {known}"
