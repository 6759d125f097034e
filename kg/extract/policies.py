"""Policies: 《…》 titles of policy documents, quoted names (“人才十条”), and named plans
(…实施方案, …若干措施) after the verb that issued them (制定, 出台, 印发 …)."""

from __future__ import annotations

import re

from .base import HAN, SentenceContext, register

__all__ = ["find_policies", "POLICY_ENDINGS", "ISSUE_VERBS"]

POLICY_ENDINGS = (
    "意见",
    "方案",
    "办法",
    "措施",
    "规定",
    "条例",
    "政策",
    "规划",
    "通知",
    "决定",
    "细则",
    "计划",
    "纲要",
    "十条",
    "条",
    "指引",
    "指南",
    "若干",
    "举措",
    "清单",
    "机制",
    "新政",
    "标准",
    "规则",
)
ISSUE_VERBS = "制定|出台|印发|发布|编制出台|编制|推出|颁布|下发|制订|研究制定|修订|出台实施|发布实施|审议通过|通过|批复"

_TITLE = re.compile(r"《([^《》]{2,80})》")
_QUOTED = re.compile(
    rf"[“\"]([{HAN}A-Za-z0-9+]{{2,14}}?(?:\d+条|[一二三四五六七八九十百]+条|政策|新政|措施|意见|办法|方案|计划|规划|纲要|条例|举措))[”\"](?:政策|措施)?"
)
_NAMED = re.compile(
    rf"(?:{ISSUE_VERBS})了?(?P<name>[{HAN}A-Za-z0-9“”‘’\"'()]{{4,60}}?"
    rf"(?:实施方案|行动方案|工作方案|若干措施|若干政策|若干意见|实施意见|实施细则|管理办法|暂行办法|行动计划|政策措施|专项政策|政策十条|十条|系列文件)"
    rf"(?:\(\d{{4}}[—\-–~至]\d{{4}}年\))?)"
)


#: Heads that end the name of a plan, programme or rule written without 《》.
_PLAN_HEADS = r"规划|计划|方案|办法|条例|举措|措施|意见|细则|纲要|清单|政策|(?:促进|保护|管理|安全|监督|防治)法"
#: Verbs after which a plan is named: it is made, passed, carried out or kept to.
_PLAN_VERBS = (
    r"制定|制订|出台|印发|发布|颁布|编制|推出|审议通过|通过|实施|落实好|落实|深化落实|贯彻落实|贯彻|执行|"
    r"启动|推进|推行|开展|按照|根据|依据|把"
)
#: A quoted programme name run into its head: “三年行动”计划, “某某”产业提升计划, “十四五”规划.
_QUOTED_PLAN = re.compile(
    rf"“(?P<quoted>[{HAN}A-Za-z0-9+\-]{{2,12}})”(?P<rest>[{HAN}A-Za-z0-9]{{0,10}}?)(?P<head>{_PLAN_HEADS}|工程|行动)"
    rf"(?![{HAN}]{{0,1}}(?:面积|用地|建设|局|区|期间|目标|编制|设计|管理局))"
)
#: A plan named without quotes right after the verb that makes or carries it out.
_VERB_PLAN = re.compile(
    rf"(?:{_PLAN_VERBS})(?P<name>[{HAN}A-Za-z0-9“”]{{2,22}}?(?:{_PLAN_HEADS})(?:{_PLAN_HEADS})?)(?![{HAN}]{{0,1}}(?:面积|用地|建设|布局|局|区|期间|目标|编制|设计))"
)
#: Rules and arrangements named as such: 建立…诚信档案制度, 完善…准入机制.
_INSTITUTION = re.compile(
    rf"(?:建立|完善|实行|推行|健全)(?:了|起)?(?:[^,，。;；]{{0,12}}的)?(?P<name>[{HAN}]{{4,16}}?(?:制度|机制))"
)
#: Plans named after another one: 落实好某促进法和某促进条例.
_NEXT_PLAN = re.compile(rf"(?:和|与|及|、)(?P<name>[{HAN}A-Za-z0-9“”]{{2,22}}?(?:{_PLAN_HEADS}))")
#: What a plan without a name of its own starts with (相关政策, 一系列措施, 有关规划).
_GENERIC_PLAN = re.compile(
    r"^(?:相关|有关|各项|各类|一系列|系列|这些|这一|该|此|新的|多项|若干|优惠|扶持|支持|配套|惠企|上述|一批|各种|各级|总体|发展|产业|专项|工作|"
    r"年度|重点|具体|新|好|一项|一揽子|了|的|本|其|国家|省|市|区|县|政府|企业|项目|建设|招商|用地|土地|城市|区域|空间|详细|控制性|"
    r"进一步|积极|全面|有效|稳步|加快|加大|大力|切实|加强|强化|优化|完善|健全|提升)+$"
)


#: Openings that describe plans instead of naming one: 各项人才政策, 十二条措施.
_DESCRIBED_PLAN = re.compile(
    r"^(?:各项|各类|相关|有关|一系列|系列|多项|若干|这些|上述|[\d一二三四五六七八九十百]+[条项])"
)
#: A stance described, not a plan named (适度宽松的货币政策, 更加积极的财政政策).
_STANCE = re.compile(r"适度|宽松|稳健|更加积极|积极的")


#: Heads that name a kind of document rather than a title unless a number, a quote or 若干 marks it.
_WEAK_HEAD = re.compile(r"(?:政策|措施|举措|意见|办法)$")
#: Verbs that carry out a plan someone else made (as against 出台, 制定, 印发: making it).
_APPLYING_VERBS = frozenset(
    {"落实", "落实好", "深化落实", "贯彻落实", "贯彻", "执行", "按照", "根据", "依据", "推进", "推行", "开展", "实施"}
)


def _plan_name(name: str) -> bool:
    """Whether ``name`` names one plan rather than describing plans (相关政策, 扶持措施)."""
    core = re.sub(rf"(?:{_PLAN_HEADS}|工程|行动|制度|机制)$", "", name)
    if (
        len(name) < 4
        or len(core) < 2
        or _GENERIC_PLAN.match(core)
        or _DESCRIBED_PLAN.match(name)
        or _STANCE.search(name)
    ):
        return False
    if re.search(r"(?:政策|措施|举措|办法|意见)$", name) and len(name) < 7 and not re.search(r"[\d“]", name):
        return False  # 人才政策, 长春市人才政策: a kind of policy, not the title of one
    if re.search(r"的|作为|和|与|及|以及", name.replace("“", "").replace("”", "")) or re.match(_PLAN_VERBS, name):
        return False  # 某某作为…的重要举措, 市场和价格机制: a description or two things, not one name
    return not re.match(r"^(?:了|的|着|好|对|在|向|为|将|和|与)", name)


@register("policy")
def find_policies(context: SentenceContext) -> None:
    """《…》 titles that end like a policy, quoted policy names, and plans after 制定/出台."""
    text, offset = context.text, context.offset
    for match in _TITLE.finditer(text):
        title = match.group(1).strip()
        if title.endswith(POLICY_ENDINGS) or re.search(ISSUE_VERBS, text[max(0, match.start() - 8) : match.start()]):
            context.add("Policy", offset + match.start(1), offset + match.end(1), "policy.title")
    for match in _QUOTED.finditer(text):
        start, end = offset + match.start(1), offset + match.end(1)
        if not context.taken(start, end):
            context.add("Policy", start, end, "policy.quoted")
    for match in _NAMED.finditer(text):
        name = match.group("name")
        start, end = offset + match.start("name"), offset + match.end("name")
        if context.taken(start, end) or len(name) < 6 or re.match(r"^(?:若干|相关|一系列|系列|多项|了)", name):
            continue
        context.add("Policy", start, end, "policy.named-plan")
    for pattern, rule in ((_VERB_PLAN, "policy.verb-plan"), (_INSTITUTION, "policy.institution")):
        for match in pattern.finditer(text):
            start, end = offset + match.start("name"), offset + match.end("name")
            name = match.group("name")
            if ("“" in name and "”" not in name) or ("”" in name and "“" not in name):
                continue
            if not _plan_name(name) or context.taken(start, end):
                continue
            verb = match.group()[: match.start("name") - match.start()]
            if _WEAK_HEAD.search(name) and not re.search(r"[\d“”]|若干", name) and verb in _APPLYING_VERBS:
                continue  # 落实某产业发展措施: measures carried out, named by what they are about, not by a title
            context.add("Policy", start, end, rule)
            following = _NEXT_PLAN.match(text, match.end())
            if following and _plan_name(following.group("name")):
                a, b = offset + following.start("name"), offset + following.end("name")
                if not context.taken(a, b):
                    context.add("Policy", a, b, rule)
    for match in _QUOTED_PLAN.finditer(text):
        start, end = offset + match.start(), offset + match.end()
        if match.group("head") in ("工程", "行动") and not match.group("rest"):
            continue  # “某某”工程 alone: often a campaign or an honour, not a named plan
        if not context.taken(start, end):
            context.add("Policy", start, end, "policy.quoted-plan")
