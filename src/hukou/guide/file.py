"""A city's guide file: the materials each fact asks for, the police stations of its townships and
their opening hours, and the basis of "no fee". Read strictly (an unknown key, a bad time, a township
without a station is an error naming the field); a city without the file still has a guide, that says
to ask the police station (`guide.sheet`).

Where it is: for a shipped policy, `policies/guides/<policy>.yaml` in the package; for a policy file
`my-city.yaml`, the file `my-city.guide.yaml` beside it (docs/web.md: the service guide).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hukou.guide.materials import NEEDS
from hukou.i18n import Msg
from hukou.policy.errors import InputError, from_validation
from hukou.policy.policy_file import Cite, Text
from hukou.registry.divisions import townships_of

_TIME_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_PHONE = re.compile(r"^[0-9][0-9-]{4,19}$")
_TOWNSHIP = re.compile(r"^[1-9]\d{8}$")
KINDS = ("settlement", "residence_permit")  # the two guides: a hukou moves, or a permit is issued


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Material(_Strict):
    """One thing to bring: its plain name and a line saying which one or why."""

    name: Text
    note: Text | None = None


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class Hours(_Strict):
    """When a station's counter is open: on which days, and the periods of a day (the gap between two
    periods is the lunch break)."""

    days: Text
    open: list[str] = Field(min_length=1, max_length=4)
    note: Text | None = None  # e.g. a Saturday morning for hukou business

    @field_validator("open")
    @classmethod
    def _periods(cls, periods: list[str]) -> list[str]:
        last = -1
        for i, p in enumerate(periods):
            m = _TIME_RANGE.match(p.replace("–", "-").replace(" ", "")) if isinstance(p, str) else None
            if m is None:
                raise ValueError(Msg("expected a time range HH:MM-HH:MM (got {got!r})", got=p, index=i))
            start, end = _minutes(f"{m[1]}:{m[2]}"), _minutes(f"{m[3]}:{m[4]}")
            if not last < start < end:
                raise ValueError(Msg("expected periods in order, each ending after it starts (got {got!r})", got=p,
                                     index=i))
            last = end
        return [p.replace("–", "-").replace(" ", "") for p in periods]

    @property
    def periods(self) -> list[tuple[str, str]]:
        return [tuple(p.split("-")) for p in self.open]  # type: ignore[misc]

    @property
    def breaks(self) -> list[tuple[str, str]]:
        """The gaps between the periods of a day (the lunch break)."""
        ps = self.periods
        return [(ps[i][1], ps[i + 1][0]) for i in range(len(ps) - 1)]


class Station(_Strict):
    """A police station and the townships whose applications it takes."""

    name: Text
    townships: list[str] = Field(min_length=1)
    address: str = Field(min_length=4)  # as written on the door and in a taxi: Chinese only
    phone: str
    hours: Hours | None = None  # the file's `hours` when left out

    @field_validator("townships")
    @classmethod
    def _codes(cls, codes: list[Any]) -> list[str]:
        out = []
        for i, code in enumerate(codes):
            code = str(code) if isinstance(code, int) else code
            if not isinstance(code, str) or not _TOWNSHIP.match(code):
                raise ValueError(Msg("expected the 9-digit code of a township (got {got!r})", got=code, index=i))
            out.append(code)
        return out

    @field_validator("phone")
    @classmethod
    def _phone(cls, phone: str) -> str:
        if not _PHONE.match(phone):
            raise ValueError(Msg("expected a telephone number of digits and dashes, e.g. 0994-2345678 (got {got!r})",
                                 got=phone))
        return phone


class GuideFile(_Strict):
    city: str
    materials: dict[str, Material]
    needs: dict[str, list[str]]
    hours: Hours
    fee: dict[str, Cite] = {}  # by kind: the basis of "no fee"
    stations: list[Station] = Field(min_length=1)
    note: Text | None = None  # said under every guide (e.g. 复印件 or originals)

    def station_of(self, township: str | None) -> Station | None:
        for s in self.stations:
            if township in s.townships:
                return s
        return None

    def hours_of(self, station: Station) -> Hours:
        return station.hours or self.hours


def parse_guide(data: Any, city: str | None = None, source: str | None = None) -> GuideFile:
    """Validate a parsed guide file; with `city`, also that it is that city's and that every township
    the register knows of it has a station. Errors name the field."""
    if not isinstance(data, dict):
        raise InputError("", Msg("expected a mapping at the top of the guide file (got {got})", got=type(data).__name__),
                         source)
    try:
        guide = GuideFile.model_validate(data)
    except ValidationError as exc:
        raise _named(from_validation(exc, source=source)) from None
    for kind in guide.fee:
        if kind not in KINDS:
            raise InputError(f"fee.{kind}", Msg("expected one of {choices}", choices=", ".join(KINDS)), source)
    for need, ids in guide.needs.items():
        if need not in NEEDS:
            raise InputError(f"needs.{need}", Msg("unknown fact; known: {choices}", choices=", ".join(NEEDS)), source)
        for i, mid in enumerate(ids):
            if mid not in guide.materials:
                raise InputError(f"needs.{need}[{i}]", Msg("no material {material!r} in materials", material=mid),
                                 source)
    seen: dict[str, int] = {}
    for i, s in enumerate(guide.stations):
        for j, code in enumerate(s.townships):
            if code in seen:
                raise InputError(f"stations[{i}].townships[{j}]",
                                 Msg("township {code} already has a station (stations[{other}])", code=code,
                                     other=seen[code]), source)
            seen[code] = i
    if city is not None:
        if guide.city != city:
            raise InputError("city", Msg("this guide is for city {guide_city}, the policy's city is {city}",
                                         guide_city=guide.city, city=city), source)
        for i, s in enumerate(guide.stations):
            for j, code in enumerate(s.townships):
                if not code.startswith(city):
                    raise InputError(f"stations[{i}].townships[{j}]",
                                     Msg("expected a township of the city ({city}…) (got {got})", city=city, got=code),
                                     source)
        known = townships_of(city)
        missing = [f"{code} {name}" for code, name in known.items() if code not in seen]
        if missing:
            raise InputError("stations", Msg("no station for township {townships}", townships=", ".join(missing)),
                             source)
    return guide


def _named(error: InputError) -> InputError:
    """A validator's message about one item of a list carries its `index`: put it in the path."""
    message = error.message
    if isinstance(message, Msg) and "index" in message.values:
        return InputError(f"{error.path}[{message.values['index']}]", message, error.source)
    return error


# --- where a policy's guide file is ---------------------------------------------------------------

def guide_file_of(policy: str) -> tuple[str, str] | None:
    """(text, where it came from) of the guide file of a policy given by name or path, or None."""
    from hukou.policies import shipped

    if policy in shipped():
        shipped_file = resources.files("hukou.policies").joinpath("guides", f"{policy}.yaml")
        return (shipped_file.read_text(encoding="utf-8"), f"hukou:guides/{policy}.yaml") if shipped_file.is_file() else None
    beside = Path(policy).with_suffix(".guide.yaml")
    if beside.is_file():
        return beside.read_text(encoding="utf-8"), str(beside)
    return None


@lru_cache(maxsize=8)
def load_guide(policy: str, city: str) -> GuideFile | None:
    """The guide file of a policy (by name or path) for its city, checked; None when the city has none."""
    from hukou.policies import read_document

    found = guide_file_of(policy)
    if found is None:
        return None
    text, origin = found
    return parse_guide(read_document(text, origin), city, origin)
