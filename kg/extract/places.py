"""Places: provinces and cities from the lexicon, and districts or counties before 区委 / 县政府."""

from __future__ import annotations

import re
from functools import cache

from ..lexicon import alternation, place_index
from .base import HAN, SentenceContext, register

__all__ = ["find_places", "place_pattern"]


@cache
def place_pattern() -> re.Pattern[str]:
    return re.compile(alternation(place_index()))


_DISTRICT = re.compile(rf"(?<![{HAN}])([{HAN}]{{2,3}}?[区县])(?=委|政府|人民政府)")
_DISTRICT_STATED = re.compile(
    rf"(?:位于|地处|坐落于|坐落在|地处于)(?:[{HAN}]{{2,5}}?[省市])?([{HAN}]{{2,4}}?(?:区|县|旗))(?=的|,|，|。|境内|西|东|南|北|中)"
)
_DISTRICT_AFTER_CITY = re.compile(rf"([{HAN}]{{2,3}}?(?:区|县|旗))(?![{HAN}]{{0,1}}(?:委|政府))")
_DISTRICT_AFTER_SHORT_CITY = re.compile(rf"市([{HAN}]{{2,3}}?(?:区|县|旗))(?![{HAN}]{{0,1}}(?:委|政府))")
_NOT_A_DISTRICT = re.compile(
    r"地区|园区|片区|新区|城区|市区|辖区|开发区|高新区|经开区|综保区|保税区|港区|功能区|核心区|示范区|全区|该区"
)
#: (城区 alone or after 老/主/中心 is the town centre; 清城区 is a district.)
_NOT_A_STATED_DISTRICT = re.compile(
    r"新区|园区|片区|核心|(?:^|[老主中心旧])城区|市区|辖区|开发区|高新区|经开区|综保区|功能区|港区"
)
_DISTRICT_AFTER_STOP = re.compile(rf"([{HAN}]{{2,3}}?[区县])(?=委书记|委副书记|政府|人民政府|委常委)")


@register("place")
def find_places(context: SentenceContext) -> None:
    """Provinces and cities anywhere; a district named just before its 区委 or 区政府."""
    text, offset = context.text, context.offset
    # A district stated with 位于 first: 位于长沙县 is 长沙县, not 长沙.
    for match in _DISTRICT_STATED.finditer(text):
        name = match.group(1)
        if _NOT_A_STATED_DISTRICT.search(name):
            continue
        start, end = offset + match.start(1), offset + match.end(1)
        if not context.taken(start, end):
            context.add("Place", start, end, "place.district", detail="district")
    places = list(place_pattern().finditer(text))
    # 厦门市海沧区, 沈阳市浑南区: a district right after its city.
    for match in places:
        tail = (_DISTRICT_AFTER_CITY if match.group().endswith("市") else _DISTRICT_AFTER_SHORT_CITY).match(
            text, match.end()
        )
        if not tail or _NOT_A_DISTRICT.search(tail.group(1)):
            continue
        start, end = offset + tail.start(1), offset + tail.end(1)
        if not context.taken(start, end):
            context.add("Place", start, end, "place.district", detail="district")
    for match in places:
        start, end = offset + match.start(), offset + match.end()
        # 包头 followed by 市 is the full form 包头市.
        if text[match.end() : match.end() + 1] == "市" and not match.group().endswith("市"):
            end += 1
        if not context.taken(start, end):
            context.add("Place", start, end, "place.lexicon")
    for pattern in (_DISTRICT, _DISTRICT_AFTER_STOP):
        for match in pattern.finditer(text):
            name = match.group(1)
            if name.endswith(
                (
                    "园区",
                    "片区",
                    "社区",
                    "城区",
                    "市区",
                    "该区",
                    "全区",
                    "本区",
                    "辖区",
                    "新区",
                    "高新区",
                    "开发区",
                    "经开区",
                    "综保区",
                )
            ):
                continue
            start, end = offset + match.start(1), offset + match.end(1)
            if not context.taken(start, end):
                context.add("Place", start, end, "place.district", detail="district")
