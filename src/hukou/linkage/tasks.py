"""Which department tasks a decision creates, and by when (pure): `tasks_for(case, action, policy, on)`.

A registered settlement or move (trigger `registered`) and an issued residence permit (`issued`)
create the tasks of the policy's task types with that trigger: one per subject (the applicant, each
person the registration moved, or each child it moved) whose conditions hold at the decision's date,
due the given number of working days after it (statutory holidays and make-up days counted, as for
casework's deadlines). A task is named by (case, action, task type, subject): the same decision
always gives the same tasks, so writing them twice makes no second task.
Clauses: §十 (三权, 计划生育), §十一 (住房保障, 公积金), §十二 (医保), §十三 (养老, 低保), §十四 (入学),
§十五 (居住证持有人的服务), as each task type of the policy file cites.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from hukou.cases import case as C
from hukou.cases.deadlines import Deadline, add_working_days
from hukou.cases.parties import APPLICANT, Party
from hukou.linkage.fields import age_at, field_values, project, rural_origin
from hukou.policy.policy_file import Policy, TaskCondition, TaskType

TRIGGERS = {C.REGISTERED: "registered", C.ISSUED: "issued"}


@dataclass(frozen=True)
class NewTask:
    case_id: str
    action_seq: int  # the deciding action's place in the case's log (the case's version after it)
    task_type: str
    department: str
    party: str  # the subject's key: applicant | f1 | …
    due: Deadline
    fields: dict[str, Any]  # exactly the type's declared fields
    clause: str


def tasks_for(case: C.Case, action: C.Action, policy: Policy, on: date,
              names: Mapping[str, str] | None = None) -> list[NewTask]:
    """The tasks `action` (an action of `case`'s log) creates under `policy`, decided on `on`."""
    trigger = TRIGGERS.get(action.type)
    if trigger is None or not policy.tasks:
        return []
    seq = next(i for i, a in enumerate(case.actions, start=1) if a is action)
    out = []
    for name, kind in policy.tasks.items():
        if kind.trigger != trigger:
            continue
        due = add_working_days(on, kind.working_days)
        for subject in subjects(case, action, kind):
            if all(holds(c, case, subject, on) for c in kind.when):
                values = field_values(case, action, subject, names)
                out.append(NewTask(case.id, seq, name, kind.department, subject.key, due,
                                   project(values, kind.fields), kind.cite.clause))
    return out


def subjects(case: C.Case, action: C.Action, kind: TaskType) -> list[Party]:
    """Whom the tasks of `kind` are about: the applicant, each mover, or each child who moved (a
    permit has its holder only)."""
    parties = C.state(case).parties
    if action.type == C.REGISTERED:
        moved = {m.get("party") for m in action.data.get("moved") or () if isinstance(m, dict)}
        movers = [p for p in parties if p.key in moved]
    else:
        movers = list(parties[:1])
    if kind.subject == "applicant":
        return [p for p in movers if p.key == APPLICANT]
    if kind.subject == "each_child":
        return [p for p in movers if p.relation == "child"]
    return movers


def holds(condition: TaskCondition, case: C.Case, subject: Party, on: date) -> bool:
    """A task's condition on `on`; a fact the case does not hold makes it false (no task)."""
    value = {"subject.age": lambda: age_at(subject, on), "subject.relation": lambda: subject.relation,
             "case.kind": lambda: case.kind, "origin.rural": lambda: rural_origin(case)}[condition.fact]()
    if value is None:
        return False
    want, op = condition.value, condition.op
    try:
        return {"==": lambda: value == want, "!=": lambda: value != want,
                "in": lambda: value in want, "not_in": lambda: value not in want,
                "<": lambda: value < want, "<=": lambda: value <= want,
                ">": lambda: value > want, ">=": lambda: value >= want}[op]()
    except TypeError:  # a number compared with a text: the file's mistake, not a task
        return False


def days_left(due: date, today: date) -> int:
    """Calendar days until the due date (negative: overdue by that many)."""
    return (due - today).days
