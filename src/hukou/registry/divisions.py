"""The city's divisions: township-level units shipped as package data (2023 statistical codes)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


CITY_NAME = "昌吉市"


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
