"""The city's divisions: township-level units shipped as package data (2023 statistical codes)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


CITY_NAME = "昌吉市"
CITY_CODE = "652301"


@dataclass(frozen=True)
class Township:
    code: str  # 9 digits: county code + 3
    name: str
    kind: str  # street | town | township | zone


@lru_cache(maxsize=1)
def changji_townships() -> tuple[Township, ...]:
    text = resources.files("hukou.registry").joinpath("data/changji_divisions.csv").read_text(encoding="utf-8")
    return tuple(Township(r["code"], r["name"], r["kind"]) for r in csv.DictReader(text.splitlines()))


def township_names() -> dict[str, str]:
    return {t.code: t.name for t in changji_townships()}


def townships_of(city: str) -> dict[str, str]:
    """A city's township-level units, code -> name: Changji's ship with the package; another city's
    come from its register (`divisions`), so this is empty for it."""
    return township_names() if city == CITY_CODE else {}


def is_township_of(code: object, city: str) -> bool:
    """A township-level unit of the city: one of its shipped units, else any 9-digit code under it."""
    if not isinstance(code, str) or len(code) != 9 or not code.isdigit() or not code.startswith(city):
        return False
    known = townships_of(city)
    return code in known if known else True
