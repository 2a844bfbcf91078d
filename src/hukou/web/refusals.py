"""The service's refusals as a page says them: which form field, and the message in the page's language.

Casework (services.casework, cases.*) refuses with CaseError or InputError: a field path
(`followers[0].id_number`, `data.reason`) and a message (`hukou.i18n.Msg`). A page marks the form
field the path names and says the message in the page's language: first what the tables below say
of that field (a required reason is "请写明理由", not "此项必填"), then the message catalogue's
translation, then the tables' words for messages not yet in the catalogue; a refusal none of them
knows is said generically, never as a field path.
"""

from __future__ import annotations

import re

from hukou.cases.errors import CaseError
from hukou.i18n import SOURCE, localized
from hukou.policy.errors import InputError

_INDEX = re.compile(r"\[(\d+)\]")


def form_field(path: str) -> str:
    """The form field a service path names: `data.followers[0].id_number` → `followers.0.id_number`."""
    return _INDEX.sub(r".\1", path.removeprefix("data."))


# (field pattern or None, message pattern, Chinese); the Chinese may use the message's groups. Messages
# of the catalogue (hukou/i18n/locale/zh) are said from there: these are a field's own words, and the rest
_ZH: list[tuple[str | None, str, str]] = [
    (r"followers\.\d+\.relation", r"", "请选择与申请人的关系（配偶、子女或父母）。"),
    (r"kind", r"", "请选择申请事项。"),
    (r"township", r"a police station opens cases", "派出所只能受理本辖区的申请。"),
    (r"township", r"", "请选择受理的街道、乡镇。"),
    (r"purpose", r"", "请从列表中选择查阅目的。"),
    (r"failed_rule", r"^required$|at least 1 character", "请选择不符合的条件。"),
    (r"reason", r"^required$|at least 1 character", "请写明理由。"),
    (r"place", r"^required$|should match pattern", "请选择落户地址（社区或村）。"),
    (None, r"String should have at least 1 character", "此项必填。"),
    (None, r"String should have at most (\d+) characters", "最多{0}个字。"),
    (None, r"String should match pattern", "请从列表中选择。"),
    (r"facts(\..*)?", r"", "自助查询所填的情况有误：请重新完成自助查询再申请。"),
]
# the messages of the data models (pydantic), which are worded for developers: said plainly in English too
_EN: list[tuple[str | None, str, str]] = [
    (r"failed_rule", r"^required$|at least 1 character", "Choose the rule not met."),
    (r"reason", r"^required$|at least 1 character", "Write the reason."),
    (r"place", r"^required$|should match pattern", "Choose the place (a community or village)."),
    (None, r"^required$|at least 1 character", "This is required."),
    (None, r"String should have at most (\d+) characters", "At most {0} characters."),
    (None, r"String should match pattern", "Choose from the list."),
    (None, r"expected a whole number|expected the version you saw", "The page is out of date; reload it and try again."),
]


def _compiled(table: list[tuple[str | None, str, str]]) -> list[tuple[re.Pattern | None, re.Pattern, str]]:
    return [(re.compile(f) if f else None, re.compile(m), said) for f, m, said in table]


_TABLES = {"zh": _compiled(_ZH), "en": _compiled(_EN)}
GENERIC_ZH = "无法办理此项，请核对所填内容后重试。"


def said(path: str, message: str, lang: str) -> str:
    """The refusal's message in the page's language: what this form field's table says of it, else
    the message catalogue's translation (hukou.i18n), else the table's words for such a message."""
    field = form_field(path)
    table = _TABLES["zh" if lang == "zh" else "en"]
    for field_pattern, pattern, words in table:
        if field_pattern is not None and field_pattern.fullmatch(field):
            found = pattern.search(message)
            if found:
                return words.format(*found.groups())
    translated = localized(message, lang)
    if lang != SOURCE and translated != str(message):
        return translated
    for field_pattern, pattern, words in table:
        found = pattern.search(message) if field_pattern is None else None
        if found:
            return words.format(*found.groups())
    if lang == "zh":
        return GENERIC_ZH
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", ")")) else ".")


def refusal(exc: CaseError | InputError, lang: str) -> tuple[str, str, int]:
    """(form field, message, HTTP status) of a refusal from casework."""
    path = exc.field if isinstance(exc, CaseError) else exc.path
    status = exc.status if isinstance(exc, CaseError) else 422
    return form_field(path), said(path, exc.message, lang), status
