"""China's divisions by name (GB/T 2260, from python-stdnum's table): provinces, the cities of a province,
the counties of a city, a code's name, search by name, and whether a code is a real one.

A place a person gives (where their hukou is) is a 6-digit county-level code. The names come from
`stdnum/cn/loc.dat` (province `65`, then `2301 county="[1983-]昌吉市"`: the years a name was in use).
A code is *known* when it ever was a division (the ID numbers and hukou of older people carry codes
since renamed or merged, such as 622425); it is *current* when it still is, and only current places
are offered to choose from. The aggregates "市辖区" (a city's districts together) are not places to
choose; a city with no counties below it (东莞市) is itself the place.

It lives beside the facts because the facts' validation refuses a code that is no place; the pages
and the API use it to offer the choice by name (pure: the table is read once, nothing is written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NAME = re.compile(r"(?:\[(\d*)-(\d*)\])?([^,]+)")
_CODE = re.compile(r"^[1-9]\d{5}$")
AGGREGATE = "市辖区"  # a city's districts together: not a place to choose


@dataclass(frozen=True)
class Place:
    code: str  # 6 digits: XX0000 a province, XXYY00 a city (prefecture), XXYYZZ a county
    name: str  # the latest name
    current: bool  # still a division today


def _latest(names: str) -> tuple[str, bool]:
    """The latest of `[1983-1998]南山矿区,[1999-2001]南泉区,[2002-]达坂城区`, and whether it is in use."""
    parts = _NAME.findall(names)
    _, end, name = parts[-1]
    return name.strip(), not end


@lru_cache(maxsize=1)
def _table() -> dict[str, Place]:
    from stdnum import numdb

    places: dict[str, Place] = {}
    for _, low, high, props, children in numdb.get("cn/loc").prefixes:
        if low != high:
            continue
        province_name = props.get("province", "")
        for _, sub, sub_high, sub_props, _ in children:
            if sub != sub_high or "county" not in sub_props:
                continue
            name, current = _latest(sub_props["county"])
            places[low + sub] = Place(low + sub, name, current)
        places.setdefault(low + "0000", Place(low + "0000", province_name, True))
    return places


def _level(code: str) -> int:
    """1 a province, 2 a city, 3 a county."""
    return 1 if code.endswith("0000") else 2 if code.endswith("00") else 3


def _shown(place: Place) -> Place:
    """A city-level row as people call it: Beijing's "市辖区" is 北京市, Chongqing's "县" its counties."""
    if _level(place.code) == 2 and place.name in (AGGREGATE, "县"):
        province = _table()[place.code[:2] + "0000"].name
        return Place(place.code, province if place.name == AGGREGATE else f"{province}（县）", place.current)
    return place


def is_known(code: object) -> bool:
    """A 6-digit code that is or was a division of GB/T 2260 (999999 is not)."""
    return isinstance(code, str) and bool(_CODE.match(code)) and code in _table()


def place(code: str) -> Place | None:
    found = _table().get(code) if isinstance(code, str) else None
    return _shown(found) if found else None


def name_of(code: str) -> str | None:
    """The latest name of a code (None: no such place)."""
    found = place(code)
    return found.name if found else None


def provinces() -> list[Place]:
    """The provinces with cities to choose from, in code order."""
    return [p for p in (_table()[c] for c in sorted(_table()) if _level(c) == 1) if children(p.code)]


def children(code: str) -> list[Place]:
    """The current places one level below `code` (a province's cities, a city's counties), in code order.
    `code` may be given short: "65" for 650000, "6523" for 652300."""
    code = (code or "").strip()
    if not re.fullmatch(r"[1-9]\d(\d\d)?|[1-9]\d{5}", code):
        return []
    full = code.ljust(6, "0")
    level = _level(full)
    if level == 3:
        return []
    prefix = full[:2] if level == 1 else full[:4]
    below = [p for c, p in sorted(_table().items())
             if c.startswith(prefix) and c != full and _level(c) == level + 1 and p.current
             and not (level == 2 and p.name == AGGREGATE)]
    return [_shown(p) for p in below]


def chain(code: str) -> tuple[str, str, str]:
    """(province, city, county) codes of a place, as the three choices show it: a city with no counties
    below it is its own county ("441900" → ("440000", "441900", "441900")); "" where there is none."""
    if not is_known(code):
        return "", "", ""
    province, city = code[:2] + "0000", code[:4] + "00"
    if _level(code) == 1:
        return province, "", ""
    if _level(code) == 2:
        return province, city, code if not children(code) else ""
    return province, city, code


def choosable(code: str) -> bool:
    """A place a person may give as where their hukou is: a county, or a city with no counties below it."""
    return is_known(code) and (_level(code) == 3 or (_level(code) == 2 and not children(code)))


def full_name(code: str) -> str:
    """"新疆维吾尔自治区 昌吉回族自治州 昌吉市" (each level once; "" for no such place)."""
    province, city, county = chain(code)
    names: list[str] = []
    for c in (province, city, county):
        name = name_of(c) if c else None
        if name and name not in names:
            names.append(name)
    return " ".join(names)


@lru_cache(maxsize=1)
def _choices() -> tuple[tuple[Place, str], ...]:
    """Every current place one may choose, with its full name."""
    out = []
    for province in provinces():
        for city in children(province.code):
            for county in children(city.code) or [city]:
                out.append((county, full_name(county.code)))
    return tuple(out)


def search(words: str, limit: int = 20) -> list[tuple[Place, str]]:
    """Current places to choose whose name (or whose city's or province's) holds every word of `words`,
    with their full names: the place's own name matching first. "昌吉" → 昌吉市, then 昌吉回族自治州's counties."""
    terms = [w for w in re.split(r"\s+", (words or "").strip()) if w][:5]
    if not terms:
        return []
    found = [(p, full) for p, full in _choices() if all(t in full for t in terms)]
    found.sort(key=lambda pf: (not any(t in pf[0].name for t in terms), pf[0].code))
    return found[:limit]
