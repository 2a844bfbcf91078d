"""The API's request and response models: the typed contract `/openapi.json` publishes.

Every string, list and number a client sends has a bound; every success response has a model.
An action is one of the action types, told apart by `type`, each with the data model of
`cases.actions`, so a client generated from the specification knows what each action takes; the
log comes back the same way, each entry with the record model of its type.

RULEBOOK §2 facts (`ApplicationIn.facts`, the eligibility body, the facts given with materials and
recorded with submissions and decisions) are carried as JSON objects and checked at run time by
`cases.facts.canonical_facts` / `policy.verdict.parse_person`, whose errors name `facts.<path>`;
the specification documents them as the `Facts` component, the model `policy.facts.Person` by alias
(`publish_facts`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_serializer

from hukou.cases.actions import INPUTS, RECORDS, ConsentData, IdNumber, Name, RegisteredRecord, VerdictAt
from hukou.cases.case import ACTION_TYPES
from hukou.policy.facts import Person

Township = Annotated[str, Field(pattern=r"^[0-9]{9}$", description="9-digit code of a township of the city")]
Facts = Annotated[dict[str, Any], Field(description="RULEBOOK §2 facts about a person (the Facts component), checked "
                                                    "as the eligibility check checks them", max_length=20)]
Instant = Annotated[datetime, AfterValidator(lambda at: at if at.tzinfo else at.astimezone()),
                    Field(description="RFC 3339, with the server's UTC offset")]  # the store keeps local time
FACTS = "Facts"
FACTS_REF = f"#/components/schemas/{FACTS}"
FACTS_DESCRIPTION = (
    "RULEBOOK §2: the facts about a person that the rules read. `birth_date` and `hukou` are required; any other "
    "key that is absent (or null) is unknown, and an empty list means known: none. Residence records are periods "
    "lived in the city. Keys the rules never read (tax paid, investment, …) are ignored. Checked on the server, "
    "where an error names its field (`facts.housing.kind`).")


def facts_components() -> dict[str, dict[str, Any]]:
    """`Facts` and the records it holds (`Hukou`, `Residence`, …), as OpenAPI components."""
    schema = Person.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    parts = schema.pop("$defs", {})
    return {**parts, FACTS: {**schema, "title": FACTS, "description": FACTS_DESCRIPTION}}


def _free_object(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "object" and "properties" not in schema


def publish_facts(openapi: dict[str, Any]) -> None:
    """Every `facts` property of a component that the models carry as a free JSON object documented as
    the `Facts` component, which is added with its parts (the eligibility body names it in app.py)."""
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in facts_components().items():
        if components.setdefault(name, schema) != schema:
            raise RuntimeError(f"two components named {name}")
    for component in components.values():
        prop = component.get("properties", {}).get("facts")
        if prop is None:
            continue
        for i, option in enumerate(prop.get("anyOf", [])):
            if _free_object(option):
                bounds = {k: v for k, v in option.items() if k.startswith("max")}
                prop["anyOf"][i] = {"$ref": FACTS_REF, **bounds}
        if _free_object(prop):
            component["properties"]["facts"] = {"$ref": FACTS_REF, "description": prop.get("description", "")}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FollowerIn(_In):
    relation: Literal["spouse", "child", "parent"]
    name: Name
    id_number: IdNumber


class CitizenIn(_In):
    """The citizen a police station opens a case for at its counter."""

    name: Name
    id_number: IdNumber


class ApplicationIn(_In):
    kind: Literal["settlement", "residence_permit", "student_move", "graduate_move"]
    township: Optional[Township] = Field(None, description="Where the case is handled (a police station: its own)")
    followers: list[FollowerIn] = Field([], max_length=10, description="Who moves with the applicant; fixed here")
    applicant: Optional[CitizenIn] = Field(None, description="A police station's counter case: the citizen it is for")
    consent: Optional[ConsentData] = Field(None, description="The applicant's consent, recorded with the submission "
                                                              "(at the counter: signed, ID card checked)")
    facts: Optional[Facts] = None


def _camel(type_: str) -> str:
    return "".join(part.capitalize() for part in type_.split("_"))


_ACTIONS = tuple(
    create_model(f"{_camel(t)}Action", __config__=ConfigDict(extra="forbid"),
                 type=(Literal[t], ...),  # type: ignore[valid-type]
                 expected_version=(int, Field(ge=0, le=100_000, description="The case's version you acted on")),
                 data=(model, Field(default_factory=model)))
    for t, model in INPUTS.items())
ActionIn = Annotated[Union[_ACTIONS], Field(discriminator="type")]  # type: ignore[valid-type]

_ENTRIES = tuple(
    create_model(f"{_camel(t)}ActionOut", __doc__=f"An entry of the log: `{t}`, with the data it was recorded with",
                 seq=(int, Field(description="Its place in the log: 1, 2, …")),
                 type=(Literal[t], ...),  # type: ignore[valid-type]
                 at=(Instant, ...), by=(str, Field(description="Who acted (username)")), role=(str, ...),
                 data=(RECORDS[t], ...))
    for t in ACTION_TYPES)


class UnreadableActionOut(BaseModel):
    """An entry written before action data was typed, whose data its type's model does not read: shown
    as it was written (the log is append-only), under its original type."""

    seq: int = Field(description="Its place in the log: 1, 2, …")
    type: Literal["unreadable"]
    original_type: str = Field(max_length=30)
    at: Instant
    by: str
    role: str
    data: dict[str, Any] = Field(description="As written")


ActionOut = Annotated[Union[(*_ENTRIES, UnreadableActionOut)], Field(discriminator="type")]  # type: ignore[valid-type]


class SignInForm(BaseModel):
    """The sign-in form (application/x-www-form-urlencoded); other fields an OAuth2 client sends are ignored."""

    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str


class BasisOut(BaseModel):
    """The legal text a reason rests on: the document's number and title, the clause, the words."""

    document: str
    title: str
    clause: str
    quote: str
    pending: Optional[str] = Field(None, description="the document is named but its wording is still to be checked: no words are quoted")


class ReasonOut(BaseModel):
    rule: str
    result: Literal["true", "false", "unknown"]
    values: dict[str, Any]
    parameters: dict[str, Any]
    cite: Optional[str]
    basis: Optional[BasisOut] = None
    text: dict[str, str]


class SettlementOut(BaseModel):
    status: Literal["eligible", "ineligible", "undetermined"]
    reason: Optional[str]
    route: Optional[str]
    household: Optional[str]
    routes: dict[str, str]
    key_groups: list[str]
    followers: int
    missing: list[str]
    failed_rule: Optional[str]
    reasons: list[ReasonOut]


class EndorsementOut(BaseModel):
    status: str
    residence_counted_from: date
    next_window: list[Optional[date]]


class PermitOut(BaseModel):
    status: Literal["eligible", "ineligible", "undetermined"]
    reason: Optional[str]
    guardian_required: Optional[bool]
    missing: list[str]
    entitlements: list[str]
    reasons: list[ReasonOut]
    endorsement: Optional[EndorsementOut] = Field(None, description="Present for a person who holds a permit")

    @model_serializer(mode="wrap")
    def _without_absent_endorsement(self, handler):
        out = handler(self)
        if out.get("endorsement") is None:
            out.pop("endorsement", None)
        return out


class VerdictOut(BaseModel):
    """RULEBOOK §7: both verdicts for one person at a date, with every reason."""

    date: date
    policy: str
    settlement: SettlementOut
    residence_permit: PermitOut


class DeadlineOut(BaseModel):
    due: date
    overdue: bool
    calendar_complete: bool


class PartyOut(BaseModel):
    key: str
    relation: str
    name: str
    id_number: str
    adult: bool
    consented: bool
    consent_needed: bool
    in_register: Optional[bool] = Field(None, description="Officers: whether the register holds this person")
    person_id: Optional[int] = Field(None, description="Officers: the register's person")


class DecisionOut(BaseModel):
    seq: int = Field(description="What a second approval names")
    type: Literal["approved", "rejected"]
    at: Instant
    by: str
    override: bool = Field(description="Against the rules' verdict: needs a second approver")
    effective: bool
    seconded_by: Optional[str]
    verdict: VerdictAt = Field(description="The verdict it was made on: status, route, household, failed rule, date, "
                                           "policy")


class ProgressStepOut(BaseModel):
    """One step of a case as its applicant follows it (cases/progress.py)."""

    step: Literal["apply", "accept", "review", "decide", "conclude", "issue"]
    state: Literal["done", "current", "upcoming", "skipped"]
    done_on: Optional[date] = Field(None, description="When it was done")
    outcome: Optional[Literal["rejected", "withdrawn"]] = None
    waiting: Optional[str] = Field(None, description="What the current step waits for: station_accept, materials, "
                                                     "station_review, county_decision, second_approval, consent, "
                                                     "registration, issue")
    due: Optional[date] = Field(None, description="By when that wait should end")
    items: list[str] = Field([], description="The materials asked for, while they are awaited")


class CaseOut(BaseModel):
    id: str
    number: Optional[str] = Field(None, description="The case number people read out (昌落2026-000123); none for "
                                                     "cases submitted before numbering")
    kind: str
    version: int
    status: str
    township: Optional[str]
    disclosure: Literal["full", "follower"] = Field(description="follower: only what a follower needs to consent")
    parties: list[PartyOut]
    materials_outstanding: list[str]
    next_actions: list[str]
    deadline: Optional[DeadlineOut]
    decision: Optional[DecisionOut] = None
    actions: list[ActionOut] = Field(description="The log (empty for a follower)")
    verdict: Optional[VerdictOut] = Field(None, description="The rules' verdict on the case's facts: the one a decided "
                                                            "case was decided on, else today's")
    verdict_date: Optional[date] = None
    verdict_unavailable: Optional[str] = None
    suggested_materials: list[str] = Field([], description="Officers: what the verdict still misses")
    registered: Optional[RegisteredRecord] = Field(None, description="Once registered: place, household, who moved "
                                                                     "and who was left out")
    progress: Optional[list[ProgressStepOut]] = Field(None, description="The steps 申请 → 受理 → 审核 → 审批 → 办结 (a "
                                                                     "permit: … → 发证); none for a follower")


class QueueItemOut(BaseModel):
    id: str
    number: Optional[str] = Field(None, description="The case number people read out (昌落2026-000123); none for a "
                                                    "case from before numbering, or one you follow")
    kind: str
    status: str = Field(description="Empty for a case you follow")
    applicant_name: str
    applicant_id_masked: str = Field("", description="The applicant's ID number: its first six digits and the last")
    following: bool = Field(description="You follow the applicant on this case (you see what consent needs)")
    person_id: Optional[int]
    township: Optional[str]
    submitted_at: Optional[Instant]
    due: Optional[date]
    overdue: bool
    days_left: Optional[int] = Field(None, description="Until the due date (negative: past it), in working days for a "
                                                       "settlement or a move, in calendar days for a permit")
    working_days: bool = Field(False, description="Whether days_left counts working days")
    waiting_on: str = Field("", description="Whose turn it is: police_station, county_approver, applicant or none")
    next_actions: list[str]


class CaseListOut(BaseModel):
    items: list[QueueItemOut]
    total: int = Field(description="Cases that match, on all pages")
    page: int
    page_size: int


class OverrideOut(BaseModel):
    case: str
    kind: str
    township: Optional[str]
    decision: Literal["approved", "rejected"]
    decided_at: Instant
    decided_by: str
    verdict_status: str
    verdict_date: str
    failed_rule: str
    reason: str
    second_approvers: list[str]
    effective: bool


class OverridesOut(BaseModel):
    items: list[OverrideOut]


class PurposeOut(BaseModel):
    code: str
    zh: str
    en: str


class PurposesOut(BaseModel):
    role: str
    required: bool = Field(description="Whether reads need an X-Purpose header")
    purposes: list[PurposeOut]

