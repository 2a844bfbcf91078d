"""Input errors that name the field: one line, `path: what was expected`, never a traceback; and
`redacted`, for any message built from a driver's words or an input value."""

from __future__ import annotations

import re
from typing import Any, Iterable

from pydantic import ValidationError

from hukou.i18n import Msg, localized


class InputError(ValueError):
    """Bad input (facts, policy file, case file). `path` is a dotted field path like `education[0].level`."""

    def __init__(self, path: str, message: str, source: str | None = None):
        self.path = path
        self.message = message
        self.source = source
        super().__init__(self.line())

    def line(self, lang: str = "en") -> str:
        where = f"{self.source}: " if self.source else ""
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{localized(self.message, lang)}"


def field_path(loc: Iterable[Any], prefix: str = "") -> str:
    path = prefix
    for part in loc:
        if part == "[key]":  # pydantic's mark for a bad mapping key: the key itself is the last part
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def describe(error: dict) -> str:
    """A pydantic error's message, as this project words it (a `Msg`, so pages can say it in Chinese)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "missing":
        return Msg("required")
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "")
        return Msg("expected one of {choices} (got {got!r})", choices=expected, got=got)
    if kind in ("bool_type", "bool_parsing"):
        return Msg("expected true or false (got {got!r})", got=got)
    if kind in ("list_type",):
        return Msg("expected a list (got {type})", type=type(got).__name__)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return Msg("expected a mapping (got {type})", type=type(got).__name__)
    if kind == "extra_forbidden":
        return Msg("unknown key")
    if kind == "value_error":
        raised = ctx.get("error")
        if isinstance(raised, Exception) and len(raised.args) == 1 and isinstance(raised.args[0], Msg):
            return raised.args[0]
        return Msg("this value is not accepted: {reason}", reason=str(raised if raised is not None else error["msg"]))
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return Msg("expected a whole number (got {got!r})", got=got)
    if kind in ("float_type", "float_parsing"):
        return Msg("expected a number (got {got!r})", got=got)
    if kind in ("string_type",):
        return Msg("expected text (got {got!r})", got=got)
    if kind == "string_too_long":
        return Msg("at most {max} characters", max=ctx.get("max_length"))
    if kind == "string_too_short":
        return Msg("at least {min} characters", min=ctx.get("min_length"))
    if kind == "too_long":
        return Msg("at most {max} items", max=ctx.get("max_length"))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        return {"greater_than_equal": Msg("expected a number of at least {bound} (got {got!r})", bound=bound, got=got),
                "greater_than": Msg("expected a number above {bound} (got {got!r})", bound=bound, got=got),
                "less_than_equal": Msg("expected a number of at most {bound} (got {got!r})", bound=bound, got=got),
                "less_than": Msg("expected a number below {bound} (got {got!r})", bound=bound, got=got)}[kind]
    if kind.startswith("date_"):
        return Msg("expected a date YYYY-MM-DD (got {got!r})", got=got)
    if kind == "json_invalid":
        return Msg("not valid JSON")
    # a check pydantic words itself: its words for a developer in English, plain words in Chinese
    return Msg("this value is not accepted: {reason}", reason=error["msg"])


def from_validation(exc: ValidationError, prefix: str = "", source: str | None = None) -> InputError:
    """The first error of a pydantic ValidationError, as an InputError naming its field.

    An unknown key is reported before a missing one: a misspelt key explains the missing one."""
    errors = exc.errors(include_url=False)
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    return InputError(field_path(first["loc"], prefix), describe(first), source)


def every_error(exc: ValidationError, prefix: str = "") -> list[InputError]:
    """Every error of a pydantic ValidationError, each naming its field, in the input's order (a form
    shows them all at once)."""
    return [InputError(field_path(e["loc"], prefix), describe(e)) for e in exc.errors(include_url=False)]


# SQLAlchemy appends these to a driver's message, in this order: the statement, its parameters, a link.
_APPENDIX = ("[SQL: ", "[parameters: ", "(Background on this error")
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{11}([\dXx])(?!\d)")


def redacted(text: str) -> str:
    """Text fit for an error message: without SQLAlchemy's statement, parameters and link, and with each
    citizen ID number (17 digits and a digit or X) masked but for its first 6 digits and its last."""
    cut = min((at for at in (text.find(mark) for mark in _APPENDIX) if at >= 0), default=len(text))
    return _ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 11}{m[2]}", text[:cut].rstrip())
