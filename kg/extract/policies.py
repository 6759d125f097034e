"""Policies: 《…》 titles of policy documents, quoted names (“人才十条”), and named plans
(…实施方案, …若干措施) after the verb that issued them (制定, 出台, 印发 …)."""

from __future__ import annotations

import re

from .base import HAN, SentenceContext, register

__all__ = ["find_policies", "POLICY_ENDINGS", "ISSUE_VERBS"]

POLICY_ENDINGS = (
    "意见", "方案", "办法", "措施", "规定", "条例", "政策", "规划", "通知", "决定", "细则", "计划",
    "纲要", "十条", "条", "指引", "指南", "若干", "举措", "清单", "机制", "新政", "标准", "规则",
)
ISSUE_VERBS = "制定|出台|印发|发布|编制出台|编制|推出|颁布|下发|制订|研究制定|修订|出台实施|发布实施|审议通过|通过|批复"

_TITLE = re.compile(r"《([^《》]{2,80})》")
_QUOTED = re.compile(rf"[“\"]([{HAN}A-Za-z0-9+]{{2,14}}?(?:\d+条|[一二三四五六七八九十百]+条|政策|新政|措施|意见|办法|方案))[”\"](?:政策|措施)?")
_NAMED = re.compile(
    rf"(?:{ISSUE_VERBS})了?(?P<name>[{HAN}A-Za-z0-9“”‘’\"'()]{{4,60}}?"
    rf"(?:实施方案|行动方案|工作方案|若干措施|若干政策|若干意见|实施意见|实施细则|管理办法|暂行办法|行动计划|政策措施|专项政策|政策十条|十条|系列文件)"
    rf"(?:\(\d{{4}}[—\-–~至]\d{{4}}年\))?)"
)


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
