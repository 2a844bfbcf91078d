"""Why someone reads personal data: the purposes each role may give (pure data).

Every read of a case, a queue or a person is logged with the purpose its reader chose. Officers and
auditors must choose one from their role's list (the API's `X-Purpose` header, the web's purpose
choice); an applicant reading their own case gives `own_case` without being asked.
"""

from __future__ import annotations

from hukou.cases.errors import CaseError
from hukou.i18n import Msg, translate

# role → purpose code → what it is called (English; the Chinese is in the message catalogue)
PURPOSES: dict[str, dict[str, Msg]] = {
    "applicant": {"own_case": Msg("follow my own application")},
    "police_station": {
        "casework": Msg("work on the station's cases"),
        "counter": Msg("serve or answer a citizen at the counter"),
        "registration": Msg("register a hukou or issue a permit"),
    },
    "county_approver": {
        "approval": Msg("decide a case"),
        "second_approval": Msg("second approval of another's decision"),
        "supervision": Msg("follow up overdue cases"),
    },
    "auditor": {
        "audit": Msg("audit"),
        "complaint": Msg("investigate a complaint"),
    },
    "leader": {"oversight": Msg("oversight")},
    "administrator": {"oversight": Msg("oversight")},
    "department": {"task": Msg("a department task")},
}
DEFAULT = {"applicant": "own_case"}  # the roles that are not asked


def purposes_of(role: str) -> dict[str, tuple[str, str]]:
    """The purposes a role may give: code → (Chinese, English)."""
    return {code: (translate(name, "zh"), str(name)) for code, name in PURPOSES.get(role, {}).items()}


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
