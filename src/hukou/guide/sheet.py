"""One person's service guide: what to bring, where to go and when, how long it takes, what it costs
(nothing) and the law behind each — from a verdict, the policy and the city's guide file.

`build_guide` returns None when the verdict does not let the person apply for that kind; a city
without a guide file gets a guide without materials or station, which the page words as "ask the
police station".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hukou.cases.deadlines import P_PERMIT_DAYS, P_WORKING_DAYS, time_limits
from hukou.guide.file import GuideFile, Hours, Material, Station
from hukou.guide.materials import guide_kind, materials_for, relied_on
from hukou.policy.citations import basis
from hukou.policy.policy_file import Policy, Text


@dataclass(frozen=True)
class TimeLimit:
    days: int
    working_days: bool  # working days (settlement: 行政许可法), else calendar days (the permit: 第九条)
    basis: dict[str, Any] | None
    accepted: date | None = None  # a case's: the day it was accepted
    due: date | None = None  # … and the day it is due


@dataclass(frozen=True)
class Guide:
    kind: str  # settlement | residence_permit
    needs: list[str]  # the facts relied on (guide.materials.NEEDS)
    materials: list[Material] | None  # None: the city has no guide file
    station: Station | None
    hours: Hours | None
    time_limit: TimeLimit
    fee_basis: dict[str, Any] | None
    bases: list[dict[str, Any]] = field(default_factory=list)  # the law the answer rests on, once each
    note: Text | None = None
    stations: list[Station] = field(default_factory=list)  # every station, when the township is not known


def township_of_facts(facts: dict[str, Any] | None, on: date) -> str | None:
    """The township (9 digits) of the residence record that covers `on`: where the person lives now."""
    for r in (facts or {}).get("residence") or ():
        start, end = str(r.get("from") or ""), r.get("to")
        place = str(r.get("place") or "")
        if start and start <= on.isoformat() and (not end or str(end) >= on.isoformat()) and len(place) >= 9:
            return place[:9]
    return None


def _bases(kind: str, verdict: dict[str, Any]) -> list[dict[str, Any]]:
    """The legal basis of each condition that held and read a fact, once each (by document and clause):
    a requirement of 0 months reads nothing, and its clause is not what the answer rests on."""
    part = verdict.get("residence_permit" if kind == "residence_permit" else "settlement") or {}
    route = part.get("route")
    out, seen = [], set()
    for r in part.get("reasons") or ():
        rule = str(r.get("rule", ""))
        relied = rule.startswith("permit.") if kind == "residence_permit" else rule.startswith(f"{route}.")
        b = r.get("basis")
        if relied and r.get("result") == "true" and r.get("values") and b and (b.get("document"), b.get("clause")) not in seen:
            seen.add((b.get("document"), b.get("clause")))
            out.append(b)
    return out


def time_limit(kind: str, policy: Policy, on: date, accepted: date | None = None, due: date | None = None) -> TimeLimit:
    """The time limit of applying for `kind` (a case kind too) under the policy at `on`, with its basis."""
    kind = guide_kind(kind)
    limits = time_limits(policy, on)
    name = P_PERMIT_DAYS if kind == "residence_permit" else P_WORKING_DAYS
    param = policy.parameters.get(name)
    cited = basis(policy, param.cite) if param is not None and param.cite is not None else None
    if kind == "residence_permit":
        return TimeLimit(limits.permit_days, False, cited, accepted, due)
    return TimeLimit(limits.settlement_working_days, True, cited, accepted, due)


def fee_basis(kind: str, policy: Policy, guide_file: GuideFile | None) -> dict[str, Any] | None:
    """The law that says applying for `kind` costs nothing, as the guide file cites it."""
    cite = guide_file.fee.get(guide_kind(kind)) if guide_file is not None else None
    return basis(policy, cite) if cite is not None else None


def build_guide(kind: str, verdict: dict[str, Any] | None, policy: Policy, guide_file: GuideFile | None,
                township: str | None, followers: Iterable[str] = (), on: date | None = None,
                accepted: date | None = None, due: date | None = None) -> Guide | None:
    """The guide for applying for `kind` (a case kind, or settlement / residence_permit) on this
    verdict; None when the verdict does not let the person apply for it."""
    kind = guide_kind(kind)
    if not verdict:
        return None
    needs = relied_on(kind, verdict, followers)
    if not needs:
        return None
    on = on or date.fromisoformat(verdict["date"])
    materials = station = hours = note = None
    stations: list[Station] = []
    if guide_file is not None:
        materials = [guide_file.materials[m] for m in materials_for(needs, guide_file.needs)]
        station = guide_file.station_of(township)
        hours = guide_file.hours_of(station) if station else guide_file.hours
        stations = [] if station else list(guide_file.stations)  # where they live is not known: all of them
        note = guide_file.note
    return Guide(kind, needs, materials, station, hours, time_limit(kind, policy, on, accepted, due),
                 fee_basis(kind, policy, guide_file), _bases(kind, verdict), note, stations)


def applying_for(verdict: dict[str, Any] | None) -> str | None:
    """What the self-check's person would apply for: settlement when it holds, else a residence permit
    when that holds, else nothing (the apply form's default kind follows the same order)."""
    if not verdict:
        return None
    if (verdict.get("settlement") or {}).get("status") == "eligible":
        return "settlement"
    if (verdict.get("residence_permit") or {}).get("status") == "eligible":
        return "residence_permit"
    return None
