"""Helpers to make policy-file variants for tests: the shipped Changji file, changed in one place."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path

import yaml

_CHANGJI = yaml.safe_load(resources.files("hukou.policies").joinpath("changji-2018.yaml").read_text(encoding="utf-8"))


def changji_dict() -> dict:
    return copy.deepcopy(_CHANGJI)


def write_policy(tmp_path: Path, data: dict, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def cite(clause: str = "§五", quote: str = "引文") -> dict:
    return {"clause": clause, "quote": quote}
