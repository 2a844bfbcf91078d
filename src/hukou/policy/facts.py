"""The facts about a person (RULEBOOK §2), validated strictly, with "absent" kept apart from "none".

A top-level key that is absent (or null) is *unknown*; a key present with an empty list is
*known: none*. Required fields (RULEBOOK §1 "Absent values") are input errors when missing.
Keys the rules never read (tax paid, investment, ethnicity, …) are ignored, never stored.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, WithJsonSchema, model_validator

from hukou.i18n import Msg
from hukou.policy.calendar import Month

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_PLACE_RE = re.compile(r"^[1-9]\d{5}(\d{3}(\d{3})?)?$")


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(Msg("expected a date YYYY-MM-DD, not a date and time"))
    if isinstance(value, date):
        return value
    if value == "":
        raise ValueError(Msg("required"))
    if isinstance(value, str) and DATE_PATTERN.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(Msg("expected a real calendar date YYYY-MM-DD (got {got!r})", got=value)) from None
    raise ValueError(Msg("expected a date YYYY-MM-DD (got {got!r})", got=value))


def _strict_month(value: Any) -> Month:
    if isinstance(value, str):
        m = _MONTH_RE.match(value)
        if m and 1 <= int(m.group(2)) <= 12:
            return (int(m.group(1)), int(m.group(2)))
    raise ValueError(Msg("expected a month YYYY-MM (got {got!r})", got=value))


def _place_code(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _PLACE_RE.match(value):
        return value
    if value == "":
        raise ValueError(Msg("required"))
    raise ValueError(Msg("expected a place code of 6, 9 or 12 digits (got {got!r})", got=value))


Date = Annotated[date, BeforeValidator(parse_date)]
# In the API's specification (the Facts component) a month is its text and a place code a string.
MonthValue = Annotated[tuple[int, int], BeforeValidator(_strict_month),
                       WithJsonSchema({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$",
                                       "description": "YYYY-MM"})]
PlaceCode = Annotated[str, BeforeValidator(_place_code),
                      WithJsonSchema({"type": "string", "pattern": _PLACE_RE.pattern,
                                      "description": "GB/T 2260 code: 6 digits (a county), 9 (a township) or 12 "
                                                     "(a community or village)"})]

# How many records a list of facts may hold: far more than a life has, few enough that no input is huge.
MAX_PERIODS = 100  # residence, employment, social insurance; endorsements of one permit
MAX_RECORDS = 20  # education, qualifications, children
MAX_PARENTS = 4  # the applicant's and the spouse's

HousingKind = Literal["owned", "rented", "employer", "school", "none"]
EducationLevel = Literal["vocational", "associate", "bachelor", "master", "doctor"]
QualificationKind = Literal["skill_certificate", "vocational_qualification"]

HOUSING_KINDS: tuple[str, ...] = HousingKind.__args__  # type: ignore[attr-defined]
EDUCATION_LEVELS: tuple[str, ...] = EducationLevel.__args__  # type: ignore[attr-defined]
QUALIFICATION_KINDS: tuple[str, ...] = QualificationKind.__args__  # type: ignore[attr-defined]
HIGHER_EDUCATION = frozenset({"associate", "bachelor", "master", "doctor"})  # 大专及以上


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class _Interval(_Record):
    start: Date = Field(alias="from")
    end: Optional[Date] = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(Msg("'to' must not be before 'from'"))
        return self


class Hukou(_Record):
    """Where the hukou is registered now: the only origin fact a rule may read is "in the city or not"."""

    place: PlaceCode
    urban: StrictBool


class Residence(_Interval):
    place: PlaceCode
    urban: Optional[StrictBool] = None


class Housing(_Record):
    kind: HousingKind
    registered: Optional[StrictBool] = None


class Employment(_Interval):
    pass


class SocialInsurance(_Record):
    start: MonthValue = Field(alias="from")
    end: Optional[MonthValue] = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(Msg("'to' must not be before 'from'"))
        return self


class Education(_Record):
    level: EducationLevel
    admitted: Date
    graduated: Optional[Date] = None
    institution_in_city: StrictBool = False
    abroad: StrictBool = False
    certified: Optional[StrictBool] = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.graduated is not None and self.graduated < self.admitted:
            raise ValueError(Msg("'graduated' must not be before 'admitted'"))
        return self


class Qualification(_Record):
    kind: QualificationKind
    obtained: Optional[Date] = None


class Military(_Record):
    enlisted: Optional[Date] = None
    discharged: Optional[Date] = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.enlisted and self.discharged and self.discharged < self.enlisted:
            raise ValueError(Msg("'discharged' must not be before 'enlisted'"))
        return self


class Permit(_Record):
    """An existing residence permit: the day it was issued and the endorsements (签注) made since."""

    issued: Date
    endorsements: list[Date] = Field([], max_length=MAX_PERIODS)


class Spouse(_Record):
    moving: StrictBool = False


class Child(_Record):
    birth_date: Date
    moving: StrictBool = False


class Parent(_Record):
    moving: StrictBool = False


class Family(_Record):
    spouse: Optional[Spouse] = None
    children: list[Child] = Field([], max_length=MAX_RECORDS)
    parents: list[Parent] = Field([], max_length=MAX_PARENTS)


class Person(_Record):
    """RULEBOOK §2. `None` on a top-level list or record means unknown; `[]` means known: none."""

    birth_date: Date
    hukou: Hukou
    residence: Optional[list[Residence]] = Field(None, max_length=MAX_PERIODS)
    housing: Optional[Housing] = None
    employment: Optional[list[Employment]] = Field(None, max_length=MAX_PERIODS)
    social_insurance: Optional[list[SocialInsurance]] = Field(None, max_length=MAX_PERIODS)
    education: Optional[list[Education]] = Field(None, max_length=MAX_RECORDS)
    qualifications: Optional[list[Qualification]] = Field(None, max_length=MAX_RECORDS)
    military: Optional[Military] = None
    permit: Optional[Permit] = None
    family: Optional[Family] = None


TOP_LEVEL_KEYS = tuple(f.alias or name for name, f in Person.model_fields.items())
