"""The policy page (`hukou policy show`): the plan in its own order, each clause's whole published text
beside what implements it, the clauses nothing implements marked, then the other documents cited,
with the quotes that cannot be checked marked as such."""

from __future__ import annotations

import html
import re

from policytools import changji_dict

from hukou.plan_map import implementations
from hukou.policy.policy_file import parse_policy
from hukou.web.policy_page import render_policy_page

NOT_YET = "尚无实现"
UNCHECKED = "未与随附文本核对"


def sections(page: str) -> dict[str, str]:
    """Each clause's section by its id, in page order."""
    return {m.group(1): m.group(2) for m in re.finditer(r'<section class="clause" id="([^"]+)">(.*?)</section>', page, re.DOTALL)}


def test_every_clause_stands_in_the_plans_order_with_its_whole_text_beside_what_implements_it(changji):
    page = render_policy_page(changji)
    found = sections(page)
    mapped = implementations(changji)
    plan = [c for c in mapped if c.plan]
    assert list(found)[:len(plan)] == [c.mark for c in plan]
    for c in plan:
        section = found[c.mark]
        for line in c.text.splitlines():
            if line.strip() and "|" not in line:
                assert html.escape(line.strip(), quote=False) in section, (c.mark, line)
        assert (NOT_YET in section) == (not c.implemented_by), c.mark
        for p in c.implemented_by:
            assert p.implementation.id in section, (c.mark, p.implementation.id)
    # the notice's publication details are set apart from its words
    assert "CJS001/2018-000344" in found["通知"] and "索 引 号 |" not in found["通知"]
    # each part heading stands before the first clause it holds
    for heading, first in (("一、总体要求", "§一"), ("二、进一步拓宽落户通道", "§四"), ("四、强化监测检查", "§十六")):
        assert page.index(heading) < page.index(f'id="{first}"') < page.index(heading) + 400


def test_a_parameter_shows_its_dated_values_and_a_quote_says_whether_it_was_checked(changji):
    found = sections(render_policy_page(changji))
    five = found["§五"]
    assert "settlement.general.min_social_insurance_months" in five and "<td>2018-12-05</td><td>0</td>" in five
    assert "与原文一致" in five and UNCHECKED not in five  # the plan's text ships: every quote of it is checked
    ninth = found["国务院令第663号-第九条"]  # 居住证暂行条例: only 第二条 ships
    assert UNCHECKED in ninth and "residence_permit.issue_days" in ninth and "casework.permit_deadline" in ninth
    assert UNCHECKED not in found["国务院令第663号-第二条"]


def test_the_other_documents_follow_the_plan_and_the_checks_of_the_whole_file_close_it(changji):
    page = render_policy_page(changji)
    order = [page.index(s) for s in ('id="§十九"', "本政策引用的其他文件", 'id="国发〔2014〕25号-二(四)"',
                                     'id="国务院令第663号-第二条"', "不对应某一条款的检查和功能", "L9 misquote")]
    assert order == sorted(order)


def test_without_the_plans_text_the_page_shows_the_words_the_file_quotes():
    policy = parse_policy(changji_dict())  # no texts
    page = render_policy_page(policy)
    found = sections(page)
    assert "本政策文件未附方案全文" in page and "§六" not in found
    assert UNCHECKED in found["§四"] and "talent.graduate" in found["§四"]
    assert "全面放开对高校毕业生、技术工人、职业院校毕业生、留学归国人员的落户限制" in found["§四"]
