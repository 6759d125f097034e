"""Government bodies: a place or park followed by a body head (党工委, 管委会, 市委, 科技局 …).

The anchor (南昌高新区 in 南昌高新区科经局) stays a mention of its own, nested in the body.
市委、市政府 with no place before them stand for the article's city; the caller resolves them.
"""

from __future__ import annotations

import re
from functools import cache

from ..lexicon import BODY_HEADS, DEPARTMENTS, NATIONAL_BODIES, alternation
from .base import HAN, SentenceContext, register

__all__ = ["find_bodies"]


@cache
def _head_pattern() -> re.Pattern[str]:
    departments = alternation(DEPARTMENTS)
    heads = alternation(BODY_HEADS)
    return re.compile(
        rf"(?:片区)?(?:{departments}(?:委员会|办公室|服务中心|中心|局|委|厅|办|部(?!门))|{heads}|管理局|指挥部|工委|市委|市政府|委|政府)"
        rf"(?:[{HAN}]{{2,4}}?分局|办公厅|办公室)?"
    )


_LONE = re.compile(
    rf"(?<![{HAN}])(?:当地|该)?(市委|市政府|市人民政府|省委|省政府|省人民政府|区委|区政府|县委|县政府)"
    rf"|(?:(?<![{HAN}])|(?<=园区|新区|该区|本区))(管委会|党工委|管理委员会)"
)


@cache
def _national() -> re.Pattern[str]:
    return re.compile(alternation(NATIONAL_BODIES))


@cache
def _department() -> re.Pattern[str]:
    departments = alternation(DEPARTMENTS)
    return re.compile(rf"(?:(?<![{HAN}])|(?<=[^{HAN}][区市县])){departments}(?:委员会|局|委|办公室)")


@register("body")
def find_bodies(context: SentenceContext) -> None:
    """Bodies anchored on a park or place mention that ends where the body's head begins."""
    text, offset = context.text, context.offset
    anchors = {m.end: m for m in context.mentions if m.type in ("Park", "Place") and not m.generic}
    for match in _head_pattern().finditer(text):
        head_start = offset + match.start()
        anchor = anchors.get(head_start)
        # 合肥市|市政府, 新北区|区委 and 南沙自贸片区|片区管委会 share characters with their anchor.
        for shared in (1, 2):
            candidate = anchors.get(head_start + shared)
            if anchor is None and candidate is not None and candidate.text.endswith(match.group()[:shared]):
                anchor = candidate
        if anchor is None:
            continue
        if match.group() in ("委", "政府") and not (
            anchor.type == "Place" and anchor.text.endswith(("市", "区", "县", "省"))
        ):
            continue
        end = offset + match.end()
        if context.taken(anchor.start, end, allow=("Park", "Place")):
            continue
        head = match.group()
        head = head[2:] if head.startswith("片区") and len(head) > 2 else head
        context.add("GovernmentBody", anchor.start, end, "body.anchored", detail=head)
    for match in _national().finditer(text):
        start, end = offset + match.start(), offset + match.end()
        if not context.taken(start, end):
            context.add("GovernmentBody", start, end, "body.national")
    for match in _LONE.finditer(text):
        group = 1 if match.group(1) else 2
        start, end = offset + match.start(group), offset + match.end(group)
        if not context.taken(start, end):
            context.add("GovernmentBody", start, end, "body.local", generic=True, detail=match.group(group))
    for match in _department().finditer(text):
        start, end = offset + match.start(), offset + match.end()
        if not context.taken(start, end):
            context.add("GovernmentBody", start, end, "body.department", generic=True, detail="department")
