"""Workflow state machines: one `transitions.Machine` per workflow, built once and shared.

The machine holds no records (it is built without a model); it answers which
transitions leave a state and whether a move is on the map. Guards, requirements,
`set` expressions and roles are the Store's business, since they need the record,
the user and the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.messages import render
from guanxi.spec import ProjectSpec, TransitionSpec, WorkflowSpec
from transitions import Machine


def expand_sources(workflow: WorkflowSpec, transition: TransitionSpec) -> tuple[str, ...]:
    """The states a transition leaves from, with `"*"` meaning every non-final state."""
    if "*" in transition.sources:
        return tuple(s.name for s in workflow.states if not s.final)
    return transition.sources


@dataclass(frozen=True, slots=True)
class WorkflowMachine:
    """A workflow and its compiled machine. Read-only; safe to share between threads."""

    spec: WorkflowSpec
    machine: Machine
    sources: dict[str, tuple[str, ...]]

    @property
    def initial(self) -> str:
        return self.spec.initial

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.spec.states)

    def transition(self, name: str) -> TransitionSpec | None:
        return self.spec.transition(name)

    def transitions_from(self, state: str) -> list[TransitionSpec]:
        """The transitions that leave `state`, in declaration order."""
        if state not in self.machine.states:
            return []
        names = set(self.machine.get_triggers(state))
        return [t for t in self.spec.transitions if t.name in names]

    def can_move(self, name: str, state: str) -> bool:
        """Whether transition `name` may leave `state` (the map only: no guard, no role)."""
        event = self.machine.events.get(name)
        return event is not None and state in event.transitions

    def refusal(self, name: str, state: str, language: str = "en") -> str | None:
        """Why transition `name` cannot leave `state`, or None when it can."""
        if self.spec.transition(name) is None:
            return render("no_transition", {"entity": self.spec.name, "name": name,
                                            "allowed": [t.name for t in self.spec.transitions]},
                          language)
        if self.can_move(name, state):
            return None
        return render("wrong_state", {"name": name, "state": state,
                                      "allowed": list(self.sources[name])}, language)


def build_machine(workflow: WorkflowSpec) -> WorkflowMachine:
    """The shared machine of one workflow."""
    machine = Machine(
        model=None,
        states=[s.name for s in workflow.states],
        initial=workflow.initial,
        auto_transitions=False,
        send_event=True,
    )
    sources: dict[str, tuple[str, ...]] = {}
    for transition in workflow.transitions:
        from_states = expand_sources(workflow, transition)
        sources[transition.name] = from_states
        machine.add_transition(transition.name, source=list(from_states),
                               dest=transition.target)
    return WorkflowMachine(workflow, machine, sources)


def build_machines(spec: ProjectSpec) -> dict[str, WorkflowMachine]:
    """One machine per workflow that some entity uses, keyed by workflow name."""
    used = {e.workflow for e in spec.entities if e.workflow}
    return {w.name: build_machine(w) for w in spec.workflows if w.name in used}
