"""The facts about a person (RULEBOOK §2), validated strictly, with "absent" kept apart from "none".

A top-level key that is absent (or null) is *unknown*; a key present with an empty list is
*known: none*. Required fields (RULEBOOK §1 "Absent values") are input errors when missing.
Keys the rules never read (tax paid, investment, ethnicity, …) are ignored, never stored.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationInfo, WithJsonSchema,
                      field_validator, model_validator)

from hukou.i18n import Msg
from hukou.policy import places
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
    raise ValueError(Msg("expected a date YYYY-MM-DD (got {got!r})", got=shown(value)))


def shown(value: Any) -> Any:
    """An input value as an error message repeats it: a long text cut short, so no message is a page long."""
    return value[:20] + "…" if isinstance(value, str) and len(value) > 24 else value


EARLIEST = date(1900, 1, 1)  # no fact about a living person, or one who settles, is dated before this


def _not_too_early(value: date) -> date:
    if value < EARLIEST:
        raise ValueError(Msg("a date before 1900 cannot be right (got {got})", got=value.isoformat()))
    return value


def _strict_month(value: Any) -> Month:
    if isinstance(value, str):
        m = _MONTH_RE.match(value)
        if m and 1 <= int(m.group(2)) <= 12:
            if int(m.group(1)) < EARLIEST.year:
                raise ValueError(Msg("a date before 1900 cannot be right (got {got})", got=value))
            return (int(m.group(1)), int(m.group(2)))
    raise ValueError(Msg("expected a month YYYY-MM (got {got!r})", got=shown(value)))


def _place_code(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _PLACE_RE.match(value):
        return value
    if value == "":
        raise ValueError(Msg("required"))
    raise ValueError(Msg("expected a place code of 6, 9 or 12 digits (got {got!r})", got=shown(value)))


def _not_after_today(value: Any, info: ValidationInfo) -> Any:
    """With a `today` in the validation's context (facts a person gives about themselves now: pages,
    submissions), the date of an event cannot be after it. Without one (the rules at any date D, where
    records after D are only ignored, RULEBOOK §1) a planned future is valid input."""
    today = (info.context or {}).get("today")
    if today is None:
        return value
    if isinstance(value, date) and value > today:
        raise ValueError(Msg("cannot be after today ({today})", today=today.isoformat()))
    if isinstance(value, tuple) and value > (today.year, today.month):
        month = "%04d-%02d" % (today.year, today.month)
        raise ValueError(Msg("cannot be after this month ({month})", month=month))
    return value


def hukou_place_error(place: str, city: str) -> Msg | None:
    """A hukou is in a place that exists: a GB/T 2260 division (999999 is none), or a place of the city."""
    if place.startswith(city) or places.is_known(place[:6]):
        return None
    return Msg("no place has the code {got}", got=place)


Date = Annotated[date, BeforeValidator(parse_date), AfterValidator(_not_too_early)]
# the date of an event (a birth, a start, an admission, a certificate…): not after today when told (above)
PastDate = Annotated[date, BeforeValidator(parse_date), AfterValidator(_not_too_early), AfterValidator(_not_after_today)]
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
    start: PastDate = Field(alias="from")
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

    @field_validator("place")
    @classmethod
    def _exists(cls, value: str, info: ValidationInfo) -> str:
        city = (info.context or {}).get("city")  # the check of the rules is verdict.check_places
        error = hukou_place_error(value, city) if city else None
        if error:
            raise ValueError(error)
        return value


class Residence(_Interval):
    place: PlaceCode
    urban: Optional[StrictBool] = None


class Housing(_Record):
    kind: HousingKind
    registered: Optional[StrictBool] = None


class Employment(_Interval):
    pass


class SocialInsurance(_Record):
    start: Annotated[MonthValue, AfterValidator(_not_after_today)] = Field(alias="from")
    end: Optional[MonthValue] = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(Msg("'to' must not be before 'from'"))
        return self


class Education(_Record):
    level: EducationLevel
    admitted: PastDate
    graduated: Optional[PastDate] = None
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
    obtained: Optional[PastDate] = None


class Military(_Record):
    enlisted: Optional[PastDate] = None
    discharged: Optional[PastDate] = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.enlisted and self.discharged and self.discharged < self.enlisted:
            raise ValueError(Msg("'discharged' must not be before 'enlisted'"))
        return self


class Permit(_Record):
    """An existing residence permit: the day it was issued and the endorsements (签注) made since."""

    issued: PastDate
    endorsements: list[PastDate] = Field([], max_length=MAX_PERIODS)


class Spouse(_Record):
    moving: StrictBool = False


class Child(_Record):
    birth_date: PastDate
    moving: StrictBool = False


class Parent(_Record):
    moving: StrictBool = False


class Family(_Record):
    spouse: Optional[Spouse] = None
    children: list[Child] = Field([], max_length=MAX_RECORDS)
    parents: list[Parent] = Field([], max_length=MAX_PARENTS)


class Person(_Record):
    """RULEBOOK §2. `None` on a top-level list or record means unknown; `[]` means known: none."""

    birth_date: PastDate
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

