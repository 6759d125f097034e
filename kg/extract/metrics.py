"""Metrics: figures credited to a park or an enterprise, with indicator, year and growth.

A figure belongs to the nearest park or enterprise named before it in its sentence; when the
nearest candidate is a city, a province, the country or 全市 / 全省, the figure is not the
park's and is dropped. A figure right after its owner (某集团20万吨) is the owner's; a project's
figures go to the company that owns it, and to every partner of a joint project; the total of a
list of companies is the zone's. Where no zone leads the article (a work report naming many),
figures of a sentence that names none are nobody's. The indicator is the noun phrase before the figure (实现工业产值 →
工业产值); a growth rate (同比增长23.9%) is linked to the figure that grew. The rule ids
(``achieves.…``) are read out for the page in :mod:`kg.extract.rules`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from ..components import Work, component
from ..lexicon import HAN, PARK_BODY_HEADS
from ..model import Article, Evidence, Mention, Metric
from ..quantity import Quantity, find_quantities
from ..resolve import ArticleEntities
from ..segment import Segmenter
from .base import CUSTOMER_BEFORE, opens_sentence

__all__ = ["extract_metrics", "CONFIDENCE"]

#: How sure each way of crediting a figure is: the subject of its own clause, the sentence's
#: opening subject or the speaker of a quotation, the sentence's topic (also when it then gives
#: way to a project's owner or, for a regional indicator, to the article's zone), and last the
#: article's zone when nothing at all is named.
CONFIDENCE: dict[str, float] = {
    "achieves.nearest-subject": 0.8,
    "achieves.sentence-subject": 0.7,
    "achieves.quote-speaker": 0.7,
    "achieves.sentence-topic": 0.65,
    "achieves.article-park": 0.5,
}
#: Characters before a figure searched for a policy's ceiling (最高, 不超过, 每个 …).
_CAP_WINDOW = 8
#: At most this many characters (的 and one more) between a figure and the company it describes.
_FOLLOWING_GAP = 2
#: The indicator of a figure with no noun phrase before it, by unit.
_DEFAULT_INDICATOR = {"CNY": "金额", "percent": "比例", "person": "人数", "count": "数量"}

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\d{0,2}月\d)|(今年|去年|明年|前年)")
_TARGET = re.compile(
    r"力争|争取|目标(?:是|为|到|:|：)|计划(?:到|在|于|实现|完成|新增|投资|年)|预计|有望|确保|将(?:实现|达到|突破|新增|超过)|预期|规划到"
)
_GROWTH = re.compile(
    r"(同比|比上年|较上年|比去年|较去年|年均|环比)?(增长|增速|提高|提升|上升|增加|下降|减少|回落)(?:了)?(?:达)?$"
)
_CLAUSE_END = re.compile(r"[;；。]")
_SHARE_OF = re.compile(rf"(?:占|超过|相当于|达到)(?P<area>全市|全省|全国|全区|全球|[{HAN}]{{2,3}}[市省])")
_COMPARISON = re.compile(
    r"(?P<than>高于|低于|快于|慢于|超过|比上年同期|比上年|比去年|较上年|较去年)?(?P<area>全市|全省|全国|全区|平均水平|提高|下降|增加|减少)"
)
_SIZE_CLASS = re.compile(r"(?:以上|以下)?的?(?:工业|产业|重大|重点|新)?(?:项目|企业)")
_INCENTIVE = re.compile(r"给予|奖励|补助|资助|补贴(?!金额)|贴息|一次性")
_GRANT_AFTER = re.compile(r"的?(?:一次性)?(?:奖励|补贴|补助|资助|奖补|扶持资金|支持资金)")
_CONDITION_END = re.compile(r"[^,，;；。]*的(?:企业|项目|单位|机构|团队|个人|人才)")
_POLICY_ITEMS = re.compile(r"(?:支持|扶持|优惠|具体|配套)?(?:政策|措施|举措|条款)")
_PROJECT_START = re.compile(r"^(?:(?:该|这一|此|一期|二期|三期)?项目|(?:建成|投产|达产|竣工)(?:投产)?后)")
_CAP = re.compile(r"(?:最高|最多|最低|不超过|上限|每(?!年)[个家人]?|按)[^,，;；。]{0,10}$")
_REGIONAL = re.compile(
    r"地区生产总值|生产总值|GDP|规模以上工业|规上工业|固定资产投资|一般公共预算|进出口|外资|招商引资|财政收入|税收|就业|各类人才|民生|高新技术企业"
)
_NOT_SUBJECT = re.compile(
    r"(?:由|像|在|于|到|落户|入驻|位于|落地|占|高于|低于|超过|超出|比|较|对|向|经|从|自|来自|覆盖|面向|服务)$"
)
_COMMA = re.compile(r"[,，;；:：。]")
#: A comma clause that opens with 是 up to the mention: a predicate (…产业园，是县委、县政府谋划的…).
_PREDICATE_CLAUSE = re.compile(r"[,，;；:：。](?:也|还|更|正|就|即|都)?是[^,，;；:：。]*$")
_CLAUSE_BREAK = re.compile(r"[,，;；:：。、“”\"]")
_DROP_TAGS = ("v", "d", "p", "c", "u", "m", "q", "r", "t", "f", "ad", "y", "x")
_LEAD_WORDS = re.compile(r"^(?:累计|共|合计|全年|新增|其中|分别|已|实现|完成|达到|达|同比|总计)+")


#: A clause about a project whose owner was named before: 该项目占地…, 项目建成投产后…, 一期项目…
_PROJECT_CLAUSE = re.compile(
    rf"该[{HAN}]{{0,8}}项目|项目(?:总投资|建成|投产|达产|占地|一期|二期)|[一二三]期(?:项目|工程)"
)
#: Several projects at once (其余9个项目, 全部项目): their totals are no one company's.
_MANY_PROJECTS = re.compile(
    r"(?:\d+|[两三四五六七八九十几多数]+)(?:个|项|大)[^,，;；。]{0,6}项目|其余|全部|所有|这些|各"
)
#: What may stand between an owner and its figure: 年产, 投资, 计划投资, nothing.
_OWNER_GAP = re.compile(r"(?:年产能?|年加工|年处理|年销售|计划?总?投资|新建|建设|扩建)?")
#: A figure the partners reach together: 三方联合投入4亿美元, 双方合资.
_JOINT_FIGURE = re.compile(r"(?:共同|联合|合资|双方|三方|各方)[^,，;；。]{0,6}$")
#: Joint investment: 由甲和乙共同投资, 甲与乙合资, 三方共同出资.
_JOINT = re.compile(r"共同|联合|合资|合作|双方|三方|携手|出资|投资建设")


#: A paragraph that is an item of the list before it: ①…, 1. …, (一)…, 一是…
_LIST_ITEM = re.compile(
    rf"\s*(?:[①-⑳]|\d{{1,2}}(?:[.、．)]|(?=[{HAN}]))|[(（][一二三四五六七八九十\d]{{1,2}}[)）]|[一二三四五六七八九十]是)"
)


def _adjacent_owner(
    text: str, offset: int, position: int, here: list[Mention], ents: ArticleEntities
) -> Mention | None:
    """A park or company written right before a figure (某集团30万吨, 某公司年产40万件)."""
    for mention in here:
        if mention.type not in ("Enterprise", "Park") or mention.generic or not ents.get(mention):
            continue
        if mention.end <= position and _OWNER_GAP.fullmatch(text, mention.end - offset, position - offset):
            return mention
    return None


def _lists_before(text: str, offset: int, position: int, before: list[Mention]) -> bool:
    """Whether the figure follows a list of names closed by 等 (甲、乙、丙等6个项目，总投资共计…)."""
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, position - offset)), default=0)
    listed = [
        m
        for m in before
        if text[m.end - offset : m.end - offset + 1] == "、" or text[m.start - offset - 1 : m.start - offset] == "、"
    ]
    if len(listed) < 2:
        return False
    tail = text[max(m.end for m in listed) - offset : position - offset]
    first = min(m.start for m in listed) - offset
    # The list must be what the clause is about: it opens the sentence or a comma clause.
    opens = first == clause_start or text[first - 1 : first] in (",", "，", ";", "；", ":", "：")
    return "等" in tail and clause_start <= first and opens


#: What joins two partners: 、 和 与 及, also with where the second one sits (与位于某开发区的乙).
_PARTNER_GAP = re.compile(r"(?:公司|集团)?(?:[、和与及]|以及|、和|联合)(?:位于[^,，。;；]{1,14}的)?")


def _partners(text: str, offset: int, companies: list[Mention], ents: ArticleEntities) -> list[str]:
    """The companies of a sentence that invest together (由甲和乙投资建设的, 甲与乙共同出资), else []."""
    if len(companies) < 2 or not _JOINT.search(text):
        return []
    joined = [companies[0]]
    for company in companies[1:]:
        gap = text[joined[-1].end - offset : company.start - offset]
        if _PARTNER_GAP.fullmatch(gap):
            joined.append(company)
        elif len(joined) < 2:
            joined = [company]
    ids = list(dict.fromkeys(ents.get(m) or "" for m in joined))
    return ids if len(ids) >= 2 else []


def _year_before(text: str, position: int, article: Article) -> int | None:
    year = None
    for match in _YEAR.finditer(text[:position]):
        if match.group(1):
            year = int(match.group(1))
        elif article.date_year:
            year = article.date_year + {"今年": 0, "去年": -1, "明年": 1, "前年": -2}[match.group(2)]
    return year


_PERIOD_WORDS = re.compile(r"(?:19|20)\d{2}\s*年度?|今年|去年|全年|上半年|下半年|一季度|前三季度")
_TITLE = re.compile(r"《[^》]*》?")


def _indicator(segmenter: Segmenter, fragment: str) -> str:
    """The noun phrase that ends ``fragment``: 申请资金总额达 → 资金总额."""
    fragment = _PERIOD_WORDS.sub("", fragment)
    words = segmenter.tag(fragment)
    while words and (
        (words[-1][1].startswith(_DROP_TAGS) and words[-1][1] != "vn") or words[-1][0] in ("达", "为", "超", "近", "约")
    ):
        words.pop()
    start = 0
    for position, (_, tag) in enumerate(words):
        if tag.startswith(("v", "p", "c", "u", "r", "m", "q", "d", "x")) and tag != "vn":
            start = position + 1
    phrase = "".join(word for word, _ in words[start:])
    return _LEAD_WORDS.sub("", phrase)[-12:]


def _noun_after(segmenter: Segmenter, text: str) -> str:
    """The noun that a count qualifies: 45家化工企业 → 化工企业."""
    fragment = _CLAUSE_BREAK.split(text, maxsplit=1)[0][:12]
    fragment = _TITLE.sub("", fragment)
    fragment = fragment.split("的")[-1] if "的" in fragment else fragment
    words: list[str] = []
    for word, tag in segmenter.tag(fragment):
        if tag.startswith(("v", "p", "c", "u", "d")) and tag != "vn" and words:
            break
        if tag.startswith(("n", "vn", "j", "l")) or (words and tag.startswith(("n", "vn"))):
            words.append(word)
        elif words:
            break
    return "".join(words)


def _clause_subject(text: str, offset: int, before: list[Mention]) -> Mention | None:
    """The subject of the comma clause nearest the figure that names any candidate.

    Within that clause the first mention wins (subjects lead Chinese clauses: 华磁永能…在
    某某高新区建设了…), a body wins over the park named inside it, and a sub-park over the zone
    named right before it.
    """

    def clause_of(mention: Mention) -> int:
        return len(_COMMA.findall(text, 0, mention.start - offset))

    # A name after 在 / 落户 / 占 / 高于 is a place or a yardstick, not the clause's subject; a
    # short name defined in brackets (以下简称“某某”) repeats the name before it.
    before = [
        m
        for m in before
        if not _NOT_SUBJECT.search(text[max(0, m.start - offset - 3) : m.start - offset])
        and m.rule != "alias.short-name"
        and not (m.type == "Enterprise" and CUSTOMER_BEFORE.search(text, 0, m.start - offset))
        and not _PREDICATE_CLAUSE.search(text, 0, m.start - offset)
    ]
    if not before:
        return None
    last_clause = max(clause_of(m) for m in before)
    in_clause = sorted((m for m in before if clause_of(m) == last_clause), key=lambda m: (m.start, -(m.end - m.start)))
    # 片区内的某综保区, 芜湖高新区内的某公司, 区内企业某公司: the one named after 内的 is meant.
    while len(in_clause) > 1:
        first, second = in_clause[0], next((m for m in in_clause[1:] if m.start >= in_clause[0].end), None)
        if second is None:
            break
        gap = text[first.end - offset : second.start - offset]
        adjacent_zones = not gap and first.type == second.type == "Park"  # 某经开区|某产业园集聚企业50余家
        if (
            adjacent_zones
            or gap in ("内的", "的", "内", "里的", "中的", "旗下的", "旗下")
            or (
                first.generic
                and first.type == "Park"
                and not second.generic
                and len(gap) <= 6
                and not re.search(r"[,，;；:：、在于]", gap)
            )
        ):
            in_clause = [m for m in in_clause if m.start >= second.start]
            continue
        break
    return in_clause[0]


def _quote_speakers(article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> dict[int, str]:
    """For each sentence inside a quotation, the park or enterprise its speaker speaks for.

    The speaker is the person named right before the opening “ (某公司总经理张三介绍：“…”) or
    right after the closing ” (…”张三说), and speaks for the organisation of their post.
    """
    speakers: dict[int, str] = {}
    group: list[int] = []
    open_at: int | None = None
    for sentence in article.sentences:
        text = sentence.norm
        opens, closes = text.rfind("“"), text.rfind("”")
        if open_at is None and opens >= 0 and (opens > closes or text.find("“") < 2):
            open_at = sentence.index
        if open_at is not None:
            group.append(sentence.index)
        if open_at is not None and closes >= 0 and closes > opens:
            org = _speaker_org(article, by_sentence, ents, open_at, sentence.index)
            if org:
                speakers.update({index: org for index in group})
            group, open_at = [], None
    return speakers


def _speaker_org(
    article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities, first: int, last: int
) -> str | None:
    opening = article.sentences[first]
    candidates = [
        m for m in by_sentence.get(first, []) if m.type == "Person" and m.end - opening.start <= opening.norm.find("“")
    ]
    closing = article.sentences[last]
    after_quote = closing.start + closing.norm.rfind("”")
    candidates += [m for m in by_sentence.get(last, []) if m.type == "Person" and m.start >= after_quote]
    if last + 1 < len(article.sentences):
        candidates += [m for m in by_sentence.get(last + 1, []) if m.type == "Person"][:1]
    if first > 0:
        # 某公司总经理张三介绍，…。“…”: the speaker introduced in the sentence before the quote.
        before = article.sentences[first - 1]
        candidates += [
            m
            for m in by_sentence.get(first - 1, [])
            if m.type == "Person" and _SPEECH_AFTER.match(before.norm, m.end - before.start)
        ]
    for person in candidates:
        org = _post_org(person, by_sentence, ents)
        if org is None:
            # 张三说 after the quote: the organisation of the post the article gave them before.
            org = next(
                (
                    found
                    for index in range(person.sentence, -1, -1)
                    for m in by_sentence.get(index, [])
                    if m.type == "Person"
                    and m.text == person.text
                    and m.detail
                    and (found := _post_org(m, by_sentence, ents))
                ),
                None,
            )
        if org:
            return org
    return None


#: A verb of saying right after a speaker's name (张三介绍, 李四表示：).
_SPEECH_AFTER = re.compile(r"(?:介绍|表示|说|称|指出|告诉)")


def _post_org(person: Mention, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> str | None:
    """The park or enterprise in the posts written before a person's name (某公司总经理张三)."""
    chain_start = person.start - len(person.detail or "")
    orgs = [
        m
        for m in by_sentence.get(person.sentence, [])
        if m.type in ("Enterprise", "Park") and chain_start <= m.start and m.end <= person.start and ents.get(m)
    ]
    if orgs:
        return ents.get(max(orgs, key=lambda m: (m.type == "Enterprise", m.end - m.start)))
    return None


def _a_figure(text: str, offset: int, quantity: Quantity, blocked_spans: list[tuple[int, int]]) -> bool:
    """Whether a quantity is a figure someone achieved, not a list's size, a policy's ceiling,
    length or grant, or inside a policy's title (``blocked_spans``)."""
    if any(s <= quantity.start < e for s, e in blocked_spans):
        return False
    if text[quantity.start - offset - 1 : quantity.start - offset] == "等":
        return False  # 甲、乙等11家企业: the size of a list, not a figure
    if _CAP.search(text[max(0, quantity.start - offset - _CAP_WINDOW) : quantity.start - offset]):
        return False  # 给予最高500万元奖励: a policy's ceiling, not an achievement
    clause_text = text[
        max((m.end() for m in _COMMA.finditer(text, 0, quantity.start - offset)), default=0) : quantity.start - offset
    ]
    if quantity.surface.endswith("条") and "》" in clause_text:
        return False  # 《若干措施》共十二条: the length of a policy, not a figure
    if _INCENTIVE.search(clause_text):
        return False  # 给予一次性奖励300万元: what a policy grants, not what anyone achieved
    after_quantity = text[quantity.end - offset :]
    if _GRANT_AFTER.match(after_quantity) or (quantity.surface.endswith("条") and _POLICY_ITEMS.match(after_quantity)):
        return False  # 拿到300万元的一次性奖励, 推出十二条支持政策: a grant, a policy's length
    if "对" in clause_text and _CONDITION_END.match(after_quantity) and _INCENTIVE.search(after_quantity):
        return False  # 对营业收入首次突破10亿元的企业，给予…: the condition of a grant
    return True


def _indicator_of(
    segmenter: Segmenter,
    text: str,
    offset: int,
    quantity: Quantity,
    anchor: Mention | None,
    sentence_metrics: list[Metric],
    metrics: list[Metric],
) -> tuple[str, int | None]:
    """What a figure measures (the noun phrase before it, or the last figure's for a growth
    rate, share or comparison) and the index of the metric it is the growth of."""
    local = quantity.start - offset
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, local)), default=0)
    if anchor is not None and anchor.end - offset > clause_start:
        clause_start = anchor.end - offset
    fragment = text[clause_start:local]
    growth = _GROWTH.search(fragment)
    indicator = _indicator(segmenter, fragment)
    growth_of = None
    own = _indicator(segmenter, fragment[: growth.start()]) if growth else ""
    if growth and quantity.unit in ("percent", "percentage_point") and sentence_metrics and not own:
        base = sentence_metrics[-1]
        growth_of = metrics.index(base)
        indicator = base.indicator + (growth.group(1) or "") + growth.group(2)
    elif growth and own:
        indicator = own + (growth.group(1) or "") + growth.group(2)
    share = _SHARE_OF.search(fragment)
    if share and quantity.unit == "percent":
        # 占全市总数的42%, 超过全市的三分之一: a share of the wider area's total.
        base_indicator = sentence_metrics[-1].indicator if sentence_metrics else ""
        indicator = f"{base_indicator}占{share.group('area')}比重"
    comparison = _COMPARISON.search(fragment)
    if comparison and quantity.unit == "percentage_point" and sentence_metrics:
        # 增速高于全省8.9个百分点 / 比上年提高2.3个百分点: how the last figure compares.
        indicator = sentence_metrics[-1].indicator + (comparison.group("than") or "") + comparison.group("area")
    elif (not indicator or fragment.endswith("的")) and quantity.unit in ("count", "person", "mu", "m2"):
        indicator = _noun_after(segmenter, text[quantity.end - offset :]) or indicator
    if not indicator:
        indicator = _DEFAULT_INDICATOR.get(quantity.unit, "数值")
    return indicator, growth_of


def _metric(
    owner: str,
    indicator: str,
    quantity: Quantity,
    evidence: Evidence,
    year: int | None,
    target: bool,
    growth_of: int | None,
) -> Metric:
    """One figure credited to ``owner``, keyed by what it says (owner, indicator, value, unit, year, target)."""
    metric = Metric(
        subject=owner,
        indicator=indicator,
        value=quantity.value,
        unit=quantity.unit,
        surface=quantity.surface,
        evidence=evidence,
        qualifier=quantity.qualifier,
        year=year,
        target=target,
        growth_of=growth_of,
    )
    metric.key = hashlib.sha1(
        f"{owner}|{indicator}|{quantity.value}|{quantity.unit}|{year}|{target}".encode()
    ).hexdigest()[:16]
    return metric


#: The numbered heading of a report's section: 一、 (二) 第三部分.
_SECTION_HEADING = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[章节部分])"
)


@component("metrics", reads=("mentions", "entities", "words"), adds=("metrics",))
def read_metrics(work: Work) -> None:
    """The pipeline's metric reader: the figures of the article and whose they are."""
    assert work.article is not None and work.entities is not None and work.segmenter is not None
    work.metrics = extract_metrics(work.article, work.mentions, work.entities, work.segmenter)


def extract_metrics(
    article: Article, mentions: list[Mention], ents: ArticleEntities, segmenter: Segmenter
) -> list[Metric]:
    """Every figure of the article that can be credited to a park or an enterprise."""
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_sentence[mention.sentence].append(mention)
    metrics: list[Metric] = []
    carried: str | None = None
    last_enterprise: str | None = None
    partners: list[str] = []  # companies that invest in a project together (由甲和乙共同投资…)
    # A year stated once (2022年，…) holds for the figures that follow it.
    last_year: int | None = next(
        (
            y
            for s in article.sentences[: article.headline_sentences]
            if (y := _year_before(s.norm, len(s.norm), article))
        ),
        article.date_year,
    )
    speakers = _quote_speakers(article, by_sentence, ents)
    main_park = ents.id_of("Park", ents.main_park) if ents.main_park else None
    paragraph = -1
    for sentence in article.sentences[article.headline_sentences :]:
        text, offset = sentence.norm, sentence.start
        if sentence.paragraph != paragraph and not ents.park_leads and not _LIST_ITEM.match(text):
            carried = None  # a report naming many zones: a new paragraph starts a new topic (not a ① item)
        paragraph = sentence.paragraph
        if carried != main_park and _SECTION_HEADING.match(text):
            # A new section (三、固定资产投资) speaks of the article's zone again, not of a
            # zone the last section named in passing (先进陶瓷产业园入驻企业48家).
            carried = None
        here = by_sentence.get(sentence.index, [])
        blocked_spans = [(m.start, m.end) for m in here if m.type == "Policy"]
        # A generic reference that points at nothing (该物流园 where no zone was named) is no subject,
        # nor, inside a quotation, a scope such as 全球 (全球前十大生产商中，有8家是我们的客户).
        quoted = sentence.index in speakers
        subjects = [
            m
            for m in here
            if m.type in ("Park", "Enterprise", "Place", "GovernmentBody")
            and not (m.generic and m.type in ("Park", "Enterprise") and not ents.get(m))
            and not (quoted and m.generic and m.type == "Place")
            # 全球家电巨头, 全国百强: an area that only qualifies a noun inside a clause is no subject.
            and not (
                m.generic
                and m.type == "Place"
                and text[m.start - offset - 1 : m.start - offset] not in ("", ",", "，", ";", "；", "。", ":", "：")
            )
        ]
        sentence_metrics: list[Metric] = []
        wider_area = False  # the sentence's first clause gave its figure to a city, province or body
        opening_subject: str | None = None  # … or to this park or enterprise
        named_here = [
            m
            for m in subjects
            if m.type in ("Park", "Enterprise")
            and ents.get(m)
            and m.detail != "example"
            and (not m.generic or m.type == "Park")
        ]
        topic = ents.get(named_here[0]) if named_here else carried
        companies_here = [m for m in here if m.type == "Enterprise" and not m.generic and ents.get(m)]
        partners_here = _partners(text, offset, companies_here, ents)
        partners = partners_here or partners
        fallback = topic is None and ents.main_park is not None and ents.park_leads
        for quantity in find_quantities(text, offset):
            if not _a_figure(text, offset, quantity, blocked_spans):
                continue
            clause_from = offset + max(
                (m.end() for m in _CLAUSE_END.finditer(text, 0, quantity.start - offset)), default=0
            )
            before = [m for m in subjects if clause_from <= m.start and m.end <= quantity.start]
            subject_id: str | None = None
            rule = "achieves.nearest-subject"
            confidence = CONFIDENCE[rule]
            anchor: Mention | None = None
            following = [
                m
                for m in here
                if m.type == "Enterprise"
                and not m.generic
                and ents.get(m)
                and 0 <= m.start - quantity.end <= _FOLLOWING_GAP
                and text[quantity.end - offset : m.start - offset].startswith("的")
            ]
            if following:
                before = [following[0]]  # 总投资12.5亿元的某公司: the figure describes the company after it
            aggregate = False
            adjacent = _adjacent_owner(text, offset, quantity.start, here, ents)
            if adjacent is not None:
                before = [adjacent]  # 某集团20万吨甲醇项目, 某公司年产60万件: the figure right after its owner
            elif before and _lists_before(text, offset, quantity.start, before):
                before = []  # 甲、乙、丙等6个项目，总投资共计…: a group's total, not one member's
                aggregate = True
            if before:
                anchor = _clause_subject(text, offset, before)
            if anchor is not None:
                if anchor.type in ("Park", "Enterprise"):
                    subject_id = ents.get(anchor)
                elif anchor.type == "GovernmentBody" and (anchor.detail or "") in PARK_BODY_HEADS:
                    # 某高新区管委会 speaking of figures: they are the park's.
                    inner = [m for m in here if m.type == "Park" and m.start == anchor.start and ents.get(m)]
                    subject_id = ents.get(inner[0]) if inner else None
                opening = not _CLAUSE_END.search(text, 0, anchor.start - offset) and not any(
                    m.type in ("Park", "Enterprise") and m.start < anchor.start for m in subjects
                )
                if opening and subject_id is None:
                    wider_area = True  # the sentence opens on a city, a province or a body
                elif opening and opening_subject is None:
                    opening_subject = subject_id  # 公司实现营业收入…；净利润…: the later clauses are its too
            elif wider_area:
                continue  # 全市生产总值…；规上工业增加值增长7.4%: later clauses with no subject stay the city's
            elif opening_subject is not None and not before:
                subject_id, rule = opening_subject, "achieves.sentence-subject"
                confidence = CONFIDENCE[rule]
            elif sentence.index in speakers and not named_here:
                # Inside a quotation with no subject of its own: the speaker's organisation.
                subject_id, rule = speakers[sentence.index], "achieves.quote-speaker"
                confidence = CONFIDENCE[rule]
            else:
                local = quantity.start - offset
                fragment = text[max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, local)), default=0) : local]
                subject_id, rule = topic, "achieves.sentence-topic"
                confidence = CONFIDENCE[rule]  # kept when the topic gives way to a project's owner or the zone
                if aggregate:
                    # The total of a list of companies or projects is the zone's, never a member's:
                    # the zone the sentence names, else the one it speaks of.
                    zone = next((ents.get(m) for m in named_here if m.type == "Park"), None)
                    subject_id = zone or (main_park if ents.park_leads else carried)
                if last_enterprise and (
                    _PROJECT_START.match(text)
                    or (
                        _PROJECT_CLAUSE.search(text, 0, local)
                        and not named_here
                        and not _MANY_PROJECTS.search(text[:local])
                    )
                ):
                    # 项目达产后…, 据悉，该项目占地…: the project of the enterprise just named.
                    subject_id, rule = last_enterprise, "achieves.project-owner"
                # Regional indicators (地区生产总值, 固定资产投资 …) with no subject are the article's zone's.
                main = ents.id_of("Park", ents.main_park) if ents.main_park else None
                if main and _REGIONAL.search(fragment) and (topic is None or topic.startswith("Enterprise:")):
                    subject_id, rule = main, "achieves.article-park"
            if subject_id is None and fallback and not before:
                # Nothing named at all: in a story about one zone, the figure is the zone's.
                subject_id, rule = ents.id_of("Park", ents.main_park or ""), "achieves.article-park"
                confidence = CONFIDENCE[rule]
            if subject_id is None:
                continue
            after = text[quantity.end - offset :]
            if quantity.unit in ("CNY", "USD") and (
                _SIZE_CLASS.match(after)
                or (quantity.qualifier == "at_least" and re.match(r"的?[^,，;；。]{0,10}?(?:项目|企业)", after))
            ):
                continue  # 5亿元以上项目, 10亿元以上的整车项目: a size class, not a figure
            local = quantity.start - offset
            indicator, growth_of = _indicator_of(segmenter, text, offset, quantity, anchor, sentence_metrics, metrics)
            year = _year_before(text, local, article) or last_year
            target = bool(_TARGET.search(text[clause_from - offset : local]))
            # The evidence runs from the subject to the figure, or from the figure to a subject
            # named after it (总投资12.5亿元的某公司).
            evidence_start = min(anchor.start, quantity.start) if anchor is not None else quantity.start
            evidence_end = max(anchor.end, quantity.end) if anchor is not None else quantity.end
            evidence = Evidence(article.key, sentence.index, evidence_start, evidence_end, rule, confidence)
            # A joint project's figures, and figures of the sentence that makes partners of them,
            # are every partner's.
            joint = rule == "achieves.project-owner" or bool(partners_here) or _JOINT_FIGURE.search(text, 0, local)
            owners = [subject_id] + (
                [p for p in partners if p != subject_id] if joint and subject_id in partners else []
            )
            for owner in owners:
                metric = _metric(owner, indicator, quantity, evidence, year, target, growth_of)
                metrics.append(metric)
                if owner == subject_id:
                    sentence_metrics.append(metric)
        companies = [m for m in here if m.type == "Enterprise" and not m.generic and ents.get(m)]
        if companies:
            # The company the sentence opens on owns what follows (甲由乙控股投资…。投产后…: 甲's).
            opener = companies[0] if companies[0].start == offset else companies[-1]
            last_enterprise = ents.get(opener)
            if not partners or any(ents.get(m) not in partners for m in companies):
                # Partners stay partners while the sentences after name only them (甲是…。乙是…).
                partners = _partners(text, offset, companies, ents)
        stated = _year_before(text, len(text), article)
        if stated:
            last_year = stated
        # The next sentence without a subject of its own continues this one's topic.
        if named_here:
            # Only a zone carries over to the next sentence; an enterprise must be named again
            # (该公司, 企业) to keep the floor.
            first_park = next((m for m in named_here if m.type == "Park"), None)
            if first_park is not None and not ents.park_leads and not opens_sentence(text, offset, first_park):
                carried = None  # 支持某经开区、某高新区…: zones a report acts on, not its next subject
            else:
                carried = ents.get(first_park) if first_park is not None else carried
        elif subjects:
            carried = None
    return metrics
