"""Parks: a name part followed by a zone suffix (高新区, 经开区, 产业园, 综合保税区 …).

The left edge is where the name begins: after punctuation, after a word that never begins a
name (在, 像, 由 …), or right after another zone (某火炬高新区|青禾高新城).
"""

from __future__ import annotations

import re
from functools import cache

from ..lexicon import INDUSTRY_WORDS, PARK_SUFFIXES, alternation
from ..model import Mention
from .base import HAN, SentenceContext, register, trim_left
from .places import place_pattern

__all__ = ["find_parks", "GENERIC_PREFIXES"]

#: Name parts that make a bare suffix a generic reference, not a name.
GENERIC_PREFIXES = frozenset(
    """该 本 全 各 这 那 此 其 整个 新 老 原 国家 国家级 省级 市级 区级 省 市 区 县 园 一个 这个 多个 各个 相关 周边 所在
    省级特色 特色 沿江 沿海 沿线 沿河 东部 西部 南部 北部 中部 核心 起步 先行 拓展 启动 重点 特色 专业 示范 首批 综合 现代 智慧 绿色 生态 科技 产业 工业 这些 一批 一些 两个 三个 入驻 进驻 省内 市内""".split()
)


@cache
def _suffix_pattern() -> re.Pattern[str]:
    return re.compile(alternation(PARK_SUFFIXES))


@register("park")
def find_parks(context: SentenceContext) -> None:
    """Named zones in the sentence; bare 高新区 / 园区 are left to the reference finder."""
    text, offset = context.text, context.offset
    previous: Mention | None = None
    for match in _suffix_pattern().finditer(text):
        end = offset + match.end()
        suffix = match.group()
        previous_end = previous.end if previous else offset
        window_start = max(previous_end, context.last_end_before(offset + match.start()), offset + match.start() - 16)
        start = trim_left(context, window_start, offset + match.start())
        while text[start - offset : start - offset + 1] in ("(", ")") and start < offset + match.start():
            start += 1  # (九龙片区: a bracket before a name is not part of it
        prefix = text[start - offset : match.start()]
        if previous is not None and start == previous.end and _continues(previous, prefix, suffix):
            # 南京江北新区|研创园, 光谷生物城|医疗器械产业园: one name that holds the zone before it.
            bracket = _BRACKETED.match(text, match.end())
            end += bracket.end() - match.end() if bracket else 0
            if previous.rule == "park.compound":
                context.mentions.remove(previous)
            previous = context.add("Park", previous.start, end, "park.compound", detail=PARK_SUFFIXES[suffix])
            continue
        # A zone's district in brackets belongs to its name: 杭州高新区(滨江); another name of the
        # zone in brackets (北京亦庄) does not.
        bracket = _BRACKETED_DISTRICT.match(text, match.end())
        other_name = None
        if (
            bracket
            and len(bracket.group(1)) <= 3
            and not place_pattern().fullmatch(bracket.group(1))
            and not bracket.group(1).endswith(("区", "县", "市", "旗"))
        ):
            end += bracket.end() - match.end()
        elif (
            bracket
            and not bracket.group(1).endswith(("区", "县", "市", "旗"))
            and not place_pattern().fullmatch(bracket.group(1))
        ):
            other_name = (offset + match.end() + 1, offset + bracket.end() - 1)
        if _inside_quotes(text, match.start()):
            continue  # “中国服务外包产业示范区”: an honour, not a zone
        # 片区 / 新区 name a zone only after a proper name of two characters or more.
        if suffix in (
            "片区",
            "新区",
            "小镇",
            "港区",
            "经济区",
            "集中区",
            "商务区",
            "试验区",
            "实验区",
            "合作区",
            "直管区",
            "示范区",
            "园区",
            "起步区",
            "投资区",
            "医药港",
        ) and (len(prefix) < 2 or prefix.endswith(("城", "园", "区"))):
            continue
        if suffix == "园区":
            zone = _BARE_ZONE.match(prefix)
            own = prefix[zone.end() :] if zone else ""
            if zone and len(own) >= 2 and _good_prefix(own) and not context.taken(start, end):
                # 高新区某某园区: a sub-park named after the bare name of the article's zone.
                previous = context.add("Park", start, end, "park.compound", detail=PARK_SUFFIXES[suffix])
            continue
        if _PART_OF_A_NAME.match(text, match.end()):
            continue  # 某地区的高新区联盟, 某某高新区论坛: a zone's name inside an alliance's or a forum's name
        if (
            context.taken(start - 1, start)
            and any(m.type == "Enterprise" and m.end == start for m in context.mentions)
            and _only_industry(prefix)
        ):
            continue  # 某集团冷链物流园区: a company's facility, not a zone
        if text[match.end() : match.end() + 2] == "项目" and suffix not in ("高新区", "经开区", "开发区", "新区"):
            continue  # 智能装备产业园项目: a company's project, not a zone  # a bare 园区 names a zone only right after another one (兰州新区精细化工园区)
        if not _good_prefix(prefix):
            continue
        if suffix in _DESIGNATIONS and not place_pattern().match(prefix):
            continue  # 海工配套产业基地: a designation of an industry; 某市海工配套产业基地 is a zone
        if suffix.endswith("港区") and "港" in prefix:
            continue  # 某某港某某港区: a port's terminal area, not a zone
        if prefix in _provinces():
            continue  # 居湖北省综合保税区第二位: the province's zones as a class, not one zone
        if context.taken(start, end):
            continue
        previous = context.add("Park", start, end, "park.suffix", detail=PARK_SUFFIXES[suffix])
        if other_name and not context.taken(*other_name):
            # 武汉经济技术开发区(中国车谷): the bracket gives the same zone another name.
            context.add("Park", *other_name, "alias.bracketed", refers_to=previous.text)


def _inside_quotes(text: str, position: int) -> bool:
    """Whether ``position`` lies inside a short “…” title (an honour), not a quoted speech."""
    before = text[:position]
    if before.count("“") <= before.count("”"):
        return False
    opening = before.rfind("“")
    closing = text.find("”", position)
    return closing >= 0 and closing - opening <= 25


def _continues(previous: Mention, prefix: str, suffix: str) -> bool:
    """Whether a zone right after another one extends its name rather than naming a new zone.

    It does when it has no name of its own (研创园), starts with a place (成都直管区 after
    四川天府新区) or names an industry (医疗器械产业园); a proper name (青禾高新城) starts anew.
    """
    if suffix in ("片区", "自贸片区") and previous.detail not in ("新区", "自贸区", "试验区"):
        return False
    if not prefix:
        return True
    if place_pattern().match(prefix):
        return True
    return any(word in prefix for word in INDUSTRY_WORDS) or bool(_INDUSTRY_HINT.search(prefix))


def _good_prefix(prefix: str) -> bool:
    """Whether ``prefix`` can be the proper-name part of a zone (省级特色, 2020年 and 三大
    cannot: they describe a zone without naming it)."""
    if _DESCRIPTIVE.search(prefix) or prefix in GENERIC_PREFIXES:
        return False
    # Only generic words (国家级 + 特色 + 产业): no name at all.
    if (run := _generic_run().match(prefix)) and run.end() == len(prefix):
        return False
    if not _NAME_CHARS.fullmatch(prefix):
        return False
    if _BODY_CHAR.search(prefix) or prefix.endswith(("分", "的")):
        return False
    # A prefix of one character is a name only when it is not a function word (e.g. 光谷 needs 2).
    return len(prefix) >= 2


#: A bare zone word right before a sub-park's name (高新区|某某园区).
_BARE_ZONE = re.compile(r"(?:高新区|经开区|开发区)")
#: What follows a zone's name when the zone is only part of another name.
_PART_OF_A_NAME = re.compile(r"(?:合作|发展|产业|创新)?(?:联盟|协会|商会|论坛|峰会|大会|研究院|管理办法)")
#: Suffixes that name a zone only after a place; after an industry they are a designation.
_DESIGNATIONS = frozenset({"产业基地"})
_DESCRIPTIVE = re.compile(r"\d{2,4}年|^\d|^[一二三四五六七八九十两几多]+[大个家类]?$|[一二三四五六七八九十两几多数]地$")
_NAME_CHARS = re.compile(rf"[{HAN}A-Za-z0-9()]+")
_BODY_CHAR = re.compile(r"[局委厅办处]")
_BRACKETED_DISTRICT = re.compile(rf"\(([{HAN}]{{2,6}})\)")
_BRACKETED = re.compile(rf"\([{HAN}]{{2,6}}\)")
_INDUSTRY_HINT = re.compile(r"制造|器械|医药|装备|产业|数字|智能")


@cache
def _provinces() -> frozenset[str]:
    """Province names as written with their 省 / 自治区 (湖北省, 广西壮族自治区)."""
    from ..lexicon import PROVINCES

    return frozenset(name for name in PROVINCES if name.endswith(("省", "自治区")))


def _only_industry(prefix: str) -> bool:
    """Whether ``prefix`` is made of industry words only (医药物流, 新能源汽车)."""
    rest = prefix
    while rest:
        word = next((w for w in sorted(INDUSTRY_WORDS, key=len, reverse=True) if rest.startswith(w)), None)
        if word is None:
            return False
        rest = rest[len(word) :]
    return True


@cache
def _generic_run() -> re.Pattern[str]:
    """Generic words repeated from the start, the longest word first at each step."""
    return re.compile(rf"{alternation(GENERIC_PREFIXES)}*")
