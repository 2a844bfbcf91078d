"""Why someone reads personal data: the purposes each role may give (pure data).

Every read of a case, a queue or a person is logged with the purpose its reader chose. Officers and
auditors must choose one from their role's list (the API's `X-Purpose` header, the web's purpose
choice); an applicant reading their own case gives `own_case` without being asked.
"""

from __future__ import annotations

from hukou.cases.errors import CaseError
from hukou.i18n import Msg

PURPOSES: dict[str, dict[str, tuple[str, str]]] = {
    "applicant": {"own_case": ("查看本人的申请", "follow my own application")},
    "police_station": {
        "casework": ("办理本所受理的案件", "work on the station's cases"),
        "counter": ("窗口为群众办理或答复咨询", "serve or answer a citizen at the counter"),
        "registration": ("办理落户登记或发证", "register a hukou or issue a permit"),
    },
    "county_approver": {
        "approval": ("审批案件", "decide a case"),
        "second_approval": ("复核他人的决定", "second approval of another's decision"),
        "supervision": ("督办超期案件", "follow up overdue cases"),
    },
    "auditor": {
        "audit": ("审计检查", "audit"),
        "complaint": ("调查投诉", "investigate a complaint"),
    },
    "leader": {"oversight": ("监督检查", "oversight")},
    "administrator": {"oversight": ("监督检查", "oversight")},
    "department": {"task": ("办理部门任务", "a department task")},
}
DEFAULT = {"applicant": "own_case"}  # the roles that are not asked


def purposes_of(role: str) -> dict[str, tuple[str, str]]:
    return PURPOSES.get(role, {})


def checked_purpose(role: str, purpose: str | None, field: str = "purpose") -> str:
    """The purpose code a reader of `role` gave, or its role's default; CaseError when it is missing or
    not one of the role's."""
    allowed = purposes_of(role)
    if not purpose:
        if role in DEFAULT:
            return DEFAULT[role]
        raise CaseError(field, Msg("say why you read this: one of {choices}", choices=", ".join(allowed) or "none for your role"))
    if purpose not in allowed:
        raise CaseError(field, Msg("expected one of {choices} (got {got!r})", choices=", ".join(allowed) or "none for your role",
                                   got=purpose[:40]))
    return purpose
