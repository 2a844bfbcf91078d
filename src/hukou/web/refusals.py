"""The service's refusals as a page says them: which form field, and the message in the page's language.

Casework (services.casework, cases.*) refuses with CaseError or InputError: a field path
(`followers[0].id_number`, `data.reason`) and an English message for API clients. A page marks the
form field the path names and says the message in Chinese or English (the service's own words, but
for the data models' terse ones); a refusal the Chinese table does not know is said generically,
never as a field path.
"""

from __future__ import annotations

import re

from hukou.cases.errors import CaseError
from hukou.policy.errors import InputError

_INDEX = re.compile(r"\[(\d+)\]")


def form_field(path: str) -> str:
    """The form field a service path names: `data.followers[0].id_number` → `followers.0.id_number`."""
    return _INDEX.sub(r".\1", path.removeprefix("data."))


# (field pattern or None, message pattern, Chinese); the Chinese may use the message's groups
_ZH: list[tuple[str | None, str, str]] = [
    (None, r"a citizen ID number has 18 characters", "公民身份号码应为18位。"),
    (None, r"a citizen ID number is 17 digits and a digit or X", "公民身份号码由17位数字和最后1位数字或X组成。"),
    (None, r"the last character does not match", "公民身份号码最后一位校验码不符，可能有数字输错，请核对。"),
    (None, r"the birth date or place in it is not valid", "公民身份号码中的出生日期或地址码无效，请核对。"),
    (None, r"not a valid citizen ID number", "不是有效的公民身份号码，请核对。"),
    (None, r"the name as on the ID card", "请按身份证填写姓名（1至40个字）。"),
    (r"followers\.\d+\.relation", r"", "请选择与申请人的关系（配偶、子女或父母）。"),
    (r"kind", r"", "请选择申请事项。"),
    (r"township", r"a police station opens cases", "派出所只能受理本辖区的申请。"),
    (r"township", r"", "请选择受理的街道、乡镇。"),
    (None, r"at most (\d+) people", "随迁人员最多{0}人。"),
    (None, r"your account is not linked to a citizen ID number",
     "您的账号尚未绑定公民身份号码：请携带本人身份证到派出所办理实名绑定，然后再申请。"),
    (None, r"an applicant applies for themselves", "申请人只能为本人申请；为他人办理请到派出所窗口。"),
    (None, r"the register holds no record of this person yet",
     "本市户籍登记中还没有此人的记录：请先完成自助查询，再从查询结果提出申请，以便依据所填情况审批。"),
    (None, r"name the citizen at the counter", "请填写群众的姓名和公民身份号码。"),
    (None, r"applications are submitted by the applicant", "申请由申请人本人提交，或由派出所在窗口为群众录入。"),
    (None, r"send a unique key", "页面已过期，请刷新后重试。"),
    (None, r"every person must have a valid citizen ID number", "每一位随迁人员都须填写有效的公民身份号码。"),
    (None, r"the same person is listed twice", "同一人填写了两次，请核对公民身份号码。"),
    (None, r"one applicant, followed by", "申请人只有一位；随迁人员为配偶、子女或父母。"),
    (None, r"at most one spouse", "配偶只能填写一位。"),
    (None, r"a spouse who follows is an adult", "随迁的配偶应已年满18周岁，请核对公民身份号码。"),
    (None, r"a parent who follows is an adult", "随迁的父母应已年满18周岁，请核对公民身份号码。"),
    (None, r"a residence permit is one person's", "居住证一人一证：家庭成员请各自申请。"),
    (None, r"each person consents under their own account",
     "每个人须用本人账号确认自愿，或携带身份证到派出所当面签字确认。"),
    (None, r"whose consent", "请选择确认自愿的人。"),
    (None, r"the number on the ID card shown at the counter", "请填写当面出示的身份证上的号码。"),
    (None, r"no party ", "本案没有这个人。"),
    (None, r"this consent is not needed", "不需要此项确认（已经确认过，或为未成年人）。"),
    (None, r"the ID number is not that of the person who consents", "身份证号码与确认人不符，请核对所出示的身份证。"),
    (None, r"consent at the counter", "当面确认须本人在确认书上签字并出示身份证：请核实后勾选两项。"),
    (None, r"the case is at version|someone acted on (it|this case)",
     "有人已先办理了本案，页面已更新：请核对后重试。"),
    (None, r"expected the version you saw", "页面已过期，请刷新后重试。"),
    (None, r"'\w+' is not possible now for you", "本案现在不能由您办理此项。"),
    (None, r"who reviewed a case does not decide it", "审核人不能审批同一案件（审核与审批分离）。"),
    (None, r"a second approver is not the one who decided", "复核人不能是作出决定的审批人（须另一名审批人）。"),
    (None, r"rejecting a person the rules find eligible", "按规则此人符合条件：不予批准须写明理由，并经另一名审批人复核。"),
    (None, r"approving a person the rules do not find eligible",
     "按规则此人尚不符合条件：批准须写明理由，并经另一名审批人复核。"),
    (None, r"name the decision this approves", "待复核的决定已变更，请刷新后重试。"),
    (None, r"sending a decision back needs a written reason", "退回须写明理由。"),
    (None, r"no recorded consent from the applicant", "申请人尚未确认自愿，不能办理落户登记（落户自愿）。"),
    (None, r"a registration moves the applicant", "只登记申请人、已确认自愿的成年人和随迁的未成年子女。"),
    (None, r"the next endorsement window opens on (\S+)", "下次签注期自{0}开始（每年签注一次，在届满前一个月内办理）。"),
    (None, r"name every missing item at once", "请一次性列出所缺的全部材料（一次性告知）。"),
    (None, r"the case has no facts", "本案没有可供判断的事实：请先以补正材料的方式提供。"),
    (None, r"'.*' is not (among the verdict's reasons|a rule that fails)",
     "所选条件不能作为不予批准的依据：请从列表中选择。"),
    (None, r"not a community or village of the register", "请选择一个社区或村。"),
    (None, r"choose a community or village of the case's township", "请选择本案所在街道、乡镇的社区或村。"),
    (None, r"(.*)'s hukou was registered by case (\S+) after",
     "{0}的户口已由另一案件（{1}）登记，不能重复登记。"),
    (None, r"no case ", "没有这个案件，或您无权查看。"),
    (None, r"say why you read this", "请先选择查阅目的。"),
    (r"purpose", r"", "请从列表中选择查阅目的。"),
    (None, r"only .* read this report", "您的角色不能查看此页。"),
    (None, r"a case is submitted once", "申请只提交一次。"),
    (r"failed_rule", r"^required$|at least 1 character", "请选择不符合的条件。"),
    (r"reason", r"^required$|at least 1 character", "请写明理由。"),
    (r"place", r"^required$|should match pattern", "请选择落户地址（社区或村）。"),
    (None, r"^required$", "此项必填。"),
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
    """The refusal's message in the page's language."""
    field = form_field(path)
    for field_pattern, pattern, words in _TABLES["zh" if lang == "zh" else "en"]:
        if field_pattern is not None and not field_pattern.fullmatch(field):
            continue
        found = pattern.search(message)
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
