"""Enterprises: full legal names (…有限公司, …集团) and short names (瀚云软件, 星河微电子).

Short names are found where the genre uses them: in lists closed by 等…企业, right before a
post title (某某微电子副总经理), after 以下简称, and as the distinctive core of a full name
found elsewhere in the same article.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ..lexicon import COMPANY_SUFFIXES, COUNTRIES, INDUSTRY_WORDS, PARK_SUFFIXES, POST_TITLES, alternation, place_index
from .base import HAN, SentenceContext, register, trim_left

__all__ = ["find_full_names", "find_short_names", "enterprise_core"]

_GENERIC = frozenset(
    """该公司 本公司 子公司 分公司 母公司 总公司 上市公司 科技公司 这家公司 一家公司 有限公司 集团 该集团 公司
    企业集团 产业集团 国有企业 民营企业 龙头企业 科技企业 软件企业 外资企业 投资公司 平台公司 国资公司""".split()
)


@cache
def _full_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?:{alternation(COMPANY_SUFFIXES)}|(?<=[{HAN}]{{4}})公司)(?:\([{HAN}]{{2,6}}\))?")


@register("enterprise.full")
def find_full_names(context: SentenceContext) -> None:
    """Names that end in a legal form: 有限公司, 股份有限公司, 集团, GmbH, Inc. …"""
    text, offset = context.text, context.offset
    for match in _LATIN.finditer(text):
        context.add("Enterprise", offset + match.start(), offset + match.end(), "enterprise.latin")
    for match in _full_pattern().finditer(text):
        if match.group().startswith("集团") and text[match.end() : match.end() + 4].startswith(("有限", "股份")):
            continue  # the longer legal form that follows is matched on its own
        end = offset + match.end()
        window_start = max(context.last_end_before(offset + match.start()), offset + match.start() - 28)
        # A bare 公司 ends a legal name only after words that are not verbs (日作出解散公司).
        bare = match.group() == "公司" or match.group().endswith("厂")
        start = trim_left(context, window_start, offset + match.start(), company=not bare)
        start = _past_investing_word(context, window_start, start, offset + match.start())
        # Latin letters right before the window's start belong to the name (KST集团).
        latin = re.search(r"[A-Za-z][A-Za-z0-9&]+$", text[window_start - offset : start - offset])
        if latin:
            start -= len(latin.group())
        # A leading (xx) belongs to the previous word, never to the start of a name; an opening
        # bracket with no closing one before the suffix starts the name: GmbH(霍夫曼…有限公司).
        while text[start - offset : start - offset + 1] in ("(", ")"):
            start += 1
        unclosed = text[start - offset : match.start()]
        if unclosed.count("(") > unclosed.count(")"):
            start += unclosed.rfind("(") + 1
        name = text[start - offset : match.end()]
        core = name[: len(name) - len(match.group())]
        if name.count(")") > name.count("(") or "%" in name or _DESCRIBED.search(core):
            continue  # 1.25%)股份有限公司 (a share price in brackets), 大型钢铁企业集团 (a kind)
        if name in _GENERIC or len(core) < 2 or core in ("该", "本", "这家", "一家") or core.endswith("的"):
            continue
        if match.group() == "公司" and (
            core in _GENERIC_COMPANY_CORES or len(core) < 4 or core.endswith(("子", "分", "总"))
        ):
            continue
        if context.taken(start, end):
            continue
        # 像某某公司这样的企业: an example of a kind, not the one the sentence is about.
        example = "example" if text[max(0, start - offset - 1) : start - offset] == "像" else None
        context.add("Enterprise", start, end, "enterprise.legal-suffix", detail=example)


#: Words that describe a kind of company rather than name one (大型钢铁企业集团).
_DESCRIBED = re.compile(r"大型|中型|小型|特大型|现代化?|一流|知名|著名|龙头|骨干|重点|企业$")
#: Words a legal name may hold though they end a name's left context elsewhere (某某投资咨询有限公司).
_NAME_INNER_WORDS = ("投资", "建设", "发展", "控股", "实业")


def _past_investing_word(context: SentenceContext, window_start: int, start: int, suffix_start: int) -> int:
    """Move ``start`` back over 投资 / 建设 … when what is left of the name is only industry words
    (咨询有限公司 from 某某投资咨询有限公司): those words belong to the name."""
    text, offset = context.text, context.offset
    rest = text[start - offset : suffix_start - offset]
    if rest and (rest not in INDUSTRY_WORDS and rest not in ("管理", "咨询", "服务", "开发", "运营")):
        return start
    for word in _NAME_INNER_WORDS:
        if text[start - offset - len(word) : start - offset] == word:
            before = trim_left(context, window_start, start - len(word), company=True)
            if before < start - len(word):
                return before
    return start


_GENERIC_COMPANY_CORES = frozenset(
    "该 本 这家 那家 一家 子 分 母 总 上市 科技 投资 平台 国有 民营 外资 合资 独资 贸易 物流 建设".split()
)

_LATIN = re.compile(
    r"(?<![A-Za-z])[A-Z][A-Za-z0-9&.'\-]*(?: [A-Z][A-Za-z0-9&.'\-]*){0,6},? "
    r"(?:GmbH|AG|SE|Inc\.?|Ltd\.?|Limited|Co\., ?Ltd\.?|Corporation|Corp\.?|LLC|S\.A\.|S\.p\.A\.|B\.V\.|N\.V\.|plc|Pte\. ?Ltd\.?|K\.K\.)(?![A-Za-z])"
)
_GENERIC_ITEM_HEADS = (
    "高端",
    "新型",
    "先进",
    "智能",
    "绿色",
    "现代",
    "新兴",
    "传统",
    "未来",
    "数字",
    "新",
    "关键",
    "核心",
    "重点",
    "主导",
    "优势",
    "特色",
)

#: 甲、乙等11家企业 / 甲、乙等核心零部件企业, but not 甲、乙等方面为企业… (the list is not of companies).
_LIST_TAIL = re.compile(
    r"等(?:\d+|[一二两三四五六七八九十百几数多]+)?(?:余|多)?(?:家|个)?(?:(?!方面|领域|环节|为|向|给|帮)[^,，。;；]){0,8}?(?:企业|公司|厂商|厂家|龙头|集团|品牌|巨头)"
)
#: Names listed right after the kind of company they are: 家电巨头甲、乙和丙等, 龙头企业甲、乙.
_DESCRIBED_LIST = re.compile(
    rf"(?:巨头|龙头企业|知名企业|品牌|厂商|客户)(?P<items>(?:(?!等)[{HAN}A-Za-z]){{2,8}}(?:[、和与及](?:(?!等)[{HAN}A-Za-z]){{2,8}}){{1,12}})(?=等|[,，。;；])"
)
#: A country (and 的) that leads a group of a list: 日本的, 韩国, 德国.
_COUNTRY_GROUP = re.compile(rf"(?:{'|'.join(sorted(COUNTRIES, key=len, reverse=True))})的?(?=[{HAN}A-Za-z])")
_COUNTRY_LED = tuple(COUNTRIES)
#: 甲…、乙…等一批项目 / 等项目: a list of projects, each written owner + capacity + product.
_PROJECT_LIST_TAIL = re.compile(r"(?:等|…+)(?:一批|多个|\d+个)?[^,，。;；…]{0,12}?项目")
_OWNER_BEFORE_CAPACITY = re.compile(
    rf"(?P<name>[{HAN}A-Za-z]{{2,8}}?)(?:年产能?|新建|扩建)?\d+(?:\.\d+)?(?:万|亿)?(?:吨|兆瓦|千瓦|MW|GW|台|辆|件|片|套|平方米)"
)
#: … or owner + facility or phase: 甲研发中心三期项目, 乙二期, 丙 (a company's own name for its project).
_OWNER_BEFORE_FACILITY = re.compile(
    rf"(?P<name>[{HAN}A-Za-z]{{2,8}}?)(?:研发中心|研发基地|生产基地|基地|总部|工厂|厂房|生产线)?(?:[一二三四五六七八九十\d]期)?(?:工程|项目)?"
)
_ITEM = re.compile(rf"^[{HAN}A-Za-z0-9]{{2,10}}$")


@cache
def _post_pattern() -> re.Pattern[str]:
    return re.compile(
        rf"({alternation(INDUSTRY_WORDS)})(?={alternation(POST_TITLES)}|公司|\d+(?:\.\d+)?代|[一二三四五六七八九十\d]期|项目)"
    )


def _looks_like_name(item: str) -> bool:
    if not _ITEM.match(item) or item in _GENERIC:
        return False
    # 集成电路, 汽车电子, 高端装备: industries, not companies.
    rest = item
    for word in sorted(INDUSTRY_WORDS, key=len, reverse=True) * 2:
        if rest.endswith(word):
            rest = rest[: -len(word)]
    if not rest or rest in _GENERIC_ITEM_HEADS or rest in INDUSTRY_WORDS:
        return False
    if any(item.endswith(s) for s in PARK_SUFFIXES) or item in place_index():
        return False
    return not re.search(r"(?:企业|公司|部门|单位|机构|高校|院所|学校|政府|协会)$", item)


@register("enterprise.short")
def find_short_names(context: SentenceContext) -> None:
    """Short names in 甲、乙、丙等企业 lists and right before a post title."""
    text, offset = context.text, context.offset
    for tail in _LIST_TAIL.finditer(text):
        head = text[: tail.start()]
        clause_start = max(head.rfind(ch) for ch in ",，。;；:：") + 1
        # 瑞典甲、乙，日本的丙、丁，韩国戊等品牌: groups led by a country continue the list.
        while head[clause_start:].startswith(_COUNTRY_LED) or _COUNTRY_GROUP.match(head, clause_start):
            previous = max(head.rfind(ch, 0, clause_start - 1) for ch in ",，。;；:：") + 1
            if clause_start == 0 or head[clause_start - 1] not in ",，" or not _COUNTRY_GROUP.match(head, previous):
                break
            clause_start = previous
        items_text = head[clause_start:]
        items = re.split(r"[、,，]", items_text)
        if len(items) < 2:
            continue
        if _common_words(context, items) * 2 >= len(items):
            continue  # 电抗器、电容器、开关等规上企业: a list of products or trades, not of companies
        position = offset + clause_start
        for number, item in enumerate(items):
            start, end = position, position + len(item)
            position = end + 1
            led = _COUNTRY_GROUP.match(item)
            if led:
                start += led.end()  # 日本的丙: the country is where it comes from, not its name
                item = item[led.end() :]
            elif number == 0:
                start = trim_left(context, start, end)
                item = text[start - offset : end - offset]
            if _looks_like_name(item) and not context.taken(start, end, allow=("Place",)):
                context.claim(start, end)
                context.add("Enterprise", start, end, "enterprise.list")
    for listed in _DESCRIBED_LIST.finditer(text):
        # 为国际家电巨头甲、乙和丙等配套: names listed right after the kind of company they are.
        position = offset + listed.start("items")
        for item in re.split(r"([、和与及])", listed.group("items")):
            start, end = position, position + len(item)
            position = end
            if len(item) < 2 or item in "、和与及":
                continue
            if (
                _looks_like_name(item)
                and (_has_brand(context, item) or item.isascii())
                and not context.taken(start, end, allow=("Place",))
            ):
                context.claim(start, end)
                context.add("Enterprise", start, end, "enterprise.described-list")
    for tail in _PROJECT_LIST_TAIL.finditer(text):
        # 保障甲5万吨钛白粉生产线、乙300兆瓦光伏组件等一批项目: each owner before its capacity.
        head = text[: tail.start()]
        counted = re.search(r"\d+个", tail.group())
        clause_start = max(head.rfind(ch) for ch in ",，。;；:：") + 1
        position = offset + clause_start
        for item in re.split(r"([、和])", head[clause_start:]):
            start, end = position, position + len(item)
            position = end
            owner = _OWNER_BEFORE_CAPACITY.match(item)
            if owner is None and (counted or item.endswith(("期", "项目", "工程"))):
                # 甲研发中心三期项目、乙…等 / 甲、乙、丙二期等6个外商投资项目: named by their owners.
                owner = _OWNER_BEFORE_FACILITY.fullmatch(item)
            if owner is None:
                continue
            end = start + owner.end("name")
            if start == offset + clause_start:
                start = trim_left(context, start, end)
            name = text[start - offset : end - offset]
            if (
                len(name) >= 2
                and _looks_like_name(name)
                and _has_brand(context, name)
                and not context.taken(start, end, allow=("Place",))
            ):
                context.claim(start, end)
                context.add("Enterprise", start, end, "enterprise.project-owner")
    for match in _post_pattern().finditer(text):
        end = offset + match.end()
        window_start = max(context.last_end_before(offset + match.start()), offset + match.start() - 10)
        start = trim_left(context, window_start, offset + match.start())
        name = text[start - offset : match.end()]
        if len(name) - len(match.group(1)) < 2 or not _looks_like_name(name):
            continue
        if not re.match(r"公司|" + "|".join(POST_TITLES), text[match.end() :]) and not _has_brand(
            context, name[: -len(match.group(1))]
        ):
            continue  # 工业机器人项目: a product, unless a brand names it (星河光电8.6代项目)
        if not context.taken(start, end, allow=("Place",)):
            context.claim(start, end)
            context.add("Enterprise", start, end, "enterprise.before-post")


#: Tags of the dictionary that mark a proper name (person, place, brand, organisation, abbreviation).
_PROPER_TAGS = ("nr", "ns", "nz", "nt", "j", "eng")


def _common_words(context: SentenceContext, items: list[str]) -> int:
    """How many list items are common words of the dictionary (变压器, 开关) or run into a trade
    (电线电缆制造): products and trades, where company names are mostly unknown words or names."""
    table = context.segmenter.tag_table
    common = 0
    for item in items:
        tag = table.get(item)
        if (tag is not None and not tag.startswith(_PROPER_TAGS)) or item.endswith(
            ("制造", "生产", "加工", "设备", "产品")
        ):
            common += 1
    return common


def _has_brand(context: SentenceContext, core: str) -> bool:
    """Whether ``core`` holds a proper name (a word the dictionary does not know, or tags as a
    name: 瀚云, 星河, 比亚迪) rather than only common nouns (工业, 航空发动机)."""
    return any(
        tag.startswith(("nr", "ns", "nz", "nt")) or (tag == "n" and word not in context.segmenter.tag_table)
        for word, tag in context.segmenter.tag(core)
        if not word.isdigit()
    )


@lru_cache(maxsize=65536)
def enterprise_core(name: str) -> str:
    """The distinctive part of a company name: no place prefix, legal form or industry word.

    ``江西瀚云智能科技有限公司`` → ``瀚云``; ``华磁永能(包头)科技有限公司`` → ``华磁永能``.
    """
    core = re.sub(r"\([^)]*\)", "", name)
    for suffix in sorted(COMPANY_SUFFIXES, key=len, reverse=True):
        if core.endswith(suffix):
            core = core[: -len(suffix)]
            break
    places = place_index()
    changed = True
    while changed:
        changed = False
        for length in (5, 4, 3, 2):
            if core[:length] in places and len(core) - length >= 2:
                core = core[length:]
                core = core[1:] if core.startswith(("市", "省")) else core
                changed = True
                break
    for word in sorted(INDUSTRY_WORDS, key=len, reverse=True):
        while core.endswith(word) and len(core) - len(word) >= 2:
            core = core[: -len(word)]
    return core
