"""What each action carries: one pydantic model per action type (pure).

Two shapes per type. The *input* is what a client may send (every field bounded, unknown fields
refused); the *record* is what the log keeps: the input plus what the server works out itself (the
verdict a decision was made on, the people a registration moved, the parties of a submission).
A client that sends a server's field gets it refused by name, never silently overwritten.

`parse_input(type, data)` checks a client's data; `check_record(type, data)` checks the data an
action is appended with. Both raise CaseError naming `data.<field>` (a 422), so a malformed action
never reaches the log, and a log never holds what `state()` could not read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hukou.cases.errors import CaseError
from hukou.cases.parties import MAX_FOLLOWERS
from hukou.i18n import Msg
from hukou.policy.errors import from_validation

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
RuleId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
PartyKey = Annotated[str, StringConstraints(pattern=r"^(applicant|f[1-9][0-9]?)$")]
IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9]{17}[0-9X]$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Place = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
Facts = dict[str, Any]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NotedData(_Data):
    note: Optional[Text] = Field(None, description="A remark for the case's history")


class AcceptedData(NotedData):
    pass


class ReviewedData(NotedData):
    pass


class IssuedData(NotedData):
    pass


class EndorsedData(NotedData):
    pass


class MaterialsRequestedData(NotedData):
    items: list[Item] = Field([], max_length=30,
                              description="Every missing item at once (一次性告知); empty: what the verdict still misses")


class MaterialsProvidedData(NotedData):
    items: list[Item] = Field([], max_length=30, description="The requested items now provided")
    facts: Optional[Facts] = Field(None, description="Newer RULEBOOK §2 facts, checked like the submission's")


class DeadlineExtendedData(_Data):
    reason: Reason


class ReplacedData(_Data):
    reason: Reason = Field(description="补领 or 换领: why")


class CancelledData(_Data):
    reason: Reason = Field(description="注销: why")


class WithdrawnData(NotedData):
    pass


class ConsentData(_Data):
    party: Optional[PartyKey] = Field(None, description="Whose consent: `applicant`, `f1`, …; an applicant's "
                                                        "account consents for itself and may leave it out")
    id_number: Optional[IdNumber] = Field(None, description="At the counter: the number on the ID card shown")
    in_person: bool = Field(False, description="Recorded by the police station: the person signed at the counter")
    signed: bool = Field(False, description="In person: the person signed the consent form")
    id_card_checked: bool = Field(False, description="In person: the officer checked the person's ID card")


class ApprovedData(_Data):
    reason: Optional[Reason] = Field(None, description="Needed when the rules do not find the person eligible")


class RejectedData(_Data):
    failed_rule: RuleId = Field(description="The rule the applicant fails, as the verdict names it")
    reason: Optional[Reason] = Field(None, description="Needed when the rules find the person eligible")


class SecondApprovalData(_Data):
    decision: int = Field(ge=1, le=10_000, description="The version at which the decision it authorises was made")
    agree: bool = Field(True, description="False sends the decision back: the case is reviewed again")
    reason: Optional[Reason] = Field(None, description="Needed when not agreeing")


class RegisteredData(NotedData):
    place: Place = Field(description="12-digit code of the community or village of the case's township")
    followers: Optional[list[PartyKey]] = Field(None, max_length=MAX_FOLLOWERS,
                                                description="The followers who move now (`f1`, …), of the adults "
                                                            "who consented and the minors listed; absent: all of "
                                                            "them. The applicant always moves")


# --- what the server adds ---------------------------------------------------------------------------

class PartyRecord(_Data):
    key: PartyKey
    relation: Literal["applicant", "spouse", "child", "parent"]
    id_number: IdNumber
    name: Name
    person_id: Optional[int] = None


class SubmittedData(_Data):
    applicant: PartyRecord
    followers: list[PartyRecord] = Field([], max_length=MAX_FOLLOWERS)
    counter: bool = False  # opened by a police station for a citizen at the counter
    facts: Optional[Facts] = None
    note: Optional[Text] = None


class ConsentRecord(ConsentData):
    party: PartyKey
    id_number: IdNumber


class VerdictAt(_Data):
    status: Literal["eligible", "ineligible", "undetermined"]
    route: Optional[str] = None
    household: Optional[Literal["family", "collective"]] = None
    failed_rule: Optional[str] = None
    date: str
    policy: str


class _Decision(_Data):
    override: bool  # the decision goes against the rules' verdict: a written reason and a second approver
    verdict: VerdictAt  # the verdict it was made on …
    facts: Optional[Facts] = None  # … from these facts


class ApprovedRecord(ApprovedData, _Decision):
    pass


class RejectedRecord(RejectedData, _Decision):
    pass


class Moved(_Data):
    party: PartyKey
    person_id: int
    created: bool = False  # registration created the person in the register


class RegisteredRecord(RegisteredData):
    urban: bool  # from the place's urban-rural class in the register
    household: Literal["family", "collective"]
    household_id: int
    moved: list[Moved] = Field(min_length=1)
    left_out: list[PartyKey] = []  # the parties who did not move (no consent yet, or not ticked)


class CancelledRecord(CancelledData):
    settled_by: Optional[str] = None  # the case whose registration ended the permit


INPUTS: dict[str, type[_Data]] = {
    "consent_recorded": ConsentData, "accepted": AcceptedData, "materials_requested": MaterialsRequestedData,
    "materials_provided": MaterialsProvidedData, "deadline_extended": DeadlineExtendedData, "reviewed": ReviewedData,
    "approved": ApprovedData, "rejected": RejectedData, "second_approval": SecondApprovalData, "registered": RegisteredData,
    "issued": IssuedData, "endorsed": EndorsedData, "replaced": ReplacedData, "cancelled": CancelledData, "withdrawn": WithdrawnData,
}
RECORDS: dict[str, type[_Data]] = {
    **INPUTS, "submitted": SubmittedData, "consent_recorded": ConsentRecord, "approved": ApprovedRecord,
    "rejected": RejectedRecord, "registered": RegisteredRecord, "cancelled": CancelledRecord,
}


def _validated(model: type[_Data], data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CaseError("data", Msg("expected an object (got {type})", type=type(data).__name__))
    try:
        return model.model_validate(data).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        error = from_validation(exc, "data")
        raise CaseError(error.path, error.message) from None


def parse_input(type_: str, data: Any) -> dict[str, Any]:
    """A client's data for an action of `type_`, checked and in canonical form."""
    model = INPUTS.get(type_)
    if model is None:
        raise CaseError("type", Msg("expected one of {choices} (got {got!r})", choices=", ".join(INPUTS), got=type_))
    return _validated(model, data)


def check_record(type_: str, data: Any) -> dict[str, Any]:
    """The data an action of `type_` is appended with, checked and in canonical form."""
    model = RECORDS.get(type_)
    if model is None:
        raise CaseError("type", Msg("no action type {type!r}", type=type_))
    return _validated(model, data)
