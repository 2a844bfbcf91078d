"""A city's policy file (RULEBOOK §5): strict schema, dated parameters, citations.

The file binds the built-in rules to the city's own clauses (`rules`), gives every parameter its
dated values and the quoted text it implements (`parameters`), and may add `extra_conditions`, and
the tasks its registrations and permits hand to departments (`departments`, `tasks`: hukou.linkage).
Unknown keys anywhere are rejected with their path; a missing citation is left for lint (L7).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from hukou.i18n import Msg
from hukou.policy.errors import InputError, from_validation
from hukou.policy.facts import DATE_PATTERN, Date, parse_date

ROUTES = ("talent", "student", "general")
OPS = ("==", "!=", "in", "not_in", "<", "<=", ">", ">=", "startswith")

# Parameters the rules read: every city's file must give them, each with its citation.
REQUIRED_PARAMETERS: dict[str, type] = {
    "settlement.general.min_social_insurance_months": int,
    "settlement.general.min_employment_months": int,
    "key_groups.long_term_years": int,
    "key_groups.new_generation_born_from": date,
    "residence_permit.min_residence_months": int,
    "residence_permit.guardian_age": int,
}
# Parameters read by casework and statistics; a city may leave them out.
OPTIONAL_PARAMETERS: dict[str, type] = {
    "residence_permit.issue_days": int,
    "residence_permit.issue_days_extended": int,
    "casework.settlement_decision_working_days": int,
    "targets.hukou_urbanization_rate": float,
    "settlement.points.min_urban_population": int,  # below it no points scheme (lint L4); fixed by the national layer
}
PARAMETER_TYPES = {**REQUIRED_PARAMETERS, **OPTIONAL_PARAMETERS}

# Built-in rules whose citation the city's file supplies (its own clause numbering).
CITY_RULES = (
    "precondition.already_settled",
    "talent", "student", "general", "followers",
    "key_groups.student_or_military", "key_groups.long_term_urban",
    "key_groups.whole_family", "key_groups.new_generation",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    zh: str
    en: str


class Cite(_Strict):
    """Where a number or rule comes from: document (default: the policy's own), clause, quoted text."""

    clause: str = ""
    quote: str = ""
    document: Optional[str] = None
    note: Optional[str] = None  # said beside the quote, never inside it (a reform trial's title)
    # A national document whose published text is not at hand: the document is named, and no words
    # are quoted until they have been checked against it (say what is to be checked).
    pending: Optional[str] = None

    @property
    def complete(self) -> bool:
        return (bool(self.clause.strip()) and bool(self.quote.strip())) or (bool(self.pending) and bool(self.document))


class RuleBinding(Cite):
    """A built-in rule bound to the clause of the city's plan it answers to (`clause` is the mark each
    of its reasons cites). `basis`, when given, is the legal text the rule rests on where the plan's
    own words are not it (the general route rests on 国发〔2014〕25号 二(四), which the plan's §五 bounds)."""

    basis: Optional[Cite] = None


class City(_Strict):
    code: str
    name: str
    short: Optional[str] = Field(None, min_length=1, max_length=4)  # begins its case numbers (昌落2026-000123)
    urban_population: int = Field(ge=0)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        value = str(value) if isinstance(value, int) else value
        if not isinstance(value, str) or not re.fullmatch(r"[1-9]\d{5}", value):
            raise ValueError(Msg("expected a 6-digit GB/T 2260 code (got {got!r})", got=value))
        return value


class Effective(_Strict):
    start: Date = Field(alias="from")
    end: Optional[Date] = Field(default=None, alias="to")


class Source(_Strict):
    title: str
    document: str
    issued: Optional[Date] = None
    note: Optional[str] = None
    text: Optional[str] = None  # its published text: a text shipped with hukou, or a file beside the policy file


class Clause(_Strict):
    """A clause of a source, quoted, for the policy page (`hukou policy show`)."""

    title: Text
    quote: str
    document: Optional[str] = None


class Parameter(_Strict):
    values: dict[Date, Any]
    cite: Optional[Cite] = None
    unit: Optional[str] = None
    cap: Optional[float] = None
    description: Optional[Text] = None

    @field_validator("values")
    @classmethod
    def _not_empty(cls, values: dict) -> dict:
        if not values:
            raise ValueError(Msg("expected at least one dated value"))
        return dict(sorted(values.items()))

    def at(self, d: date) -> Any:
        """The value with the latest date ≤ d, or None when the first value comes later."""
        current = None
        for since, value in self.values.items():
            if since <= d:
                current = value
            else:
                break
        return current


class Requirement(_Strict):
    fact: str
    op: Literal["==", "!=", "in", "not_in", "<", "<=", ">", ">=", "startswith"]
    value: Any

    @field_validator("value")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        """Documents are read with dates as text: a YYYY-MM-DD value is a date (no other fact's value looks like one)."""
        if isinstance(value, list):
            return [_date_or_text(v) for v in value]
        return _date_or_text(value)

    @field_validator("value")
    @classmethod
    def _members(cls, value: Any, info: ValidationInfo) -> Any:
        """`in` and `not_in` test membership of a list: a text would be a substring test in one
        engine and a list of characters in another."""
        if info.data.get("op") in ("in", "not_in") and not isinstance(value, list):
            raise ValueError(Msg("expected a list of values for in/not_in (got {got!r})", got=value))
        return value


class ExtraCondition(_Strict):
    route: Literal["talent", "student", "general"]
    require: Requirement
    cite: Optional[Cite] = None
    text: Optional[Text] = None


class Quota(_Strict):
    division: str
    value: float
    year: Optional[int] = None
    cite: Optional[Cite] = None


# Department tasks (the hand-off after settlement, §十–§十五): what a registered settlement or an
# issued permit hands to each department. The vocabularies are fixed here; hukou.linkage gives each
# name its meaning (which task a decision creates, what a department sees).
TASK_TRIGGERS = ("registered", "issued")  # a settlement's (or a move's) registration; a permit's issue
TASK_SUBJECTS = ("applicant", "each_mover", "each_child")  # whom one task is about
TASK_CONDITION_FACTS = ("subject.age", "subject.relation", "case.kind", "origin.rural")
# What a department may be shown of a task (its purpose limit): `person.*` is the task's subject,
# `child.*` the child a task of `each_child` is about.
TASK_FIELDS = (
    "case.number", "person.name", "person.id_number", "person.id_number_masked", "person.birth_date",
    "person.relation", "person.hukou_before", "household.address", "household.registered_on", "household.size",
    "child.name", "child.id_number_masked", "child.birth_date", "permit.issued_on",
)


class Department(_Strict):
    """A department that receives tasks: its name as people read it."""

    name: Text


class TaskCondition(_Strict):
    """When a task is made at all: a test of the task's subject or the case, at the decision's date."""

    fact: Literal["subject.age", "subject.relation", "case.kind", "origin.rural"]
    op: Literal["==", "!=", "in", "not_in", "<", "<=", ">", ">="]
    value: Any


class TaskType(_Strict):
    """A kind of department task: who receives it, what makes it, by when, what they may see, and why."""

    department: str
    trigger: Literal["registered", "issued"]
    subject: Literal["applicant", "each_mover", "each_child"] = "applicant"
    when: list[TaskCondition] = []
    working_days: int = Field(ge=1, le=60)
    fields: list[str]
    title: Text
    cite: Cite

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: list[str]) -> list[str]:
        for name in fields:
            if name not in TASK_FIELDS:
                raise ValueError(Msg("unknown field {name!r}; known: {known}", name=name, known=", ".join(TASK_FIELDS)))
        if not fields or len(set(fields)) != len(fields):
            raise ValueError(Msg("expected at least one field, each named once"))
        return fields

    @model_validator(mode="after")
    def _child_fields(self):
        if self.subject != "each_child" and any(f.startswith("child.") for f in self.fields):
            raise ValueError(Msg("child.* fields are for tasks about each child (subject: each_child)"))
        if self.trigger != "issued" and any(f.startswith("permit.") for f in self.fields):
            raise ValueError(Msg("permit.* fields are for tasks made when a permit is issued"))
        return self


class Policy(_Strict):
    id: str
    title: str
    document: str
    issued: Optional[Date] = None
    extends: Optional[str] = None  # the layer it stands on (`national` when it names none), see layering.py
    city: City
    effective: Effective
    sources: dict[str, Source] = {}
    clauses: dict[str, Clause] = {}
    rules: dict[str, RuleBinding] = {}
    parameters: dict[str, Parameter]
    extra_conditions: list[ExtraCondition] = []
    quotas: list[Quota] = []
    points: Optional[dict[str, Any]] = None
    departments: dict[str, Department] = {}
    tasks: dict[str, TaskType] = {}

    @model_validator(mode="after")
    def _task_departments(self):
        for code in self.departments:
            if not re.fullmatch(r"[a-z][a-z0-9_]{1,19}", code):
                raise _ParamError(f"departments.{code}", Msg("a department's code is 2 to 20 lower-case letters, digits "
                                                             "or _ (got {got!r})", got=code))
        for name, task in self.tasks.items():
            if task.department not in self.departments:
                raise _ParamError(f"tasks.{name}.department", Msg("expected one of the departments: {known} (got {got!r})",
                                                                  known=", ".join(self.departments) or "none",
                                                                  got=task.department))
        return self

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, rules: dict) -> dict:
        for name in rules:
            if name not in CITY_RULES:
                raise ValueError(Msg("unknown rule {name!r}; known: {known}", name=name, known=", ".join(CITY_RULES)))
        return rules

    @field_validator("parameters")
    @classmethod
    def _dated_parameters(cls, parameters: dict) -> dict:
        """A date-valued parameter's values arrive as text (documents are read without YAML timestamps)."""
        return {name: _with_date_values(name, p) if PARAMETER_TYPES.get(name) is date else p
                for name, p in parameters.items()}

    @model_validator(mode="after")
    def _parameters(self):
        for name, param in self.parameters.items():
            kind = PARAMETER_TYPES.get(name)
            if kind is None:
                raise _ParamError(f"parameters.{name}", Msg("unknown parameter; known: {known}", known=", ".join(PARAMETER_TYPES)))
            for since, value in param.values.items():
                if not _is_type(value, kind):
                    raise _ParamError(f"parameters.{name}.values.{since}", Msg("expected {type} (got {got!r})",
                                                                               type=kind.__name__, got=value))
        for name in REQUIRED_PARAMETERS:
            if name not in self.parameters:
                raise _ParamError(f"parameters.{name}", Msg("required"))
        return self

    # The published texts of its sources, by source id, as the loader found them (`hukou.policies`);
    # empty for a policy built from data alone.
    _texts: dict = PrivateAttr(default_factory=dict)
    _base: Any = PrivateAttr(default=None)  # the layer it extends, as loaded (a Layer), for lint
    _asked_caps: dict = PrivateAttr(default_factory=dict)  # caps its own file gave (the merge keeps the layer's)

    @property
    def texts(self) -> dict:
        return self._texts

    @property
    def base(self) -> "Layer | None":
        return self._base

    def value(self, name: str, d: date) -> Any:
        value = self.parameters[name].at(d)
        if value is None:
            raise InputError("date", Msg("parameter {name} has no value on or before {date}", name=name, date=d.isoformat()))
        return value

    def values_at(self, d: date) -> dict[str, Any]:
        """Every parameter's value at d, checked against the effective dates (remembered per date)."""
        memo = _memo(self)
        snapshot = memo.get(d)
        if snapshot is None:
            self.check_date(d)
            snapshot = {name: self.value(name, d) for name in REQUIRED_PARAMETERS}
            if len(memo) > 4096:
                memo.clear()
            memo[d] = snapshot
        return snapshot

    def clauses_of_rules(self) -> dict[str, str]:
        """Clause mark of each built-in rule and parameter under this policy ("" where uncited, or where a
        parameter cites another document)."""
        memo = _memo(self)
        cites = memo.get("cites")
        if cites is None:
            cites = {rule: (c.clause if (c := self.rules.get(rule)) else "") for rule in CITY_RULES}
            # a parameter's mark only where it cites the policy's own plan: a reason's `cite` is a clause of the plan
            cites.update({name: (p.cite.clause if p.cite and p.cite.document in (None, self.document) else "")
                          for name, p in self.parameters.items()})
            memo["cites"] = cites
        return cites

    def check_date(self, d: date) -> None:
        if d < self.effective.start:
            raise InputError("date", Msg("{date} is before policy {policy} takes effect ({start})", date=d.isoformat(),
                                         policy=self.id, start=self.effective.start.isoformat()))
        if self.effective.end is not None and d > self.effective.end:
            raise InputError("date", Msg("{date} is after policy {policy} ends ({end})", date=d.isoformat(), policy=self.id,
                                         end=self.effective.end.isoformat()))


class Layer(_Strict):
    """A base that city files stand on: `national` (what national documents fix for every city), or a
    province's layer between the two (it `extends: national`). It has no city and no dates of its own:
    a city file takes from it every source, clause, rule binding and parameter it does not state."""

    id: str
    layer: Literal["national", "province"]
    title: str
    document: Optional[str] = None
    extends: Optional[str] = None
    sources: dict[str, Source] = {}
    clauses: dict[str, Clause] = {}
    rules: dict[str, RuleBinding] = {}
    parameters: dict[str, Parameter] = {}

    _texts: dict = PrivateAttr(default_factory=dict)

    @property
    def texts(self) -> dict:
        return self._texts

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, rules: dict) -> dict:
        return Policy._known_rules(rules)

    @field_validator("parameters")
    @classmethod
    def _dated_parameters(cls, parameters: dict) -> dict:
        for name in parameters:
            if name not in PARAMETER_TYPES:
                raise _ParamError(f"parameters.{name}", Msg("unknown parameter; known: {known}", known=", ".join(PARAMETER_TYPES)))
        return Policy._dated_parameters(parameters)


# Per-policy memo (parameter snapshots by date, clause marks), kept outside the frozen model. Keyed by
# id() with the policy held alongside, so an id is never reused while its entry lives.
_MEMOS: dict[int, tuple[Policy, dict]] = {}


def _memo(policy: Policy) -> dict:
    entry = _MEMOS.get(id(policy))
    if entry is None or entry[0] is not policy:
        if len(_MEMOS) > 256:
            _MEMOS.clear()
        entry = _MEMOS[id(policy)] = (policy, {})
    return entry[1]


class _ParamError(ValueError):
    def __init__(self, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(message)


def _date_or_text(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) and DATE_PATTERN.match(value) else value


def _with_date_values(name: str, param: Parameter) -> Parameter:
    values = {}
    for since, value in param.values.items():
        try:
            values[since] = parse_date(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise _ParamError(f"parameters.{name}.values.{since}", exc.args[0] if exc.args else str(exc)) from None
    return param.model_copy(update={"values": values})


def _is_type(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is date:
        return isinstance(value, date)
    return isinstance(value, kind)


def parse_policy(data: Any, source: str | None = None, model: type = None) -> Policy:
    """Validate a parsed policy document (or, with `model=Layer`, a layer); errors name the field path."""
    if not isinstance(data, dict):
        raise InputError("", Msg("expected a mapping at the top of the policy file (got {type})", type=type(data).__name__),
                         source)
    try:
        return (model or Policy).model_validate(data)
    except _ParamError as exc:
        raise InputError(exc.path, exc.message, source) from None
    except ValidationError as exc:
        inner = _param_error_inside(exc)
        if inner is not None:
            raise InputError(inner.path, inner.message, source) from None
        raise from_validation(exc, source=source) from None


def _param_error_inside(exc: ValidationError) -> _ParamError | None:
    for err in exc.errors(include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, _ParamError):
            return cause
    return None
